//! Contacts messages: one or more contact cards (`type: contacts`).

use serde::Serialize;

use super::check;
use crate::error::ValidationError;

/// A contacts message: the cards to share (at least one).
///
/// ```
/// use wacloud::messages::{Contact, Contacts, OutgoingMessage, Phone};
/// let card = Contact::new("Pablo Morales")
///     .first_name("Pablo")
///     .last_name("Morales")
///     .phone(Phone::new("+1 (940) 555-1234").kind("HOME").wa_id("19405551234"));
/// let message = OutgoingMessage::new("+16505551234", Contacts::new([card]));
/// assert!(message.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
#[must_use]
pub struct Contacts(Vec<Contact>);

impl Contacts {
    /// The cards to share.
    pub fn new(contacts: impl IntoIterator<Item = Contact>) -> Self {
        Contacts(contacts.into_iter().collect())
    }

    /// Adds one more card.
    pub fn contact(mut self, contact: Contact) -> Self {
        self.0.push(contact);
        self
    }

    /// The cards.
    pub fn cards(&self) -> &[Contact] {
        &self.0
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        if self.0.is_empty() {
            return Err(ValidationError::new(
                "contacts",
                "must hold at least one contact",
            ));
        }
        for (i, contact) in self.0.iter().enumerate() {
            contact.validate(&format!("contacts[{i}]"))?;
        }
        Ok(())
    }
}

impl From<Contact> for Contacts {
    fn from(contact: Contact) -> Self {
        Contacts(vec![contact])
    }
}

/// One contact card. Only `name.formatted_name` is required by Meta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Contact {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    emails: Vec<Email>,
    name: Name,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Org>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<Phone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    urls: Vec<ContactUrl>,
}

/// `name` of a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
struct Name {
    formatted_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
}

impl Contact {
    /// A card shown under `formatted_name` (the full name as it should appear).
    pub fn new(formatted_name: impl Into<String>) -> Self {
        Contact {
            addresses: Vec::new(),
            birthday: None,
            emails: Vec::new(),
            name: Name {
                formatted_name: formatted_name.into(),
                ..Name::default()
            },
            org: None,
            phones: Vec::new(),
            urls: Vec::new(),
        }
    }

    /// `name.first_name`.
    pub fn first_name(mut self, value: impl Into<String>) -> Self {
        self.name.first_name = Some(value.into());
        self
    }

    /// `name.last_name`.
    pub fn last_name(mut self, value: impl Into<String>) -> Self {
        self.name.last_name = Some(value.into());
        self
    }

    /// `name.middle_name`.
    pub fn middle_name(mut self, value: impl Into<String>) -> Self {
        self.name.middle_name = Some(value.into());
        self
    }

    /// `name.suffix` (e.g. "Jr.").
    pub fn suffix(mut self, value: impl Into<String>) -> Self {
        self.name.suffix = Some(value.into());
        self
    }

    /// `name.prefix` (e.g. "Dr.").
    pub fn prefix(mut self, value: impl Into<String>) -> Self {
        self.name.prefix = Some(value.into());
        self
    }

    /// Adds a phone number.
    pub fn phone(mut self, phone: Phone) -> Self {
        self.phones.push(phone);
        self
    }

    /// Adds an email address.
    pub fn email(mut self, email: Email) -> Self {
        self.emails.push(email);
        self
    }

    /// Adds a postal address.
    pub fn address(mut self, address: Address) -> Self {
        self.addresses.push(address);
        self
    }

    /// Sets the organization.
    pub fn org(mut self, org: Org) -> Self {
        self.org = Some(org);
        self
    }

    /// Adds a web address.
    pub fn url(mut self, url: ContactUrl) -> Self {
        self.urls.push(url);
        self
    }

    /// The birthday, as Meta requires it: `YYYY-MM-DD`.
    pub fn birthday(mut self, date: impl Into<String>) -> Self {
        self.birthday = Some(date.into());
        self
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        check::required(
            &format!("{path}.name.formatted_name"),
            &self.name.formatted_name,
        )?;
        if let Some(birthday) = &self.birthday {
            if !is_iso_date(birthday) {
                return Err(ValidationError::new(
                    format!("{path}.birthday"),
                    "must be a date written YYYY-MM-DD",
                ));
            }
        }
        for (i, phone) in self.phones.iter().enumerate() {
            check::required(&format!("{path}.phones[{i}].phone"), &phone.phone)?;
        }
        for (i, email) in self.emails.iter().enumerate() {
            check::required(&format!("{path}.emails[{i}].email"), &email.email)?;
        }
        for (i, url) in self.urls.iter().enumerate() {
            check::required(&format!("{path}.urls[{i}].url"), &url.url)?;
        }
        Ok(())
    }
}

fn is_iso_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let month: u32 = month.parse().unwrap_or(0);
    let day: u32 = day.parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// `phones[]` of a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Phone {
    phone: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wa_id: Option<String>,
}

impl Phone {
    /// A phone number, formatted as it should be shown.
    pub fn new(phone: impl Into<String>) -> Self {
        Phone {
            phone: phone.into(),
            kind: None,
            wa_id: None,
        }
    }

    /// Meta's `type` label: `CELL`, `MAIN`, `IPHONE`, `HOME` or `WORK`.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// The number's WhatsApp id: adds "Message" and "Add contact" buttons to the card.
    pub fn wa_id(mut self, wa_id: impl Into<String>) -> Self {
        self.wa_id = Some(wa_id.into());
        self
    }
}

/// `emails[]` of a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Email {
    email: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

impl Email {
    /// An email address.
    pub fn new(email: impl Into<String>) -> Self {
        Email {
            email: email.into(),
            kind: None,
        }
    }

    /// Meta's `type` label: `HOME` or `WORK`.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
}

/// `urls[]` of a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct ContactUrl {
    url: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

impl ContactUrl {
    /// A web address.
    pub fn new(url: impl Into<String>) -> Self {
        ContactUrl {
            url: url.into(),
            kind: None,
        }
    }

    /// Meta's `type` label: `HOME` or `WORK`.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
}

/// `org` of a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[must_use]
pub struct Org {
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

impl Org {
    /// An organization by company name.
    pub fn new(company: impl Into<String>) -> Self {
        Org {
            company: Some(company.into()),
            ..Org::default()
        }
    }

    /// The department.
    pub fn department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }

    /// The job title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// `addresses[]` of a contact card; every field is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[must_use]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

impl Address {
    /// An empty address; fill it with the setters.
    pub fn new() -> Self {
        Address::default()
    }

    /// Street and number.
    pub fn street(mut self, value: impl Into<String>) -> Self {
        self.street = Some(value.into());
        self
    }

    /// City.
    pub fn city(mut self, value: impl Into<String>) -> Self {
        self.city = Some(value.into());
        self
    }

    /// State or province (Meta accepts an abbreviation).
    pub fn state(mut self, value: impl Into<String>) -> Self {
        self.state = Some(value.into());
        self
    }

    /// Postal code.
    pub fn zip(mut self, value: impl Into<String>) -> Self {
        self.zip = Some(value.into());
        self
    }

    /// Country name.
    pub fn country(mut self, value: impl Into<String>) -> Self {
        self.country = Some(value.into());
        self
    }

    /// ISO two-letter country code.
    pub fn country_code(mut self, value: impl Into<String>) -> Self {
        self.country_code = Some(value.into());
        self
    }

    /// Meta's `type` label: `HOME` or `WORK`.
    pub fn kind(mut self, value: impl Into<String>) -> Self {
        self.kind = Some(value.into());
        self
    }
}
