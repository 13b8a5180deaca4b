//! Validation of `type: interactive` sends, kind by kind, the way Meta answers: a missing field
//! is 131008, a bad value 131009, a wrong JSON type or an unknown enum value 100.
//!
//! What each kind takes follows Meta's pages: which header (none, text only, required), whether
//! the body is required and how long it may be (4,096 characters for a list, 1,024 for every
//! other kind), whether a footer is allowed, and the shape of its `action`.

use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::validate::{max_len, opt_str, req_str};

/// Every `interactive.type` the sandbox knows.
const KINDS: &[&str] = &[
    "button",
    "list",
    "cta_url",
    "flow",
    "product",
    "product_list",
    "catalog_message",
    "location_request_message",
    "address_message",
    "call_permission_request",
    "request_contact_info",
    "voice_call",
    "order_details",
    "order_status",
];

/// Which header a kind takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderRule {
    Any,
    TextOnly,
    TextRequired,
    None,
}

/// (header, body required, body limit, footer allowed) per kind.
fn shape(kind: &str) -> (HeaderRule, bool, usize, bool) {
    match kind {
        "list" => (HeaderRule::TextOnly, true, 4096, true),
        "product_list" => (HeaderRule::TextRequired, true, 1024, true),
        "product" => (HeaderRule::None, false, 1024, true),
        "catalog_message" => (HeaderRule::None, true, 1024, true),
        "location_request_message"
        | "call_permission_request"
        | "request_contact_info"
        | "voice_call" => (HeaderRule::None, true, 1024, false),
        _ => (HeaderRule::Any, true, 1024, true),
    }
}

fn object<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be a JSON object."
        ))),
    }
}

fn req_object<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<&'a Map<String, Value>, GraphError> {
    object(m, path, field)?
        .ok_or_else(|| GraphError::missing(format!("The parameter {path}['{field}'] is required.")))
}

fn req_array<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<&'a Vec<Value>, GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Err(GraphError::missing(format!(
            "The parameter {path}['{field}'] is required."
        ))),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be an array."
        ))),
    }
}

fn elem<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, GraphError> {
    match v {
        Value::Object(o) => Ok(o),
        _ => Err(GraphError::invalid_param(format!(
            "(#100) Param {path} must be a JSON object."
        ))),
    }
}

fn integer(m: &Map<String, Value>, path: &str, field: &str) -> Result<Option<i64>, GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be an integer."
        ))),
    }
}

fn non_empty(s: &str, what: &str) -> Result<(), GraphError> {
    if s.trim().is_empty() {
        return Err(GraphError::bad_value(format!(
            "{what} must be a non-empty string."
        )));
    }
    Ok(())
}

/// `action.name` must be present and equal `name`.
fn action_name(action: &Map<String, Value>, name: &str) -> Result<(), GraphError> {
    let got = req_str(action, "interactive['action']", "name")?;
    if got != name {
        return Err(GraphError::bad_value(format!(
            "Param interactive['action']['name'] must be \"{name}\" for this message type; got \"{got}\"."
        )));
    }
    Ok(())
}

/// Validates the `interactive` object of a send.
pub(crate) fn validate(v: &Value) -> Result<(), GraphError> {
    let i = match v.get("interactive") {
        None | Some(Value::Null) => {
            return Err(GraphError::missing(
                "The parameter interactive is required.",
            ))
        }
        Some(Value::Object(i)) => i,
        Some(_) => {
            return Err(GraphError::invalid_param(
                "(#100) Param interactive must be a JSON object.",
            ))
        }
    };
    let kind = req_str(i, "interactive", "type")?;
    if !KINDS.contains(&kind) {
        let all = KINDS.join(", ").to_uppercase();
        return Err(GraphError::invalid_param(format!(
            "(#100) Param interactive['type'] must be one of {{{all}}} - got \"{kind}\"."
        )));
    }
    let (header_rule, body_required, body_max, footer_allowed) = shape(kind);
    match object(i, "interactive", "header")? {
        None if header_rule == HeaderRule::TextRequired => {
            return Err(GraphError::missing(format!(
                "The parameter interactive['header'] is required for {kind} messages."
            )))
        }
        None => {}
        Some(_) if header_rule == HeaderRule::None => {
            return Err(GraphError::bad_value(format!(
                "Param interactive['header'] is not supported for {kind} messages."
            )))
        }
        Some(h) => header(h, kind, header_rule)?,
    }
    match object(i, "interactive", "body")? {
        None if body_required => {
            return Err(GraphError::missing(
                "The parameter interactive['body'] is required.",
            ))
        }
        None => {}
        Some(b) => {
            let t = req_str(b, "interactive['body']", "text")?;
            non_empty(t, "Param interactive['body']['text']")?;
            max_len(t, body_max, "Param interactive['body']['text']")?;
        }
    }
    if let Some(f) = object(i, "interactive", "footer")? {
        if !footer_allowed {
            return Err(GraphError::bad_value(format!(
                "Param interactive['footer'] is not supported for {kind} messages."
            )));
        }
        let t = req_str(f, "interactive['footer']", "text")?;
        max_len(t, 60, "Param interactive['footer']['text']")?;
    }
    let action = req_object(i, "interactive", "action")?;
    match kind {
        "button" => buttons(action),
        "list" => list(action),
        "cta_url" => cta_url(action),
        "location_request_message" => action_name(action, "send_location"),
        "call_permission_request" => action_name(action, "call_permission_request"),
        "request_contact_info" => action_name(action, "request_contact_info"),
        "catalog_message" => catalog(action),
        "product" => product(action),
        "product_list" => product_list(action),
        "voice_call" => voice_call(action),
        "address_message" => address(action),
        "order_details" => order_details(action),
        "order_status" => order_status(action),
        _ => Ok(()),
    }
}

fn header(h: &Map<String, Value>, kind: &str, rule: HeaderRule) -> Result<(), GraphError> {
    let path = "interactive['header']";
    let ty = req_str(h, path, "type")?;
    match ty {
        "text" => {
            let t = req_str(h, path, "text")?;
            non_empty(t, "Param interactive['header']['text']")?;
            max_len(t, 60, "Param interactive['header']['text']")
        }
        _ if rule != HeaderRule::Any => Err(GraphError::bad_value(format!(
            "Param interactive['header']['type'] must be \"text\" for {kind} messages; got \"{ty}\"."
        ))),
        "image" | "video" | "document" => match h.get(ty) {
            Some(Value::Object(m)) if m.contains_key("id") || m.contains_key("link") => Ok(()),
            _ => Err(GraphError::bad_value(format!(
                "Please specify either an id or a link for {path}['{ty}']."
            ))),
        },
        other => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['type'] must be one of {{TEXT, IMAGE, VIDEO, DOCUMENT}} - got \"{other}\"."
        ))),
    }
}

fn cta_url(action: &Map<String, Value>) -> Result<(), GraphError> {
    let path = "interactive['action']['parameters']";
    let p = req_object(action, "interactive['action']", "parameters")?;
    let dt = req_str(p, path, "display_text")?;
    max_len(dt, 20, &format!("Param {path}['display_text']"))?;
    req_str(p, path, "url")?;
    Ok(())
}

fn buttons(action: &Map<String, Value>) -> Result<(), GraphError> {
    let list = req_array(action, "interactive['action']", "buttons")?;
    if list.is_empty() || list.len() > 3 {
        return Err(GraphError::bad_value(format!(
            "Param interactive['action']['buttons'] must have between 1 and 3 elements; got {}.",
            list.len()
        )));
    }
    let mut ids = Vec::new();
    let mut titles = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let path = format!("interactive['action']['buttons'][{i}]");
        let b = elem(b, &path)?;
        let ty = req_str(b, &path, "type")?;
        if ty != "reply" {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path}['type'] must be one of {{REPLY}} - got \"{ty}\"."
            )));
        }
        let rpath = format!("{path}['reply']");
        let reply = req_object(b, &path, "reply")?;
        let id = req_str(reply, &rpath, "id")?;
        let title = req_str(reply, &rpath, "title")?;
        non_empty(title, &format!("Param {rpath}['title']"))?;
        max_len(title, 20, &format!("Param {rpath}['title']"))?;
        max_len(id, 256, &format!("Param {rpath}['id']"))?;
        if ids.contains(&id) || titles.contains(&title) {
            return Err(GraphError::bad_value(
                "Buttons must have unique ids and titles.",
            ));
        }
        ids.push(id);
        titles.push(title);
    }
    Ok(())
}

/// A section title: required when there are several sections, at most 24 characters.
fn section_title(s: &Map<String, Value>, path: &str, sections: usize) -> Result<(), GraphError> {
    match opt_str(s, path, "title")? {
        Some(t) => max_len(t, 24, &format!("Param {path}['title']")),
        None if sections > 1 => Err(GraphError::missing(format!(
            "The parameter {path}['title'] is required when there is more than one section."
        ))),
        None => Ok(()),
    }
}

fn list(action: &Map<String, Value>) -> Result<(), GraphError> {
    let button = req_str(action, "interactive['action']", "button")?;
    max_len(button, 20, "Param interactive['action']['button']")?;
    let sections = req_array(action, "interactive['action']", "sections")?;
    if sections.is_empty() || sections.len() > 10 {
        return Err(GraphError::bad_value(
            "Param interactive['action']['sections'] must have between 1 and 10 elements.",
        ));
    }
    let mut rows_total = 0usize;
    for (i, s) in sections.iter().enumerate() {
        let path = format!("interactive['action']['sections'][{i}]");
        let s = elem(s, &path)?;
        section_title(s, &path, sections.len())?;
        let rows = req_array(s, &path, "rows")?;
        rows_total += rows.len();
        for (j, r) in rows.iter().enumerate() {
            let rpath = format!("{path}['rows'][{j}]");
            let r = elem(r, &rpath)?;
            let id = req_str(r, &rpath, "id")?;
            let title = req_str(r, &rpath, "title")?;
            max_len(id, 200, &format!("Param {rpath}['id']"))?;
            max_len(title, 24, &format!("Param {rpath}['title']"))?;
            if let Some(d) = opt_str(r, &rpath, "description")? {
                max_len(d, 72, &format!("Param {rpath}['description']"))?;
            }
        }
    }
    if rows_total == 0 || rows_total > 10 {
        return Err(GraphError::bad_value(format!(
            "A list message must have between 1 and 10 rows in all; got {rows_total}."
        )));
    }
    Ok(())
}

fn catalog(action: &Map<String, Value>) -> Result<(), GraphError> {
    action_name(action, "catalog_message")?;
    let path = "interactive['action']['parameters']";
    if let Some(p) = object(action, "interactive['action']", "parameters")? {
        if let Some(id) = opt_str(p, path, "thumbnail_product_retailer_id")? {
            non_empty(
                id,
                &format!("Param {path}['thumbnail_product_retailer_id']"),
            )?;
        }
    }
    Ok(())
}

fn product(action: &Map<String, Value>) -> Result<(), GraphError> {
    let path = "interactive['action']";
    non_empty(
        req_str(action, path, "catalog_id")?,
        "Param interactive['action']['catalog_id']",
    )?;
    non_empty(
        req_str(action, path, "product_retailer_id")?,
        "Param interactive['action']['product_retailer_id']",
    )
}

/// Product sections, shared by `product_list` and a template's MPM button: 1 to 10 sections,
/// at most 30 products in all, every product named.
pub(crate) fn product_sections(sections: &[Value], path: &str) -> Result<(), GraphError> {
    if sections.is_empty() || sections.len() > 10 {
        return Err(GraphError::bad_value(format!(
            "Param {path} must have between 1 and 10 elements; got {}.",
            sections.len()
        )));
    }
    let mut total = 0usize;
    for (i, s) in sections.iter().enumerate() {
        let spath = format!("{path}[{i}]");
        let s = elem(s, &spath)?;
        section_title(s, &spath, sections.len())?;
        let items = req_array(s, &spath, "product_items")?;
        if items.is_empty() {
            return Err(GraphError::bad_value(format!(
                "Param {spath}['product_items'] must have at least one product."
            )));
        }
        total += items.len();
        for (j, item) in items.iter().enumerate() {
            let ipath = format!("{spath}['product_items'][{j}]");
            let item = elem(item, &ipath)?;
            let id = req_str(item, &ipath, "product_retailer_id")?;
            non_empty(id, &format!("Param {ipath}['product_retailer_id']"))?;
        }
    }
    if total > 30 {
        return Err(GraphError::bad_value(format!(
            "A product list may hold at most 30 products in all; got {total}."
        )));
    }
    Ok(())
}

fn product_list(action: &Map<String, Value>) -> Result<(), GraphError> {
    let path = "interactive['action']";
    non_empty(
        req_str(action, path, "catalog_id")?,
        "Param interactive['action']['catalog_id']",
    )?;
    let sections = req_array(action, path, "sections")?;
    product_sections(sections, "interactive['action']['sections']")
}

fn voice_call(action: &Map<String, Value>) -> Result<(), GraphError> {
    action_name(action, "voice_call")?;
    let path = "interactive['action']['parameters']";
    let Some(p) = object(action, "interactive['action']", "parameters")? else {
        return Ok(());
    };
    if let Some(t) = opt_str(p, path, "display_text")? {
        non_empty(t, &format!("Param {path}['display_text']"))?;
        max_len(t, 20, &format!("Param {path}['display_text']"))?;
    }
    if let Some(ttl) = integer(p, path, "ttl_minutes")? {
        if !(1..=43_200).contains(&ttl) {
            return Err(GraphError::bad_value(format!(
                "Param {path}['ttl_minutes'] must be between 1 and 43200; got {ttl}."
            )));
        }
    }
    if let Some(payload) = opt_str(p, path, "payload")? {
        max_len(payload, 512, &format!("Param {path}['payload']"))?;
    }
    Ok(())
}

fn address_fields(m: &Map<String, Value>, path: &str) -> Result<(), GraphError> {
    for (field, value) in m {
        if !value.is_string() {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path}['{field}'] must be a string."
            )));
        }
    }
    if let Some(pin) = opt_str(m, path, "in_pin_code")? {
        max_len(pin, 6, &format!("Param {path}['in_pin_code']"))?;
    }
    Ok(())
}

fn address(action: &Map<String, Value>) -> Result<(), GraphError> {
    action_name(action, "address_message")?;
    let path = "interactive['action']['parameters']";
    let p = req_object(action, "interactive['action']", "parameters")?;
    let country = req_str(p, path, "country")?;
    if country != "IN" {
        return Err(GraphError::bad_value(format!(
            "Param {path}['country'] must be \"IN\": address messages are available in India only; got \"{country}\"."
        )));
    }
    if let Some(values) = object(p, path, "values")? {
        address_fields(values, &format!("{path}['values']"))?;
    }
    if let Some(saved) = p.get("saved_addresses") {
        let Value::Array(saved) = saved else {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path}['saved_addresses'] must be an array."
            )));
        };
        for (i, a) in saved.iter().enumerate() {
            let apath = format!("{path}['saved_addresses'][{i}]");
            let a = elem(a, &apath)?;
            non_empty(req_str(a, &apath, "id")?, &format!("Param {apath}['id']"))?;
            address_fields(
                req_object(a, &apath, "value")?,
                &format!("{apath}['value']"),
            )?;
        }
    }
    Ok(())
}

fn reference_id(p: &Map<String, Value>, path: &str) -> Result<(), GraphError> {
    let id = req_str(p, path, "reference_id")?;
    let ok = (1..=35).contains(&id.chars().count())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !ok {
        return Err(GraphError::bad_value(format!(
            "Param {path}['reference_id'] must be 1 to 35 English letters, digits, underscores, dashes or dots."
        )));
    }
    Ok(())
}

fn amount(m: &Map<String, Value>, path: &str, field: &str) -> Result<(), GraphError> {
    let a = req_object(m, path, field)?;
    let apath = format!("{path}['{field}']");
    let value = integer(a, &apath, "value")?.ok_or_else(|| {
        GraphError::missing(format!("The parameter {apath}['value'] is required."))
    })?;
    let offset = integer(a, &apath, "offset")?.ok_or_else(|| {
        GraphError::missing(format!("The parameter {apath}['offset'] is required."))
    })?;
    if value < 0 || offset <= 0 {
        return Err(GraphError::bad_value(format!(
            "Param {apath} must have a non-negative value and a positive offset."
        )));
    }
    Ok(())
}

fn order_details(action: &Map<String, Value>) -> Result<(), GraphError> {
    action_name(action, "review_and_pay")?;
    let path = "interactive['action']['parameters']";
    let p = req_object(action, "interactive['action']", "parameters")?;
    reference_id(p, path)?;
    let goods = req_str(p, path, "type")?;
    if !matches!(goods, "digital-goods" | "physical-goods") {
        return Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['type'] must be one of {{DIGITAL-GOODS, PHYSICAL-GOODS}} - got \"{goods}\"."
        )));
    }
    let currency = req_str(p, path, "currency")?;
    if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(GraphError::bad_value(format!(
            "Param {path}['currency'] must be an ISO 4217 currency code; got \"{currency}\"."
        )));
    }
    amount(p, path, "total_amount")?;
    if let Some(settings) = p.get("payment_settings") {
        let Value::Array(settings) = settings else {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path}['payment_settings'] must be an array."
            )));
        };
        for (i, s) in settings.iter().enumerate() {
            let spath = format!("{path}['payment_settings'][{i}]");
            let s = elem(s, &spath)?;
            let ty = req_str(s, &spath, "type")?;
            req_object(s, &spath, ty)?;
        }
    }
    let Some(order) = object(p, path, "order")? else {
        return Ok(());
    };
    let opath = format!("{path}['order']");
    non_empty(
        req_str(order, &opath, "status")?,
        &format!("Param {opath}['status']"),
    )?;
    let items = req_array(order, &opath, "items")?;
    if items.is_empty() {
        return Err(GraphError::bad_value(format!(
            "Param {opath}['items'] must have at least one item."
        )));
    }
    for (i, item) in items.iter().enumerate() {
        let ipath = format!("{opath}['items'][{i}]");
        let item = elem(item, &ipath)?;
        non_empty(
            req_str(item, &ipath, "retailer_id")?,
            &format!("Param {ipath}['retailer_id']"),
        )?;
        non_empty(
            req_str(item, &ipath, "name")?,
            &format!("Param {ipath}['name']"),
        )?;
        amount(item, &ipath, "amount")?;
        let quantity = integer(item, &ipath, "quantity")?.ok_or_else(|| {
            GraphError::missing(format!("The parameter {ipath}['quantity'] is required."))
        })?;
        if quantity < 1 {
            return Err(GraphError::bad_value(format!(
                "Param {ipath}['quantity'] must be at least 1."
            )));
        }
    }
    amount(order, &opath, "subtotal")?;
    amount(order, &opath, "tax")?;
    for field in ["shipping", "discount"] {
        if order.contains_key(field) {
            amount(order, &opath, field)?;
        }
    }
    Ok(())
}

fn order_status(action: &Map<String, Value>) -> Result<(), GraphError> {
    action_name(action, "review_order")?;
    let path = "interactive['action']['parameters']";
    let p = req_object(action, "interactive['action']", "parameters")?;
    reference_id(p, path)?;
    let opath = format!("{path}['order']");
    let order = req_object(p, path, "order")?;
    let status = req_str(order, &opath, "status")?;
    const STATUSES: &[&str] = &[
        "pending",
        "processing",
        "partially-shipped",
        "shipped",
        "completed",
        "canceled",
    ];
    if !STATUSES.contains(&status) {
        return Err(GraphError::invalid_param(format!(
            "(#100) Param {opath}['status'] must be one of {{PENDING, PROCESSING, PARTIALLY-SHIPPED, SHIPPED, COMPLETED, CANCELED}} - got \"{status}\"."
        )));
    }
    if let Some(d) = opt_str(order, &opath, "description")? {
        max_len(d, 120, &format!("Param {opath}['description']"))?;
    }
    Ok(())
}
