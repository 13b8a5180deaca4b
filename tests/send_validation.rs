//! Meta's documented limits: each broken one is a typed `Error::Validation` naming the field by
//! its JSON path, and the mock server receives no request at all.

#[macro_use]
mod common;

use serde_json::json;
use wacloud::messages::{
    ButtonSubType, Component, Contact, Contacts, Document, Flow, Header, Image, Interactive,
    Location, MediaSource, MessageContent, OutgoingMessage, Parameter, Phone, Reaction,
    ReplyButton, Row, Section, Template, Text, Video,
};

const TO: &str = "+16505551234";
const WAMID: &str = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

fn to(content: impl Into<MessageContent>) -> OutgoingMessage {
    OutgoingMessage::new(TO, content)
}

fn chars(n: usize) -> String {
    "a".repeat(n)
}

fn buttons(list: Vec<ReplyButton>) -> Interactive {
    Interactive::buttons("Pick one", list)
}

fn yes_no() -> Vec<ReplyButton> {
    vec![ReplyButton::new("yes", "Yes"), ReplyButton::new("no", "No")]
}

fn rows(n: usize, prefix: &str) -> Vec<Row> {
    (0..n)
        .map(|i| Row::new(format!("{prefix}{i}"), format!("Row {i}")))
        .collect()
}

fn list(sections: Vec<Section>) -> Interactive {
    Interactive::list("Choose", "Options", sections)
}

rejects! {
    // Envelope.
    empty_recipient: OutgoingMessage::new(" ", Text::new("hi")) => "to";
    empty_reply_context: to(Text::new("hi")).reply_to("") => "context.message_id";
    callback_data_over_512: to(Text::new("hi")).callback_data(chars(513)) => "biz_opaque_callback_data";

    // Text.
    text_empty: to(Text::new("")) => "text.body";
    text_over_4096: to(Text::new(chars(4097))) => "text.body";

    // Media.
    image_caption_over_1024: to(Image::from_id("1").caption(chars(1025))) => "image.caption";
    video_caption_over_1024: to(Video::from_id("1").caption(chars(1025))) => "video.caption";
    document_caption_over_1024: to(Document::from_id("1").caption(chars(1025))) => "document.caption";
    image_link_not_http: to(Image::from_link("ftp://example.com/a.jpg")) => "image.link";
    image_link_not_a_url: to(Image::from_link("not a url")) => "image.link";
    video_empty_id: to(Video::from_id("")) => "video.id";
    document_empty_filename: to(Document::from_id("1").filename("")) => "document.filename";

    // Location.
    latitude_over_90: to(Location::new(90.5, 0.0)) => "location.latitude";
    latitude_nan: to(Location::new(f64::NAN, 0.0)) => "location.latitude";
    longitude_under_minus_180: to(Location::new(0.0, -180.5)) => "location.longitude";

    // Contacts.
    contacts_none: to(Contacts::new([])) => "contacts";
    contact_without_formatted_name: to(Contacts::new([Contact::new("Ann"), Contact::new(" ")])) => "contacts[1].name.formatted_name";
    contact_bad_birthday: to(Contact::new("Ann").birthday("23/01/1999")) => "contacts[0].birthday";
    contact_empty_phone: to(Contact::new("Ann").phone(Phone::new(""))) => "contacts[0].phones[0].phone";

    // Reply buttons.
    buttons_none: to(buttons(vec![])) => "interactive.action.buttons";
    buttons_four: to(buttons(vec![
        ReplyButton::new("a", "A"), ReplyButton::new("b", "B"),
        ReplyButton::new("c", "C"), ReplyButton::new("d", "D"),
    ])) => "interactive.action.buttons";
    button_title_over_20: to(buttons(vec![ReplyButton::new("a", "A"), ReplyButton::new("b", chars(21))])) => "interactive.action.buttons[1].reply.title";
    button_title_empty: to(buttons(vec![ReplyButton::new("a", "")])) => "interactive.action.buttons[0].reply.title";
    button_id_over_256: to(buttons(vec![ReplyButton::new(chars(257), "A")])) => "interactive.action.buttons[0].reply.id";
    button_ids_repeated: to(buttons(vec![ReplyButton::new("same", "A"), ReplyButton::new("same", "B")])) => "interactive.action.buttons[1].reply.id";
    button_titles_repeated: to(buttons(vec![ReplyButton::new("a", "Same"), ReplyButton::new("b", "Same")])) => "interactive.action.buttons[1].reply.title";
    buttons_body_over_1024: to(Interactive::buttons(chars(1025), yes_no())) => "interactive.body.text";
    buttons_body_empty: to(Interactive::buttons("", yes_no())) => "interactive.body.text";
    footer_over_60: to(buttons(yes_no()).footer(chars(61))) => "interactive.footer.text";
    header_text_over_60: to(buttons(yes_no()).header(Header::text(chars(61)))) => "interactive.header.text";
    header_image_bad_link: to(buttons(yes_no()).header(Header::image(MediaSource::link("file:///etc/passwd")))) => "interactive.header.image.link";

    // Lists.
    list_button_over_20: to(Interactive::list("Choose", chars(21), [Section::new(rows(1, "r"))])) => "interactive.action.button";
    list_without_sections: to(list(vec![])) => "interactive.action.sections";
    list_eleven_sections: to(list((0..11).map(|i| Section::new(rows(1, &format!("s{i}r"))).title(format!("S{i}"))).collect())) => "interactive.action.sections";
    list_eleven_rows_in_all: to(list(vec![
        Section::new(rows(6, "a")).title("A"),
        Section::new(rows(5, "b")).title("B"),
    ])) => "interactive.action.sections";
    list_row_title_over_24: to(list(vec![Section::new([Row::new("r", chars(25))])])) => "interactive.action.sections[0].rows[0].title";
    list_row_description_over_72: to(list(vec![Section::new([Row::new("r", "R").description(chars(73))])])) => "interactive.action.sections[0].rows[0].description";
    list_row_id_over_200: to(list(vec![Section::new(rows(1, "a")).title("A"), Section::new([Row::new(chars(201), "R")]).title("B")])) => "interactive.action.sections[1].rows[0].id";
    list_row_ids_repeated: to(list(vec![Section::new(rows(2, "a")).title("A"), Section::new(rows(1, "a")).title("B")])) => "interactive.action.sections[1].rows[0].id";
    list_section_without_title_among_several: to(list(vec![Section::new(rows(1, "a")).title("A"), Section::new(rows(1, "b"))])) => "interactive.action.sections[1].title";
    list_section_title_over_24: to(list(vec![Section::new(rows(1, "a")).title(chars(25))])) => "interactive.action.sections[0].title";
    list_section_without_rows: to(list(vec![Section::new([])])) => "interactive.action.sections[0].rows";
    list_body_over_4096: to(Interactive::list(chars(4097), "Options", [Section::new(rows(1, "r"))])) => "interactive.body.text";
    list_media_header: to(list(vec![Section::new(rows(1, "r"))]).header(Header::image(MediaSource::id("1")))) => "interactive.header.type";

    // CTA URL.
    cta_display_text_over_20: to(Interactive::cta_url("Body", chars(21), "https://example.com")) => "interactive.action.parameters.display_text";
    cta_url_not_a_url: to(Interactive::cta_url("Body", "Open", "example.com/page")) => "interactive.action.parameters.url";

    // Flows.
    flow_cta_over_20: to(Interactive::flow("Body", Flow::by_id("1", chars(21)))) => "interactive.action.parameters.flow_cta";
    flow_empty_id: to(Interactive::flow("Body", Flow::by_id("", "Open"))) => "interactive.action.parameters.flow_id";
    flow_empty_name: to(Interactive::flow("Body", Flow::by_name(" ", "Open"))) => "interactive.action.parameters.flow_name";
    flow_empty_data: to(Interactive::flow("Body", Flow::by_id("1", "Open").navigate_with_data("START", json!({})))) => "interactive.action.parameters.flow_action_payload.data";
    flow_empty_screen: to(Interactive::flow("Body", Flow::by_id("1", "Open").navigate(""))) => "interactive.action.parameters.flow_action_payload.screen";

    // Templates.
    template_empty_name: to(Template::new("", "en_US")) => "template.name";
    template_name_with_capitals: to(Template::new("Order_Update", "en_US")) => "template.name";
    template_name_over_512: to(Template::new(chars(513), "en_US")) => "template.name";
    template_empty_language: to(Template::new("hello_world", "")) => "template.language.code";
    template_button_index_over_9: to(Template::new("t", "en_US").quick_reply_button(10, "p")) => "template.components[0].index";
    template_button_index_repeated: to(Template::new("t", "en_US").quick_reply_button(0, "p").url_button(0, "x")) => "template.components[1].index";
    template_quick_reply_with_text: to(Template::new("t", "en_US").component(Component::button(ButtonSubType::QuickReply, 0, [Parameter::text("x")]))) => "template.components[0].parameters[0].type";
    template_button_two_parameters: to(Template::new("t", "en_US").component(Component::button(ButtonSubType::QuickReply, 0, [Parameter::payload("a"), Parameter::payload("b")]))) => "template.components[0].parameters";
    template_empty_payload: to(Template::new("t", "en_US").quick_reply_button(0, "")) => "template.components[0].parameters[0].payload";
    template_coupon_over_15: to(Template::new("t", "en_US").copy_code_button(0, chars(16))) => "template.components[0].parameters[0].coupon_code";
    template_flow_button_empty_data: to(Template::new("t", "en_US").flow_button(0, Parameter::flow_action(None, Some(json!([]))))) => "template.components[0].parameters[0].action.flow_action_data";
    template_flow_button_with_payload: to(Template::new("t", "en_US").flow_button(0, Parameter::payload("p"))) => "template.components[0].parameters[0].type";
    template_body_image: to(Template::new("t", "en_US").body([Parameter::image(MediaSource::id("1"))])) => "template.components[0].parameters[0].type";
    template_two_header_variables: to(Template::new("t", "en_US").header([Parameter::text("a"), Parameter::text("b")])) => "template.components[0].parameters";
    template_two_bodies: to(Template::new("t", "en_US").body([Parameter::text("a")]).body([Parameter::text("b")])) => "template.components[1].type";
    template_header_text_over_60: to(Template::new("t", "en_US").header([Parameter::text(chars(61))])) => "template.components[0].parameters[0].text";
    template_empty_text: to(Template::new("t", "en_US").body([Parameter::text("a"), Parameter::text("")])) => "template.components[0].parameters[1].text";
    template_text_with_new_line: to(Template::new("t", "en_US").body([Parameter::text("line\nbreak")])) => "template.components[0].parameters[0].text";
    template_text_with_five_spaces: to(Template::new("t", "en_US").body([Parameter::text("a     b")])) => "template.components[0].parameters[0].text";
    template_currency_lowercase_code: to(Template::new("t", "en_US").body([Parameter::currency("$1", "usd", 1000)])) => "template.components[0].parameters[0].currency.code";
    template_currency_empty_fallback: to(Template::new("t", "en_US").body([Parameter::currency("", "USD", 1000)])) => "template.components[0].parameters[0].currency.fallback_value";
    template_date_time_empty_fallback: to(Template::new("t", "en_US").body([Parameter::date_time("")])) => "template.components[0].parameters[0].date_time.fallback_value";
    template_header_bad_video_link: to(Template::new("t", "en_US").header([Parameter::video(MediaSource::link("mailto:a@b.c"))])) => "template.components[0].parameters[0].video.link";
    template_mixed_named_and_positional: to(Template::new("t", "en_US").body([Parameter::text("a").name("first"), Parameter::text("b")])) => "template.components[0].parameters";
    template_bad_parameter_name: to(Template::new("t", "en_US").body([Parameter::text("a").name("First Name")])) => "template.components[0].parameters[0].parameter_name";
    template_component_without_parameters: to(Template::new("t", "en_US").body([])) => "template.components[0].parameters";

    // Reactions.
    reaction_empty_message_id: to(Reaction::new("", "\u{1F600}")) => "reaction.message_id";
    reaction_text_instead_of_emoji: to(Reaction::new(WAMID, "ok")) => "reaction.emoji";
}

/// The limits are inclusive: a message exactly at every maximum is valid.
#[test]
fn messages_exactly_at_the_limits_are_valid() {
    let at_limits: Vec<OutgoingMessage> = vec![
        to(Text::new(chars(4096))).callback_data(chars(512)),
        to(Image::from_id("1").caption(chars(1024))),
        to(Location::new(-90.0, 180.0)),
        to(Interactive::buttons(
            chars(1024),
            [
                ReplyButton::new(chars(256), chars(20)),
                ReplyButton::new("b", "B"),
                ReplyButton::new("c", "C"),
            ],
        )
        .header(Header::text(chars(60)))
        .footer(chars(60))),
        to(Interactive::list(
            chars(4096),
            chars(20),
            (0..10).map(|i| {
                Section::new([
                    Row::new(format!("{i}{}", chars(199)), chars(24)).description(chars(72))
                ])
                .title(chars(24))
            }),
        )),
        to(Interactive::cta_url(
            "Body",
            chars(20),
            "http://example.com",
        )),
        to(Interactive::flow(
            "Body",
            Flow::by_id("1", chars(20)).navigate_with_data("START", json!({"a": 1})),
        )),
        to(Template::new(chars(512), "en_US")
            .header([Parameter::text(chars(60))])
            .body([Parameter::text("a    b").name("with_4_spaces")])
            .quick_reply_button(9, "p")
            .copy_code_button(8, chars(15))),
        to(Reaction::new(WAMID, "1\u{FE0F}\u{20E3}")),
        to(Reaction::remove(WAMID)),
    ];
    for message in at_limits {
        if let Err(err) = message.validate() {
            panic!("{} should be valid: {err:?}", message.content().type_name());
        }
    }
}
