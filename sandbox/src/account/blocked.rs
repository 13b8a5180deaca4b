//! Blocked users. A user the sandbox knows as not on WhatsApp (the `undeliverable` list of the
//! configuration) cannot be blocked: a request naming one gets Meta's partial failure, code
//! 139100 answered with HTTP 200 next to the users that were blocked.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::parse_object;
use crate::error::GraphError;
use crate::util::{digits, fbtrace_id};

/// The blocked users' WhatsApp ids, in order.
#[derive(Debug, Default)]
pub(crate) struct Blocked {
    users: BTreeSet<String>,
}

impl Blocked {
    pub(crate) fn list(&self) -> Vec<Value> {
        if self.users.is_empty() {
            return Vec::new();
        }
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|wa_id| json!({"messaging_product": "whatsapp", "wa_id": wa_id}))
            .collect();
        // Meta groups the users of a page inside one data item.
        users
            .chunks(2)
            .map(|chunk| json!({ "block_users": chunk }))
            .collect()
    }

    /// Blocks (or unblocks) the users of a request body.
    pub(crate) fn change(
        &mut self,
        body: &[u8],
        block: bool,
        unreachable: &[String],
    ) -> Result<(StatusCode, Value), GraphError> {
        let v = parse_object(body)?;
        if v.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
            return Err(GraphError::invalid_param(
                "(#100) The parameter messaging_product is required.",
            ));
        }
        let Some(users) = v
            .get("block_users")
            .and_then(Value::as_array)
            .filter(|u| !u.is_empty())
        else {
            return Err(GraphError::missing(
                "The parameter block_users is required.",
            ));
        };
        let mut done = Vec::new();
        let mut failed = Vec::new();
        for (index, user) in users.iter().enumerate() {
            let Some(input) = user.get("user").and_then(Value::as_str) else {
                return Err(GraphError::missing(format!(
                    "The parameter block_users[{index}]['user'] is required."
                )));
            };
            let wa_id = digits(input);
            if !(5..=15).contains(&wa_id.len()) || unreachable.contains(&wa_id) {
                failed.push(json!({"input": input, "wa_id": wa_id, "errors": [{
                    "message": "Failed to block/unblock user",
                    "code": 139100,
                    "error_data": {"details": "The user is not a WhatsApp user or has not messaged the business in the last 24 hours."}
                }]}));
                continue;
            }
            if block {
                self.users.insert(wa_id.clone());
            } else {
                self.users.remove(&wa_id);
            }
            done.push(json!({"input": input, "wa_id": wa_id}));
        }
        let key = if block {
            "added_users"
        } else {
            "removed_users"
        };
        let mut lists = json!({ key: done });
        let mut answer = json!({"messaging_product": "whatsapp"});
        if !failed.is_empty() {
            lists["failed_users"] = json!(failed);
            answer["error"] = json!({
                "message": "(#139100) Failed to block/unblock users",
                "type": "OAuthException",
                "code": 139100,
                "error_data": {"details": "Failed to block some users, see the block_users response list for details"},
                "fbtrace_id": fbtrace_id(),
            });
        }
        answer["block_users"] = lists;
        Ok((StatusCode::OK, answer))
    }
}
