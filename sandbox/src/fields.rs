//! Webhook values the sandbox posts besides statuses: inbound messages from users known only
//! by their business-scoped user id (BSUID), and the non-message fields (templates, phone
//! number quality, user preferences). Written as Meta's webhook reference pages show them,
//! with the sandbox's own JSON (never the SDK's types).

use serde_json::{json, Value};

use crate::util;

/// The `value` of an inbound message from a user who shows a username instead of their
/// phone number: `from_user_id` and a contact with `user_id` and `profile.username`, no
/// `from` and no `wa_id`. `message` holds the type-specific part; `id` and `timestamp` are
/// filled in when missing. Returns the value and the message id.
pub(crate) fn bsuid_inbound(
    user_id: &str,
    username: Option<&str>,
    mut message: Value,
) -> (Value, String) {
    let id = match message.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => util::wamid(&util::digits(user_id)),
    };
    if let Value::Object(m) = &mut message {
        m.remove("from");
        m.insert("from_user_id".into(), json!(user_id));
        m.insert("id".into(), json!(id));
        m.entry("timestamp")
            .or_insert_with(|| json!(util::unix_now().to_string()));
    }
    let mut profile = json!({"name": "Sandbox User"});
    if let Some(username) = username {
        profile["username"] = json!(username);
    }
    let value = json!({
        "contacts": [{"profile": profile, "user_id": user_id}],
        "messages": [message],
    });
    (value, id)
}

/// A stable numeric template id for a template name (Meta sends template ids as numbers).
pub(crate) fn template_id(name: &str) -> u64 {
    // FNV-1a, folded into 16 digits.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1_000_000_000_000_000 + hash % 1_000_000_000_000_000
}

/// `message_template_status_update`: `event` (`APPROVED`, `REJECTED`, `PAUSED`, ...) for the
/// template `name` in `language`; `reason` defaults to `NONE`.
pub(crate) fn template_status(
    name: &str,
    language: &str,
    event: &str,
    reason: Option<&str>,
) -> Value {
    let mut v = json!({
        "event": event,
        "message_template_id": template_id(name),
        "message_template_name": name,
        "message_template_language": language,
        "reason": reason.unwrap_or("NONE"),
    });
    if event == "DISABLED" {
        v["disable_info"] = json!({"disable_date": util::unix_now()});
    }
    v
}

/// `message_template_quality_update`: the template's score went from `previous` to `new`
/// (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`).
pub(crate) fn template_quality(name: &str, language: &str, previous: &str, new: &str) -> Value {
    json!({
        "previous_quality_score": previous,
        "new_quality_score": new,
        "message_template_id": template_id(name),
        "message_template_name": name,
        "message_template_language": language,
    })
}

/// `phone_number_quality_update` for the business number `display_phone_number`: `event`
/// (`FLAGGED`, `DOWNGRADE`, `UPGRADE`, `THROUGHPUT_UPGRADE`, ...) and the limit now in force
/// (`TIER_250`, `TIER_2K`, ..., `TIER_UNLIMITED`).
pub(crate) fn phone_number_quality(
    display_phone_number: &str,
    event: &str,
    current_limit: &str,
) -> Value {
    json!({
        "display_phone_number": util::digits(display_phone_number),
        "event": event,
        "current_limit": current_limit,
        "max_daily_conversations_per_business": current_limit,
    })
}

/// `user_preferences`: `user` (a phone number, or a BSUID such as `US.1349...`) stopped or
/// resumed (`value`) marketing messages.
pub(crate) fn user_preference(user: &str, value: &str) -> Value {
    let (key, id) = if user.contains('.') {
        ("user_id", user.to_string())
    } else {
        ("wa_id", util::digits(user))
    };
    let detail = match value {
        "stop" => "User requested to stop marketing messages",
        "resume" => "User requested to resume marketing messages",
        _ => "User changed marketing message preferences",
    };
    json!({
        "contacts": [{key: id}],
        "user_preferences": [{
            key: id,
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": util::unix_now(),
        }],
    })
}
