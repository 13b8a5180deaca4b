//! A template's components: which part of the template each one fills, and its parameters
//! (or, for a carousel, its cards).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::carousel::{CarouselCard, MAX_CAROUSEL_CARDS, MIN_CAROUSEL_CARDS};
use super::parameter::{Parameter, Place};
use super::MAX_BUTTON_INDEX;
use crate::error::ValidationError;

/// `components[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ComponentKind {
    Header,
    Body,
    Button,
    Carousel,
    LimitedTimeOffer,
}

/// `components[].sub_type` of a button component: the kind of button the template defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ButtonSubType {
    /// A quick-reply button; its parameter is a `payload`.
    #[serde(rename = "quick_reply")]
    QuickReply,
    /// A call-to-action URL button; its parameter is the `text` appended to the URL (for an
    /// authentication template, the one-time code).
    #[serde(rename = "url")]
    Url,
    /// A copy-code button; its parameter is a `coupon_code`.
    #[serde(rename = "copy_code")]
    CopyCode,
    /// A flow button; its parameter is an `action` (flow token and first-screen data).
    #[serde(rename = "flow")]
    Flow,
    /// A "View catalog" button (`CATALOG`, as Meta writes it); its parameter is an `action`
    /// naming the thumbnail product.
    #[serde(rename = "CATALOG")]
    Catalog,
    /// A multi-product button (`mpm`); its parameter is an `action` with the thumbnail
    /// product and the product sections.
    #[serde(rename = "mpm")]
    Mpm,
}

/// One component of a template: which part it fills and the parameters for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Component {
    pub(super) kind: ComponentKind,
    sub_type: Option<ButtonSubType>,
    pub(super) index: Option<u8>,
    parameters: Vec<Parameter>,
    cards: Vec<CarouselCard>,
}

impl Component {
    /// The header component.
    pub fn header(parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Self::plain(ComponentKind::Header, parameters)
    }

    /// The body component.
    pub fn body(parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Self::plain(ComponentKind::Body, parameters)
    }

    /// The button at `index` (0 to 9), of the given kind.
    pub fn button(
        sub_type: ButtonSubType,
        index: u8,
        parameters: impl IntoIterator<Item = Parameter>,
    ) -> Self {
        Component {
            kind: ComponentKind::Button,
            sub_type: Some(sub_type),
            index: Some(index),
            parameters: parameters.into_iter().collect(),
            cards: Vec::new(),
        }
    }

    /// The carousel component: its cards, numbered (`card_index`) in the order given. Send
    /// exactly as many cards as the approved template defines (2 to 10).
    pub fn carousel(cards: impl IntoIterator<Item = CarouselCard>) -> Self {
        let cards = cards
            .into_iter()
            .enumerate()
            .map(|(index, card)| card.numbered(index))
            .collect();
        Component {
            kind: ComponentKind::Carousel,
            sub_type: None,
            index: None,
            parameters: Vec::new(),
            cards,
        }
    }

    /// The limited-time offer component: the offer ends at `expiration_time_ms` (Unix time in
    /// milliseconds), shown to the user as a countdown.
    pub fn limited_time_offer(expiration_time_ms: i64) -> Self {
        Self::plain(
            ComponentKind::LimitedTimeOffer,
            [Parameter::limited_time_offer(expiration_time_ms)],
        )
    }

    fn plain(kind: ComponentKind, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Component {
            kind,
            sub_type: None,
            index: None,
            parameters: parameters.into_iter().collect(),
            cards: Vec::new(),
        }
    }

    /// Checks the component at `path`; `in_card` is true inside a carousel card, whose
    /// header takes only media or a product.
    pub(super) fn validate(&self, path: &str, in_card: bool) -> Result<(), ValidationError> {
        if self.kind == ComponentKind::Carousel {
            if in_card {
                return Err(ValidationError::new(
                    format!("{path}.type"),
                    "a carousel card cannot hold another carousel",
                ));
            }
            return self.validate_cards(path);
        }
        if in_card && self.kind == ComponentKind::LimitedTimeOffer {
            return Err(ValidationError::new(
                format!("{path}.type"),
                "a carousel card holds only a header, a body and buttons",
            ));
        }
        if self.parameters.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.parameters"),
                "must hold at least one parameter (leave out a component that has no variables)",
            ));
        }
        let named = self.parameters.iter().filter(|p| p.is_named()).count();
        if named != 0 && named != self.parameters.len() {
            return Err(ValidationError::new(
                format!("{path}.parameters"),
                "mixes named and positional parameters; a template uses one or the other",
            ));
        }
        match self.kind {
            ComponentKind::Header | ComponentKind::LimitedTimeOffer => {
                if self.parameters.len() > 1 {
                    return Err(ValidationError::new(
                        format!("{path}.parameters"),
                        format!("a {} component takes one parameter", self.kind_name()),
                    ));
                }
            }
            ComponentKind::Body | ComponentKind::Carousel => {}
            ComponentKind::Button => {
                let index = self.index.unwrap_or(0);
                if index > MAX_BUTTON_INDEX {
                    return Err(ValidationError::new(
                        format!("{path}.index"),
                        format!("is {index}; button indexes run from 0 to {MAX_BUTTON_INDEX}"),
                    ));
                }
                if self.parameters.len() != 1 {
                    return Err(ValidationError::new(
                        format!("{path}.parameters"),
                        "a button component takes exactly one parameter",
                    ));
                }
            }
        }
        let place = match self.kind {
            ComponentKind::Header if in_card => Place::CardHeader,
            ComponentKind::Header => Place::Header,
            ComponentKind::Body => Place::Body,
            ComponentKind::LimitedTimeOffer => Place::LimitedTimeOffer,
            ComponentKind::Button => Place::Button(self.sub_type),
            ComponentKind::Carousel => unreachable!("carousels are checked above"),
        };
        for (i, parameter) in self.parameters.iter().enumerate() {
            parameter.validate(&format!("{path}.parameters[{i}]"), place)?;
        }
        Ok(())
    }

    fn validate_cards(&self, path: &str) -> Result<(), ValidationError> {
        let count = self.cards.len();
        if !(MIN_CAROUSEL_CARDS..=MAX_CAROUSEL_CARDS).contains(&count) {
            return Err(ValidationError::new(
                format!("{path}.cards"),
                format!(
                    "holds {count} cards; a carousel has {MIN_CAROUSEL_CARDS} to \
                     {MAX_CAROUSEL_CARDS}, as many as the approved template"
                ),
            ));
        }
        for (i, card) in self.cards.iter().enumerate() {
            card.validate(&format!("{path}.cards[{i}]"))?;
        }
        Ok(())
    }

    /// The text of the parameter at `index`, if it is a text parameter.
    pub(super) fn text_at(&self, index: usize) -> Option<&str> {
        self.parameters.get(index).and_then(Parameter::as_text)
    }

    pub(super) fn kind_name(&self) -> &'static str {
        match self.kind {
            ComponentKind::Header => "header",
            ComponentKind::Body => "body",
            ComponentKind::Button => "button",
            ComponentKind::Carousel => "carousel",
            ComponentKind::LimitedTimeOffer => "limited_time_offer",
        }
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &self.kind)?;
        if let Some(sub_type) = &self.sub_type {
            map.serialize_entry("sub_type", sub_type)?;
        }
        // Meta documents `index` as a string ("0"), so it is written as one.
        if let Some(index) = self.index {
            map.serialize_entry("index", &index.to_string())?;
        }
        if self.kind == ComponentKind::Carousel {
            map.serialize_entry("cards", &self.cards)?;
        } else {
            map.serialize_entry("parameters", &self.parameters)?;
        }
        map.end()
    }
}
