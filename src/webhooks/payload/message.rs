//! Inbound messages (`messages[]` of a `messages` change) and their typed content.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::de::{self, into_static_struct, try_parse, IntoStatic};
use super::{parse_errors, ErrorObject};

/// One `messages[]` item: a message a user sent to the business.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The sender's WhatsApp id (phone number). Meta leaves it out for a user who adopted a
    /// username and has not shared their number with the business: reply with
    /// [`Message::reply_to`], which falls back to the BSUID.
    pub from: Option<Cow<'a, str>>,
    /// The sender's business-scoped user id (BSUID, `US.13491208655302741918`), where sent.
    pub from_user_id: Option<Cow<'a, str>>,
    /// The sender's parent BSUID (`US.ENT.…`, shared across a business portfolio), where sent.
    pub from_parent_user_id: Option<Cow<'a, str>>,
    /// The group the message was sent in (Groups API); `None` for a one-to-one message.
    pub group_id: Option<Cow<'a, str>>,
    /// The message id (`wamid...`).
    pub id: Cow<'a, str>,
    /// Unix seconds, as the string Meta sends.
    pub timestamp: Cow<'a, str>,
    /// The `type`, as Meta spells it (`text`, `image`, ...), also for unknown types. A message
    /// sent without `type` (Meta's own samples have some) takes the name of its content key.
    pub kind: Cow<'a, str>,
    /// `context`: the message this one replies to or was forwarded from.
    pub context: Option<MessageContext<'a>>,
    /// `errors` (for example on `unsupported` messages).
    pub errors: Vec<ErrorObject<'a>>,
    /// The typed content.
    pub content: MessageContent<'a>,
    /// The whole message object as received.
    pub raw: Cow<'a, RawValue>,
}
into_static_struct!(Message {
    from,
    from_user_id,
    from_parent_user_id,
    group_id,
    id,
    timestamp,
    kind,
    context,
    errors,
    content,
    raw
});

#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    from: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    from_user_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    from_parent_user_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    group_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    timestamp: Cow<'a, str>,
    #[serde(default, rename = "type", borrow, deserialize_with = "de::cow_str")]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    context: Option<&'a RawValue>,
    #[serde(default, borrow)]
    errors: Option<&'a RawValue>,
    #[serde(default, borrow)]
    text: Option<&'a RawValue>,
    #[serde(default, borrow)]
    image: Option<&'a RawValue>,
    #[serde(default, borrow)]
    audio: Option<&'a RawValue>,
    #[serde(default, borrow)]
    video: Option<&'a RawValue>,
    #[serde(default, borrow)]
    document: Option<&'a RawValue>,
    #[serde(default, borrow)]
    sticker: Option<&'a RawValue>,
    #[serde(default, borrow)]
    location: Option<&'a RawValue>,
    #[serde(default, borrow)]
    contacts: Option<&'a RawValue>,
    #[serde(default, borrow)]
    interactive: Option<&'a RawValue>,
    #[serde(default, borrow)]
    button: Option<&'a RawValue>,
    #[serde(default, borrow)]
    reaction: Option<&'a RawValue>,
    #[serde(default, borrow)]
    order: Option<&'a RawValue>,
    #[serde(default, borrow)]
    system: Option<&'a RawValue>,
    #[serde(default, borrow)]
    unsupported: Option<&'a RawValue>,
}

impl<'a> WireMessage<'a> {
    /// The type named by the content key present, for a message sent without `type`.
    fn kind_from_content(&self) -> Option<&'static str> {
        [
            ("text", self.text.is_some()),
            ("image", self.image.is_some()),
            ("audio", self.audio.is_some()),
            ("video", self.video.is_some()),
            ("document", self.document.is_some()),
            ("sticker", self.sticker.is_some()),
            ("location", self.location.is_some()),
            ("contacts", self.contacts.is_some()),
            ("interactive", self.interactive.is_some()),
            ("button", self.button.is_some()),
            ("reaction", self.reaction.is_some()),
            ("order", self.order.is_some()),
            ("system", self.system.is_some()),
            ("unsupported", self.unsupported.is_some()),
        ]
        .into_iter()
        .find_map(|(kind, present)| present.then_some(kind))
    }
}

impl<'a> Message<'a> {
    pub(super) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let mut w: WireMessage<'a> = serde_json::from_str(raw.get()).ok()?;
        if w.kind.is_empty() {
            if let Some(kind) = w.kind_from_content() {
                w.kind = Cow::Borrowed(kind);
            }
        }
        let content = match &*w.kind {
            "text" => try_parse(w.text).map(MessageContent::Text),
            "image" => try_parse(w.image).map(MessageContent::Image),
            "audio" => try_parse(w.audio).map(MessageContent::Audio),
            "video" => try_parse(w.video).map(MessageContent::Video),
            "document" => try_parse(w.document).map(MessageContent::Document),
            "sticker" => try_parse(w.sticker).map(MessageContent::Sticker),
            "location" => try_parse(w.location).map(MessageContent::Location),
            "contacts" => try_parse(w.contacts).map(MessageContent::Contacts),
            "interactive" => w
                .interactive
                .and_then(Interactive::from_raw)
                .map(MessageContent::Interactive),
            "button" => try_parse(w.button).map(MessageContent::Button),
            "reaction" => try_parse(w.reaction).map(MessageContent::Reaction),
            "order" => try_parse(w.order).map(MessageContent::Order),
            "system" => try_parse(w.system).map(MessageContent::System),
            "unsupported" => Some(MessageContent::Unsupported(
                try_parse(w.unsupported).unwrap_or_default(),
            )),
            _ => None,
        }
        .unwrap_or(MessageContent::Unknown);
        Some(Message {
            from: w.from,
            from_user_id: w.from_user_id,
            from_parent_user_id: w.from_parent_user_id,
            group_id: w.group_id,
            id: w.id,
            timestamp: w.timestamp,
            kind: w.kind,
            context: try_parse(w.context),
            errors: parse_errors(w.errors),
            content,
            raw: Cow::Borrowed(raw),
        })
    }

    /// Whom to reply to: the sender's phone number (`from`) when Meta sent it, else their
    /// business-scoped user id (`from_user_id`), else their parent BSUID. The send API takes
    /// each of these forms, so `OutgoingMessage::new(message.reply_to()?, ..)` reaches the
    /// user whether or not they share their number. In a group it is the participant who
    /// wrote; see [`Message::group_id`] to answer in the group.
    pub fn reply_to(&self) -> Option<&str> {
        self.from
            .as_deref()
            .or(self.from_user_id.as_deref())
            .or(self.from_parent_user_id.as_deref())
    }

    /// Detaches the message from the body it was parsed from.
    pub fn into_owned(self) -> Message<'static> {
        self.into_static()
    }
}

/// `messages[].context`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MessageContext<'a> {
    /// The sender of the message replied to.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub from: Option<Cow<'a, str>>,
    /// The id of the message replied to.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// Whether the message was forwarded.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub forwarded: Option<bool>,
    /// Whether the message was forwarded more than 5 times.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub frequently_forwarded: Option<bool>,
    /// The product the user asked about, for product enquiries.
    #[serde(default, borrow)]
    pub referred_product: Option<ReferredProduct<'a>>,
}
into_static_struct!(MessageContext {
    from,
    id,
    forwarded,
    frequently_forwarded,
    referred_product
});

/// `context.referred_product`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReferredProduct<'a> {
    /// The catalog id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub catalog_id: Option<Cow<'a, str>>,
    /// The product's retailer id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub product_retailer_id: Option<Cow<'a, str>>,
}
into_static_struct!(ReferredProduct {
    catalog_id,
    product_retailer_id
});

/// The typed content of an inbound message, by `type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageContent<'a> {
    /// `text`.
    Text(Text<'a>),
    /// `image`.
    Image(Media<'a>),
    /// `audio` (`voice: true` for voice notes).
    Audio(Media<'a>),
    /// `video`.
    Video(Media<'a>),
    /// `document`.
    Document(Media<'a>),
    /// `sticker`.
    Sticker(Media<'a>),
    /// `location`.
    Location(Location<'a>),
    /// `contacts`: shared contact cards.
    Contacts(Vec<ContactCard<'a>>),
    /// `interactive`: a reply button, list or flow answer.
    Interactive(Interactive<'a>),
    /// `button`: a quick-reply button of a template.
    Button(Button<'a>),
    /// `reaction`.
    Reaction(Reaction<'a>),
    /// `order`.
    Order(Order<'a>),
    /// `system`: for example the user changed number.
    System(System<'a>),
    /// `unsupported`: see [`Message::errors`].
    Unsupported(Unsupported<'a>),
    /// A type this SDK does not know, or content that does not match its
    /// documented shape: see [`Message::kind`] and [`Message::raw`].
    Unknown,
}

impl IntoStatic for MessageContent<'_> {
    type Static = MessageContent<'static>;
    fn into_static(self) -> MessageContent<'static> {
        match self {
            MessageContent::Text(x) => MessageContent::Text(x.into_static()),
            MessageContent::Image(x) => MessageContent::Image(x.into_static()),
            MessageContent::Audio(x) => MessageContent::Audio(x.into_static()),
            MessageContent::Video(x) => MessageContent::Video(x.into_static()),
            MessageContent::Document(x) => MessageContent::Document(x.into_static()),
            MessageContent::Sticker(x) => MessageContent::Sticker(x.into_static()),
            MessageContent::Location(x) => MessageContent::Location(x.into_static()),
            MessageContent::Contacts(x) => MessageContent::Contacts(x.into_static()),
            MessageContent::Interactive(x) => MessageContent::Interactive(x.into_static()),
            MessageContent::Button(x) => MessageContent::Button(x.into_static()),
            MessageContent::Reaction(x) => MessageContent::Reaction(x.into_static()),
            MessageContent::Order(x) => MessageContent::Order(x.into_static()),
            MessageContent::System(x) => MessageContent::System(x.into_static()),
            MessageContent::Unsupported(x) => MessageContent::Unsupported(x.into_static()),
            MessageContent::Unknown => MessageContent::Unknown,
        }
    }
}

/// `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Text<'a> {
    /// The text.
    #[serde(borrow, deserialize_with = "de::cow_str")]
    pub body: Cow<'a, str>,
}
into_static_struct!(Text { body });

/// `image`, `audio`, `video`, `document` or `sticker`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Media<'a> {
    /// The media id (valid for 7 days) to fetch its URL with.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// The MIME type.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub mime_type: Option<Cow<'a, str>>,
    /// The SHA-256 of the file.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub sha256: Option<Cow<'a, str>>,
    /// The caption (image, video, document).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub caption: Option<Cow<'a, str>>,
    /// The file name (document).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub filename: Option<Cow<'a, str>>,
    /// A download URL, where Meta includes one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
    /// Whether a sticker is animated.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub animated: Option<bool>,
    /// Whether an audio is a voice note.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub voice: Option<bool>,
}
into_static_struct!(Media {
    id,
    mime_type,
    sha256,
    caption,
    filename,
    url,
    animated,
    voice
});

/// `location`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Location<'a> {
    /// Latitude.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    /// The place's name.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
    /// The place's address.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub address: Option<Cow<'a, str>>,
    /// The place's URL.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
}
into_static_struct!(Location {
    latitude,
    longitude,
    name,
    address,
    url
});

/// One shared contact card of a `contacts` message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactCard<'a> {
    /// `name`.
    #[serde(default, borrow)]
    pub name: Option<ContactName<'a>>,
    /// `phones`.
    #[serde(default, borrow)]
    pub phones: Vec<ContactPhone<'a>>,
    /// `emails`.
    #[serde(default, borrow)]
    pub emails: Vec<ContactEmail<'a>>,
    /// `urls`.
    #[serde(default, borrow)]
    pub urls: Vec<ContactUrl<'a>>,
    /// `addresses`.
    #[serde(default, borrow)]
    pub addresses: Vec<ContactAddress<'a>>,
    /// `org`.
    #[serde(default, borrow)]
    pub org: Option<ContactOrg<'a>>,
    /// `birthday` (`YYYY-MM-DD`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub birthday: Option<Cow<'a, str>>,
}
into_static_struct!(ContactCard {
    name,
    phones,
    emails,
    urls,
    addresses,
    org,
    birthday
});

/// A contact card's `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactName<'a> {
    /// `formatted_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub formatted_name: Option<Cow<'a, str>>,
    /// `first_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub first_name: Option<Cow<'a, str>>,
    /// `last_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub last_name: Option<Cow<'a, str>>,
    /// `middle_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub middle_name: Option<Cow<'a, str>>,
    /// `prefix`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub prefix: Option<Cow<'a, str>>,
    /// `suffix`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub suffix: Option<Cow<'a, str>>,
}
into_static_struct!(ContactName {
    formatted_name,
    first_name,
    last_name,
    middle_name,
    prefix,
    suffix
});

/// A contact card's phone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactPhone<'a> {
    /// The number.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub phone: Option<Cow<'a, str>>,
    /// Its WhatsApp id, when it has one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`, `CELL`, ...).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactPhone { phone, wa_id, kind });

/// A contact card's email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactEmail<'a> {
    /// The address.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub email: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactEmail { email, kind });

/// A contact card's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactUrl<'a> {
    /// The URL.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactUrl { url, kind });

/// A contact card's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactAddress<'a> {
    /// `street`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub street: Option<Cow<'a, str>>,
    /// `city`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub city: Option<Cow<'a, str>>,
    /// `state`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub state: Option<Cow<'a, str>>,
    /// `zip`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub zip: Option<Cow<'a, str>>,
    /// `country`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub country: Option<Cow<'a, str>>,
    /// `country_code`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub country_code: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactAddress {
    street,
    city,
    state,
    zip,
    country,
    country_code,
    kind
});

/// A contact card's `org`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactOrg<'a> {
    /// `company`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub company: Option<Cow<'a, str>>,
    /// `department`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub department: Option<Cow<'a, str>>,
    /// `title`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
}
into_static_struct!(ContactOrg {
    company,
    department,
    title
});

/// `interactive`: the user's answer to an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Interactive<'a> {
    /// `button_reply`: a reply button was tapped.
    ButtonReply(ReplyId<'a>),
    /// `list_reply`: a list row was chosen.
    ListReply(ReplyId<'a>),
    /// `nfm_reply`: a Flow was completed.
    NfmReply(NfmReply<'a>),
    /// Another interactive `type` (kept in [`Message::raw`]), as sent.
    Other(Cow<'a, str>),
}

impl IntoStatic for Interactive<'_> {
    type Static = Interactive<'static>;
    fn into_static(self) -> Interactive<'static> {
        match self {
            Interactive::ButtonReply(x) => Interactive::ButtonReply(x.into_static()),
            Interactive::ListReply(x) => Interactive::ListReply(x.into_static()),
            Interactive::NfmReply(x) => Interactive::NfmReply(x.into_static()),
            Interactive::Other(x) => Interactive::Other(x.into_static()),
        }
    }
}

#[derive(Deserialize)]
struct WireInteractive<'a> {
    #[serde(default, rename = "type", borrow, deserialize_with = "de::cow_str")]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    button_reply: Option<&'a RawValue>,
    #[serde(default, borrow)]
    list_reply: Option<&'a RawValue>,
    #[serde(default, borrow)]
    nfm_reply: Option<&'a RawValue>,
}

impl<'a> Interactive<'a> {
    pub(super) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let w: WireInteractive<'a> = serde_json::from_str(raw.get()).ok()?;
        let parsed = match &*w.kind {
            "button_reply" => try_parse(w.button_reply).map(Interactive::ButtonReply),
            "list_reply" => try_parse(w.list_reply).map(Interactive::ListReply),
            "nfm_reply" => try_parse(w.nfm_reply).map(Interactive::NfmReply),
            _ => None,
        };
        Some(parsed.unwrap_or(Interactive::Other(w.kind)))
    }
}

/// A `button_reply` or `list_reply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReplyId<'a> {
    /// The id given when sending the button or row.
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub id: Cow<'a, str>,
    /// The button or row title.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
    /// The row description (lists).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub description: Option<Cow<'a, str>>,
}
into_static_struct!(ReplyId {
    id,
    title,
    description
});

/// An `nfm_reply`: a completed Flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NfmReply<'a> {
    /// `name` (`flow`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
    /// `body` (`Sent`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub body: Option<Cow<'a, str>>,
    /// `response_json`: the Flow's answer, a JSON document inside a string.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub response_json: Option<Cow<'a, str>>,
}
into_static_struct!(NfmReply {
    name,
    body,
    response_json
});

/// `button`: a template quick-reply button was tapped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Button<'a> {
    /// The payload given in the template.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub payload: Option<Cow<'a, str>>,
    /// The button text.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub text: Option<Cow<'a, str>>,
}
into_static_struct!(Button { payload, text });

/// `reaction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Reaction<'a> {
    /// The message reacted to.
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub message_id: Cow<'a, str>,
    /// The emoji; absent or empty when the reaction was removed.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub emoji: Option<Cow<'a, str>>,
}
into_static_struct!(Reaction { message_id, emoji });

/// `order`: a cart sent from a catalog.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Order<'a> {
    /// The catalog id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub catalog_id: Option<Cow<'a, str>>,
    /// The text sent with the order.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub text: Option<Cow<'a, str>>,
    /// The items.
    #[serde(default, borrow)]
    pub product_items: Vec<ProductItem<'a>>,
}
into_static_struct!(Order {
    catalog_id,
    text,
    product_items
});

/// `order.product_items[]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProductItem<'a> {
    /// The product's retailer id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub product_retailer_id: Option<Cow<'a, str>>,
    /// The quantity (a number or numeric string on the wire).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub quantity: Option<f64>,
    /// The unit price (a number or numeric string on the wire).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub item_price: Option<f64>,
    /// The currency.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub currency: Option<Cow<'a, str>>,
}
into_static_struct!(ProductItem {
    product_retailer_id,
    quantity,
    item_price,
    currency
});

/// `system`: for example `customer_changed_number`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct System<'a> {
    /// A human-readable description.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub body: Option<Cow<'a, str>>,
    /// `type` (`customer_changed_number`, `customer_identity_changed`, ...).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
    /// The user's new WhatsApp id (`customer_changed_number`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub new_wa_id: Option<Cow<'a, str>>,
    /// The user's new business-scoped user id (`user_changed_number`, `user_changed_user_id`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub user_id: Option<Cow<'a, str>>,
    /// `wa_id`, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `customer`, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub customer: Option<Cow<'a, str>>,
}
into_static_struct!(System {
    body,
    kind,
    new_wa_id,
    user_id,
    wa_id,
    customer
});

/// `unsupported`: details, where Meta sends them (the errors are in
/// [`Message::errors`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Unsupported<'a> {
    /// The unsupported content's `type`, where given (for example `edit`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(Unsupported { kind });
