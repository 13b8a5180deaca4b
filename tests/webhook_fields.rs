//! Every webhook field other than `messages`, parsed from fixtures shaped as Meta's webhook
//! reference pages show them: typed, with the raw JSON kept, and each one an event.

mod common;

use std::borrow::Cow;

use wacloud::webhooks::{
    collect_events, parse, AccountEvent, AlertSeverity, CallDirection, CallEvent, ChangeValue,
    Event, FieldUpdate, HistoryStatus, MessageContent, MessagingLimitTier, PreferenceValue,
    QualityEvent, QualityScore, ReviewDecision, SecurityEvent, StatusTracker, SyncAction,
    TemplateCategory, TemplateEvent, UsernameStatus,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = common::fixture_path(&format!("webhooks/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses `field_<field>.json` and hands its typed update to `check`; also checks the raw
/// JSON is kept and the change becomes one `Event::Field`.
fn with_field(field: &str, check: impl FnOnce(&FieldUpdate<'_>)) {
    let body = fixture(&format!("field_{field}.json"));
    let n = parse(&body).unwrap_or_else(|e| panic!("{field}: {e}"));
    assert_eq!(n.entries[0].id, "102290129340398");
    assert_eq!(n.entries[0].time, Some(1775000000));
    let change = &n.entries[0].changes[0];
    assert_eq!(change.field, field);
    match &change.value {
        ChangeValue::Field { update, raw } => {
            let raw: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
            assert!(raw.is_object(), "{field}: raw value kept");
            check(update);
        }
        other => panic!("{field}: not typed: {other:?}"),
    }
    let events = collect_events(n.clone(), &mut StatusTracker::default());
    assert_eq!(events.len(), 1, "{field}");
    match &events[0] {
        Event::Field {
            waba_id,
            time,
            field: f,
            update,
            raw,
        } => {
            assert_eq!(waba_id, "102290129340398");
            assert_eq!(*time, Some(1775000000));
            assert_eq!(f, field);
            assert_eq!(
                events[0].phone_number_id(),
                update.metadata().map(|m| &*m.phone_number_id)
            );
            assert!(raw.get().starts_with('{'));
        }
        other => panic!("{field}: {other:?}"),
    }
}

#[test]
fn template_status_update() {
    with_field("message_template_status_update", |u| {
        let FieldUpdate::TemplateStatus(t) = u else {
            panic!("{u:?}")
        };
        assert_eq!(t.event, Some(TemplateEvent::Rejected));
        assert_eq!(t.message_template_id.as_deref(), Some("1689556908129835"));
        assert_eq!(t.message_template_name.as_deref(), Some("abandoned_cart"));
        assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
        assert_eq!(
            t.message_template_category,
            Some(TemplateCategory::Marketing)
        );
        let info = t.rejection_info.as_ref().unwrap();
        assert!(info.recommendation.as_deref().unwrap().contains("Separate"));
    });
}

#[test]
fn template_quality_components_and_category() {
    with_field("message_template_quality_update", |u| {
        let FieldUpdate::TemplateQuality(t) = u else {
            panic!("{u:?}")
        };
        assert_eq!(t.previous_quality_score, Some(QualityScore::Green));
        assert_eq!(t.new_quality_score, Some(QualityScore::Yellow));
    });
    with_field("message_template_components_update", |u| {
        let FieldUpdate::TemplateComponents(t) = u else {
            panic!("{u:?}")
        };
        assert_eq!(t.message_template_buttons.len(), 2);
        assert_eq!(
            t.message_template_buttons[0]
                .message_template_button_phone_number
                .as_deref(),
            Some("+15550783881")
        );
        assert!(t
            .message_template_element
            .as_deref()
            .unwrap()
            .contains("{{1}}"));
    });
    with_field("template_category_update", |u| {
        let FieldUpdate::TemplateCategory(t) = u else {
            panic!("{u:?}")
        };
        assert_eq!(t.new_category, Some(TemplateCategory::Utility));
        assert_eq!(t.correct_category, Some(TemplateCategory::Marketing));
        assert_eq!(t.category_update_timestamp, Some(1746169200));
    });
}

#[test]
fn phone_number_fields() {
    with_field("phone_number_quality_update", |u| {
        let FieldUpdate::PhoneNumberQuality(q) = u else {
            panic!("{u:?}")
        };
        assert_eq!(q.event, Some(QualityEvent::Downgrade));
        assert_eq!(q.old_limit, Some(MessagingLimitTier::Tier10K));
        assert_eq!(q.current_limit, Some(MessagingLimitTier::Tier2K));
        assert_eq!(q.display_phone_number.as_deref(), Some("15550783881"));
    });
    with_field("phone_number_name_update", |u| {
        let FieldUpdate::PhoneNumberName(n) = u else {
            panic!("{u:?}")
        };
        assert_eq!(n.decision, Some(ReviewDecision::Approved));
        assert_eq!(n.rejection_reason, None);
    });
    with_field("security", |u| {
        let FieldUpdate::Security(s) = u else {
            panic!("{u:?}")
        };
        assert_eq!(s.event, Some(SecurityEvent::PinResetRequest));
        assert_eq!(s.requester.as_deref(), Some("61555822107539"));
    });
    with_field("business_username_update", |u| {
        let FieldUpdate::BusinessUsername(b) = u else {
            panic!("{u:?}")
        };
        assert_eq!(b.status, Some(UsernameStatus::Approved));
        assert_eq!(b.username.as_deref(), Some("luckyshrub"));
    });
}

#[test]
fn account_fields() {
    with_field("account_update", |u| {
        let FieldUpdate::Account(a) = u else {
            panic!("{u:?}")
        };
        assert_eq!(a.event, Some(AccountEvent::DisabledUpdate));
        assert_eq!(
            a.ban_info.as_ref().unwrap().waba_ban_state.as_deref(),
            Some("REINSTATE")
        );
    });
    with_field("account_review_update", |u| {
        assert!(
            matches!(u, FieldUpdate::AccountReview(r) if r.decision == Some(ReviewDecision::Approved))
        );
    });
    with_field("account_alerts", |u| {
        let FieldUpdate::AccountAlert(a) = u else {
            panic!("{u:?}")
        };
        let info = a.alert_info.as_ref().unwrap();
        assert_eq!(info.alert_severity, Some(AlertSeverity::Warning));
        assert_eq!(a.entity_id.as_deref(), Some("506914307656634"));
    });
    with_field("business_capability_update", |u| {
        let FieldUpdate::BusinessCapability(c) = u else {
            panic!("{u:?}")
        };
        // A number where other pages show a tier name: kept as sent.
        assert_eq!(
            c.max_daily_conversations_per_business.as_deref(),
            Some("2000")
        );
        assert_eq!(c.max_phone_numbers_per_waba, Some(25));
    });
}

#[test]
fn user_fields() {
    with_field("user_preferences", |u| {
        let FieldUpdate::UserPreferences(p) = u else {
            panic!("{u:?}")
        };
        assert_eq!(
            p.metadata.as_ref().unwrap().phone_number_id,
            "106540352242922"
        );
        let pref = &p.user_preferences[0];
        assert_eq!(pref.value, Some(PreferenceValue::Stop));
        assert_eq!(pref.wa_id.as_deref(), Some("16505551234"));
        assert_eq!(pref.category.as_deref(), Some("marketing_messages"));
    });
    with_field("user_id_update", |u| {
        let FieldUpdate::UserIdUpdate(p) = u else {
            panic!("{u:?}")
        };
        let change = p.user_id_update[0].user_id.as_ref().unwrap();
        assert_eq!(change.previous.as_deref(), Some("US.13491208655302741918"));
        assert_eq!(change.current.as_deref(), Some("US.24817305912873645029"));
        assert_eq!(p.user_id_update[0].timestamp, Some(1775000300));
    });
}

#[test]
fn calls_and_groups() {
    with_field("calls", |u| {
        let FieldUpdate::Calls(c) = u else {
            panic!("{u:?}")
        };
        let call = &c.calls[0];
        assert_eq!(call.event, Some(CallEvent::Connect));
        assert_eq!(call.direction, Some(CallDirection::UserInitiated));
        assert_eq!(call.user(), Some("US.13491208655302741918"));
        assert_eq!(
            call.session.as_ref().unwrap().sdp_type.as_deref(),
            Some("offer")
        );
    });
    with_field("group_lifecycle_update", |u| {
        let FieldUpdate::GroupLifecycle(g) = u else {
            panic!("{u:?}")
        };
        assert_eq!(g.groups[0].kind.as_deref(), Some("group_create"));
        assert_eq!(g.groups[0].subject.as_deref(), Some("Order 4711"));
        assert_eq!(g.groups[0].timestamp, Some(1775000500));
    });
    with_field("group_participants_update", |u| {
        let FieldUpdate::GroupParticipants(g) = u else {
            panic!("{u:?}")
        };
        let group = &g.groups[0];
        assert_eq!(
            group.added_participants[0].user_id.as_deref(),
            Some("US.13491208655302741918")
        );
        assert_eq!(group.failed_participants[0].errors[0].code, Some(131215));
    });
    with_field("group_settings_update", |u| {
        assert!(matches!(u, FieldUpdate::GroupSettings(g) if g.groups.len() == 1));
    });
    with_field("group_status_update", |u| {
        assert!(
            matches!(u, FieldUpdate::GroupStatus(g) if g.groups[0].kind.as_deref() == Some("group_suspend"))
        );
    });
}

#[test]
fn coexistence_fields() {
    with_field("smb_message_echoes", |u| {
        let FieldUpdate::MessageEchoes(e) = u else {
            panic!("{u:?}")
        };
        assert!(e.unparsed.is_empty());
        let echo = &e.message_echoes[0];
        assert_eq!(echo.to.as_deref(), Some("16505551234"));
        assert_eq!(echo.message.from.as_deref(), Some("15550783881"));
        assert!(
            matches!(&echo.message.content, MessageContent::Text(t) if t.body == "Here's the info you requested!")
        );
    });
    with_field("smb_app_state_sync", |u| {
        let FieldUpdate::AppStateSync(s) = u else {
            panic!("{u:?}")
        };
        assert_eq!(s.state_sync[0].action, Some(SyncAction::Add));
        assert_eq!(
            s.state_sync[0]
                .contact
                .as_ref()
                .unwrap()
                .full_name
                .as_deref(),
            Some("Pablo Morales")
        );
    });
    with_field("history", |u| {
        let FieldUpdate::History(h) = u else {
            panic!("{u:?}")
        };
        assert!(h.unparsed.is_empty());
        let chunk = &h.history[0];
        assert_eq!(chunk.progress.unwrap().progress, Some(55));
        let thread = &chunk.threads[0];
        assert_eq!(thread.messages.len(), 3);
        assert_eq!(thread.messages[0].status, Some(HistoryStatus::Read));
        assert_eq!(thread.messages[1].status, Some(HistoryStatus::Played));
        // A type this SDK does not know is kept, with its raw JSON.
        assert_eq!(thread.messages[1].message.kind, "media_placeholder");
        assert!(matches!(
            thread.messages[1].message.content,
            MessageContent::Unknown
        ));
    });
}

#[test]
fn unknown_enum_values_are_kept_verbatim() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
        {"field":"message_template_status_update","value":{"event":"TELEPORTED","message_template_category":"FUTURE"}},
        {"field":"phone_number_quality_update","value":{"event":"SIDEGRADE","current_limit":"TIER_1M"}}]}]}"#;
    let n = parse(body).unwrap();
    let changes = &n.entries[0].changes;
    let ChangeValue::Field {
        update: FieldUpdate::TemplateStatus(t),
        ..
    } = &changes[0].value
    else {
        panic!("{:?}", changes[0].value)
    };
    assert_eq!(
        t.event,
        Some(TemplateEvent::Other(Cow::Borrowed("TELEPORTED")))
    );
    assert_eq!(t.event.as_ref().unwrap().as_str(), "TELEPORTED");
    assert_eq!(
        t.message_template_category.as_ref().unwrap().to_string(),
        "FUTURE"
    );
    let ChangeValue::Field {
        update: FieldUpdate::PhoneNumberQuality(q),
        ..
    } = &changes[1].value
    else {
        panic!("{:?}", changes[1].value)
    };
    assert!(matches!(&q.event, Some(QualityEvent::Other(e)) if e == "SIDEGRADE"));
    assert_eq!(q.current_limit.as_ref().unwrap(), "TIER_1M");
    // Owned copies keep them too.
    let owned = n.into_owned();
    let ChangeValue::Field {
        update: FieldUpdate::TemplateStatus(t),
        ..
    } = &owned.entries[0].changes[0].value
    else {
        panic!()
    };
    assert_eq!(t.event.as_ref().unwrap(), "TELEPORTED");
}

#[test]
fn a_documented_field_with_a_mismatched_value_is_kept_raw() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
        {"field":"account_review_update","value":[1,2]},
        {"field":"calls","value":{"calls":{"not":"an array"}}},
        {"field":"security","value":{"event":{"nested":true}}}]}]}"#;
    let n = parse(body).unwrap();
    for change in &n.entries[0].changes {
        assert!(
            matches!(change.value, ChangeValue::Other(_)),
            "{}: {:?}",
            change.field,
            change.value
        );
    }
    let events = collect_events(n, &mut StatusTracker::default());
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| matches!(e, Event::Other { .. })));
}

#[test]
fn both_business_username_spellings() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
        {"field":"business_username_updates","value":{"display_phone_number":"1","status":"deleted"}}]}]}"#;
    let n = parse(body).unwrap();
    assert!(matches!(
        &n.entries[0].changes[0].value,
        ChangeValue::Field { update: FieldUpdate::BusinessUsername(b), .. }
            if b.status == Some(UsernameStatus::Deleted) && b.username.is_none()
    ));
}
