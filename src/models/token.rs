//! What `GET /debug_token` answers about an access token, and how that URL is built. The auth
//! layer reads a token's diagnosis too, so it lives here, below both the layer and the call.

use std::fmt;

use serde::Deserialize;

use crate::client::Endpoint;

/// The two permissions every Cloud API token needs.
pub const REQUIRED_PERMISSIONS: [&str; 2] = [
    "whatsapp_business_management",
    "whatsapp_business_messaging",
];

/// The diagnosis of an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenDiagnosis {
    /// Whether Meta considers the token valid.
    pub is_valid: bool,
    /// The app the token belongs to.
    pub app_id: Option<String>,
    /// The app's name.
    pub application: Option<String>,
    /// `USER`, `SYSTEM_USER`, `PAGE`, ...
    pub token_type: Option<String>,
    /// Expiry as unix seconds; `None` or 0 for tokens that do not expire.
    pub expires_at: Option<i64>,
    /// The permissions granted.
    pub scopes: Vec<String>,
    /// Which of [`REQUIRED_PERMISSIONS`] are missing.
    pub missing_permissions: Vec<&'static str>,
}

impl TokenDiagnosis {
    /// Whether the token is valid and has both required permissions.
    pub fn is_usable(&self) -> bool {
        self.is_valid && self.missing_permissions.is_empty()
    }
}

impl fmt::Display for TokenDiagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "token {}",
            if self.is_valid { "valid" } else { "NOT valid" }
        )?;
        if let Some(app) = self.application.as_ref().or(self.app_id.as_ref()) {
            write!(f, " for app {app}")?;
        }
        if let Some(kind) = &self.token_type {
            write!(f, " ({kind})")?;
        }
        match self.expires_at {
            Some(at) if at > 0 => write!(f, ", expires at unix time {at}")?,
            _ => write!(f, ", does not expire")?,
        }
        if self.missing_permissions.is_empty() {
            write!(f, ", has both WhatsApp permissions")
        } else {
            write!(f, ", missing: {}", self.missing_permissions.join(", "))
        }
    }
}

/// The `debug_token` answer's envelope.
#[derive(Deserialize)]
pub(crate) struct DebugTokenAnswer {
    pub(crate) data: DebugTokenData,
}

#[derive(Deserialize)]
pub(crate) struct DebugTokenData {
    #[serde(default)]
    is_valid: bool,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    application: Option<String>,
    #[serde(default, rename = "type")]
    token_type: Option<String>,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    scopes: Vec<String>,
}

impl From<DebugTokenData> for TokenDiagnosis {
    fn from(data: DebugTokenData) -> Self {
        let missing_permissions = REQUIRED_PERMISSIONS
            .into_iter()
            .filter(|needed| !data.scopes.iter().any(|scope| scope == needed))
            .collect();
        TokenDiagnosis {
            is_valid: data.is_valid,
            app_id: data.app_id,
            application: data.application,
            token_type: data.token_type,
            expires_at: data.expires_at,
            scopes: data.scopes,
            missing_permissions,
        }
    }
}

/// The `debug_token` URL for a token (which goes in the query, so never log this URL).
pub(crate) fn debug_token_url(endpoint: &Endpoint, token: &str) -> url::Url {
    let mut url = endpoint.url(&["debug_token"]);
    url.query_pairs_mut().append_pair("input_token", token);
    url
}

/// Parses a `debug_token` answer.
pub(crate) fn parse_diagnosis(body: &[u8]) -> Option<TokenDiagnosis> {
    serde_json::from_slice::<DebugTokenAnswer>(body)
        .ok()
        .map(|answer| answer.data.into())
}
