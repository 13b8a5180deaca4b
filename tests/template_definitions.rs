//! Template definitions: every component kind builds Meta's JSON and passes the checks; each
//! of Meta's limits, broken, is refused with the field at fault. No network.

use serde_json::json;
use wacloud::models::templates::{
    CarouselCard, FlowRef, LimitedTimeOffer, MediaFormat, NewTemplate, ParameterFormat,
    SupportedApp, TemplateBody, TemplateButton, TemplateCategory, TemplateEdit, TemplateFooter,
    TemplateHeader,
};

const HANDLE: &str = "4::aW1hZ2UvanBlZw==:ARb2JkRmM3";

fn app() -> SupportedApp {
    SupportedApp::new("com.example.luckyshrub", "K8a/AINcGX7")
}

fn marketing(name: &str) -> NewTemplate {
    NewTemplate::new(name, "en_US", TemplateCategory::Marketing)
}

/// Every kind of component, each in a template Meta would accept.
fn valid_templates() -> Vec<(&'static str, NewTemplate)> {
    vec![
        (
            "text header, positional body, footer, quick replies, url, phone",
            marketing("seasonal_promo")
                .header(TemplateHeader::text("Our {{1}} is on!").example("Summer Sale"))
                .body(
                    TemplateBody::new(
                        "Shop now through {{1}} and use code {{2}} to get {{3}} off.",
                    )
                    .examples(["the end of August", "25OFF", "25%"]),
                )
                .footer(TemplateFooter::new(
                    "Use the buttons below to manage your preferences",
                ))
                .button(TemplateButton::quick_reply("Unsubscribe from Promos"))
                .button(TemplateButton::quick_reply("Unsubscribe from All"))
                .button(
                    TemplateButton::url("Shop", "https://example.com/shop/{{1}}")
                        .example("https://example.com/shop/summer"),
                )
                .button(TemplateButton::phone_number("Call", "+16505551234")),
        ),
        (
            "named variables",
            marketing("named_vars")
                .parameter_format(ParameterFormat::Named)
                .header(
                    TemplateHeader::text("Hi {{first_name}}").named_example("first_name", "Pablo"),
                )
                .body(
                    TemplateBody::new("Your order {{order_id}} ships {{day}}.")
                        .named_example("order_id", "8c3d")
                        .named_example("day", "today"),
                ),
        ),
        (
            "image header",
            marketing("image_header")
                .header(TemplateHeader::image(HANDLE))
                .body(TemplateBody::new("New arrivals are here")),
        ),
        (
            "video header",
            marketing("video_header")
                .header(TemplateHeader::video(HANDLE))
                .body(TemplateBody::new("Watch our new ad")),
        ),
        (
            "gif header",
            marketing("gif_header")
                .header(TemplateHeader::media(MediaFormat::Gif, HANDLE))
                .body(TemplateBody::new("So fun")),
        ),
        (
            "document header",
            marketing("doc_header")
                .header(TemplateHeader::document(HANDLE))
                .body(TemplateBody::new("Your invoice is attached")),
        ),
        (
            "location header",
            NewTemplate::new("order_pickup", "en_US", TemplateCategory::Utility)
                .header(TemplateHeader::location())
                .body(TemplateBody::new("Pick up order {{1}} here today.").examples(["8c3d"])),
        ),
        (
            "copy code",
            marketing("coupon")
                .body(TemplateBody::new("Save on everything today"))
                .button(TemplateButton::copy_code("SAVE25")),
        ),
        (
            "flow button",
            marketing("flow_signup")
                .body(TemplateBody::new("Sign up for our newsletter"))
                .button(
                    TemplateButton::flow("Sign up", FlowRef::Id("1234567890".into()))
                        .flow_action("navigate")
                        .navigate_screen("WELCOME"),
                ),
        ),
        (
            "catalog",
            marketing("catalog_intro")
                .body(TemplateBody::new("Browse our catalog"))
                .button(TemplateButton::catalog("View catalog")),
        ),
        (
            "multi-product",
            marketing("mpm_intro")
                .body(TemplateBody::new("Picked for you"))
                .button(TemplateButton::multi_product("View items")),
        ),
        (
            "authentication copy code",
            NewTemplate::new("auth_copy", "en_US", TemplateCategory::Authentication)
                .body(TemplateBody::authentication(true))
                .footer(TemplateFooter::code_expiration(10))
                .button(TemplateButton::otp_copy_code().text("Copy Code")),
        ),
        (
            "authentication one-tap",
            NewTemplate::new("auth_one_tap", "en_US", TemplateCategory::Authentication)
                .body(TemplateBody::authentication(true))
                .button(
                    TemplateButton::one_tap([app()])
                        .autofill_text("Autofill")
                        .text("Copy Code"),
                ),
        ),
        (
            "authentication zero-tap",
            NewTemplate::new("auth_zero_tap", "en_US", TemplateCategory::Authentication)
                .body(TemplateBody::authentication(false))
                .footer(TemplateFooter::code_expiration(5))
                .button(TemplateButton::zero_tap([app()], true)),
        ),
        (
            "carousel",
            marketing("carousel_promo")
                .body(
                    TemplateBody::new("Rare succulents for sale! {{1}}, use code {{2}} today.")
                        .examples(["Pablo", "15OFF"]),
                )
                .carousel([
                    CarouselCard::new(MediaFormat::Image, HANDLE)
                        .body(TemplateBody::new("Use code {{1}} for 15% off.").examples(["15OFF"]))
                        .button(TemplateButton::quick_reply("Send more like this"))
                        .button(
                            TemplateButton::url("Buy now", "https://example.com/{{1}}")
                                .example("https://example.com/blue"),
                        ),
                    CarouselCard::new(MediaFormat::Image, HANDLE)
                        .body(TemplateBody::new("Today only {{1}} off.").examples(["20%"]))
                        .button(TemplateButton::quick_reply("Send more like this"))
                        .button(
                            TemplateButton::url("Buy now", "https://example.com/{{1}}")
                                .example("https://example.com/red"),
                        ),
                ]),
        ),
        (
            "limited-time offer",
            marketing("limited_offer")
                .header(TemplateHeader::image(HANDLE))
                .limited_time_offer(LimitedTimeOffer::new("Expiring offer!").has_expiration(true))
                .body(
                    TemplateBody::new("Good news, {{1}}! Use code {{2}} today.")
                        .examples(["Pablo", "CARIBE25"]),
                )
                .button(TemplateButton::copy_code("CARIBE25"))
                .button(
                    TemplateButton::url("Book now!", "https://example.com/?code={{1}}")
                        .example("https://example.com/?code=n3mtql"),
                ),
        ),
    ]
}

#[test]
fn every_component_kind_passes_the_checks() {
    for (what, template) in valid_templates() {
        template
            .check()
            .unwrap_or_else(|err| panic!("{what}: {err}\n{}", template.to_json()));
    }
}

#[test]
fn typed_components_write_metas_shapes() {
    let one_tap = NewTemplate::new("auth_one_tap", "en_US", TemplateCategory::Authentication)
        .body(TemplateBody::authentication(true))
        .footer(TemplateFooter::code_expiration(10))
        .button(TemplateButton::one_tap([app()]).autofill_text("Autofill"));
    assert_eq!(
        one_tap.to_json(),
        json!({
            "name": "auth_one_tap", "language": "en_US", "category": "AUTHENTICATION",
            "components": [
                {"type": "BODY", "add_security_recommendation": true},
                {"type": "FOOTER", "code_expiration_minutes": 10},
                {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ONE_TAP", "autofill_text": "Autofill",
                    "supported_apps": [{"package_name": "com.example.luckyshrub", "signature_hash": "K8a/AINcGX7"}]}]}
            ]
        })
    );
    let offer = LimitedTimeOffer::new("Expiring offer!").has_expiration(true);
    let template = marketing("x").limited_time_offer(offer);
    assert_eq!(
        template.to_json()["components"][0],
        json!({"type": "LIMITED_TIME_OFFER", "limited_time_offer": {"text": "Expiring offer!", "has_expiration": true}})
    );
    let card = marketing("x")
        .carousel([CarouselCard::new(MediaFormat::Video, HANDLE)
            .button(TemplateButton::quick_reply("More"))]);
    assert_eq!(
        card.to_json()["components"][0],
        json!({"type": "CAROUSEL", "cards": [{"components": [
            {"type": "HEADER", "format": "VIDEO", "example": {"header_handle": [HANDLE]}},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "More"}]}
        ]}]})
    );
}

/// Asserts the definition is refused, naming `field` (and the problem containing `says`).
fn refused(template: serde_json::Value, field: &str, says: &str) {
    let error = NewTemplate::from_json(template.clone())
        .unwrap()
        .check()
        .expect_err(&format!("accepted: {template}"));
    assert_eq!(error.field, field, "{error} for {template}");
    assert!(
        error.problem.contains(says),
        "{error:?} should say {says:?}"
    );
}

fn body(text: &str) -> serde_json::Value {
    json!({"type": "BODY", "text": text})
}

fn with(components: serde_json::Value) -> serde_json::Value {
    json!({"name": "t", "language": "en_US", "category": "MARKETING", "components": components})
}

#[test]
fn names_languages_and_categories() {
    let long = "a".repeat(513);
    refused(
        json!({"name": long, "language": "en", "category": "MARKETING", "components": [body("x")]}),
        "name",
        "512",
    );
    refused(
        json!({"name": "Has Caps", "language": "en", "category": "MARKETING", "components": [body("x")]}),
        "name",
        "lowercase",
    );
    refused(
        json!({"language": "en", "category": "MARKETING", "components": [body("x")]}),
        "name",
        "required",
    );
    refused(
        json!({"name": "t", "language": "english", "category": "MARKETING", "components": [body("x")]}),
        "language",
        "language code",
    );
    refused(
        json!({"name": "t", "language": "en", "category": "PROMO", "components": [body("x")]}),
        "category",
        "MARKETING",
    );
    refused(
        json!({"name": "t", "language": "en", "category": "MARKETING"}),
        "components",
        "required",
    );
    refused(
        json!({"name": "t", "language": "en", "category": "UTILITY", "library_template_name": "x", "components": []}),
        "components",
        "library",
    );
    refused(
        json!({"name": "t", "language": "en", "category": "UTILITY", "message_send_ttl_seconds": 5, "components": [body("x")]}),
        "message_send_ttl_seconds",
        "30",
    );
}

#[test]
fn component_counts_and_text_lengths() {
    refused(with(json!([])), "components", "BODY");
    refused(
        with(json!([{"type": "FOOTER", "text": "x"}])),
        "components",
        "BODY",
    );
    refused(
        with(json!([body("a"), body("b")])),
        "components[1].type",
        "at most one BODY",
    );
    refused(
        with(json!([{"type": "HEADER", "format": "TEXT", "text": "h".repeat(61)}, body("x")])),
        "components[0].text",
        "at most 60",
    );
    refused(
        with(json!([body(&"b".repeat(1025))])),
        "components[0].text",
        "at most 1024",
    );
    refused(
        with(json!([body("x"), {"type": "FOOTER", "text": "f".repeat(61)}])),
        "components[1].text",
        "at most 60",
    );
    refused(
        with(json!([body("x"), {"type": "FOOTER", "text": "Hi {{1}}"}])),
        "components[1].text",
        "no variables",
    );
    refused(
        with(json!([{"type": "HEADER", "format": "IMAGE"}, body("x")])),
        "components[0].example.header_handle",
        "resumable upload",
    );
    refused(
        with(json!([{"type": "HEADER", "format": "AUDIO"}, body("x")])),
        "components[0].format",
        "unknown header format",
    );
    refused(
        with(
            json!([{"type": "HEADER", "format": "TEXT", "text": "{{1}} and {{2}}", "example": {"header_text": ["a", "b"]}}, body("x")]),
        ),
        "components[0].text",
        "at most one variable",
    );
}

#[test]
fn variables_need_examples_in_order() {
    refused(
        with(json!([body("Hi {{1}}, thanks")])),
        "components[0].example.body_text",
        "example values",
    );
    refused(
        with(
            json!([{"type": "BODY", "text": "Hi {{1}} and {{2}}!", "example": {"body_text": [["Pablo"]]}}]),
        ),
        "components[0].example.body_text",
        "1 example values for 2 variables",
    );
    refused(
        with(
            json!([{"type": "BODY", "text": "Hi {{1}} and {{3}}!", "example": {"body_text": [["a", "b"]]}}]),
        ),
        "components[0].text",
        "without gaps",
    );
    refused(
        with(json!([{"type": "BODY", "text": "{{1}} is here", "example": {"body_text": [["a"]]}}])),
        "components[0].text",
        "start or end",
    );
    refused(
        with(json!([body("Hi {{name}} today")])),
        "components[0].text",
        "parameter_format NAMED",
    );
    refused(
        with(json!([body("Hi {{1}} and {{name}} today")])),
        "components[0].text",
        "mixes",
    );
    refused(
        with(json!([body("Hi {{Bad Name}} today")])),
        "components[0].text",
        "neither positional",
    );
    refused(
        with(json!([body("Hi {{1 today")])),
        "components[0].text",
        "without its",
    );
    let mut named = with(json!([{"type": "BODY", "text": "Hi {{first_name}} today",
        "example": {"body_text_named_params": [{"param_name": "other", "example": "x"}]}}]));
    named["parameter_format"] = json!("NAMED");
    refused(
        named,
        "components[0].example.body_text_named_params",
        "{{first_name}}",
    );
}

fn buttons(list: serde_json::Value) -> serde_json::Value {
    with(json!([body("Hello there"), {"type": "BUTTONS", "buttons": list}]))
}

#[test]
fn button_rules() {
    let quick = json!({"type": "QUICK_REPLY", "text": "Yes"});
    let url = json!({"type": "URL", "text": "Go", "url": "https://example.com"});
    refused(
        buttons(json!(vec![quick.clone(); 11])),
        "components[1].buttons",
        "1 to 10",
    );
    refused(
        buttons(json!([url.clone(), url.clone(), url.clone()])),
        "components[1].buttons",
        "at most 2 URL",
    );
    refused(
        buttons(json!([quick.clone(), url.clone(), quick.clone()])),
        "components[1].buttons",
        "grouped",
    );
    refused(
        buttons(json!([{"type": "QUICK_REPLY", "text": "x".repeat(26)}])),
        "components[1].buttons[0].text",
        "at most 25",
    );
    refused(
        buttons(json!([{"type": "URL", "text": "Go", "url": "ftp://x"}])),
        "components[1].buttons[0].url",
        "https://",
    );
    refused(
        buttons(json!([{"type": "URL", "text": "Go", "url": "https://x/{{1}}"}])),
        "components[1].buttons[0].example",
        "whole URL",
    );
    refused(
        buttons(
            json!([{"type": "URL", "text": "Go", "url": "https://x/{{1}}/y", "example": ["https://x/1/y"]}]),
        ),
        "components[1].buttons[0].url",
        "at its end",
    );
    refused(
        buttons(json!([{"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+1".repeat(11)}])),
        "components[1].buttons[0].phone_number",
        "at most 20",
    );
    refused(
        buttons(json!([{"type": "COPY_CODE", "example": "C".repeat(16)}])),
        "components[1].buttons[0].example",
        "at most 15",
    );
    refused(
        buttons(json!([{"type": "COPY_CODE"}])),
        "components[1].buttons[0].example",
        "example code",
    );
    refused(
        buttons(json!([{"type": "FLOW", "text": "Go"}])),
        "components[1].buttons[0]",
        "flow_id, flow_name or flow_json",
    );
    refused(
        buttons(json!([{"type": "CATALOG", "text": "View"}, quick.clone()])),
        "components[1].buttons",
        "only button",
    );
    refused(
        buttons(json!([{"type": "OTP", "otp_type": "COPY_CODE"}])),
        "components[1].buttons[0].type",
        "AUTHENTICATION",
    );
}

fn auth(components: serde_json::Value) -> serde_json::Value {
    json!({"name": "otp", "language": "en_US", "category": "AUTHENTICATION", "components": components})
}

#[test]
fn authentication_rules() {
    let otp = json!({"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]});
    let auth_body = json!({"type": "BODY", "add_security_recommendation": true});
    refused(
        auth(json!([body("Your code"), otp.clone()])),
        "components[0].text",
        "Meta writes it",
    );
    refused(auth(json!([auth_body.clone()])), "components", "OTP button");
    refused(
        auth(
            json!([auth_body.clone(), {"type": "FOOTER", "code_expiration_minutes": 91}, otp.clone()]),
        ),
        "components[1].code_expiration_minutes",
        "1 to 90",
    );
    refused(
        auth(
            json!([{"type": "HEADER", "format": "TEXT", "text": "x"}, auth_body.clone(), otp.clone()]),
        ),
        "components[0]",
        "only a body",
    );
    refused(
        auth(
            json!([auth_body.clone(), {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ONE_TAP"}]}]),
        ),
        "components[1].buttons[0].supported_apps",
        "Android apps",
    );
    refused(
        auth(
            json!([auth_body.clone(), {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ONE_TAP",
            "supported_apps": [{"package_name": "com.example.app", "signature_hash": "short"}]}]}]),
        ),
        "components[1].buttons[0].supported_apps[0].signature_hash",
        "11-character",
    );
    refused(
        auth(
            json!([auth_body.clone(), {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ZERO_TAP",
            "supported_apps": [{"package_name": "com.example.app", "signature_hash": "K8a/AINcGX7"}]}]}]),
        ),
        "components[1].buttons[0].zero_tap_terms_accepted",
        "zero-tap terms",
    );
    refused(
        auth(
            json!([auth_body, {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}, {"type": "QUICK_REPLY", "text": "x"}]}]),
        ),
        "components[1].buttons",
        "exactly one OTP",
    );
}

fn card(format: &str, quick_replies: usize) -> serde_json::Value {
    let buttons: Vec<_> = (0..quick_replies)
        .map(|_| json!({"type": "QUICK_REPLY", "text": "More"}))
        .collect();
    json!({"components": [
        {"type": "HEADER", "format": format, "example": {"header_handle": [HANDLE]}},
        {"type": "BUTTONS", "buttons": buttons}
    ]})
}

#[test]
fn carousel_and_offer_rules() {
    let carousel = |cards: serde_json::Value| {
        with(json!([body("Look at these"), {"type": "CAROUSEL", "cards": cards}]))
    };
    refused(
        carousel(json!(vec![card("IMAGE", 1); 11])),
        "components[1].cards",
        "1 to 10",
    );
    refused(
        carousel(json!([card("IMAGE", 1), card("VIDEO", 1)])),
        "components[1].cards[1]",
        "same components",
    );
    refused(
        carousel(json!([card("IMAGE", 1), card("IMAGE", 2)])),
        "components[1].cards[1]",
        "same components",
    );
    refused(
        carousel(json!([card("DOCUMENT", 1)])),
        "components[1].cards[0].components[0].format",
        "IMAGE or a VIDEO",
    );
    refused(
        carousel(json!([card("IMAGE", 3)])),
        "components[1].cards[0].components[1].buttons",
        "1 to 2",
    );
    let mut utility = carousel(json!([card("IMAGE", 1)]));
    utility["category"] = json!("UTILITY");
    refused(utility, "components[1]", "MARKETING");

    let offer = |text: &str, expires: bool, extra: serde_json::Value| {
        let mut components = vec![
            json!({"type": "LIMITED_TIME_OFFER", "limited_time_offer": {"text": text, "has_expiration": expires}}),
            body("Good news today"),
        ];
        if let serde_json::Value::Array(more) = extra {
            components.extend(more);
        }
        with(json!(components))
    };
    let url = json!({"type": "URL", "text": "Go", "url": "https://example.com"});
    refused(
        offer(
            &"o".repeat(17),
            false,
            json!([{"type": "BUTTONS", "buttons": [url.clone()]}]),
        ),
        "components[0].limited_time_offer.text",
        "at most 16",
    );
    refused(offer("Offer", false, json!([])), "components", "URL button");
    refused(
        offer(
            "Offer",
            true,
            json!([{"type": "BUTTONS", "buttons": [url.clone()]}]),
        ),
        "components",
        "COPY_CODE",
    );
    refused(
        offer(
            "Offer",
            false,
            json!([{"type": "BUTTONS", "buttons": [url]}, {"type": "FOOTER", "text": "x"}]),
        ),
        "components[3]",
        "no footer",
    );
    refused(
        offer(
            "Offer",
            false,
            json!([{"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Go", "url": "https://example.com"}]}, body("x")]),
        ),
        "components[3].type",
        "at most one BODY",
    );
}

#[test]
fn unknown_component_and_button_types_pass_through() {
    let template = with(
        json!([body("Hello there"), {"type": "CALL_PERMISSION_REQUEST"},
        {"type": "BUTTONS", "buttons": [{"type": "VOICE_CALL", "text": "Call us"}]}]),
    );
    NewTemplate::from_json(template).unwrap().check().unwrap();
    assert!(NewTemplate::from_json(json!([1, 2])).is_err());
}

#[test]
fn edits_are_checked_too() {
    assert!(TemplateEdit::new().check().is_err());
    TemplateEdit::new()
        .category(TemplateCategory::Utility)
        .check()
        .unwrap();
    let edit = TemplateEdit::new().body(TemplateBody::new("Hi {{1}}"));
    assert_eq!(edit.check().unwrap_err().field, "components[0].text");
    let from = marketing("x")
        .body(TemplateBody::new("Hello"))
        .footer(TemplateFooter::new("Bye"));
    TemplateEdit::new().components_of(&from).check().unwrap();
}
