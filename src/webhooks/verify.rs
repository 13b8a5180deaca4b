//! Request verification: the GET subscription handshake and the
//! `X-Hub-Signature-256` HMAC of POST bodies.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{HandshakeError, Redacted, SignatureError};

/// The header Meta signs POST bodies with (lowercase, as `http` spells names).
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

type HmacSha256 = Hmac<Sha256>;

/// The Meta app secret, used to check `X-Hub-Signature-256`.
///
/// Its `Debug` and `Display` print `<redacted>`, so it never reaches a log.
#[derive(Clone)]
pub struct AppSecret(String);

impl AppSecret {
    /// Wraps the app secret.
    pub fn new(secret: impl Into<String>) -> Self {
        AppSecret(secret.into())
    }

    /// The `sha256=<hex>` header value Meta would send for `body`
    /// (for tests and for forwarding signed requests).
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length: this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(self.0.as_bytes()).unwrap_or_else(|_| unreachable!())
    }
}

impl From<String> for AppSecret {
    fn from(s: String) -> Self {
        AppSecret(s)
    }
}

impl From<&str> for AppSecret {
    fn from(s: &str) -> Self {
        AppSecret(s.to_owned())
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppSecret({Redacted})")
    }
}

impl fmt::Display for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted.fmt(f)
    }
}

/// The verify token configured for the webhook subscription handshake.
///
/// Its `Debug` and `Display` print `<redacted>`, so it never reaches a log.
#[derive(Clone)]
pub struct VerifyToken(String);

impl VerifyToken {
    /// Wraps the verify token.
    pub fn new(token: impl Into<String>) -> Self {
        VerifyToken(token.into())
    }

    /// Whether `candidate` is this token, compared in constant time (both
    /// sides are hashed first, so not even the length leaks).
    pub fn matches(&self, candidate: &str) -> bool {
        let a = Sha256::digest(self.0.as_bytes());
        let b = Sha256::digest(candidate.as_bytes());
        a.ct_eq(&b).into()
    }
}

impl From<String> for VerifyToken {
    fn from(s: String) -> Self {
        VerifyToken(s)
    }
}

impl From<&str> for VerifyToken {
    fn from(s: &str) -> Self {
        VerifyToken(s.to_owned())
    }
}

impl fmt::Debug for VerifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyToken({Redacted})")
    }
}

impl fmt::Display for VerifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted.fmt(f)
    }
}

/// Checks an `X-Hub-Signature-256` header value (`sha256=<hex>`, upper- or
/// lowercase hex) against the **raw** body, in constant time.
///
/// `header` is `None` when the request had no such header. A missing,
/// malformed or wrong header is an error, never a pass.
pub fn verify_signature(
    secret: &AppSecret,
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let header = header.trim_ascii();
    if header.len() != 7 + 64 || !header[..7].eq_ignore_ascii_case(b"sha256=") {
        return Err(SignatureError::Malformed);
    }
    let mut expected = [0u8; 32];
    hex::decode_to_slice(&header[7..], &mut expected).map_err(|_| SignatureError::Malformed)?;
    let mut mac = secret.mac();
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The query of a GET subscription handshake
/// (`hub.mode`, `hub.verify_token`, `hub.challenge`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HandshakeQuery {
    /// `hub.mode` (`subscribe`).
    pub mode: Option<String>,
    /// `hub.verify_token` (redacted from `Debug`).
    pub verify_token: Option<String>,
    /// `hub.challenge`: echoed back on success.
    pub challenge: Option<String>,
}

impl HandshakeQuery {
    /// Reads the handshake parameters from a URL query string (without the
    /// `?`), percent-decoding them. Other parameters are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut q = HandshakeQuery::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*k {
                "hub.mode" => &mut q.mode,
                "hub.verify_token" => &mut q.verify_token,
                "hub.challenge" => &mut q.challenge,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v.into_owned());
            }
        }
        q
    }
}

impl fmt::Debug for HandshakeQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeQuery")
            .field("mode", &self.mode)
            .field(
                "verify_token",
                &self.verify_token.as_ref().map(|_| "<redacted>"),
            )
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// Answers the GET subscription handshake: returns the challenge to send back
/// (with 200) when `hub.mode` is `subscribe` and `hub.verify_token` matches
/// (constant time), else a typed rejection (answer 403).
pub fn verify_handshake<'q>(
    token: &VerifyToken,
    query: &'q HandshakeQuery,
) -> Result<&'q str, HandshakeError> {
    let mode = query
        .mode
        .as_deref()
        .ok_or(HandshakeError::MissingParameter("hub.mode"))?;
    let candidate = query
        .verify_token
        .as_deref()
        .ok_or(HandshakeError::MissingParameter("hub.verify_token"))?;
    let challenge = query
        .challenge
        .as_deref()
        .ok_or(HandshakeError::MissingParameter("hub.challenge"))?;
    // Check the token even when the mode is wrong, so timing says nothing.
    let token_ok = token.matches(candidate);
    if mode != "subscribe" {
        return Err(HandshakeError::WrongMode);
    }
    if !token_ok {
        return Err(HandshakeError::TokenMismatch);
    }
    Ok(challenge)
}
