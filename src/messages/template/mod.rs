//! Template messages: a pre-approved template, filled with parameters per component.
//!
//! [`Template`] has a builder method per kind of component Meta documents: header, body,
//! the buttons (quick reply, URL, copy code, flow, catalog, multi-product), a limited-time
//! offer, a carousel of cards ([`CarouselCard`]), and the one-time code of an authentication
//! template. The module holds the [`Component`]s, their [`Parameter`]s, and the cards.

use serde::Serialize;

use super::check;
use super::interactive::ProductSection;
use crate::error::ValidationError;

mod carousel;
mod component;
mod parameter;

pub use carousel::{
    CarouselCard, MAX_CAROUSEL_CARDS, MAX_CAROUSEL_CARD_BUTTONS, MIN_CAROUSEL_CARDS,
};
use component::ComponentKind;
pub use component::{ButtonSubType, Component};
pub use parameter::Parameter;

/// The longest template name Meta accepts.
pub const MAX_TEMPLATE_NAME_LEN: usize = 512;
/// The highest template button index (Meta allows up to 10 buttons, indexed 0 to 9).
pub const MAX_BUTTON_INDEX: u8 = 9;
/// The longest header text parameter (a template text header is at most 60 characters).
pub const MAX_HEADER_TEXT_LEN: usize = 60;
/// The longest coupon code of a copy-code button.
pub const MAX_COUPON_CODE_LEN: usize = 15;
/// The longest one-time code of an authentication template.
pub const MAX_AUTHENTICATION_CODE_LEN: usize = 15;

/// A template message (`type: template`).
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Parameter, Template};
/// let template = Template::new("order_update", "en_US")
///     .body([Parameter::text("Pablo"), Parameter::currency("$100.99", "USD", 100_990)])
///     .quick_reply_button(0, "unsubscribe");
/// assert!(OutgoingMessage::new("+16505551234", template).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Template {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    /// Where [`Template::authentication_code`] put the code (the body component's index), so
    /// its length limit can be checked with the path of the value sent.
    #[serde(skip)]
    authentication_code: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Language {
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<LanguagePolicy>,
    code: String,
}

/// `language.policy`: how Meta picks the template's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LanguagePolicy {
    /// Use exactly the language given in `code` (Meta's only documented policy).
    Deterministic,
}

impl Template {
    /// The template `name` in the language `code` (e.g. `en_US`), as approved.
    pub fn new(name: impl Into<String>, language_code: impl Into<String>) -> Self {
        Template {
            name: name.into(),
            language: Language {
                policy: None,
                code: language_code.into(),
            },
            components: Vec::new(),
            authentication_code: None,
        }
    }

    /// Sets `language.policy`.
    pub fn language_policy(mut self, policy: LanguagePolicy) -> Self {
        self.language.policy = Some(policy);
        self
    }

    /// Fills the header's variable (text, currency, date/time, or its image/video/document).
    pub fn header(self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.component(Component::header(parameters))
    }

    /// Fills the body's variables, in order (or by name for named parameters).
    pub fn body(self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.component(Component::body(parameters))
    }

    /// Sets the payload returned when the quick-reply button at `index` is tapped.
    pub fn quick_reply_button(self, index: u8, payload: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::QuickReply,
            index,
            [Parameter::payload(payload)],
        ))
    }

    /// Sets the suffix appended to the dynamic URL of the button at `index`.
    pub fn url_button(self, index: u8, url_suffix: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::Url,
            index,
            [Parameter::text(url_suffix)],
        ))
    }

    /// Sets the code copied by the copy-code button at `index` (at most 15 characters).
    pub fn copy_code_button(self, index: u8, coupon_code: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::CopyCode,
            index,
            [Parameter::coupon_code(coupon_code)],
        ))
    }

    /// Sets the flow token and first-screen data of the flow button at `index`.
    ///
    /// ```
    /// use wacloud::messages::{Parameter, Template};
    /// let survey = Template::new("feedback_survey", "en_US")
    ///     .flow_button(0, Parameter::flow_action(Some("session-17".into()), None));
    /// # let _ = survey;
    /// ```
    pub fn flow_button(self, index: u8, action: Parameter) -> Self {
        self.component(Component::button(ButtonSubType::Flow, index, [action]))
    }

    /// Sets the product whose thumbnail heads a catalog template (the `CATALOG` button at
    /// `index`, "View catalog").
    pub fn catalog_button(
        self,
        index: u8,
        thumbnail_product_retailer_id: impl Into<String>,
    ) -> Self {
        self.component(Component::button(
            ButtonSubType::Catalog,
            index,
            [Parameter::catalog_action(thumbnail_product_retailer_id)],
        ))
    }

    /// Fills a multi-product (MPM) template's button at `index`: the thumbnail product and 1
    /// to 10 sections holding at most 30 products in all.
    ///
    /// ```
    /// use wacloud::messages::{OutgoingMessage, ProductSection, Template};
    /// let cart = Template::new("abandoned_cart", "en_US").mpm_button(
    ///     0,
    ///     "pot-terracotta-12",
    ///     [ProductSection::new(["pot-terracotta-12", "pot-glazed-12"]).title("Your cart")],
    /// );
    /// assert!(OutgoingMessage::new("+16505551234", cart).validate().is_ok());
    /// ```
    pub fn mpm_button(
        self,
        index: u8,
        thumbnail_product_retailer_id: impl Into<String>,
        sections: impl IntoIterator<Item = ProductSection>,
    ) -> Self {
        self.component(Component::button(
            ButtonSubType::Mpm,
            index,
            [Parameter::mpm_action(
                thumbnail_product_retailer_id,
                sections,
            )],
        ))
    }

    /// Sets when a limited-time offer ends (`expiration_time_ms`, Unix milliseconds). The
    /// offer's code usually goes in a copy-code button ([`Template::copy_code_button`]).
    pub fn limited_time_offer(self, expiration_time_ms: i64) -> Self {
        self.component(Component::limited_time_offer(expiration_time_ms))
    }

    /// Fills a carousel template's cards, numbered in the order given (2 to 10, as many as
    /// the approved template defines). See [`CarouselCard`].
    pub fn carousel(self, cards: impl IntoIterator<Item = CarouselCard>) -> Self {
        self.component(Component::carousel(cards))
    }

    /// Sends the one-time code of an authentication template (copy code, one-tap or zero-tap:
    /// the send is the same): the code as the body's variable and as the text of the button
    /// at index 0. At most 15 characters.
    ///
    /// ```
    /// use wacloud::messages::{OutgoingMessage, Template};
    /// let otp = Template::new("verify_login", "en_US").authentication_code("J$FpnYnP");
    /// assert!(OutgoingMessage::new("+16505551234", otp).validate().is_ok());
    /// ```
    pub fn authentication_code(mut self, code: impl Into<String>) -> Self {
        let code = code.into();
        self.authentication_code = Some(self.components.len());
        self.body([Parameter::text(code.clone())])
            .component(Component::button(
                ButtonSubType::Url,
                0,
                [Parameter::text(code)],
            ))
    }

    /// Adds any component.
    pub fn component(mut self, component: Component) -> Self {
        self.components.push(component);
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        check::text("template.name", &self.name, MAX_TEMPLATE_NAME_LEN)?;
        if !self
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(ValidationError::new(
                "template.name",
                "may hold only lowercase letters, digits and underscores",
            ));
        }
        check::required("template.language.code", &self.language.code)?;
        let mut seen: Vec<ComponentKind> = Vec::new();
        let mut seen_buttons: Vec<u8> = Vec::new();
        for (i, component) in self.components.iter().enumerate() {
            let path = format!("template.components[{i}]");
            match component.kind {
                ComponentKind::Button => {
                    if let Some(index) = component.index {
                        if seen_buttons.contains(&index) {
                            return Err(ValidationError::new(
                                format!("{path}.index"),
                                format!("button index {index} is used twice"),
                            ));
                        }
                        seen_buttons.push(index);
                    }
                }
                kind if seen.contains(&kind) => {
                    return Err(ValidationError::new(
                        format!("{path}.type"),
                        format!(
                            "a template has at most one {} component",
                            component.kind_name()
                        ),
                    ))
                }
                kind => seen.push(kind),
            }
            component.validate(&path, false)?;
        }
        if let Some(component) = self.authentication_code {
            if let Some(code) = self
                .components
                .get(component)
                .and_then(|body| body.text_at(0))
            {
                check::max_chars(
                    &format!("template.components[{component}].parameters[0].text"),
                    code,
                    MAX_AUTHENTICATION_CODE_LEN,
                )?;
            }
        }
        Ok(())
    }
}
