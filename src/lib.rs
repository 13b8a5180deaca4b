//! # wacloud
//!
//! A typed, resilient Rust SDK for the WhatsApp Business Cloud API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod webhooks;
