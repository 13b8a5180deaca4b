//! Payments: an order to review and pay (`order_details`, action `review_and_pay`) and later
//! updates of its status (`order_status`, action `review_order`). Both name the order by the
//! business's `reference_id`. Amounts are integers with an `offset`: `{"value": 12345,
//! "offset": 100}` is 123.45.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The longest `reference_id`.
pub const MAX_REFERENCE_ID_LEN: usize = 35;
/// The longest description of an order status update.
pub const MAX_ORDER_STATUS_DESCRIPTION_LEN: usize = 120;

/// `reference_id`: 1 to 35 English letters, digits, `_`, `-` or `.`, unique per order.
fn reference_id(path: &str, id: &str) -> Result<(), ValidationError> {
    check::text(path, id, MAX_REFERENCE_ID_LEN)?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err(ValidationError::new(
            path,
            "may hold only English letters, digits, `_`, `-` and `.`",
        ));
    }
    Ok(())
}

/// An amount of money: `value` divided by `offset` (`Amount::new(12345, 100)` is 123.45).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Amount {
    value: i64,
    offset: u32,
}

impl Amount {
    /// `value` in units of 1/`offset` (use 100 for INR and BRL).
    pub fn new(value: i64, offset: u32) -> Self {
        Amount { value, offset }
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if self.value < 0 {
            return Err(ValidationError::new(
                format!("{path}.value"),
                format!("is {}; an amount cannot be negative", self.value),
            ));
        }
        if self.offset == 0 {
            return Err(ValidationError::new(
                format!("{path}.offset"),
                "must be positive (100 for two decimals)",
            ));
        }
        Ok(())
    }
}

/// A tax, shipping fee or discount: an [`Amount`] with an optional description (and, for a
/// discount, the name of the discount program).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Charge {
    #[serde(flatten)]
    amount: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_program_name: Option<String>,
}

impl Charge {
    /// `value` in units of 1/`offset`.
    pub fn new(value: i64, offset: u32) -> Self {
        Amount::new(value, offset).into()
    }

    /// A description shown with the charge.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The discount program's name (for a discount).
    pub fn discount_program_name(mut self, name: impl Into<String>) -> Self {
        self.discount_program_name = Some(name.into());
        self
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        self.amount.validate(path)?;
        if let Some(description) = &self.description {
            check::required(&format!("{path}.description"), description)?;
        }
        if let Some(name) = &self.discount_program_name {
            check::required(&format!("{path}.discount_program_name"), name)?;
        }
        Ok(())
    }
}

impl From<Amount> for Charge {
    fn from(amount: Amount) -> Self {
        Charge {
            amount,
            description: None,
            discount_program_name: None,
        }
    }
}

/// `type` of an order: what is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum GoodsType {
    /// `digital-goods`: services, recharges, tickets.
    #[serde(rename = "digital-goods")]
    Digital,
    /// `physical-goods`: items shipped to the user.
    #[serde(rename = "physical-goods")]
    Physical,
}

/// `order.status`, kept verbatim when Meta adds a value this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderStatus {
    /// `pending`: not paid yet.
    Pending,
    /// `processing`: paid; the business is fulfilling the order.
    Processing,
    /// `partially-shipped`: part of the order has shipped.
    PartiallyShipped,
    /// `shipped`: everything has shipped.
    Shipped,
    /// `completed`: nothing more is expected from anyone.
    Completed,
    /// `canceled`: the business cancels the order (fails if a payment is under way).
    Canceled,
    /// Any other value, sent as given.
    Other(String),
}

impl OrderStatus {
    /// The value Meta expects.
    pub fn as_str(&self) -> &str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Processing => "processing",
            OrderStatus::PartiallyShipped => "partially-shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Other(value) => value,
        }
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        check::required(path, self.as_str())
    }
}

impl Serialize for OrderStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One entry of `payment_settings`: `{"type": T, T: {...}}`.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct PaymentSetting(Setting);

#[derive(Debug, Clone, PartialEq)]
enum Setting {
    Gateway {
        gateway: String,
        configuration_name: String,
        data: Option<serde_json::Value>,
    },
    Link {
        uri: String,
    },
    Pix {
        code: String,
        merchant_name: String,
        key: String,
        key_type: String,
    },
    Other {
        kind: String,
        value: serde_json::Value,
    },
}

impl PaymentSetting {
    /// A payment gateway (India): `gateway` is the provider (`razorpay`, `payu`, ...) and
    /// `configuration_name` the payment configuration set up in WhatsApp Manager.
    pub fn payment_gateway(
        gateway: impl Into<String>,
        configuration_name: impl Into<String>,
    ) -> Self {
        PaymentSetting(Setting::Gateway {
            gateway: gateway.into(),
            configuration_name: configuration_name.into(),
            data: None,
        })
    }

    /// Adds the gateway's own object (e.g. Razorpay's `{"receipt", "notes"}`), sent under the
    /// gateway's name. Ignored for other settings.
    pub fn gateway_data(mut self, data: serde_json::Value) -> Self {
        if let Setting::Gateway { data: slot, .. } = &mut self.0 {
            *slot = Some(data);
        }
        self
    }

    /// A payment link (Brazil): the user pays at `uri`.
    pub fn payment_link(uri: impl Into<String>) -> Self {
        PaymentSetting(Setting::Link { uri: uri.into() })
    }

    /// A dynamic Pix code (Brazil).
    pub fn pix_dynamic_code(
        code: impl Into<String>,
        merchant_name: impl Into<String>,
        key: impl Into<String>,
        key_type: impl Into<String>,
    ) -> Self {
        PaymentSetting(Setting::Pix {
            code: code.into(),
            merchant_name: merchant_name.into(),
            key: key.into(),
            key_type: key_type.into(),
        })
    }

    /// Any other setting Meta documents (e.g. `boleto`): `value` (a JSON object) is sent
    /// under `kind`.
    pub fn other(kind: impl Into<String>, value: serde_json::Value) -> Self {
        PaymentSetting(Setting::Other {
            kind: kind.into(),
            value,
        })
    }

    fn kind(&self) -> &str {
        match &self.0 {
            Setting::Gateway { .. } => "payment_gateway",
            Setting::Link { .. } => "payment_link",
            Setting::Pix { .. } => "pix_dynamic_code",
            Setting::Other { kind, .. } => kind,
        }
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        let object = |field: &str, value: &serde_json::Value| {
            if value.is_object() {
                Ok(())
            } else {
                Err(ValidationError::new(
                    format!("{path}.{field}"),
                    "must be a JSON object",
                ))
            }
        };
        match &self.0 {
            Setting::Gateway {
                gateway,
                configuration_name,
                data,
            } => {
                check::required(&format!("{path}.payment_gateway.type"), gateway)?;
                check::required(
                    &format!("{path}.payment_gateway.configuration_name"),
                    configuration_name,
                )?;
                match data {
                    Some(data) => object(&format!("payment_gateway.{gateway}"), data),
                    None => Ok(()),
                }
            }
            Setting::Link { uri } => check::web_url(&format!("{path}.payment_link.uri"), uri),
            Setting::Pix {
                code,
                merchant_name,
                key,
                key_type,
            } => {
                for (field, value) in [
                    ("code", code),
                    ("merchant_name", merchant_name),
                    ("key", key),
                    ("key_type", key_type),
                ] {
                    check::required(&format!("{path}.pix_dynamic_code.{field}"), value)?;
                }
                Ok(())
            }
            Setting::Other { kind, value } => {
                check::required(&format!("{path}.type"), kind)?;
                object(kind, value)
            }
        }
    }
}

impl Serialize for PaymentSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = self.kind();
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", kind)?;
        match &self.0 {
            Setting::Gateway {
                gateway,
                configuration_name,
                data,
            } => {
                let mut inner = serde_json::Map::new();
                inner.insert("type".into(), gateway.as_str().into());
                inner.insert(
                    "configuration_name".into(),
                    configuration_name.as_str().into(),
                );
                if let Some(data) = data {
                    inner.insert(gateway.clone(), data.clone());
                }
                map.serialize_entry(kind, &inner)?;
            }
            Setting::Link { uri } => {
                map.serialize_entry(kind, &serde_json::json!({ "uri": uri }))?;
            }
            Setting::Pix {
                code,
                merchant_name,
                key,
                key_type,
            } => {
                map.serialize_entry(
                    kind,
                    &serde_json::json!({
                        "code": code,
                        "merchant_name": merchant_name,
                        "key": key,
                        "key_type": key_type,
                    }),
                )?;
            }
            Setting::Other { value, .. } => map.serialize_entry(kind, value)?,
        }
        map.end()
    }
}

/// One item of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct OrderItem {
    retailer_id: String,
    name: String,
    amount: Amount,
    quantity: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    sale_amount: Option<Amount>,
}

impl OrderItem {
    /// `quantity` of the item `retailer_id` (its SKU), shown as `name`, at `amount` each.
    pub fn new(
        retailer_id: impl Into<String>,
        name: impl Into<String>,
        amount: Amount,
        quantity: u32,
    ) -> Self {
        OrderItem {
            retailer_id: retailer_id.into(),
            name: name.into(),
            amount,
            quantity,
            sale_amount: None,
        }
    }

    /// A discounted price per item, shown instead of `amount`.
    pub fn sale_amount(mut self, amount: Amount) -> Self {
        self.sale_amount = Some(amount);
        self
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        check::required(&format!("{path}.retailer_id"), &self.retailer_id)?;
        check::required(&format!("{path}.name"), &self.name)?;
        self.amount.validate(&format!("{path}.amount"))?;
        if self.quantity == 0 {
            return Err(ValidationError::new(
                format!("{path}.quantity"),
                "must be at least 1",
            ));
        }
        if let Some(sale) = &self.sale_amount {
            sale.validate(&format!("{path}.sale_amount"))?;
        }
        Ok(())
    }
}

/// `order`: the itemized order, with its subtotal and tax (both required) and optional
/// shipping, discount and expiry.
///
/// ```
/// use wacloud::messages::{Amount, Charge, Order, OrderItem, OrderStatus};
/// let order = Order::new(OrderStatus::Pending)
///     .item(OrderItem::new("pot-12", "Terracotta pot", Amount::new(45_000, 100), 2))
///     .subtotal(Amount::new(90_000, 100))
///     .tax(Charge::new(16_200, 100).description("GST 18%"));
/// # let _ = order;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Order {
    status: OrderStatus,
    catalog_id: Option<String>,
    items: Vec<OrderItem>,
    subtotal: Option<Amount>,
    tax: Option<Charge>,
    shipping: Option<Charge>,
    discount: Option<Charge>,
    expiration: Option<(i64, String)>,
}

impl Order {
    /// An order in `status` (usually [`OrderStatus::Pending`]).
    pub fn new(status: OrderStatus) -> Self {
        Order {
            status,
            catalog_id: None,
            items: Vec::new(),
            subtotal: None,
            tax: None,
            shipping: None,
            discount: None,
            expiration: None,
        }
    }

    /// Adds an item.
    pub fn item(mut self, item: OrderItem) -> Self {
        self.items.push(item);
        self
    }

    /// The catalog the items come from.
    pub fn catalog_id(mut self, catalog_id: impl Into<String>) -> Self {
        self.catalog_id = Some(catalog_id.into());
        self
    }

    /// The items' total (required).
    pub fn subtotal(mut self, subtotal: Amount) -> Self {
        self.subtotal = Some(subtotal);
        self
    }

    /// The tax (required; zero when none applies).
    pub fn tax(mut self, tax: impl Into<Charge>) -> Self {
        self.tax = Some(tax.into());
        self
    }

    /// The shipping fee.
    pub fn shipping(mut self, shipping: impl Into<Charge>) -> Self {
        self.shipping = Some(shipping.into());
        self
    }

    /// The discount.
    pub fn discount(mut self, discount: impl Into<Charge>) -> Self {
        self.discount = Some(discount.into());
        self
    }

    /// The order can no longer be paid after `timestamp` (Unix seconds); `description` says
    /// so to the user.
    pub fn expires_at(mut self, timestamp: i64, description: impl Into<String>) -> Self {
        self.expiration = Some((timestamp, description.into()));
        self
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        self.status.validate(&format!("{path}.status"))?;
        if let Some(catalog_id) = &self.catalog_id {
            check::required(&format!("{path}.catalog_id"), catalog_id)?;
        }
        if self.items.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.items"),
                "must hold at least one item",
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            item.validate(&format!("{path}.items[{i}]"))?;
        }
        match &self.subtotal {
            Some(subtotal) => subtotal.validate(&format!("{path}.subtotal"))?,
            None => {
                return Err(ValidationError::new(
                    format!("{path}.subtotal"),
                    "is required",
                ))
            }
        }
        match &self.tax {
            Some(tax) => tax.validate(&format!("{path}.tax"))?,
            None => {
                return Err(ValidationError::new(
                    format!("{path}.tax"),
                    "is required (zero when no tax applies)",
                ))
            }
        }
        for (field, charge) in [("shipping", &self.shipping), ("discount", &self.discount)] {
            if let Some(charge) = charge {
                charge.validate(&format!("{path}.{field}"))?;
            }
        }
        if let Some((timestamp, description)) = &self.expiration {
            if *timestamp <= 0 {
                return Err(ValidationError::new(
                    format!("{path}.expiration.timestamp"),
                    "must be a Unix time in seconds",
                ));
            }
            check::required(&format!("{path}.expiration.description"), description)?;
        }
        Ok(())
    }
}

impl Serialize for Order {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(catalog_id) = &self.catalog_id {
            map.serialize_entry("catalog_id", catalog_id)?;
        }
        map.serialize_entry("items", &self.items)?;
        if let Some(subtotal) = &self.subtotal {
            map.serialize_entry("subtotal", subtotal)?;
        }
        for (field, charge) in [
            ("tax", &self.tax),
            ("shipping", &self.shipping),
            ("discount", &self.discount),
        ] {
            if let Some(charge) = charge {
                map.serialize_entry(field, charge)?;
            }
        }
        if let Some((timestamp, description)) = &self.expiration {
            // Meta documents the timestamp as a string of Unix seconds.
            map.serialize_entry(
                "expiration",
                &serde_json::json!({
                    "timestamp": timestamp.to_string(),
                    "description": description,
                }),
            )?;
        }
        map.end()
    }
}

/// The `action.parameters` of an `order_details` message.
///
/// ```
/// use wacloud::messages::{
///     Amount, Charge, GoodsType, Interactive, Order, OrderDetails, OrderItem, OrderStatus,
///     OutgoingMessage, PaymentSetting,
/// };
/// let bill = OrderDetails::new("order-2026-0042", GoodsType::Physical, "INR", Amount::new(106_200, 100))
///     .payment_setting(PaymentSetting::payment_gateway("razorpay", "luckyshrub-razorpay"))
///     .order(
///         Order::new(OrderStatus::Pending)
///             .item(OrderItem::new("pot-12", "Terracotta pot", Amount::new(45_000, 100), 2))
///             .subtotal(Amount::new(90_000, 100))
///             .tax(Charge::new(16_200, 100).description("GST 18%")),
///     );
/// let message = Interactive::order_details("Your order is ready to pay", bill);
/// assert!(OutgoingMessage::new("+919876543210", message).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct OrderDetails {
    reference_id: String,
    goods: GoodsType,
    payment_type: Option<String>,
    payment_settings: Vec<PaymentSetting>,
    currency: String,
    total_amount: Amount,
    order: Option<Order>,
}

impl OrderDetails {
    /// An order named `reference_id` (1 to 35 of `A-Z a-z 0-9 _ - .`, unique per order) of
    /// `goods`, for `total_amount` in `currency` (ISO 4217, e.g. `INR`).
    pub fn new(
        reference_id: impl Into<String>,
        goods: GoodsType,
        currency: impl Into<String>,
        total_amount: Amount,
    ) -> Self {
        OrderDetails {
            reference_id: reference_id.into(),
            goods,
            payment_type: None,
            payment_settings: Vec::new(),
            currency: currency.into(),
            total_amount,
            order: None,
        }
    }

    /// `payment_type` (e.g. `br` in Brazil, `upi` for UPI intent in India).
    pub fn payment_type(mut self, payment_type: impl Into<String>) -> Self {
        self.payment_type = Some(payment_type.into());
        self
    }

    /// Adds a way to pay.
    pub fn payment_setting(mut self, setting: PaymentSetting) -> Self {
        self.payment_settings.push(setting);
        self
    }

    /// The itemized order (without it Meta shows only the total).
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        reference_id(&format!("{PATH}.reference_id"), &self.reference_id)?;
        if let Some(payment_type) = &self.payment_type {
            check::required(&format!("{PATH}.payment_type"), payment_type)?;
        }
        for (i, setting) in self.payment_settings.iter().enumerate() {
            setting.validate(&format!("{PATH}.payment_settings[{i}]"))?;
        }
        if !(self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(ValidationError::new(
                format!("{PATH}.currency"),
                "must be an ISO 4217 code of three capital letters, e.g. INR",
            ));
        }
        self.total_amount
            .validate(&format!("{PATH}.total_amount"))?;
        if let Some(order) = &self.order {
            order.validate(&format!("{PATH}.order"))?;
        }
        Ok(())
    }
}

impl Serialize for OrderDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("reference_id", &self.reference_id)?;
        map.serialize_entry("type", &self.goods)?;
        if let Some(payment_type) = &self.payment_type {
            map.serialize_entry("payment_type", payment_type)?;
        }
        if !self.payment_settings.is_empty() {
            map.serialize_entry("payment_settings", &self.payment_settings)?;
        }
        map.serialize_entry("currency", &self.currency)?;
        map.serialize_entry("total_amount", &self.total_amount)?;
        if let Some(order) = &self.order {
            map.serialize_entry("order", order)?;
        }
        map.end()
    }
}

/// The `action.parameters` of an `order_status` message: the order's new status and an
/// optional description (at most 120 characters).
///
/// ```
/// use wacloud::messages::{Interactive, OrderStatus, OrderUpdate};
/// let shipped = Interactive::order_status(
///     "Your pots are on their way",
///     OrderUpdate::new("order-2026-0042", OrderStatus::Shipped).description("Courier: BlueDart"),
/// );
/// # let _ = shipped;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct OrderUpdate {
    reference_id: String,
    status: OrderStatus,
    description: Option<String>,
}

impl OrderUpdate {
    /// The order `reference_id` is now in `status`.
    pub fn new(reference_id: impl Into<String>, status: OrderStatus) -> Self {
        OrderUpdate {
            reference_id: reference_id.into(),
            status,
            description: None,
        }
    }

    /// Says more about the status (at most 120 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        reference_id(&format!("{PATH}.reference_id"), &self.reference_id)?;
        self.status.validate(&format!("{PATH}.order.status"))?;
        if let Some(description) = &self.description {
            check::text(
                &format!("{PATH}.order.description"),
                description,
                MAX_ORDER_STATUS_DESCRIPTION_LEN,
            )?;
        }
        Ok(())
    }
}

impl Serialize for OrderUpdate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut order = serde_json::Map::new();
        order.insert("status".into(), self.status.as_str().into());
        if let Some(description) = &self.description {
            order.insert("description".into(), description.as_str().into());
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("reference_id", &self.reference_id)?;
        map.serialize_entry("order", &order)?;
        map.end()
    }
}
