//! `GET /debug_token`: what Meta knows about the access token.

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::layers::facts::Operation;
use crate::models::token::{debug_token_url, DebugTokenAnswer};
pub use crate::models::token::{TokenDiagnosis, REQUIRED_PERMISSIONS};

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
