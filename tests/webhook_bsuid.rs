//! Business-scoped user ids (BSUIDs) in webhooks: a user known only by BSUID still has a
//! sender to reply to, a profile, and statuses that name them; a message without `type` has
//! its type; pricing values added since 2025 (and unknown ones) are kept.

mod common;

use std::borrow::Cow;

use wacloud::webhooks::{
    collect_events, parse, ChangeValue, Event, MessageContent, MessagesValue, Notification,
    PricingCategory, PricingModel, PricingType, StatusKind, StatusTracker,
};

const BSUID: &str = "US.13491208655302741918";
const PARENT: &str = "US.ENT.11815799212886844830";

fn fixture(name: &str) -> Vec<u8> {
    let path = common::fixture_path(&format!("webhooks/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn value<'n, 'a>(n: &'n Notification<'a>) -> &'n MessagesValue<'a> {
    match &n.entries[0].changes[0].value {
        ChangeValue::Messages(v) => {
            assert!(v.unparsed.is_empty(), "unparsed: {:?}", v.unparsed);
            v
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bsuid_only_message_has_a_sender_and_a_profile() {
    let body = fixture("message_bsuid_text.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    let m = &v.messages[0];
    assert_eq!(m.from, None);
    assert_eq!(m.from_user_id.as_deref(), Some(BSUID));
    assert_eq!(m.from_parent_user_id.as_deref(), Some(PARENT));
    assert_eq!(m.reply_to(), Some(BSUID));
    assert!(matches!(m.from_user_id, Some(Cow::Borrowed(_))));
    let contact = v.contact_of(m).expect("contact matched by user_id");
    assert_eq!(contact.wa_id, None);
    assert_eq!(contact.parent_user_id.as_deref(), Some(PARENT));
    let profile = contact.profile.as_ref().unwrap();
    assert_eq!(profile.username.as_deref(), Some("sheena.nelson"));
    assert_eq!(profile.name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(v.contact_for(BSUID), Some(contact));
    assert_eq!(v.contact_for(PARENT), Some(contact));

    let events = collect_events(n.clone(), &mut StatusTracker::default());
    match &events[..] {
        [event @ Event::Message {
            contact, message, ..
        }] => {
            assert_eq!(event.reply_to(), Some(BSUID));
            assert_eq!(message.reply_to(), Some(BSUID));
            let contact = contact.as_ref().expect("the event carries the profile");
            assert_eq!(contact.user_id.as_deref(), Some(BSUID));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_phone_number_wins_when_both_are_sent() {
    let body = fixture("message_bsuid_and_phone.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    let m = &v.messages[0];
    assert_eq!(m.reply_to(), Some("16505551234"));
    assert_eq!(m.from_user_id.as_deref(), Some(BSUID));
    let c = v.contact_of(m).unwrap();
    assert_eq!(c.user_id.as_deref(), Some(BSUID));
    assert_eq!(c.wa_id.as_deref(), Some("16505551234"));
}

#[test]
fn a_message_without_type_takes_it_from_its_content() {
    let body = fixture("message_bsuid_no_type.json");
    let n = parse(&body).unwrap();
    let m = &value(&n).messages[0];
    assert_eq!(m.kind, "image");
    assert!(
        matches!(&m.content, MessageContent::Image(i) if i.id.as_deref() == Some("24230790383178626"))
    );
    // Without type and without a known content key: the type stays empty, nothing is lost.
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
        {"field":"messages","value":{"messages":[{"from_user_id":"US.1","id":"wamid.X","hologram":{}}]}}]}]}"#;
    let n = parse(body).unwrap();
    let m = &value(&n).messages[0];
    assert_eq!(m.kind, "");
    assert!(matches!(m.content, MessageContent::Unknown));
    assert!(m.raw.get().contains("hologram"));
}

#[test]
fn group_messages_carry_the_group() {
    let body = fixture("message_bsuid_group.json");
    let n = parse(&body).unwrap();
    let m = &value(&n).messages[0];
    assert_eq!(m.group_id.as_deref(), Some("120363041234567890@g.us"));
    assert_eq!(m.reply_to(), Some(BSUID));
}

#[test]
fn system_message_of_a_changed_user_id() {
    let body = fixture("message_system_user_changed_user_id.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    let m = &v.messages[0];
    assert_eq!(m.reply_to(), None);
    match &m.content {
        MessageContent::System(s) => {
            assert_eq!(s.kind.as_deref(), Some("user_changed_user_id"));
            assert_eq!(s.user_id.as_deref(), Some("US.24817305912873645029"));
        }
        other => panic!("{other:?}"),
    }
    // System messages come without contacts: the event has no profile, and no panic.
    let events = collect_events(n.clone(), &mut StatusTracker::default());
    assert!(matches!(
        &events[..],
        [Event::Message { contact: None, .. }]
    ));
}

#[test]
fn statuses_to_a_bsuid_name_the_recipient() {
    let body = fixture("status_bsuid_delivered.json");
    let n = parse(&body).unwrap();
    let s = &value(&n).statuses[0];
    assert_eq!(s.status, StatusKind::Delivered);
    assert_eq!(s.recipient_id, None);
    assert_eq!(s.recipient_user_id.as_deref(), Some(BSUID));
    assert_eq!(s.parent_recipient_user_id.as_deref(), Some(PARENT));
    assert_eq!(s.recipient(), Some(BSUID));
    let p = s.pricing.as_ref().unwrap();
    assert_eq!(p.kind, Some(PricingType::FreeCustomerService));
    assert_eq!(p.category, Some(PricingCategory::Service));

    // The other spelling of the parent id, on a failed status without contacts.
    let body = fixture("status_bsuid_failed_no_contacts.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    assert!(v.contacts.is_empty());
    let s = &v.statuses[0];
    assert_eq!(s.status, StatusKind::Failed);
    assert_eq!(s.parent_recipient_user_id.as_deref(), Some(PARENT));
    assert_eq!(s.errors[0].code, Some(131062));
    let mut tracker = StatusTracker::default();
    let events = collect_events(n.clone(), &mut tracker);
    assert!(
        matches!(&events[..], [Event::Status { status, .. }] if status.recipient() == Some(BSUID))
    );
}

#[test]
fn pricing_values_new_and_unknown_are_kept() {
    let body = fixture("status_pricing_new_values.json");
    let n = parse(&body).unwrap();
    let v = value(&n);
    let pricing: Vec<_> = v
        .statuses
        .iter()
        .map(|s| s.pricing.clone().unwrap())
        .collect();
    assert_eq!(pricing[0].category, Some(PricingCategory::MarketingLite));
    assert_eq!(pricing[0].pricing_model, Some(PricingModel::PerMessage));
    assert_eq!(
        pricing[1].category,
        Some(PricingCategory::AuthenticationInternational)
    );
    assert_eq!(pricing[1].kind, Some(PricingType::FreeEntryPoint));
    assert_eq!(
        pricing[2].pricing_model,
        Some(PricingModel::Other(Cow::Borrowed("FUTURE_MODEL")))
    );
    assert_eq!(pricing[2].category.as_ref().unwrap(), "brand_new_category");
    assert_eq!(pricing[2].kind.as_ref().unwrap().as_str(), "brand_new_type");
    let owned = pricing[2].kind.clone().unwrap().into_owned();
    assert_eq!(owned.to_string(), "brand_new_type");
}
