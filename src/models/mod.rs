//! What the management endpoints take and answer: template definitions and their checks, the
//! business profile, phone numbers, blocked users, QR codes, webhook subscriptions and the
//! access token's diagnosis.
//!
//! The outbound message model (what a send carries) lives in [`messages`](crate::messages);
//! the calls that use these models live in [`calls`](crate::calls). Like the message model,
//! nothing here knows about transport or layers.

pub mod blocked_users;
pub mod phone_numbers;
pub mod profile;
pub mod qr_codes;
pub mod subscriptions;
pub mod templates;
pub mod token;
