//! Parsing of webhook payloads: every fixture into its typed variant,
//! forward compatibility, and typed errors for bodies that are not the envelope.

use std::borrow::Cow;
use std::path::PathBuf;

use wacloud::webhooks::{
    parse, ChangeValue, Interactive, Message, MessageContent, MessagesValue, Notification,
    PricingCategory, PricingModel, PricingType, Status, StatusKind, WebhookError,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("wiremock-fixtures/webhooks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn value<'n, 'a>(n: &'n Notification<'a>) -> &'n MessagesValue<'a> {
    assert_eq!(n.object, "whatsapp_business_account");
    assert_eq!(n.entries.len(), 1);
    assert_eq!(n.entries[0].id, "102290129340398");
    let change = &n.entries[0].changes[0];
    assert_eq!(change.field, "messages");
    match &change.value {
        ChangeValue::Messages(v) => {
            let md = v.metadata.as_ref().expect("metadata");
            assert_eq!(md.phone_number_id, "106540352242922");
            assert_eq!(md.display_phone_number, "15550783881");
            assert!(v.unparsed.is_empty(), "unparsed items: {:?}", v.unparsed);
            v
        }
        other => panic!("not a messages value: {other:?}"),
    }
}

fn with_message(name: &str, check: impl FnOnce(&Message<'_>)) {
    let body = fixture(name);
    let n = parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
    let v = value(&n);
    assert_eq!(v.messages.len(), 1, "{name}");
    let m = &v.messages[0];
    assert_eq!(m.from.as_deref(), Some("16505551234"));
    assert_eq!(m.reply_to(), Some("16505551234"));
    assert!(m.id.starts_with("wamid."));
    assert_eq!(m.timestamp, "1749416383");
    assert_eq!(
        v.contact_of(m)
            .and_then(|c| c.profile.as_ref()?.name.as_deref()),
        Some("Sheena Nelson")
    );
    check(m);
}

fn with_status(name: &str, check: impl FnOnce(&Status<'_>)) {
    let body = fixture(name);
    let n = parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
    let v = value(&n);
    assert_eq!(v.statuses.len(), 1, "{name}");
    let s = &v.statuses[0];
    assert!(s.id.starts_with("wamid."));
    assert_eq!(s.recipient_id.as_deref(), Some("16505551234"));
    check(s);
}

#[test]
fn text() {
    with_message("message_text.json", |m| {
        assert_eq!(m.kind, "text");
        match &m.content {
            MessageContent::Text(t) => assert_eq!(t.body, "Does it come in another color?"),
            other => panic!("{other:?}"),
        }
        // Borrowed from the body: no allocation for plain strings.
        assert!(matches!(m.id, Cow::Borrowed(_)));
    });
}

#[test]
fn media_types() {
    with_message("message_image.json", |m| match &m.content {
        MessageContent::Image(i) => {
            assert_eq!(i.id.as_deref(), Some("2754859441498128"));
            assert_eq!(i.caption.as_deref(), Some("This is a caption"));
            assert_eq!(i.mime_type.as_deref(), Some("image/jpeg"));
        }
        other => panic!("{other:?}"),
    });
    with_message("message_audio.json", |m| match &m.content {
        MessageContent::Audio(a) => {
            assert_eq!(a.voice, Some(true));
            assert_eq!(a.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
        }
        other => panic!("{other:?}"),
    });
    with_message("message_video.json", |m| {
        assert!(
            matches!(&m.content, MessageContent::Video(v) if v.id.as_deref() == Some("1684182392457211"))
        )
    });
    with_message("message_document.json", |m| {
        assert!(
            matches!(&m.content, MessageContent::Document(d) if d.filename.as_deref() == Some("lucky-shrub-invoice.pdf"))
        )
    });
    with_message("message_sticker.json", |m| {
        assert!(matches!(&m.content, MessageContent::Sticker(s) if s.animated == Some(false)))
    });
}

#[test]
fn location() {
    with_message("message_location.json", |m| match &m.content {
        MessageContent::Location(l) => {
            assert_eq!(l.latitude, Some(37.483307));
            assert_eq!(l.longitude, Some(-122.148981));
            assert_eq!(l.name.as_deref(), Some("Main Street Beach"));
        }
        other => panic!("{other:?}"),
    });
}

#[test]
fn contacts() {
    with_message("message_contacts.json", |m| match &m.content {
        MessageContent::Contacts(cards) => {
            assert_eq!(cards.len(), 1);
            let c = &cards[0];
            assert_eq!(
                c.name.as_ref().unwrap().formatted_name.as_deref(),
                Some("Kerry Fisher")
            );
            assert_eq!(c.phones.len(), 2);
            assert_eq!(c.phones[1].wa_id.as_deref(), Some("16505551234"));
            assert_eq!(c.emails[0].email.as_deref(), Some("kfish@fb.com"));
            assert_eq!(c.addresses[0].city.as_deref(), Some("Menlo Park"));
            assert_eq!(c.org.as_ref().unwrap().company.as_deref(), Some("Meta"));
            assert_eq!(c.urls[0].url.as_deref(), Some("https://www.meta.com"));
            assert_eq!(c.birthday.as_deref(), Some("2012-08-18"));
        }
        other => panic!("{other:?}"),
    });
}

#[test]
fn interactive_replies() {
    with_message("message_interactive_button_reply.json", |m| {
        match &m.content {
            MessageContent::Interactive(Interactive::ButtonReply(r)) => {
                assert_eq!(r.id, "change-button");
                assert_eq!(r.title.as_deref(), Some("Change"));
            }
            other => panic!("{other:?}"),
        }
        let ctx = m.context.as_ref().expect("context");
        assert_eq!(ctx.from.as_deref(), Some("15550783881"));
    });
    with_message("message_interactive_list_reply.json", |m| {
        match &m.content {
            MessageContent::Interactive(Interactive::ListReply(r)) => {
                assert_eq!(r.id, "priority_express");
                assert_eq!(r.description.as_deref(), Some("Next Day to 2 Days"));
            }
            other => panic!("{other:?}"),
        }
    });
    with_message("message_interactive_nfm_reply.json", |m| match &m.content {
        MessageContent::Interactive(Interactive::NfmReply(r)) => {
            assert_eq!(r.name.as_deref(), Some("flow"));
            let json: serde_json::Value =
                serde_json::from_str(r.response_json.as_deref().unwrap()).unwrap();
            assert_eq!(json["flow_token"], "AQAAAAACS5FpgQ_cAAAAAD0QI3s.");
            // The escaped string cannot be borrowed: it is decoded.
            assert!(matches!(r.response_json, Some(Cow::Owned(_))));
        }
        other => panic!("{other:?}"),
    });
}

#[test]
fn button_reaction_order_system_unsupported() {
    with_message("message_button.json", |m| {
        assert!(
            matches!(&m.content, MessageContent::Button(b) if b.payload.as_deref() == Some("Unsubscribe from Promos"))
        )
    });
    with_message("message_reaction.json", |m| match &m.content {
        MessageContent::Reaction(r) => {
            assert!(r.message_id.starts_with("wamid."));
            assert_eq!(r.emoji.as_deref(), Some("\u{1F44D}"));
        }
        other => panic!("{other:?}"),
    });
    with_message("message_order.json", |m| match &m.content {
        MessageContent::Order(o) => {
            assert_eq!(o.catalog_id.as_deref(), Some("194836987003835"));
            assert_eq!(o.product_items.len(), 2);
            assert_eq!(o.product_items[0].quantity, Some(2.0));
            assert_eq!(o.product_items[1].item_price, Some(25.5));
            assert_eq!(o.product_items[1].currency.as_deref(), Some("USD"));
        }
        other => panic!("{other:?}"),
    });
    with_message("message_system.json", |m| match &m.content {
        MessageContent::System(s) => {
            assert_eq!(s.kind.as_deref(), Some("customer_changed_number"));
            assert_eq!(s.new_wa_id.as_deref(), Some("16505559999"));
        }
        other => panic!("{other:?}"),
    });
    with_message("message_unsupported.json", |m| {
        assert!(
            matches!(&m.content, MessageContent::Unsupported(u) if u.kind.as_deref() == Some("edit"))
        );
        assert_eq!(m.errors.len(), 1);
        assert_eq!(m.errors[0].code, Some(131051));
        assert_eq!(
            m.errors[0].error_data.as_ref().unwrap().details.as_deref(),
            Some("Message type is currently not supported.")
        );
    });
}

#[test]
fn unknown_message_type_is_kept_raw() {
    with_message("message_unknown_type.json", |m| {
        assert_eq!(m.kind, "hologram");
        assert!(matches!(m.content, MessageContent::Unknown));
        let raw: serde_json::Value = serde_json::from_str(m.raw.get()).unwrap();
        assert_eq!(raw["hologram"]["beam"]["intensity"], 9);
        assert_eq!(raw["brand_new_field"][2], 3);
    });
}

#[test]
fn statuses() {
    with_status("status_sent.json", |s| {
        assert_eq!(s.status, StatusKind::Sent);
        assert_eq!(s.timestamp_secs(), Some(1750263773));
        assert_eq!(s.biz_opaque_callback_data.as_deref(), Some("order-4711"));
        let c = s.conversation.as_ref().expect("conversation");
        assert_eq!(
            c.origin.as_ref().unwrap().kind,
            Some(PricingCategory::Utility)
        );
        assert_eq!(c.expiration_timestamp.as_deref(), Some("1750350173"));
        let p = s.pricing.as_ref().expect("pricing");
        assert_eq!(p.billable, Some(true));
        assert_eq!(p.pricing_model, Some(PricingModel::PerMessage));
        assert_eq!(p.category, Some(PricingCategory::Utility));
        assert_eq!(p.kind, Some(PricingType::Regular));
    });
    with_status("status_delivered.json", |s| {
        assert_eq!(s.status, StatusKind::Delivered)
    });
    with_status("status_read.json", |s| {
        assert_eq!(s.status, StatusKind::Read)
    });
    with_status("status_played.json", |s| {
        assert_eq!(s.status, StatusKind::Played)
    });
    with_status("status_failed.json", |s| {
        assert_eq!(s.status, StatusKind::Failed);
        assert_eq!(s.errors.len(), 1);
        let e = &s.errors[0];
        assert_eq!(e.code, Some(131026));
        assert_eq!(e.title.as_deref(), Some("Message undeliverable"));
        assert_eq!(e.message.as_deref(), Some("Message undeliverable"));
        assert_eq!(
            e.error_data.as_ref().unwrap().details.as_deref(),
            Some("Message Undeliverable.")
        );
        assert!(e.href.as_deref().unwrap().starts_with("https://"));
    });
    with_status("status_conflict_delivered.json", |s| {
        assert_eq!(s.status, StatusKind::Delivered)
    });
    with_status("status_conflict_failed.json", |s| {
        assert_eq!(s.status, StatusKind::Failed);
        assert_eq!(s.errors[0].code, Some(131000));
    });
}

#[test]
fn unknown_status_is_kept() {
    with_status("status_unknown.json", |s| {
        assert_eq!(s.status, StatusKind::Other(Cow::Borrowed("teleported")));
        assert_eq!(s.status.as_str(), "teleported");
        let raw: serde_json::Value = serde_json::from_str(s.raw.get()).unwrap();
        assert_eq!(raw["new_status_field"]["x"], 1);
    });
}

#[test]
fn system_level_error() {
    let body = fixture("system_error.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    assert!(v.messages.is_empty() && v.statuses.is_empty());
    assert_eq!(v.errors.len(), 1);
    assert_eq!(v.errors[0].code, Some(131042));
    assert!(v.errors[0]
        .error_data
        .as_ref()
        .unwrap()
        .details
        .as_deref()
        .unwrap()
        .contains("payment method"));
}

#[test]
fn unknown_change_field_is_kept_raw() {
    let body = fixture("unknown_field.json");
    let n = parse(&body).unwrap();
    let change = &n.entries[0].changes[0];
    assert_eq!(change.field, "brand_new_field");
    match &change.value {
        ChangeValue::Other(raw) => {
            let v: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
            assert_eq!(v["event"], "APPROVED");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields_everywhere_are_ignored_and_kept() {
    let body = br#"{"object":"whatsapp_business_account","new_top":1,"entry":[{"id":"1","time":1700000000,"x":[],
        "changes":[{"field":"messages","extra":{"a":1},"value":{"messaging_product":"whatsapp","future":{"b":[1,2]},
        "metadata":{"display_phone_number":"1","phone_number_id":"2","more":true},
        "statuses":[{"id":"wamid.A","status":"read","timestamp":1750000000,"recipient_id":16505551234,"brand_new":{"k":"v"}},
                    {"status":"sent"}],
        "messages":[{"from":"1","id":"wamid.M","timestamp":"1","type":"text","text":{"body":"hi","lang":"en"},"new":null}]}}]}]}"#;
    let n = parse(body).unwrap();
    assert_eq!(n.entries[0].time, Some(1700000000));
    let ChangeValue::Messages(v) = &n.entries[0].changes[0].value else {
        panic!()
    };
    assert_eq!(v.statuses.len(), 1);
    let s = &v.statuses[0];
    // Numbers where strings are documented are accepted.
    assert_eq!(s.timestamp, "1750000000");
    assert_eq!(s.recipient_id.as_deref(), Some("16505551234"));
    assert!(s.raw.get().contains("brand_new"));
    // A status without an id is not dropped silently: it is kept raw.
    assert_eq!(v.unparsed.len(), 1);
    assert_eq!(v.unparsed[0].get(), r#"{"status":"sent"}"#);
    assert!(matches!(&v.messages[0].content, MessageContent::Text(t) if t.body == "hi"));
}

#[test]
fn mismatched_content_is_unknown_not_an_error() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
        {"field":"messages","value":{"messages":[{"from":"1","id":"wamid.M","timestamp":"1","type":"text","text":42},
                                                 {"from":"1","id":"wamid.N","timestamp":"1","type":"interactive","interactive":{"type":"call_permission_reply","call_permission_reply":{}}}]}},
        {"field":"messages","value":[1,2,3]},
        {"field":"messages","value":{"statuses":{"not":"an array"}}}]}]}"#;
    let n = parse(body).unwrap();
    let changes = &n.entries[0].changes;
    let ChangeValue::Messages(v) = &changes[0].value else {
        panic!()
    };
    assert!(matches!(v.messages[0].content, MessageContent::Unknown));
    assert!(
        matches!(&v.messages[1].content, MessageContent::Interactive(Interactive::Other(k)) if k == "call_permission_reply")
    );
    assert!(matches!(&changes[1].value, ChangeValue::Other(r) if r.get() == "[1,2,3]"));
    assert!(matches!(&changes[2].value, ChangeValue::Other(_)));
}

#[test]
fn helpers_iterate_statuses_and_messages() {
    let body = fixture("batch_1000_statuses.json");
    let n = parse(&body).unwrap();
    assert_eq!(n.statuses().count(), 1000);
    assert_eq!(n.messages().count(), 0);
    let (md, first) = n.statuses().next().unwrap();
    assert_eq!(md.unwrap().phone_number_id, "106540352242922");
    assert_eq!(first.status, StatusKind::Sent);
    let failed = n
        .statuses()
        .filter(|(_, s)| s.status == StatusKind::Failed)
        .count();
    assert_eq!(failed, 200);
    for (_, s) in n.statuses() {
        if s.status == StatusKind::Failed {
            let details = s.errors[0]
                .error_data
                .as_ref()
                .unwrap()
                .details
                .as_ref()
                .unwrap();
            assert!(details.contains('\u{201c}'));
        }
        assert!(matches!(s.id, Cow::Borrowed(_)));
    }
}

#[test]
fn into_owned_outlives_the_body() {
    let owned = {
        let body = fixture("message_interactive_list_reply.json");
        let n = parse(&body).unwrap();
        n.into_owned()
    };
    let ChangeValue::Messages(v) = &owned.entries[0].changes[0].value else {
        panic!()
    };
    assert!(
        matches!(&v.messages[0].content, MessageContent::Interactive(Interactive::ListReply(r)) if r.id == "priority_express")
    );
    assert!(v.messages[0].raw.get().contains("Express Shipping"));
}

#[test]
fn typed_errors_for_non_envelopes() {
    assert_eq!(parse(b"").unwrap_err(), WebhookError::Empty);
    assert_eq!(parse(b"  \n\t ").unwrap_err(), WebhookError::Empty);
    assert!(matches!(
        parse(b"<html><body>502 Bad Gateway</body></html>").unwrap_err(),
        WebhookError::NotJson {
            line: 1,
            column: 1,
            ..
        }
    ));
    assert!(matches!(
        parse(b"garbage").unwrap_err(),
        WebhookError::NotJson { .. }
    ));
    assert!(matches!(
        parse(b"\xff\xfe\x00").unwrap_err(),
        WebhookError::NotJson { .. }
    ));
    let full = fixture("status_failed.json");
    for cut in [1, 10, full.len() / 2, full.len() - 2] {
        assert!(
            matches!(
                parse(&full[..cut]).unwrap_err(),
                WebhookError::Truncated { .. }
            ),
            "cut at {cut}"
        );
    }
    for not_envelope in [
        &b"[]"[..],
        b"null",
        b"42",
        b"\"whatsapp_business_account\"",
        b"{}",
        b"{\"object\":\"whatsapp_business_account\"}",
        b"{\"object\":\"whatsapp_business_account\",\"entry\":{}}",
        b"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\"}]}",
        b"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\"}]}]}",
        b"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":[],\"changes\":[]}]}",
    ] {
        assert!(
            matches!(parse(not_envelope).unwrap_err(), WebhookError::NotEnvelope { .. }),
            "{}",
            String::from_utf8_lossy(not_envelope)
        );
    }
    assert_eq!(
        parse(br#"{"object":"page","entry":[]}"#).unwrap_err(),
        WebhookError::UnexpectedObject {
            object: "page".into()
        }
    );
    // Trailing bytes after the document.
    assert!(matches!(
        parse(br#"{"object":"whatsapp_business_account","entry":[]} x"#).unwrap_err(),
        WebhookError::NotJson { .. }
    ));
    // Deep nesting neither overflows the stack nor fails the envelope: it is kept raw.
    for field in ["x", "messages"] {
        let deep = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"{field}","value":{{"messages":[{{"id":"a","text":{}1{}}}]}}}}]}}]}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let n = parse(deep.as_bytes()).expect("deep nesting below the envelope is kept");
        assert_eq!(n.entries[0].changes.len(), 1);
    }
    let deep_envelope = format!(
        r#"{{"object":"whatsapp_business_account","entry":{}"#,
        "[".repeat(100_000)
    );
    assert!(parse(deep_envelope.as_bytes()).is_err());
    assert!(WebhookError::Empty.to_string().contains("empty"));
}

#[test]
fn empty_envelope_parses() {
    let n = parse(br#"{"object":"whatsapp_business_account","entry":[]}"#).unwrap();
    assert!(n.entries.is_empty());
}

/// Compares the typed parse with `serde_json::Value` on the 1,000-status
/// batch. Timing is only meaningful in release builds:
/// `cargo test --release --test webhook_parse -- --ignored --nocapture`.
#[test]
#[ignore]
fn typed_parse_is_not_slower_than_value() {
    use std::time::Instant;
    let body = fixture("batch_1000_statuses.json");
    let rounds = 50;
    let mut best_typed = f64::MAX;
    let mut best_value = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let n = parse(&body).unwrap();
        assert_eq!(n.statuses().count(), 1000);
        drop(n);
        best_typed = best_typed.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(v.is_object());
        drop(v);
        best_value = best_value.min(t.elapsed().as_secs_f64());
    }
    println!(
        "typed {:.3} ms, Value {:.3} ms ({:.2}x)",
        best_typed * 1e3,
        best_value * 1e3,
        best_value / best_typed
    );
    if !cfg!(debug_assertions) {
        assert!(
            best_typed <= best_value * 1.1,
            "typed parse slower than Value"
        );
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn seeds() -> Vec<Vec<u8>> {
        [
            "message_text.json",
            "message_contacts.json",
            "message_interactive_nfm_reply.json",
            "message_order.json",
            "status_failed.json",
            "status_sent.json",
            "system_error.json",
            "unknown_field.json",
            "message_bsuid_text.json",
            "field_history.json",
            "field_calls.json",
        ]
        .iter()
        .map(|n| fixture(n))
        .collect()
    }

    fn exercise(bytes: &[u8]) {
        if let Ok(n) = parse(bytes) {
            let mut tracker = wacloud::webhooks::StatusTracker::default();
            for (_, s) in n.statuses() {
                tracker.observe(s);
            }
            let _ = n.into_owned();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            exercise(&bytes);
        }

        #[test]
        fn mutated_fixtures(
            which in 0usize..11,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
        ) {
            let mut bytes = seeds()[which].clone();
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = byte,
                    1 => { bytes.remove(i); }
                    2 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            exercise(&bytes);
        }
    }
}
