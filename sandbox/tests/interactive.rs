//! Every interactive kind and template component Meta documents is accepted with its exact
//! body, and each broken one is refused the way Meta refuses it: 131008 for a missing field,
//! 131009 for a bad value, 100 for a wrong type or an unknown enum value. Nothing refused is
//! recorded as accepted.

mod common;

use common::*;
use serde_json::{json, Value};
use wacloud_sandbox::SandboxConfig;

const TO: &str = "16505551234";

/// A request fixture of the SDK (`wiremock-fixtures/requests/{name}.json`): Meta's documented
/// bodies, read as plain JSON.
fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../wiremock-fixtures/requests/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn interactive(obj: Value) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO,
           "type": "interactive", "interactive": obj})
}

fn template(components: Value) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO,
           "type": "template", "template": {"name": "t", "language": {"code": "en_US"},
           "components": components}})
}

const ACCEPTED: &[&str] = &[
    "interactive-location-request",
    "interactive-call-permission-request",
    "interactive-request-contact-info",
    "interactive-catalog",
    "interactive-product",
    "interactive-product-list",
    "interactive-voice-call",
    "interactive-address",
    "interactive-order-details",
    "interactive-order-status",
    "template-carousel",
    "template-product-carousel",
    "template-limited-time-offer",
    "template-authentication",
    "template-catalog",
    "template-mpm",
];

#[tokio::test]
async fn every_documented_kind_is_accepted_and_recorded_verbatim() {
    let sb = start(SandboxConfig::default()).await;
    let mut bodies: Vec<Value> = ACCEPTED.iter().map(|name| fixture(name)).collect();
    // A list body may be 4,096 characters.
    bodies.push(interactive(
        json!({"type": "list", "body": {"text": "x".repeat(4096)},
        "action": {"button": "Options", "sections": [{"rows": [{"id": "r", "title": "R"}]}]}}),
    ));
    // The optional parts left out: a product without body, a catalog and a voice call without
    // parameters, an order without its itemized order.
    bodies.push(interactive(json!({"type": "product",
        "action": {"catalog_id": "1", "product_retailer_id": "sku"}})));
    bodies.push(interactive(
        json!({"type": "catalog_message", "body": {"text": "See all"},
        "action": {"name": "catalog_message"}}),
    ));
    bodies.push(interactive(
        json!({"type": "voice_call", "body": {"text": "Call us"},
        "action": {"name": "voice_call"}}),
    ));
    bodies.push(interactive(
        json!({"type": "order_details", "body": {"text": "Pay"},
        "action": {"name": "review_and_pay", "parameters": {"reference_id": "o-1",
        "type": "digital-goods", "payment_type": "br", "payment_settings": [{"type": "payment_link",
        "payment_link": {"uri": "https://pay.example.com/o-1"}}], "currency": "BRL",
        "total_amount": {"value": 5000, "offset": 100}}}}),
    ));
    for body in &bodies {
        let (status, answer) = send(&sb, body).await;
        assert_eq!(status, 200, "{body} -> {answer}");
    }
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), bodies.len());
    for (message, body) in accepted.iter().zip(&bodies) {
        assert_eq!(&message.body, body, "recorded as sent");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn broken_kinds_get_metas_error_codes() {
    let sb = start(SandboxConfig::default()).await;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(&str, Value, i64)> = vec![
        // Bodies: 1,024 except lists (4,096).
        (
            "list body over 4096",
            interactive(json!({"type": "list", "body": {"text": long(4097)},
            "action": {"button": "O", "sections": [{"rows": [{"id": "r", "title": "R"}]}]}})),
            131009,
        ),
        (
            "location body over 1024",
            interactive(json!({"type": "location_request_message",
            "body": {"text": long(1025)}, "action": {"name": "send_location"}})),
            131009,
        ),
        (
            "location without body",
            interactive(json!({"type": "location_request_message",
            "action": {"name": "send_location"}})),
            131008,
        ),
        (
            "location wrong action",
            interactive(json!({"type": "location_request_message",
            "body": {"text": "Where?"}, "action": {"name": "location"}})),
            131009,
        ),
        (
            "location with header",
            interactive(json!({"type": "location_request_message",
            "header": {"type": "text", "text": "Hi"}, "body": {"text": "Where?"},
            "action": {"name": "send_location"}})),
            131009,
        ),
        (
            "contact info with footer",
            interactive(json!({"type": "request_contact_info",
            "body": {"text": "Share?"}, "footer": {"text": "f"},
            "action": {"name": "request_contact_info"}})),
            131009,
        ),
        (
            "contact info without action",
            interactive(json!({"type": "request_contact_info",
            "body": {"text": "Share?"}})),
            131008,
        ),
        (
            "call permission without name",
            interactive(json!({"type": "call_permission_request",
            "body": {"text": "Call?"}, "action": {}})),
            131008,
        ),
        (
            "unknown kind",
            interactive(json!({"type": "carousel_message", "body": {"text": "b"},
            "action": {}})),
            100,
        ),
        // Commerce.
        (
            "product with header",
            interactive(json!({"type": "product",
            "header": {"type": "text", "text": "Pot"},
            "action": {"catalog_id": "1", "product_retailer_id": "sku"}})),
            131009,
        ),
        (
            "product without catalog",
            interactive(json!({"type": "product",
            "action": {"product_retailer_id": "sku"}})),
            131008,
        ),
        (
            "product list without header",
            interactive(json!({"type": "product_list",
            "body": {"text": "Pick"}, "action": {"catalog_id": "1",
            "sections": [{"product_items": [{"product_retailer_id": "a"}]}]}})),
            131008,
        ),
        (
            "product list image header",
            interactive(json!({"type": "product_list",
            "header": {"type": "image", "image": {"id": "1"}}, "body": {"text": "Pick"},
            "action": {"catalog_id": "1",
            "sections": [{"product_items": [{"product_retailer_id": "a"}]}]}})),
            131009,
        ),
        (
            "product list 31 products",
            interactive(json!({"type": "product_list",
            "header": {"type": "text", "text": "Pots"}, "body": {"text": "Pick"},
            "action": {"catalog_id": "1", "sections": [{"product_items":
            (0..31).map(|i| json!({"product_retailer_id": format!("p{i}")})).collect::<Vec<_>>()}]}})),
            131009,
        ),
        (
            "product list 11 sections",
            interactive(json!({"type": "product_list",
            "header": {"type": "text", "text": "Pots"}, "body": {"text": "Pick"},
            "action": {"catalog_id": "1", "sections": (0..11).map(|i| json!({"title": format!("S{i}"),
            "product_items": [{"product_retailer_id": format!("p{i}")}]})).collect::<Vec<_>>()}})),
            131009,
        ),
        (
            "product list untitled sections",
            interactive(json!({"type": "product_list",
            "header": {"type": "text", "text": "Pots"}, "body": {"text": "Pick"},
            "action": {"catalog_id": "1", "sections": [
                {"product_items": [{"product_retailer_id": "a"}]},
                {"product_items": [{"product_retailer_id": "b"}]}]}})),
            131008,
        ),
        (
            "catalog with empty thumbnail",
            interactive(json!({"type": "catalog_message",
            "body": {"text": "All"}, "action": {"name": "catalog_message",
            "parameters": {"thumbnail_product_retailer_id": ""}}})),
            131009,
        ),
        // Calling.
        (
            "voice call ttl over 30 days",
            interactive(json!({"type": "voice_call",
            "body": {"text": "Call"}, "action": {"name": "voice_call",
            "parameters": {"ttl_minutes": 43201}}})),
            131009,
        ),
        (
            "voice call ttl not a number",
            interactive(json!({"type": "voice_call",
            "body": {"text": "Call"}, "action": {"name": "voice_call",
            "parameters": {"ttl_minutes": "60"}}})),
            100,
        ),
        (
            "voice call label over 20",
            interactive(json!({"type": "voice_call",
            "body": {"text": "Call"}, "action": {"name": "voice_call",
            "parameters": {"display_text": long(21)}}})),
            131009,
        ),
        // Address.
        (
            "address outside India",
            interactive(json!({"type": "address_message",
            "body": {"text": "Where?"}, "action": {"name": "address_message",
            "parameters": {"country": "SG"}}})),
            131009,
        ),
        (
            "address without country",
            interactive(json!({"type": "address_message",
            "body": {"text": "Where?"}, "action": {"name": "address_message",
            "parameters": {}}})),
            131008,
        ),
        (
            "address long pin code",
            interactive(json!({"type": "address_message",
            "body": {"text": "Where?"}, "action": {"name": "address_message",
            "parameters": {"country": "IN", "values": {"in_pin_code": "1234567"}}}})),
            131009,
        ),
        // Payments.
        (
            "order long reference",
            interactive(json!({"type": "order_details", "body": {"text": "Pay"},
            "action": {"name": "review_and_pay", "parameters": {"reference_id": long(36),
            "type": "digital-goods", "currency": "INR", "total_amount": {"value": 1, "offset": 100}}}})),
            131009,
        ),
        (
            "order unknown goods",
            interactive(json!({"type": "order_details", "body": {"text": "Pay"},
            "action": {"name": "review_and_pay", "parameters": {"reference_id": "o-1",
            "type": "services", "currency": "INR", "total_amount": {"value": 1, "offset": 100}}}})),
            100,
        ),
        (
            "order without total",
            interactive(json!({"type": "order_details", "body": {"text": "Pay"},
            "action": {"name": "review_and_pay", "parameters": {"reference_id": "o-1",
            "type": "digital-goods", "currency": "INR"}}})),
            131008,
        ),
        (
            "order item quantity zero",
            interactive(json!({"type": "order_details", "body": {"text": "Pay"},
            "action": {"name": "review_and_pay", "parameters": {"reference_id": "o-1",
            "type": "digital-goods", "currency": "INR", "total_amount": {"value": 1, "offset": 100},
            "order": {"status": "pending", "items": [{"retailer_id": "r", "name": "R",
            "amount": {"value": 1, "offset": 100}, "quantity": 0}],
            "subtotal": {"value": 1, "offset": 100}, "tax": {"value": 0, "offset": 100}}}}})),
            131009,
        ),
        (
            "order status unknown",
            interactive(json!({"type": "order_status", "body": {"text": "Update"},
            "action": {"name": "review_order", "parameters": {"reference_id": "o-1",
            "order": {"status": "lost"}}}})),
            100,
        ),
        (
            "order status long description",
            interactive(json!({"type": "order_status",
            "body": {"text": "Update"}, "action": {"name": "review_order", "parameters": {
            "reference_id": "o-1", "order": {"status": "shipped", "description": long(121)}}}})),
            131009,
        ),
        // Templates.
        (
            "carousel with one card",
            template(json!([{"type": "carousel", "cards": [{"card_index": 0,
            "components": [{"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]}]}]}])),
            131009,
        ),
        (
            "carousel card text header",
            template(json!([{"type": "carousel", "cards": [
            {"card_index": 0, "components": [{"type": "header", "parameters": [{"type": "text", "text": "x"}]}]},
            {"card_index": 1, "components": [{"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]}]}]}])),
            131009,
        ),
        (
            "carousel card without index",
            template(json!([{"type": "carousel", "cards": [
            {"components": [{"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]}]},
            {"card_index": 1, "components": [{"type": "header", "parameters": [{"type": "image", "image": {"id": "2"}}]}]}]}])),
            131008,
        ),
        (
            "offer without expiration",
            template(json!([{"type": "limited_time_offer", "parameters": [
            {"type": "limited_time_offer", "limited_time_offer": {}}]}])),
            131008,
        ),
        (
            "mpm without sections",
            template(json!([{"type": "button", "sub_type": "mpm", "index": "0",
            "parameters": [{"type": "action", "action": {"thumbnail_product_retailer_id": "a"}}]}])),
            131008,
        ),
        (
            "catalog button with payload",
            template(json!([{"type": "button", "sub_type": "CATALOG",
            "index": 0, "parameters": [{"type": "payload", "payload": "p"}]}])),
            131009,
        ),
    ];
    for (what, body, code) in &cases {
        let (status, answer) = send(&sb, body).await;
        assert_eq!(status, 400, "{what}: {answer}");
        assert_graph_error(&answer, *code);
        assert!(
            answer["error"]["error_data"]["details"].is_string(),
            "{what}: {answer}"
        );
    }
    assert!(sb.accepted_messages().is_empty());
    sb.shutdown().await;
}
