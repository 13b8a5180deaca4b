//! Blocked users of a phone number: `POST|DELETE|GET /{phone-number-id}/block_users`.
//!
//! Blocking and unblocking are idempotent (blocking a blocked user leaves it blocked), so an
//! unanswered attempt is repeated. A partial failure (code 139100) is answered with HTTP 200
//! and is not an error: the [`BlockOutcome`] names the users that failed and why.

use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::manage::{json_body, management_call, PhoneNumber};
use super::paging::List;
use crate::client::{api_error, decode_json};
use crate::error::{GraphError, Result, ValidationError};
use crate::layers::facts::Management;
use crate::models::blocked_users::{BlockOutcome, BlockedUser, FailedUser};

const BLOCK: Management = Management::idempotent("block-users");
const UNBLOCK: Management = Management::idempotent("unblock-users");
const LIST: Management = Management::read("blocked-users-list");

/// The most users one block or unblock call takes (Meta's limit per request).
pub const MAX_USERS_PER_CALL: usize = 1000;

impl PhoneNumber {
    /// Blocks users (phone numbers or WhatsApp ids) who messaged the business in the last 24
    /// hours.
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// let outcome = client.phone_number().block_users(["+16505551234"]).await?;
    /// for failed in &outcome.failed {
    ///     println!("{:?}: {:?}", failed.input, failed.errors);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn block_users<I, S>(&self, users: I) -> BlockUsersRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        BlockUsersRequest {
            number: self.clone(),
            users: users.into_iter().map(Into::into).collect(),
            unblock: false,
            deadline: None,
        }
    }

    /// Unblocks users.
    pub fn unblock_users<I, S>(&self, users: I) -> BlockUsersRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        BlockUsersRequest {
            unblock: true,
            ..self.block_users(users)
        }
    }

    /// Lists the blocked users, every page (each list item holds a group of users).
    pub fn blocked_users(&self) -> BlockedUsersList {
        BlockedUsersList {
            list: List::new(
                self.client.clone(),
                self.url(&["block_users"]),
                LIST,
                Some(self.id.clone()),
            ),
        }
    }
}

/// Blocks or unblocks users.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct BlockUsersRequest {
    number: PhoneNumber,
    users: Vec<String>,
    unblock: bool,
    deadline: Option<Duration>,
}

#[derive(Deserialize, Default)]
struct Lists {
    #[serde(default)]
    added_users: Vec<BlockedUser>,
    #[serde(default)]
    removed_users: Vec<BlockedUser>,
    #[serde(default)]
    failed_users: Vec<FailedUser>,
}

#[derive(Deserialize)]
struct BlockAnswer {
    #[serde(default)]
    block_users: Option<Lists>,
}

impl BlockUsersRequest {
    async fn run(self) -> Result<BlockOutcome> {
        if self.users.is_empty() || self.users.len() > MAX_USERS_PER_CALL {
            return Err(ValidationError::new(
                "block_users",
                format!("must name 1 to {MAX_USERS_PER_CALL} users"),
            )
            .into());
        }
        if let Some(index) = self.users.iter().position(|u| u.trim().is_empty()) {
            return Err(ValidationError::new(
                format!("block_users[{index}].user"),
                "must not be empty",
            )
            .into());
        }
        let url = self.number.url(&["block_users"])?;
        let (method, management) = if self.unblock {
            (Method::DELETE, UNBLOCK)
        } else {
            (Method::POST, BLOCK)
        };
        let users: Vec<_> = self
            .users
            .iter()
            .map(|user| json!({ "user": user }))
            .collect();
        let body = json!({"messaging_product": "whatsapp", "block_users": users});
        let mut call = self.number.call(method, url, management);
        call.body = Some(json_body("block_users", &body)?);
        call.deadline = self.deadline;
        let answer = self.number.client.execute_partial(call).await?;
        let parsed: BlockAnswer = decode_json(&answer)?;
        let error = GraphError::from_body(&answer.body);
        let lists = parsed.block_users;
        match (error, lists) {
            // A Graph error without the lists is a plain failure, whatever the status.
            (Some(error), None) => Err(api_error(answer.status, error)),
            (error, lists) => {
                let lists = lists.unwrap_or_default();
                let mut done = lists.added_users;
                done.extend(lists.removed_users);
                Ok(BlockOutcome {
                    done,
                    failed: lists.failed_users,
                    error,
                })
            }
        }
    }
}

management_call!(BlockUsersRequest -> BlockOutcome);

/// One item of the blocked-users list: a group of users.
#[derive(Debug, Clone, Deserialize)]
struct BlockedGroup {
    #[serde(default)]
    block_users: Vec<BlockedUser>,
}

/// The blocked users, following Meta's cursors. Await it for all of them, or
/// [`stream`](BlockedUsersList::stream) them.
#[derive(Debug)]
#[must_use = "a list does nothing until it is awaited or streamed"]
pub struct BlockedUsersList {
    list: List<BlockedGroup>,
}

impl BlockedUsersList {
    /// Groups per page (`limit`).
    pub fn limit(self, limit: u32) -> Self {
        BlockedUsersList {
            list: self.list.limit(limit),
        }
    }

    /// Gives up after this long, for the whole list.
    pub fn deadline(self, deadline: Duration) -> Self {
        BlockedUsersList {
            list: self.list.deadline(deadline),
        }
    }

    /// Every blocked user, in order.
    pub fn stream(self) -> BoxStream<'static, Result<BlockedUser>> {
        self.list
            .stream()
            .map_ok(|group| stream::iter(group.block_users.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

impl std::future::IntoFuture for BlockedUsersList {
    type Output = Result<Vec<BlockedUser>>;
    type IntoFuture = super::CallFuture<Vec<BlockedUser>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.stream().try_collect())
    }
}
