//! # wacloud
//!
//! A typed, resilient Rust SDK for the WhatsApp Business Cloud API (Meta's Graph API).
//!
//! ```no_run
//! use wacloud::messages::{OutgoingMessage, Text};
//!
//! # async fn demo() -> Result<(), wacloud::Error> {
//! let client = wacloud::Client::builder()
//!     .access_token(std::env::var("WHATSAPP_ACCESS_TOKEN").unwrap_or_default())
//!     .phone_number_id("106540352242922")
//!     .build()?;
//! let sent = client
//!     .send(OutgoingMessage::new("+16505551234", Text::new("Hello from wacloud")))
//!     .await?;
//! println!("sent {}", sent.message_id().expect("a send answer has an id"));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calls;
mod client;
pub mod error;
pub mod layers;
pub mod messages;
pub mod models;
pub mod telemetry;
pub mod time;
pub mod webhooks;

pub use client::dispatch;
pub use client::{
    AccessToken, Client, ClientBuilder, Endpoint, GraphApiVersion, DEFAULT_API_VERSION,
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, GRAPH_API_VERSIONS,
};
pub use error::{Error, GraphError, Result};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
