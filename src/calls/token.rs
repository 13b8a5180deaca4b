//! `GET /debug_token`: what Meta knows about the access token.

use std::fmt;

use reqwest::Method;
use serde::Deserialize;

use crate::client::{Client, Endpoint};
use crate::error::Result;
use crate::layers::facts::Operation;

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

#[derive(Deserialize)]
struct DebugTokenAnswer {
    data: DebugTokenData,
}

#[derive(Deserialize)]
struct DebugTokenData {
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

impl Client {
    /// Asks Meta about the client's own token: validity, expiry, app, and which of the two
    /// WhatsApp permissions are missing.
    pub async fn diagnose_token(&self) -> Result<TokenDiagnosis> {
        let url = debug_token_url(self.endpoint(), self.inner.token.expose());
        let call = self.call(Method::GET, url, self.facts(Operation::DebugToken));
        let answer: DebugTokenAnswer = self.execute_json(call).await?;
        Ok(answer.data.into())
    }
}
