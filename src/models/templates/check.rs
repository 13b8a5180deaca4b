//! Meta's limits on a template definition, checked on its JSON before anything is sent.
//!
//! The checks read Meta's wire shape, so a typed [`NewTemplate`](super::NewTemplate) and one
//! read from a file get the same answers, and an error names the field as Meta writes it
//! (`components[2].buttons[0].text`). What is checked: the name (lowercase letters, digits
//! and underscores, at most 512), the language code, the category; one of each component at
//! most and a body; text lengths (header 60, body 1,024 / 600 in a limited-time offer / 160 on
//! a card, footer 60, button labels 25, URLs 2,000, phone numbers 20, copy codes 15); the
//! variables (`{{1}}`, `{{2}}`, ... in order, or `{{named}}` with `parameter_format` `NAMED`,
//! never at the very start or end of the body, each with an example value); button counts
//! (10 in all, 10 quick replies kept together, 2 URL, 1 phone number, 1 copy code, 1 flow;
//! catalog and multi-product buttons alone); authentication templates (Meta's own body text,
//! code expiry 1-90 minutes, one OTP button, one-tap and zero-tap apps with 11-character
//! hashes, zero-tap terms accepted); carousels (1-10 cards alike, image or video headers, 2
//! buttons a card); limited-time offers (marketing, no footer, a URL button, a copy-code
//! button when the offer expires). Component and button types this version does not know are
//! passed to Meta unchecked, so a new Meta feature is not refused here.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{
    MAX_BODY_LEN, MAX_BUTTONS, MAX_BUTTON_PHONE_LEN, MAX_BUTTON_TEXT_LEN, MAX_BUTTON_URL_LEN,
    MAX_CARDS, MAX_CARD_BODY_LEN, MAX_CODE_EXPIRATION_MINUTES, MAX_COPY_CODE_LEN, MAX_FOOTER_LEN,
    MAX_HEADER_TEXT_LEN, MAX_NAME_LEN, MAX_OFFER_BODY_LEN, MAX_OFFER_TEXT_LEN, MAX_SUPPORTED_APPS,
    SIGNATURE_HASH_LEN,
};
use crate::error::ValidationError;

type Checked = Result<(), ValidationError>;

fn fail(field: impl Into<String>, problem: impl Into<String>) -> ValidationError {
    ValidationError::new(field, problem)
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// The variables of a text, in order of appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variables {
    /// No variables.
    None,
    /// `{{1}}`, `{{2}}`, ...: the numbers as written.
    Positional(Vec<u32>),
    /// `{{first_name}}`, ...: the names as written.
    Named(Vec<String>),
}

impl Variables {
    /// How many different variables there are.
    pub fn distinct(&self) -> usize {
        match self {
            Variables::None => 0,
            Variables::Positional(numbers) => numbers.iter().collect::<BTreeSet<_>>().len(),
            Variables::Named(names) => names.iter().collect::<BTreeSet<_>>().len(),
        }
    }
}

/// Reads the variables of `text` (at `field`): all positional or all named, positional ones
/// numbered 1 to n without gaps, named ones lowercase letters, digits and underscores.
pub fn variables(field: &str, text: &str) -> Result<Variables, ValidationError> {
    let mut positional = Vec::new();
    let mut named = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(fail(field, "has a `{{` without its `}}`"));
        };
        let inner = &after[..end];
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            match inner.parse::<u32>() {
                Ok(number) if number > 0 => positional.push(number),
                _ => {
                    return Err(fail(
                        field,
                        format!("variable {{{{{inner}}}}} must count from 1"),
                    ))
                }
            }
        } else if is_param_name(inner) {
            named.push(inner.to_owned());
        } else {
            return Err(fail(
                field,
                format!(
                    "variable {{{{{inner}}}}} is neither positional ({{{{1}}}}) nor named \
                     (lowercase letters, digits and underscores, starting with a letter)"
                ),
            ));
        }
        rest = &after[end + 2..];
    }
    match (positional.is_empty(), named.is_empty()) {
        (true, true) => Ok(Variables::None),
        (false, false) => Err(fail(field, "mixes positional and named variables")),
        (false, true) => {
            let distinct: BTreeSet<u32> = positional.iter().copied().collect();
            let expected = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
            if distinct.iter().copied().ne(1..=expected) {
                return Err(fail(
                    field,
                    format!(
                        "positional variables must be {{{{1}}}} to {{{{{expected}}}}} without gaps"
                    ),
                ));
            }
            Ok(Variables::Positional(positional))
        }
        (true, false) => Ok(Variables::Named(named)),
    }
}

fn is_param_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// What a definition's checks need to know about the whole template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Marketing,
    Utility,
    Authentication,
    /// Not given (an edit) or unknown to this version.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
struct Context {
    category: Category,
    named: bool,
}

/// Checks a definition to create.
pub fn definition(template: &Map<String, Value>) -> Checked {
    let name = required_str(template, "name", "name")?;
    if name.is_empty() || chars(name) > MAX_NAME_LEN {
        return Err(fail(
            "name",
            format!("must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(fail(
            "name",
            "may hold only lowercase letters, digits and underscores",
        ));
    }
    let language = required_str(template, "language", "language")?;
    if !is_language_code(language) {
        return Err(fail(
            "language",
            "must be a language code such as en, en_US or pt_BR",
        ));
    }
    let category = category(template, true)?;
    if let Some(library) = template.get("library_template_name") {
        if !library.as_str().is_some_and(|name| !name.trim().is_empty()) {
            return Err(fail("library_template_name", "must be a non-empty string"));
        }
        if template.contains_key("components") {
            return Err(fail(
                "components",
                "a library template takes no components: Meta supplies them (use \
                 library_template_button_inputs and library_template_body_inputs)",
            ));
        }
        return Ok(());
    }
    let named = parameter_format(template)?;
    ttl(template)?;
    let components = template
        .get("components")
        .ok_or_else(|| fail("components", "is required"))?;
    components_of(components, "components", Context { category, named }, true)
}

/// Checks an edit of an existing template.
pub fn edit(edit: &Map<String, Value>) -> Checked {
    if edit.is_empty() {
        return Err(fail(
            "template",
            "an edit must change the components, the category or the time-to-live",
        ));
    }
    let category = category(edit, false)?;
    let named = parameter_format(edit)?;
    ttl(edit)?;
    match edit.get("components") {
        Some(components) => {
            components_of(components, "components", Context { category, named }, false)
        }
        None => Ok(()),
    }
}

fn required_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<&'a str, ValidationError> {
    match map.get(key) {
        None | Some(Value::Null) => Err(fail(field, "is required")),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(fail(field, "must be a string")),
    }
}

fn optional_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a str>, ValidationError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(fail(field, "must be a string")),
    }
}

fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('_');
    let language = parts.next().unwrap_or_default();
    let region = parts.next();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && region.map_or(true, |region| {
            (2..=4).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        && parts.next().is_none()
}

fn category(map: &Map<String, Value>, required: bool) -> Result<Category, ValidationError> {
    let value = match optional_str(map, "category", "category")? {
        Some(value) => value,
        None if required => {
            return Err(fail(
                "category",
                "is required (MARKETING, UTILITY or AUTHENTICATION)",
            ))
        }
        None => return Ok(Category::Unknown),
    };
    match value.to_ascii_uppercase().as_str() {
        "MARKETING" => Ok(Category::Marketing),
        "UTILITY" => Ok(Category::Utility),
        "AUTHENTICATION" => Ok(Category::Authentication),
        _ => Err(fail(
            "category",
            "must be MARKETING, UTILITY or AUTHENTICATION",
        )),
    }
}

/// Whether variables are named.
fn parameter_format(map: &Map<String, Value>) -> Result<bool, ValidationError> {
    match optional_str(map, "parameter_format", "parameter_format")? {
        None => Ok(false),
        Some(format) if format.eq_ignore_ascii_case("POSITIONAL") => Ok(false),
        Some(format) if format.eq_ignore_ascii_case("NAMED") => Ok(true),
        Some(_) => Err(fail("parameter_format", "must be POSITIONAL or NAMED")),
    }
}

fn ttl(map: &Map<String, Value>) -> Checked {
    match map.get("message_send_ttl_seconds") {
        None | Some(Value::Null) => Ok(()),
        Some(value)
            if value
                .as_u64()
                .is_some_and(|seconds| (30..=2_592_000).contains(&seconds)) =>
        {
            Ok(())
        }
        Some(_) => Err(fail(
            "message_send_ttl_seconds",
            "must be a whole number of seconds from 30 to 2,592,000 (30 days)",
        )),
    }
}

fn kind_of(component: &Value) -> String {
    component
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase()
}

fn components_of(value: &Value, path: &str, mut ctx: Context, body_required: bool) -> Checked {
    let Some(components) = value.as_array() else {
        return Err(fail(path, "must be an array of components"));
    };
    if components.is_empty() {
        return Err(fail(path, "must hold at least a BODY component"));
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (index, component) in components.iter().enumerate() {
        let field = format!("{path}[{index}]");
        if !component.is_object() {
            return Err(fail(field, "must be a JSON object"));
        }
        let kind = kind_of(component);
        if kind.is_empty() {
            return Err(fail(format!("{field}.type"), "is required"));
        }
        if seen.iter().any(|(known, _)| *known == kind) {
            return Err(fail(
                format!("{field}.type"),
                format!("a template has at most one {kind} component"),
            ));
        }
        seen.push((kind, index));
    }
    let at = |kind: &str| {
        seen.iter()
            .find(|(known, _)| known == kind)
            .map(|(_, index)| *index)
    };
    // An OTP button makes it an authentication template, even in an edit without a category.
    if ctx.category == Category::Unknown && has_otp_button(at("BUTTONS").map(|i| &components[i])) {
        ctx.category = Category::Authentication;
    }
    let authentication = ctx.category == Category::Authentication;
    let carousel = at("CAROUSEL");
    let offer = at("LIMITED_TIME_OFFER");
    let body = at("BODY");
    if body.is_none() && body_required {
        return Err(fail(path, "must hold a BODY component"));
    }
    if authentication {
        if let Some(index) = at("HEADER").or(carousel).or(offer) {
            return Err(fail(
                format!("{path}[{index}]"),
                "authentication templates have only a body, a footer and an OTP button",
            ));
        }
        if at("BUTTONS").is_none() {
            return Err(fail(
                path,
                "an authentication template needs a BUTTONS component with one OTP button",
            ));
        }
    }
    if let Some(index) = carousel {
        marketing_only(ctx, &format!("{path}[{index}]"), "carousel")?;
        if let Some(other) = at("HEADER").or(at("FOOTER")).or(at("BUTTONS")) {
            return Err(fail(
                format!("{path}[{other}]"),
                "a carousel template has only a body and the carousel",
            ));
        }
    }
    if let Some(index) = offer {
        marketing_only(ctx, &format!("{path}[{index}]"), "limited-time offer")?;
        if let Some(footer) = at("FOOTER") {
            return Err(fail(
                format!("{path}[{footer}]"),
                "limited-time offer templates take no footer",
            ));
        }
    }
    let body_limit = if offer.is_some() {
        MAX_OFFER_BODY_LEN
    } else {
        MAX_BODY_LEN
    };
    for (kind, index) in &seen {
        let field = format!("{path}[{index}]");
        let component = &components[*index];
        match kind.as_str() {
            "HEADER" => header(component, &field, ctx)?,
            "BODY" => body_component(component, &field, ctx, body_limit)?,
            "FOOTER" => footer(component, &field, ctx)?,
            "BUTTONS" => buttons(component, &field, ctx, false)?,
            "CAROUSEL" => cards(component, &field, ctx)?,
            "LIMITED_TIME_OFFER" => {
                let expires = limited_time_offer(component, &field)?;
                offer_buttons(at("BUTTONS").map(|i| &components[i]), path, expires)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn marketing_only(ctx: Context, field: &str, what: &str) -> Checked {
    match ctx.category {
        Category::Marketing | Category::Unknown => Ok(()),
        _ => Err(fail(
            field,
            format!("{what} templates must be in the MARKETING category"),
        )),
    }
}

fn has_otp_button(buttons: Option<&Value>) -> bool {
    buttons
        .and_then(|c| c.get("buttons"))
        .and_then(Value::as_array)
        .is_some_and(|buttons| buttons.iter().any(|b| kind_of(b) == "OTP"))
}

fn text_field<'a>(component: &'a Value, field: &str) -> Result<&'a str, ValidationError> {
    match component.get("text") {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(Value::String(_)) => Err(fail(format!("{field}.text"), "must not be empty")),
        None | Some(Value::Null) => Err(fail(format!("{field}.text"), "is required")),
        Some(_) => Err(fail(format!("{field}.text"), "must be a string")),
    }
}

fn max_chars(text: &str, max: usize, field: &str) -> Checked {
    let count = chars(text);
    if count > max {
        return Err(fail(field, format!("is {count} characters; at most {max}")));
    }
    Ok(())
}

fn header(component: &Value, field: &str, ctx: Context) -> Checked {
    let format = component
        .get("format")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            fail(
                format!("{field}.format"),
                "is required (TEXT, IMAGE, VIDEO, GIF, DOCUMENT or LOCATION)",
            )
        })?
        .to_ascii_uppercase();
    match format.as_str() {
        "TEXT" => {
            let text = text_field(component, field)?;
            let text_field_name = format!("{field}.text");
            max_chars(text, MAX_HEADER_TEXT_LEN, &text_field_name)?;
            let vars = variables(&text_field_name, text)?;
            if vars.distinct() > 1 {
                return Err(fail(
                    text_field_name,
                    "a text header takes at most one variable",
                ));
            }
            examples(
                component,
                field,
                &vars,
                ctx,
                "header_text",
                "header_text_named_params",
            )
        }
        "IMAGE" | "VIDEO" | "GIF" | "DOCUMENT" => {
            let handle = component
                .get("example")
                .and_then(|e| e.get("header_handle"))
                .and_then(Value::as_array)
                .and_then(|handles| handles.first())
                .and_then(Value::as_str)
                .filter(|handle| !handle.trim().is_empty());
            match handle {
                Some(_) => Ok(()),
                None => Err(fail(
                    format!("{field}.example.header_handle"),
                    "a media header needs an example: the handle of a file uploaded with the resumable upload API",
                )),
            }
        }
        "LOCATION" | "PRODUCT" => Ok(()),
        other => Err(fail(
            format!("{field}.format"),
            format!(
                "unknown header format {other}: use TEXT, IMAGE, VIDEO, GIF, DOCUMENT or LOCATION"
            ),
        )),
    }
}

/// Checks the examples of a text's variables: `positional_key` holds the values (for a body,
/// one array of them inside an array), `named_key` a list of `{param_name, example}`.
fn examples(
    component: &Value,
    field: &str,
    vars: &Variables,
    ctx: Context,
    positional_key: &str,
    named_key: &str,
) -> Checked {
    let example = component.get("example");
    match vars {
        Variables::None => Ok(()),
        Variables::Positional(_) => {
            if ctx.named {
                return Err(fail(
                    format!("{field}.text"),
                    "parameter_format is NAMED: write variables as {{name}}",
                ));
            }
            let needed = vars.distinct();
            let values = example
                .and_then(|e| e.get(positional_key))
                .and_then(Value::as_array);
            let values = match (positional_key, values) {
                // Body examples are one set of values inside an array.
                ("body_text", Some(sets)) => sets.first().and_then(Value::as_array),
                (_, values) => values,
            };
            let example_field = format!("{field}.example.{positional_key}");
            let Some(values) = values else {
                return Err(fail(
                    example_field,
                    format!(
                        "the variables need example values: {needed} of them, one per variable"
                    ),
                ));
            };
            if values.len() != needed {
                return Err(fail(
                    example_field,
                    format!("has {} example values for {needed} variables", values.len()),
                ));
            }
            if let Some(index) = values
                .iter()
                .position(|v| !v.as_str().is_some_and(|s| !s.trim().is_empty()))
            {
                return Err(fail(
                    format!("{example_field}[{index}]"),
                    "must be a non-empty string",
                ));
            }
            Ok(())
        }
        Variables::Named(names) => {
            if !ctx.named {
                return Err(fail(
                    format!("{field}.text"),
                    "named variables need parameter_format NAMED on the template",
                ));
            }
            let example_field = format!("{field}.example.{named_key}");
            let params = example
                .and_then(|e| e.get(named_key))
                .and_then(Value::as_array)
                .ok_or_else(|| fail(&example_field, "the named variables need example values"))?;
            for name in names {
                let found = params.iter().any(|p| {
                    p.get("param_name").and_then(Value::as_str) == Some(name.as_str())
                        && p.get("example")
                            .and_then(Value::as_str)
                            .is_some_and(|v| !v.trim().is_empty())
                });
                if !found {
                    return Err(fail(
                        &example_field,
                        format!("has no example for {{{{{name}}}}}"),
                    ));
                }
            }
            Ok(())
        }
    }
}

fn body_component(component: &Value, field: &str, ctx: Context, limit: usize) -> Checked {
    if ctx.category == Category::Authentication {
        if component.get("text").is_some() {
            return Err(fail(format!("{field}.text"), "authentication templates take no body text: Meta writes it (set add_security_recommendation instead)"));
        }
        return match component.get("add_security_recommendation") {
            None | Some(Value::Bool(_)) => Ok(()),
            Some(_) => Err(fail(
                format!("{field}.add_security_recommendation"),
                "must be true or false",
            )),
        };
    }
    let text = text_field(component, field)?;
    let text_field_name = format!("{field}.text");
    max_chars(text, limit, &text_field_name)?;
    let vars = variables(&text_field_name, text)?;
    if vars != Variables::None {
        let trimmed = text.trim();
        if trimmed.starts_with("{{") || trimmed.ends_with("}}") {
            return Err(fail(
                text_field_name,
                "may not start or end with a variable",
            ));
        }
    }
    examples(
        component,
        field,
        &vars,
        ctx,
        "body_text",
        "body_text_named_params",
    )
}

fn footer(component: &Value, field: &str, ctx: Context) -> Checked {
    if ctx.category == Category::Authentication {
        if component.get("text").is_some() {
            return Err(fail(
                format!("{field}.text"),
                "authentication footers take no text: set code_expiration_minutes",
            ));
        }
        return match component.get("code_expiration_minutes") {
            None | Some(Value::Null) => Ok(()),
            Some(value)
                if value
                    .as_u64()
                    .is_some_and(|m| (1..=MAX_CODE_EXPIRATION_MINUTES).contains(&m)) =>
            {
                Ok(())
            }
            Some(_) => Err(fail(
                format!("{field}.code_expiration_minutes"),
                format!("must be 1 to {MAX_CODE_EXPIRATION_MINUTES} minutes"),
            )),
        };
    }
    let text = text_field(component, field)?;
    let text_field_name = format!("{field}.text");
    max_chars(text, MAX_FOOTER_LEN, &text_field_name)?;
    if variables(&text_field_name, text)? != Variables::None {
        return Err(fail(text_field_name, "a footer takes no variables"));
    }
    Ok(())
}

fn buttons(component: &Value, field: &str, ctx: Context, on_card: bool) -> Checked {
    let list_field = format!("{field}.buttons");
    let buttons = component
        .get("buttons")
        .and_then(Value::as_array)
        .ok_or_else(|| fail(&list_field, "must be an array of buttons"))?;
    let max = if on_card { 2 } else { MAX_BUTTONS };
    if buttons.is_empty() || buttons.len() > max {
        return Err(fail(&list_field, format!("must hold 1 to {max} buttons")));
    }
    let kinds: Vec<String> = buttons.iter().map(kind_of).collect();
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    let limits = [
        ("QUICK_REPLY", 10),
        ("URL", 2),
        ("PHONE_NUMBER", 1),
        ("COPY_CODE", 1),
        ("FLOW", 1),
        ("OTP", 1),
        ("CATALOG", 1),
        ("MPM", 1),
    ];
    for (kind, limit) in limits {
        if count(kind) > limit {
            return Err(fail(
                &list_field,
                format!("at most {limit} {kind} button(s)"),
            ));
        }
    }
    // Quick replies form one group, before or after the other buttons.
    let quick: Vec<usize> = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| *k == "QUICK_REPLY")
        .map(|(i, _)| i)
        .collect();
    if let (Some(first), Some(last)) = (quick.first(), quick.last()) {
        if last - first + 1 != quick.len() {
            return Err(fail(
                &list_field,
                "quick reply buttons must be grouped together, before or after the other buttons",
            ));
        }
    }
    let authentication = ctx.category == Category::Authentication;
    if authentication && (buttons.len() != 1 || kinds[0] != "OTP") {
        return Err(fail(
            &list_field,
            "an authentication template has exactly one OTP button",
        ));
    }
    for alone in ["CATALOG", "MPM"] {
        if count(alone) == 1 && buttons.len() > 1 {
            return Err(fail(
                &list_field,
                format!("a {alone} button must be the template's only button"),
            ));
        }
    }
    for (index, (button, kind)) in buttons.iter().zip(&kinds).enumerate() {
        let field = format!("{list_field}[{index}]");
        if !button.is_object() {
            return Err(fail(field, "must be a JSON object"));
        }
        if on_card && !matches!(kind.as_str(), "QUICK_REPLY" | "URL" | "PHONE_NUMBER") {
            return Err(fail(
                format!("{field}.type"),
                "carousel cards take QUICK_REPLY, URL or PHONE_NUMBER buttons",
            ));
        }
        if kind == "OTP" && !authentication {
            return Err(fail(
                format!("{field}.type"),
                "OTP buttons belong to AUTHENTICATION templates",
            ));
        }
        button_fields(button, &field, kind)?;
    }
    Ok(())
}

fn label(button: &Value, field: &str) -> Checked {
    let text = text_field(button, field)?;
    max_chars(text, MAX_BUTTON_TEXT_LEN, &format!("{field}.text"))
}

fn button_fields(button: &Value, field: &str, kind: &str) -> Checked {
    match kind {
        "QUICK_REPLY" | "CATALOG" | "MPM" => label(button, field),
        "URL" => {
            label(button, field)?;
            let url_field = format!("{field}.url");
            let url = required_str(button.as_object().unwrap_or(&Map::new()), "url", &url_field)?
                .to_owned();
            max_chars(&url, MAX_BUTTON_URL_LEN, &url_field)?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(fail(url_field, "must start with https:// or http://"));
            }
            let vars = variables(&url_field, &url)?;
            match vars.distinct() {
                0 => Ok(()),
                1 if url.trim_end().ends_with("}}") => {
                    let example = button
                        .get("example")
                        .and_then(Value::as_array)
                        .and_then(|e| e.first())
                        .and_then(Value::as_str);
                    match example {
                        Some(example) if example.starts_with("http") => Ok(()),
                        _ => Err(fail(format!("{field}.example"), "a URL with a variable needs an example: the whole URL with the variable filled in")),
                    }
                }
                _ => Err(fail(url_field, "a URL takes one variable, at its end")),
            }
        }
        "PHONE_NUMBER" => {
            label(button, field)?;
            let phone_field = format!("{field}.phone_number");
            let phone = required_str(
                button.as_object().unwrap_or(&Map::new()),
                "phone_number",
                &phone_field,
            )?
            .to_owned();
            max_chars(&phone, MAX_BUTTON_PHONE_LEN, &phone_field)?;
            if !phone.chars().any(|c| c.is_ascii_digit()) {
                return Err(fail(phone_field, "must be a phone number"));
            }
            Ok(())
        }
        "COPY_CODE" => {
            let example_field = format!("{field}.example");
            match button.get("example") {
                Some(Value::String(code)) if !code.trim().is_empty() => {
                    max_chars(code, MAX_COPY_CODE_LEN, &example_field)
                }
                _ => Err(fail(
                    example_field,
                    "a copy-code button needs an example code",
                )),
            }
        }
        "FLOW" => {
            label(button, field)?;
            let refs = ["flow_id", "flow_name", "flow_json"]
                .iter()
                .filter(|key| button.get(**key).is_some())
                .count();
            if refs != 1 {
                return Err(fail(
                    field,
                    "a flow button names its flow once: flow_id, flow_name or flow_json",
                ));
            }
            match button.get("flow_action").and_then(Value::as_str) {
                None => Ok(()),
                Some(action)
                    if action.eq_ignore_ascii_case("navigate")
                        || action.eq_ignore_ascii_case("data_exchange") =>
                {
                    Ok(())
                }
                Some(_) => Err(fail(
                    format!("{field}.flow_action"),
                    "must be navigate or data_exchange",
                )),
            }
        }
        "OTP" => otp(button, field),
        _ => Ok(()),
    }
}

fn otp(button: &Value, field: &str) -> Checked {
    let otp_type = button
        .get("otp_type")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase);
    let otp_type = otp_type.ok_or_else(|| {
        fail(
            format!("{field}.otp_type"),
            "is required (COPY_CODE, ONE_TAP or ZERO_TAP)",
        )
    })?;
    for key in ["text", "autofill_text"] {
        if let Some(value) = button.get(key) {
            let text = value
                .as_str()
                .ok_or_else(|| fail(format!("{field}.{key}"), "must be a string"))?;
            max_chars(text, MAX_BUTTON_TEXT_LEN, &format!("{field}.{key}"))?;
        }
    }
    match otp_type.as_str() {
        "COPY_CODE" => Ok(()),
        "ONE_TAP" | "ZERO_TAP" => {
            apps(button, field)?;
            if otp_type == "ZERO_TAP"
                && button.get("zero_tap_terms_accepted") != Some(&Value::Bool(true))
            {
                return Err(fail(
                    format!("{field}.zero_tap_terms_accepted"),
                    "must be true: Meta requires accepting the zero-tap terms",
                ));
            }
            Ok(())
        }
        _ => Err(fail(
            format!("{field}.otp_type"),
            "must be COPY_CODE, ONE_TAP or ZERO_TAP",
        )),
    }
}

fn apps(button: &Value, field: &str) -> Checked {
    let apps_field = format!("{field}.supported_apps");
    let apps: Vec<&Value> = match button.get("supported_apps") {
        Some(Value::Array(apps)) => apps.iter().collect(),
        // The older shape: one app on the button itself.
        None if button.get("package_name").is_some() => vec![button],
        _ => {
            return Err(fail(
                apps_field,
                "one-tap and zero-tap buttons name the Android apps that receive the code",
            ))
        }
    };
    if apps.is_empty() || apps.len() > MAX_SUPPORTED_APPS {
        return Err(fail(
            apps_field,
            format!("must name 1 to {MAX_SUPPORTED_APPS} apps"),
        ));
    }
    for (index, app) in apps.iter().enumerate() {
        let app_field = format!("{apps_field}[{index}]");
        let package = app
            .get("package_name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if package.is_empty() || chars(package) > 224 || !package.contains('.') {
            return Err(fail(
                format!("{app_field}.package_name"),
                "must be an Android package name such as com.example.app (at most 224 characters)",
            ));
        }
        let hash = app
            .get("signature_hash")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if chars(hash) != SIGNATURE_HASH_LEN {
            return Err(fail(
                format!("{app_field}.signature_hash"),
                format!("must be the app's {SIGNATURE_HASH_LEN}-character signing key hash"),
            ));
        }
    }
    Ok(())
}

fn cards(component: &Value, field: &str, ctx: Context) -> Checked {
    let cards_field = format!("{field}.cards");
    let cards = component
        .get("cards")
        .and_then(Value::as_array)
        .ok_or_else(|| fail(&cards_field, "must be an array of cards"))?;
    if cards.is_empty() || cards.len() > MAX_CARDS {
        return Err(fail(
            &cards_field,
            format!("must hold 1 to {MAX_CARDS} cards"),
        ));
    }
    let mut first_shape: Option<Vec<String>> = None;
    for (index, card) in cards.iter().enumerate() {
        let card_field = format!("{cards_field}[{index}]");
        let components_field = format!("{card_field}.components");
        let components = card
            .get("components")
            .and_then(Value::as_array)
            .ok_or_else(|| fail(&components_field, "must be an array of components"))?;
        let mut shape = Vec::new();
        let mut has_header = false;
        for (position, component) in components.iter().enumerate() {
            let field = format!("{components_field}[{position}]");
            let kind = kind_of(component);
            match kind.as_str() {
                "HEADER" => {
                    let format = component
                        .get("format")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    if format != "IMAGE" && format != "VIDEO" {
                        return Err(fail(
                            format!("{field}.format"),
                            "a card's header is an IMAGE or a VIDEO",
                        ));
                    }
                    header(component, &field, ctx)?;
                    has_header = true;
                    shape.push(format!("HEADER:{format}"));
                }
                "BODY" => {
                    body_component(component, &field, ctx, MAX_CARD_BODY_LEN)?;
                    shape.push(kind);
                }
                "BUTTONS" => {
                    buttons(component, &field, ctx, true)?;
                    let kinds = component
                        .get("buttons")
                        .and_then(Value::as_array)
                        .map(|b| b.iter().map(kind_of).collect::<Vec<_>>().join(","))
                        .unwrap_or_default();
                    shape.push(format!("BUTTONS:{kinds}"));
                }
                other => {
                    return Err(fail(
                        format!("{field}.type"),
                        format!("a card takes a HEADER, a BODY and BUTTONS, not {other}"),
                    ))
                }
            }
        }
        if !has_header {
            return Err(fail(
                &components_field,
                "a card needs an image or video HEADER",
            ));
        }
        shape.sort();
        match &first_shape {
            None => first_shape = Some(shape),
            Some(first) if *first != shape => {
                return Err(fail(
                    card_field,
                    "every card must have the same components and buttons as the first",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Checks the offer; answers whether it expires.
fn limited_time_offer(component: &Value, field: &str) -> Result<bool, ValidationError> {
    let offer_field = format!("{field}.limited_time_offer");
    let offer = component
        .get("limited_time_offer")
        .filter(|offer| offer.is_object())
        .ok_or_else(|| fail(&offer_field, "is required"))?;
    let text = text_field(offer, &offer_field)?;
    max_chars(text, MAX_OFFER_TEXT_LEN, &format!("{offer_field}.text"))?;
    match offer.get("has_expiration") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(expires)) => Ok(*expires),
        Some(_) => Err(fail(
            format!("{offer_field}.has_expiration"),
            "must be true or false",
        )),
    }
}

fn offer_buttons(buttons: Option<&Value>, path: &str, expires: bool) -> Checked {
    let kinds: Vec<String> = buttons
        .and_then(|c| c.get("buttons"))
        .and_then(Value::as_array)
        .map(|buttons| buttons.iter().map(kind_of).collect())
        .unwrap_or_default();
    if !kinds.iter().any(|k| k == "URL") {
        return Err(fail(
            path,
            "a limited-time offer template needs a URL button",
        ));
    }
    if expires && !kinds.iter().any(|k| k == "COPY_CODE") {
        return Err(fail(
            path,
            "an offer with has_expiration needs a COPY_CODE button",
        ));
    }
    Ok(())
}
