//! Meta's documented limits of the interactive kinds beyond buttons, lists, CTA URLs and flows,
//! and of the template components beyond header, body and plain buttons: each broken one is a
//! typed `Error::Validation` naming the field by its JSON path, and no request is sent. A message
//! exactly at every limit is valid.

#[macro_use]
mod common;

use wacloud::messages::{
    AddressFields, AddressRequest, Amount, CarouselCard, Charge, Component, GoodsType, Header,
    Interactive, MediaSource, MessageContent, Order, OrderDetails, OrderItem, OrderStatus,
    OrderUpdate, OutgoingMessage, Parameter, PaymentSetting, ProductSection, SavedAddress,
    Template, VoiceCall, MAX_LIST_BODY_TEXT_LEN, MAX_PRODUCT_ITEMS, MAX_PRODUCT_SECTIONS,
};

const TO: &str = "+16505551234";
const CATALOG: &str = "194836987003835";

fn to(content: impl Into<MessageContent>) -> OutgoingMessage {
    OutgoingMessage::new(TO, content)
}

fn chars(n: usize) -> String {
    "a".repeat(n)
}

/// `n` sections of `per` products each, titled.
fn product_sections(n: usize, per: usize) -> Vec<ProductSection> {
    (0..n)
        .map(|s| {
            ProductSection::new((0..per).map(|p| format!("sku-{s}-{p}"))).title(format!("S{s}"))
        })
        .collect()
}

fn product_list(sections: Vec<ProductSection>) -> Interactive {
    Interactive::product_list("Our pots", "Pick one", CATALOG, sections)
}

fn bill() -> OrderDetails {
    OrderDetails::new(
        "order-42",
        GoodsType::Digital,
        "INR",
        Amount::new(11_800, 100),
    )
}

fn order() -> Order {
    Order::new(OrderStatus::Pending)
        .item(OrderItem::new(
            "recharge-100",
            "Recharge",
            Amount::new(10_000, 100),
            1,
        ))
        .subtotal(Amount::new(10_000, 100))
        .tax(Charge::new(1_800, 100))
}

fn details(details: OrderDetails) -> Interactive {
    Interactive::order_details("Pay for your recharge", details)
}

fn card(image: &str) -> CarouselCard {
    CarouselCard::new(Parameter::image(MediaSource::id(image)))
}

fn carousel(n: usize) -> Template {
    Template::new("carousel_promo", "en_US").carousel((0..n).map(|i| card(&format!("{i}"))))
}

rejects! {
    // Location, call permission and contact requests: a body (1,024), no header, no footer.
    location_request_body_over_1024: to(Interactive::location_request(chars(1025))) => "interactive.body.text";
    location_request_empty_body: to(Interactive::location_request(" ")) => "interactive.body.text";
    location_request_with_header: to(Interactive::location_request("Where?").header(Header::text("Pickup"))) => "interactive.header";
    location_request_with_footer: to(Interactive::location_request("Where?").footer("Thanks")) => "interactive.footer";
    call_permission_with_footer: to(Interactive::call_permission_request("May we call?").footer("x")) => "interactive.footer";
    call_permission_body_over_1024: to(Interactive::call_permission_request(chars(1025))) => "interactive.body.text";
    contact_info_empty_body: to(Interactive::request_contact_info("")) => "interactive.body.text";
    contact_info_with_header: to(Interactive::request_contact_info("Share?").header(Header::image(MediaSource::id("1")))) => "interactive.header";

    // Catalog and single product.
    catalog_with_header: to(Interactive::catalog_message("See all").header(Header::text("Shop"))) => "interactive.header";
    catalog_empty_thumbnail: to(Interactive::catalog_message_with_thumbnail("See all", " ")) => "interactive.action.parameters.thumbnail_product_retailer_id";
    catalog_footer_over_60: to(Interactive::catalog_message("See all").footer(chars(61))) => "interactive.footer.text";
    product_with_header: to(Interactive::product(CATALOG, "sku").header(Header::text("Pot"))) => "interactive.header";
    product_empty_catalog: to(Interactive::product("", "sku")) => "interactive.action.catalog_id";
    product_empty_retailer_id: to(Interactive::product(CATALOG, "")) => "interactive.action.product_retailer_id";
    product_body_over_1024: to(Interactive::product(CATALOG, "sku").body(chars(1025))) => "interactive.body.text";

    // Product lists: a text header, 1 to 10 sections, 30 products in all.
    product_list_media_header: to(product_list(product_sections(1, 1)).header(Header::image(MediaSource::id("1")))) => "interactive.header.type";
    product_list_header_over_60: to(Interactive::product_list(chars(61), "Pick", CATALOG, product_sections(1, 1))) => "interactive.header.text";
    product_list_body_over_1024: to(Interactive::product_list("Pots", chars(1025), CATALOG, product_sections(1, 1))) => "interactive.body.text";
    product_list_no_sections: to(product_list(vec![])) => "interactive.action.sections";
    product_list_eleven_sections: to(product_list(product_sections(11, 1))) => "interactive.action.sections";
    product_list_31_products: to(product_list(product_sections(2, 15).into_iter().chain([ProductSection::new(["one-more"]).title("X")]).collect())) => "interactive.action.sections";
    product_list_empty_section: to(product_list(vec![ProductSection::new(Vec::<String>::new())])) => "interactive.action.sections[0].product_items";
    product_list_empty_product_id: to(product_list(vec![ProductSection::new(["a", "b", "c", " "])])) => "interactive.action.sections[0].product_items[3].product_retailer_id";
    product_list_untitled_among_several: to(product_list(vec![ProductSection::new(["a"]).title("A"), ProductSection::new(["b"])])) => "interactive.action.sections[1].title";
    product_list_section_title_over_24: to(product_list(vec![ProductSection::new(["a"]).title(chars(25))])) => "interactive.action.sections[0].title";
    product_list_empty_catalog: to(Interactive::product_list("Pots", "Pick", "", product_sections(1, 1))) => "interactive.action.catalog_id";

    // Voice call button.
    voice_call_display_text_over_20: to(Interactive::voice_call("Call us", VoiceCall::new().display_text(chars(21)))) => "interactive.action.parameters.display_text";
    voice_call_ttl_zero: to(Interactive::voice_call("Call us", VoiceCall::new().ttl_minutes(0))) => "interactive.action.parameters.ttl_minutes";
    voice_call_ttl_over_30_days: to(Interactive::voice_call("Call us", VoiceCall::new().ttl_minutes(43_201))) => "interactive.action.parameters.ttl_minutes";
    voice_call_payload_over_512: to(Interactive::voice_call("Call us", VoiceCall::new().payload(chars(513)))) => "interactive.action.parameters.payload";
    voice_call_with_header: to(Interactive::voice_call("Call us", VoiceCall::new()).header(Header::text("Hi"))) => "interactive.header";

    // Address messages (India).
    address_outside_india: to(Interactive::address_message("Where?", AddressRequest::new("SG"))) => "interactive.action.parameters.country";
    address_pin_code_over_6: to(Interactive::address_message("Where?", AddressRequest::india().values(AddressFields::new().in_pin_code("4000630")))) => "interactive.action.parameters.values.in_pin_code";
    address_saved_pin_code_over_6: to(Interactive::address_message("Where?", AddressRequest::india().saved_address(SavedAddress::new("home", AddressFields::new().in_pin_code("1234567"))))) => "interactive.action.parameters.saved_addresses[0].value.in_pin_code";
    address_saved_empty_id: to(Interactive::address_message("Where?", AddressRequest::india().saved_address(SavedAddress::new("", AddressFields::new())))) => "interactive.action.parameters.saved_addresses[0].id";
    address_saved_ids_repeated: to(Interactive::address_message("Where?", AddressRequest::india().saved_address(SavedAddress::new("home", AddressFields::new())).saved_address(SavedAddress::new("home", AddressFields::new())))) => "interactive.action.parameters.saved_addresses[1].id";
    address_validation_error_unknown_field: to(Interactive::address_message("Where?", AddressRequest::india().validation_error("zip", "wrong"))) => "interactive.action.parameters.validation_errors.zip";
    address_validation_error_empty_message: to(Interactive::address_message("Where?", AddressRequest::india().validation_error("in_pin_code", " "))) => "interactive.action.parameters.validation_errors.in_pin_code";

    // Order details.
    order_reference_over_35: to(details(OrderDetails::new(chars(36), GoodsType::Digital, "INR", Amount::new(1, 100)))) => "interactive.action.parameters.reference_id";
    order_reference_with_space: to(details(OrderDetails::new("order 42", GoodsType::Digital, "INR", Amount::new(1, 100)))) => "interactive.action.parameters.reference_id";
    order_reference_empty: to(details(OrderDetails::new("", GoodsType::Digital, "INR", Amount::new(1, 100)))) => "interactive.action.parameters.reference_id";
    order_currency_lowercase: to(details(OrderDetails::new("o-1", GoodsType::Digital, "inr", Amount::new(1, 100)))) => "interactive.action.parameters.currency";
    order_total_negative: to(details(OrderDetails::new("o-1", GoodsType::Digital, "INR", Amount::new(-1, 100)))) => "interactive.action.parameters.total_amount.value";
    order_total_offset_zero: to(details(OrderDetails::new("o-1", GoodsType::Digital, "INR", Amount::new(1, 0)))) => "interactive.action.parameters.total_amount.offset";
    order_without_items: to(details(bill().order(Order::new(OrderStatus::Pending).subtotal(Amount::new(0, 100)).tax(Charge::new(0, 100))))) => "interactive.action.parameters.order.items";
    order_item_quantity_zero: to(details(bill().order(order().item(OrderItem::new("x", "X", Amount::new(1, 100), 0))))) => "interactive.action.parameters.order.items[1].quantity";
    order_item_empty_name: to(details(bill().order(order().item(OrderItem::new("x", "", Amount::new(1, 100), 1))))) => "interactive.action.parameters.order.items[1].name";
    order_without_subtotal: to(details(bill().order(Order::new(OrderStatus::Pending).item(OrderItem::new("x", "X", Amount::new(1, 100), 1)).tax(Charge::new(0, 100))))) => "interactive.action.parameters.order.subtotal";
    order_without_tax: to(details(bill().order(Order::new(OrderStatus::Pending).item(OrderItem::new("x", "X", Amount::new(1, 100), 1)).subtotal(Amount::new(1, 100))))) => "interactive.action.parameters.order.tax";
    order_discount_negative: to(details(bill().order(order().discount(Charge::new(-5, 100))))) => "interactive.action.parameters.order.discount.value";
    order_expiration_not_a_time: to(details(bill().order(order().expires_at(0, "Expired")))) => "interactive.action.parameters.order.expiration.timestamp";
    order_payment_link_not_a_url: to(details(bill().payment_setting(PaymentSetting::payment_link("pay-here")))) => "interactive.action.parameters.payment_settings[0].payment_link.uri";
    order_gateway_without_configuration: to(details(bill().payment_setting(PaymentSetting::payment_gateway("razorpay", "")))) => "interactive.action.parameters.payment_settings[0].payment_gateway.configuration_name";
    order_other_setting_not_an_object: to(details(bill().payment_setting(PaymentSetting::other("boleto", serde_json::json!("x"))))) => "interactive.action.parameters.payment_settings[0].boleto";
    order_details_without_body: to(details(bill()).body("")) => "interactive.body.text";

    // Order status.
    order_status_description_over_120: to(Interactive::order_status("Update", OrderUpdate::new("o-1", OrderStatus::Shipped).description(chars(121)))) => "interactive.action.parameters.order.description";
    order_status_empty_other: to(Interactive::order_status("Update", OrderUpdate::new("o-1", OrderStatus::Other(String::new())))) => "interactive.action.parameters.order.status";
    order_status_bad_reference: to(Interactive::order_status("Update", OrderUpdate::new("o/1", OrderStatus::Completed))) => "interactive.action.parameters.reference_id";

    // Template carousels: 2 to 10 cards, each one header (media or product), up to 2 buttons.
    carousel_one_card: to(carousel(1)) => "template.components[0].cards";
    carousel_eleven_cards: to(carousel(11)) => "template.components[0].cards";
    carousel_card_two_headers: to(Template::new("c", "en_US").carousel([card("1").component(Component::header([Parameter::image(MediaSource::id("2"))])), card("3")])) => "template.components[0].cards[0].components";
    carousel_card_three_buttons: to(Template::new("c", "en_US").carousel([card("1"), card("2").quick_reply_button(0, "a").quick_reply_button(1, "b").url_button(2, "c")])) => "template.components[0].cards[1].components";
    carousel_card_button_index_repeated: to(Template::new("c", "en_US").carousel([card("1").quick_reply_button(0, "a").url_button(0, "b"), card("2")])) => "template.components[0].cards[0].components[2].index";
    carousel_card_text_header: to(Template::new("c", "en_US").carousel([CarouselCard::new(Parameter::text("Hi")), card("2")])) => "template.components[0].cards[0].components[0].parameters[0].type";
    carousel_card_document_header: to(Template::new("c", "en_US").carousel([card("1"), CarouselCard::new(Parameter::document(MediaSource::id("2")))])) => "template.components[0].cards[1].components[0].parameters[0].type";
    carousel_card_empty_payload: to(Template::new("c", "en_US").carousel([card("1").quick_reply_button(0, ""), card("2")])) => "template.components[0].cards[0].components[1].parameters[0].payload";
    carousel_card_product_without_catalog: to(Template::new("c", "en_US").carousel([CarouselCard::new(Parameter::product("", "sku")), card("2")])) => "template.components[0].cards[0].components[0].parameters[0].product.catalog_id";
    carousel_card_nested_offer: to(Template::new("c", "en_US").carousel([card("1").component(Component::limited_time_offer(1)), card("2")])) => "template.components[0].cards[0].components[1].type";
    carousel_twice: to(carousel(2).carousel([card("1"), card("2")])) => "template.components[1].type";
    product_header_outside_a_card: to(Template::new("t", "en_US").header([Parameter::product(CATALOG, "sku")])) => "template.components[0].parameters[0].type";

    // Limited-time offers.
    offer_expiration_not_a_time: to(Template::new("lto", "en_US").limited_time_offer(0)) => "template.components[0].parameters[0].limited_time_offer.expiration_time_ms";
    offer_twice: to(Template::new("lto", "en_US").limited_time_offer(1).limited_time_offer(2)) => "template.components[1].type";
    offer_parameter_in_body: to(Template::new("lto", "en_US").body([Parameter::limited_time_offer(1)])) => "template.components[0].parameters[0].type";

    // Authentication: the code is at most 15 characters.
    authentication_code_over_15: to(Template::new("verify", "en_US").authentication_code(chars(16))) => "template.components[0].parameters[0].text";
    authentication_code_empty: to(Template::new("verify", "en_US").authentication_code("")) => "template.components[0].parameters[0].text";

    // Catalog and MPM buttons.
    catalog_button_empty_thumbnail: to(Template::new("intro_catalog_offer", "en_US").catalog_button(0, "")) => "template.components[0].parameters[0].action.thumbnail_product_retailer_id";
    catalog_button_with_flow_action: to(Template::new("t", "en_US").component(Component::button(wacloud::messages::ButtonSubType::Catalog, 0, [Parameter::flow_action(None, None)]))) => "template.components[0].parameters[0].type";
    mpm_button_eleven_sections: to(Template::new("abandoned_cart", "en_US").mpm_button(0, "sku", product_sections(11, 1))) => "template.components[0].parameters[0].action.sections";
    mpm_button_31_products: to(Template::new("abandoned_cart", "en_US").mpm_button(0, "sku", product_sections(1, 31))) => "template.components[0].parameters[0].action.sections";
    mpm_button_empty_product: to(Template::new("abandoned_cart", "en_US").mpm_button(0, "sku", [ProductSection::new(["a", ""])])) => "template.components[0].parameters[0].action.sections[0].product_items[1].product_retailer_id";
    mpm_button_empty_thumbnail: to(Template::new("abandoned_cart", "en_US").mpm_button(0, "", product_sections(1, 1))) => "template.components[0].parameters[0].action.thumbnail_product_retailer_id";
    mpm_button_index_over_9: to(Template::new("abandoned_cart", "en_US").mpm_button(10, "sku", product_sections(1, 1))) => "template.components[0].index";
}

/// The limits are inclusive: a message exactly at every maximum is valid.
#[test]
fn messages_exactly_at_the_limits_are_valid() {
    let at_limits: Vec<OutgoingMessage> = vec![
        to(Interactive::location_request(chars(1024))),
        to(Interactive::call_permission_request(chars(1024))),
        to(Interactive::request_contact_info(chars(1024))),
        to(Interactive::catalog_message(chars(1024)).footer(chars(60))),
        to(Interactive::product(CATALOG, "sku")),
        to(Interactive::product(CATALOG, "sku")
            .body(chars(1024))
            .footer(chars(60))),
        to(Interactive::product_list(
            chars(60),
            chars(1024),
            CATALOG,
            product_sections(
                MAX_PRODUCT_SECTIONS,
                MAX_PRODUCT_ITEMS / MAX_PRODUCT_SECTIONS,
            ),
        )),
        to(product_list(vec![ProductSection::new(
            (0..MAX_PRODUCT_ITEMS).map(|i| format!("{i}")),
        )])),
        to(Interactive::voice_call(chars(1024), VoiceCall::new())),
        to(Interactive::voice_call(
            "Call us",
            VoiceCall::new()
                .display_text(chars(20))
                .ttl_minutes(43_200)
                .payload(chars(512)),
        )),
        to(Interactive::voice_call(
            "Call us",
            VoiceCall::new().ttl_minutes(1),
        )),
        to(Interactive::address_message(
            chars(1024),
            AddressRequest::india()
                .values(AddressFields::new().in_pin_code("400063"))
                .validation_error("in_pin_code", "We do not deliver there"),
        )
        .header(Header::text(chars(60)))
        .footer(chars(60))),
        to(details(
            OrderDetails::new(
                format!("{}_-.", chars(32)),
                GoodsType::Physical,
                "INR",
                Amount::new(0, 100),
            )
            .order(order()),
        )),
        to(Interactive::order_status(
            "Done",
            OrderUpdate::new("o-1", OrderStatus::Completed).description(chars(120)),
        )),
        to(carousel(2)),
        to(carousel(10)),
        to(Template::new("c", "en_US").carousel([
            card("1").quick_reply_button(0, "a").url_button(1, "b"),
            card("2").quick_reply_button(0, "c").url_button(1, "d"),
        ])),
        to(Template::new("verify", "en_US").authentication_code(chars(15))),
        to(Template::new("abandoned_cart", "en_US").mpm_button(9, "sku", product_sections(10, 3))),
        to(Template::new("lto", "en_US")
            .limited_time_offer(1)
            .copy_code_button(0, chars(15))),
    ];
    for message in at_limits {
        if let Err(err) = message.validate() {
            panic!("{} should be valid: {err:?}", message.content().type_name());
        }
    }
}

/// A list's body may be 4,096 characters, every other kind's 1,024.
#[test]
fn only_lists_take_a_long_body() {
    use wacloud::messages::{Row, Section};
    let long = chars(MAX_LIST_BODY_TEXT_LEN);
    let list = Interactive::list(long.clone(), "Open", [Section::new([Row::new("r", "R")])]);
    assert!(to(list).validate().is_ok());
    for other in [
        Interactive::location_request(long.clone()),
        Interactive::catalog_message(long.clone()),
        Interactive::product(CATALOG, "sku").body(long.clone()),
        product_list(product_sections(1, 1)).body(long.clone()),
        Interactive::voice_call(long.clone(), VoiceCall::new()),
        Interactive::request_contact_info(long.clone()),
    ] {
        let kind = other.type_name();
        let err = to(other).validate().expect_err(kind);
        assert_eq!(err.field, "interactive.body.text", "{kind}");
    }
}
