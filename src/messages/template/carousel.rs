//! Carousel templates: a body above 2 to 10 horizontally scrolling cards, each with a media
//! (or product) header and optionally a body and up to two buttons. A send must carry a card
//! for every card of the approved template, in order.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::component::{ButtonSubType, Component, ComponentKind};
use super::parameter::Parameter;
use crate::error::ValidationError;

/// The fewest cards in a carousel.
pub const MIN_CAROUSEL_CARDS: usize = 2;
/// The most cards in a carousel.
pub const MAX_CAROUSEL_CARDS: usize = 10;
/// The most buttons on one card.
pub const MAX_CAROUSEL_CARD_BUTTONS: usize = 2;

/// One card of a carousel: `{"card_index", "components": [header, body?, buttons...]}`. The
/// `card_index` is the card's position, given by [`Component::carousel`].
///
/// ```
/// use wacloud::messages::{CarouselCard, MediaSource, OutgoingMessage, Parameter, Template};
/// let card = |image: &str, code: &str| {
///     CarouselCard::new(Parameter::image(MediaSource::id(image)))
///         .body([Parameter::text(code)])
///         .quick_reply_button(0, format!("more-{code}"))
///         .url_button(1, format!("shop/{code}"))
/// };
/// let offer = Template::new("summer_carousel", "en_US")
///     .body([Parameter::text("15OFF")])
///     .carousel([card("1558081531584829", "ECHEVERIA"), card("861236878885705", "ALOE")]);
/// assert!(OutgoingMessage::new("+16505551234", offer).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CarouselCard {
    card_index: usize,
    components: Vec<Component>,
}

impl CarouselCard {
    /// A card whose header is `header`: [`Parameter::image`], [`Parameter::video`], or
    /// [`Parameter::product`] for a product card carousel.
    pub fn new(header: Parameter) -> Self {
        CarouselCard {
            card_index: 0,
            components: vec![Component::header([header])],
        }
    }

    /// Fills the card body's variables.
    pub fn body(self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.component(Component::body(parameters))
    }

    /// Sets the payload of the card's quick-reply button at `index`.
    pub fn quick_reply_button(self, index: u8, payload: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::QuickReply,
            index,
            [Parameter::payload(payload)],
        ))
    }

    /// Sets the suffix of the card's URL button at `index`.
    pub fn url_button(self, index: u8, url_suffix: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::Url,
            index,
            [Parameter::text(url_suffix)],
        ))
    }

    /// Adds any component (a header, a body or a button).
    pub fn component(mut self, component: Component) -> Self {
        self.components.push(component);
        self
    }

    pub(super) fn numbered(mut self, card_index: usize) -> Self {
        self.card_index = card_index;
        self
    }

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        let count = |kind| self.components.iter().filter(|c| c.kind == kind).count();
        if count(ComponentKind::Header) != 1 {
            return Err(ValidationError::new(
                format!("{path}.components"),
                "a card needs exactly one header (its image, video or product)",
            ));
        }
        if count(ComponentKind::Body) > 1 {
            return Err(ValidationError::new(
                format!("{path}.components"),
                "a card has at most one body",
            ));
        }
        let buttons = count(ComponentKind::Button);
        if buttons > MAX_CAROUSEL_CARD_BUTTONS {
            return Err(ValidationError::new(
                format!("{path}.components"),
                format!(
                    "a card has {buttons} buttons; Meta allows at most {MAX_CAROUSEL_CARD_BUTTONS}"
                ),
            ));
        }
        let mut seen: Vec<u8> = Vec::new();
        for (i, component) in self.components.iter().enumerate() {
            let component_path = format!("{path}.components[{i}]");
            if let (ComponentKind::Button, Some(index)) = (component.kind, component.index) {
                if seen.contains(&index) {
                    return Err(ValidationError::new(
                        format!("{component_path}.index"),
                        format!("button index {index} is used twice on this card"),
                    ));
                }
                seen.push(index);
            }
            component.validate(&component_path, true)?;
        }
        Ok(())
    }
}

impl Serialize for CarouselCard {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("card_index", &self.card_index)?;
        map.serialize_entry("components", &self.components)?;
        map.end()
    }
}
