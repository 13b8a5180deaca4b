//! The itemized `order` of an order details message, its items, its status and what is sold.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::amount::{Amount, Charge};
use crate::error::ValidationError;
use crate::messages::check;

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

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        check::required(path, self.as_str())
    }
}

impl Serialize for OrderStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
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

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
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
