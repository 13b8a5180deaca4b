//! Sends one text message through the client's default stack.
//!
//! ```text
//! cargo run --example send_text -- --to +16505551234 --text "Hello"
//! cargo run --example send_text -- --to US.13491208655302741918 --text "Hello"
//! ```
//! `--to` takes a phone number or a business-scoped user id (BSUID); a malformed id, or one
//! the recipient rules refuse (e.g. `IR.…`, a sanctioned country), is an error and no request.
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` (required),
//! `WHATSAPP_API_BASE_URL` (optional, default `https://graph.facebook.com`).
//! On success the message id is printed on stdout and the exit code is 0; on failure the error
//! (with its Graph code and guidance) goes to stderr and the exit code is 1; a usage problem
//! exits with 2.

use std::process::ExitCode;

use clap::Parser;
use wacloud::messages::{OutgoingMessage, Text};

#[path = "support/mod.rs"]
mod support;

/// Send a WhatsApp text message.
#[derive(Parser, Debug)]
#[command(name = "send_text", after_help = support::ENV_HELP)]
struct Args {
    /// The recipient: a phone number (+ and the country code, e.g. +16505551234), or a
    /// business-scoped user id for a user who shows a username instead of their number
    /// (US.13491208655302741918; a parent id: US.ENT.11815799212886844830).
    #[arg(long)]
    to: String,
    /// The message body (1 to 4096 characters).
    #[arg(long)]
    text: String,
}

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example send_text -- --to <number or user id> --text <body>";

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match support::client_from_env(USAGE) {
        Ok(client) => client,
        Err(message) => return support::usage_error(message),
    };
    let message = OutgoingMessage::new(args.to, Text::new(args.text));
    match client.send(message).await {
        Ok(sent) => match sent.message_id() {
            Some(id) => {
                println!("{id}");
                ExitCode::SUCCESS
            }
            None => support::missing_message_id(),
        },
        Err(err) => support::report(&err),
    }
}
