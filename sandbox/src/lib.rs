//! # wacloud-sandbox
//!
//! A local simulator of Meta's WhatsApp Business Cloud API, faults included, for testing
//! [wacloud](https://example.invalid/wacloud) (or any client) over real HTTP on loopback.
//!
//! It serves, under any version prefix (`/v23.0`, `/v26.0`, ...):
//! - `POST /{v}/{phone-number-id}/messages`: sends of every type, to a phone number (`to`) or
//!   a business-scoped user id (`recipient`, answered with `user_id`), mark as read, typing
//!   indicator, validated the way Meta does (codes 100, 131008, 131009; 131062 for an
//!   authentication template to a user id);
//! - `POST /{v}/{phone-number-id}/media` (multipart), `GET /{v}/{media-id}`, the download URL,
//!   `DELETE /{v}/{media-id}`;
//! - `GET /{v}/{phone-number-id}?fields=...` and `GET /{v}/debug_token?input_token=...`;
//! - `POST /{v}/{phone-number-id}/marketing_messages` (templates only, `product_policy`,
//!   `message_activity_sharing`), answered and recorded like a send;
//! - account management: `/{waba-id}/message_templates` (eight seeded templates in every review
//!   state, filters, paging of 3 items a page unless `limit` says otherwise, create, delete) and
//!   `/{template-id}` (get, edit); `/{waba-id}/phone_numbers` (the configured number and
//!   [`SECOND_PHONE_NUMBER_ID`]), `request_code`, `verify_code` (code
//!   [`SANDBOX_VERIFICATION_CODE`]), `register` (PIN, 133005 on a mismatch, 133016 after ten
//!   register/deregister calls), `deregister`, the two-step PIN; `whatsapp_business_profile`
//!   and the resumable upload (`/{app-id}/uploads`, `/upload:...`) for its picture;
//!   `block_users` (users on the `undeliverable` list fail with 139100 next to the others, HTTP
//!   200); `message_qrdls`; `/{waba-id}/subscribed_apps`.
//!
//! It records every request ([`SandboxHandle::requests`]), every accepted message
//! ([`SandboxHandle::accepted_messages`]), posts signed status webhooks (sent, delivered,
//! read; on request a conflicting delivered/failed pair or a failure), and injects faults
//! ([`Fault`], [`FaultRule`]): code-2 outages, throttling, the pair limit, auth failures,
//! latency, dropped connections before or after acting, raw and fixture answers.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//! use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};
//!
//! let sb = Sandbox::start(SandboxConfig::default()).await?;
//! sb.inject(FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(300)));
//! println!("{}/v23.0/{}/messages", sb.base_url(), sb.config().phone_number_id);
//! sb.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod config;
mod error;
mod fault;
mod fields;
mod interactive;
mod media;
mod record;
mod server;
mod template_parts;
mod util;
mod validate;
mod webhook;

pub use account::{SANDBOX_VERIFICATION_CODE, SECOND_PHONE_NUMBER_ID};
pub use config::{SandboxConfig, TokenInfo, TokenKind, SCOPE_MANAGEMENT, SCOPE_MESSAGING};
pub use fault::{Fault, FaultRule};
pub use record::{AcceptedMessage, Duplicates, Outcome, RecordedRequest};
pub use server::{Sandbox, SandboxHandle};
pub use webhook::{sign as sign_webhook, WebhookDelivery};
