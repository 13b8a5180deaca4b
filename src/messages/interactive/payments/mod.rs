//! Payments: an order to review and pay (`order_details`, action `review_and_pay`) and later
//! updates of its status (`order_status`, action `review_order`). Both name the order by the
//! business's `reference_id`. Amounts are integers with an `offset`: `{"value": 12345,
//! "offset": 100}` is 123.45.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

mod amount;
mod order;
mod settings;

pub use amount::{Amount, Charge};
pub use order::{GoodsType, Order, OrderItem, OrderStatus};
pub use settings::PaymentSetting;

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
