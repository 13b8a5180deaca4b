//! Sandbox configuration: identities, tokens, timings and the initial fault script.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::fault::FaultRule;

/// The permission needed to manage a WhatsApp Business Account.
pub const SCOPE_MANAGEMENT: &str = "whatsapp_business_management";
/// The permission needed to send messages.
pub const SCOPE_MESSAGING: &str = "whatsapp_business_messaging";

/// The kind of a token, as `debug_token` reports it in `data.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A System User token (`"SYSTEM_USER"`), the usual long-lived server token.
    SystemUser,
    /// A user token (`"USER"`), e.g. the temporary 24-hour token of the developer console.
    User,
}

impl TokenKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TokenKind::SystemUser => "SYSTEM_USER",
            TokenKind::User => "USER",
        }
    }
}

/// One access token the sandbox knows, with its scopes and validity.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The bearer token string.
    pub token: String,
    /// `SYSTEM_USER` or `USER`.
    pub kind: TokenKind,
    /// Granted permissions, e.g. [`SCOPE_MANAGEMENT`], [`SCOPE_MESSAGING`].
    pub scopes: Vec<String>,
    /// Expiry as unix seconds; `0` means never. A past value makes the token expired (190/463).
    pub expires_at: u64,
    /// `false` makes the token invalid (e.g. revoked: 190/460) regardless of its expiry.
    pub valid: bool,
}

impl TokenInfo {
    /// A valid, never-expiring System User token with both WhatsApp scopes.
    pub fn new(token: impl Into<String>) -> Self {
        TokenInfo {
            token: token.into(),
            kind: TokenKind::SystemUser,
            scopes: vec![SCOPE_MANAGEMENT.to_string(), SCOPE_MESSAGING.to_string()],
            expires_at: 0,
            valid: true,
        }
    }

    /// Replaces the scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the token kind.
    pub fn kind(mut self, kind: TokenKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the expiry (unix seconds, `0` = never).
    pub fn expires_at(mut self, unix_secs: u64) -> Self {
        self.expires_at = unix_secs;
        self
    }

    /// Marks the token as expired (expiry one hour in the past).
    pub fn expired(mut self) -> Self {
        self.expires_at = crate::util::unix_now().saturating_sub(3600).max(1);
        self
    }

    /// Marks the token as invalid (revoked).
    pub fn invalid(mut self) -> Self {
        self.valid = false;
        self
    }

    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub(crate) fn is_expired(&self) -> bool {
        self.expires_at != 0 && self.expires_at <= crate::util::unix_now()
    }
}

/// Configuration of a sandbox run. Build with [`SandboxConfig::default`] and the setters.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The main access token (default `"sandbox-token"`), valid, with both WhatsApp scopes.
    pub access_token: String,
    /// Extra known tokens (missing scopes, expired, user tokens...).
    pub extra_tokens: Vec<TokenInfo>,
    /// The business phone number id (default `"100000000000001"`).
    pub phone_number_id: String,
    /// The display phone number (default `"+1 555 010 0001"`).
    pub display_phone_number: String,
    /// The verified business name (default `"Wacloud Sandbox"`).
    pub verified_name: String,
    /// The WhatsApp Business Account id (default `"200000000000001"`).
    pub waba_id: String,
    /// The Meta app id (default `"300000000000001"`).
    pub app_id: String,
    /// The app secret that signs webhooks (default `"sandbox-app-secret"`).
    pub app_secret: String,
    /// Where to listen (default `127.0.0.1:0`, an ephemeral loopback port).
    pub listen: SocketAddr,
    /// Where to post webhooks; `None` posts none.
    pub webhook_url: Option<String>,
    /// Delay before each status step (sent, delivered, read); default 20 ms.
    pub status_delay: Duration,
    /// Whether to send the `read` status after `delivered` (default true).
    pub send_read_status: bool,
    /// How long a media download URL stays valid (default 5 minutes).
    pub media_url_ttl: Duration,
    /// The directory of fixture files for [`crate::Fault::Fixture`].
    pub fixtures_dir: PathBuf,
    /// The throughput level reported for the number (default `"STANDARD"`).
    pub throughput_level: String,
    /// The quality rating reported for the number (default `"GREEN"`).
    pub quality_rating: String,
    /// Recipients (a phone number's digits, or a user id as written) whose messages fail with
    /// 131026 in webhooks.
    pub undeliverable: Vec<String>,
    /// Names of the templates the sandbox treats as authentication templates (one-tap,
    /// zero-tap or copy code, which Meta sends with a `url` button carrying the code, so that
    /// only the template's category, known from its name, tells them apart). Sending one to a
    /// business-scoped user id is answered with error 131062; to a phone number it is accepted
    /// and its statuses are priced as `authentication`. Default: none.
    pub authentication_templates: Vec<String>,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Webhook delivery attempts per payload (default 3).
    pub webhook_attempts: u32,
    /// Answer `file_size` in the media URL call as a string (`"303833"`, as Meta's reference
    /// page shows it) instead of a number (as observed answers carry it). Default false.
    pub media_file_size_as_string: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            access_token: "sandbox-token".into(),
            extra_tokens: Vec::new(),
            phone_number_id: "100000000000001".into(),
            display_phone_number: "+1 555 010 0001".into(),
            verified_name: "Wacloud Sandbox".into(),
            waba_id: "200000000000001".into(),
            app_id: "300000000000001".into(),
            app_secret: "sandbox-app-secret".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            webhook_url: None,
            status_delay: Duration::from_millis(20),
            send_read_status: true,
            media_url_ttl: Duration::from_secs(300),
            fixtures_dir: PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../wiremock-fixtures"
            )),
            throughput_level: "STANDARD".into(),
            quality_rating: "GREEN".into(),
            undeliverable: Vec::new(),
            authentication_templates: Vec::new(),
            faults: Vec::new(),
            webhook_attempts: 3,
            media_file_size_as_string: false,
        }
    }
}

impl SandboxConfig {
    /// Same as [`SandboxConfig::default`].
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the main access token.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = token.into();
        self
    }
    /// Registers an extra token.
    pub fn token(mut self, token: TokenInfo) -> Self {
        self.extra_tokens.push(token);
        self
    }
    /// Sets the phone number id.
    pub fn phone_number_id(mut self, id: impl Into<String>) -> Self {
        self.phone_number_id = id.into();
        self
    }
    /// Sets the display phone number.
    pub fn display_phone_number(mut self, n: impl Into<String>) -> Self {
        self.display_phone_number = n.into();
        self
    }
    /// Sets the verified business name.
    pub fn verified_name(mut self, n: impl Into<String>) -> Self {
        self.verified_name = n.into();
        self
    }
    /// Sets the WABA id.
    pub fn waba_id(mut self, id: impl Into<String>) -> Self {
        self.waba_id = id.into();
        self
    }
    /// Sets the app id.
    pub fn app_id(mut self, id: impl Into<String>) -> Self {
        self.app_id = id.into();
        self
    }
    /// Sets the app secret used to sign webhooks.
    pub fn app_secret(mut self, s: impl Into<String>) -> Self {
        self.app_secret = s.into();
        self
    }
    /// Sets the listen address.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }
    /// Sets the webhook URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }
    /// Sets the delay before each status webhook step.
    pub fn status_delay(mut self, d: Duration) -> Self {
        self.status_delay = d;
        self
    }
    /// Whether to send `read` after `delivered`.
    pub fn send_read_status(mut self, yes: bool) -> Self {
        self.send_read_status = yes;
        self
    }
    /// Sets how long media download URLs stay valid.
    pub fn media_url_ttl(mut self, d: Duration) -> Self {
        self.media_url_ttl = d;
        self
    }
    /// Sets the fixtures directory.
    pub fn fixtures_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.fixtures_dir = dir.into();
        self
    }
    /// Sets the reported throughput level (`STANDARD`, `HIGH`, `NOT_APPLICABLE`).
    pub fn throughput_level(mut self, level: impl Into<String>) -> Self {
        self.throughput_level = level.into();
        self
    }
    /// Sets the reported quality rating (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`).
    pub fn quality_rating(mut self, rating: impl Into<String>) -> Self {
        self.quality_rating = rating.into();
        self
    }
    /// Marks a recipient (a phone number or a user id) as undeliverable: its messages are
    /// accepted, then fail (131026).
    pub fn undeliverable(mut self, recipient: impl AsRef<str>) -> Self {
        self.undeliverable
            .push(crate::util::recipient_key(recipient.as_ref()));
        self
    }
    /// Treats the template `name` as an authentication template (see
    /// [`SandboxConfig::authentication_templates`]).
    pub fn authentication_template(mut self, name: impl Into<String>) -> Self {
        self.authentication_templates.push(name.into());
        self
    }
    /// Adds a fault rule active from the start.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }
    /// Whether `file_size` is answered as a string.
    pub fn media_file_size_as_string(mut self, yes: bool) -> Self {
        self.media_file_size_as_string = yes;
        self
    }
    /// Sets the webhook delivery attempts per payload (at least 1).
    pub fn webhook_attempts(mut self, n: u32) -> Self {
        self.webhook_attempts = n.max(1);
        self
    }
}
