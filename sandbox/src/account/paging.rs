//! Graph cursor paging over a list: `limit`, `after`, `before`, and `paging.cursors` plus a
//! `next` link only when another page follows (as Meta does on the last page).

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::error::GraphError;

/// Meta's page size on these edges when no `limit` is given is 25; the sandbox uses a small
/// one so that paging is exercised with a handful of seeded items.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 3;
const MAX_PAGE_SIZE: usize = 1000;

fn cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("sandbox:{offset}"))
}

fn offset(cursor: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("sandbox:")?
        .parse()
        .ok()
}

/// One page of `items` for the query `q`; `url` is the edge's URL (without a query), for the
/// `next` link.
pub(crate) fn page(
    items: Vec<Value>,
    q: &HashMap<String, String>,
    url: &str,
) -> Result<Value, GraphError> {
    let limit = match q.get("limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param limit must be a number between 1 and {MAX_PAGE_SIZE}"
                )))
            }
        },
    };
    let start = match (q.get("after"), q.get("before")) {
        (Some(after), _) => offset(after)
            .ok_or_else(|| GraphError::invalid_param("(#100) Invalid cursor: after"))?,
        (None, Some(before)) => offset(before)
            .ok_or_else(|| GraphError::invalid_param("(#100) Invalid cursor: before"))?
            .saturating_sub(limit),
        (None, None) => 0,
    };
    let end = (start + limit).min(items.len());
    let data: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({ "data": data });
    if !data.is_empty() {
        let mut paging = json!({"cursors": {"before": cursor(start), "after": cursor(end)}});
        if end < items.len() {
            let mut query: std::collections::BTreeMap<&str, String> = q
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "after" | "before" | "access_token"))
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            query.insert("limit", limit.to_string());
            query.insert("after", cursor(end));
            let encoded: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            paging["next"] = json!(format!("{url}?{}", encoded.join("&")));
        }
        if start > 0 {
            paging["previous"] = json!(format!("{url}?limit={limit}&before={}", cursor(start)));
        }
        body["paging"] = paging;
    }
    Ok(body)
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_cursors_and_the_last_has_no_next() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let q = HashMap::new();
        let first = page(items.clone(), &q, "http://x/e").unwrap();
        assert_eq!(first["data"], json!([0, 1, 2]));
        let after = first["paging"]["cursors"]["after"].as_str().unwrap();
        assert!(first["paging"]["next"].as_str().unwrap().contains(after));
        let q = HashMap::from([("after".to_string(), after.to_string())]);
        let second = page(items, &q, "http://x/e").unwrap();
        assert_eq!(second["data"], json!([3, 4]));
        assert!(second["paging"].get("next").is_none());
    }
}
