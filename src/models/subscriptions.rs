//! Webhook subscriptions: the apps subscribed to a WhatsApp Business Account's webhooks.

use serde::{Deserialize, Serialize};

/// An app subscribed to the account's webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribedApp {
    /// The app.
    #[serde(default)]
    pub whatsapp_business_api_data: Option<AppData>,
    /// The callback URL that overrides the app's for this account, if one is set.
    #[serde(default)]
    pub override_callback_uri: Option<String>,
}

/// `whatsapp_business_api_data` of a [`SubscribedApp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppData {
    /// The app id.
    #[serde(default)]
    pub id: Option<String>,
    /// The app's link.
    #[serde(default)]
    pub link: Option<String>,
    /// The app's name.
    #[serde(default)]
    pub name: Option<String>,
}
