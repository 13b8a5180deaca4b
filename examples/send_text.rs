//! Sends one text message through the client's default stack.
//!
//! ```text
//! cargo run --example send_text -- --to +16505551234 --text "Hello"
//! ```
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` (required),
//! `WHATSAPP_API_BASE_URL` (optional, default `https://graph.facebook.com`).
//! On success the message id is printed on stdout and the exit code is 0; on failure the error
//! (with its Graph code and guidance) goes to stderr and the exit code is 1; a usage problem
//! exits with 2.

use std::process::ExitCode;

use clap::Parser;
use wacloud::messages::{OutgoingMessage, Text};

/// Send a WhatsApp text message.
#[derive(Parser, Debug)]
#[command(
    name = "send_text",
    after_help = "Environment: WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID (required), \
                  WHATSAPP_API_BASE_URL (optional, default https://graph.facebook.com)"
)]
struct Args {
    /// The recipient: + and the country code, e.g. +16505551234.
    #[arg(long)]
    to: String,
    /// The message body (1 to 4096 characters).
    #[arg(long)]
    text: String,
}

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example send_text -- --to <number> --text <body>";

fn required_env(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(format!("missing environment variable {name}\n{USAGE}")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (token, phone_number_id) = match (
        required_env("WHATSAPP_ACCESS_TOKEN"),
        required_env("WHATSAPP_PHONE_NUMBER_ID"),
    ) {
        (Ok(token), Ok(id)) => (token, id),
        (Err(message), _) | (_, Err(message)) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut builder = wacloud::Client::builder()
        .access_token(token)
        .phone_number_id(phone_number_id);
    if let Ok(base_url) = std::env::var("WHATSAPP_API_BASE_URL") {
        if !base_url.trim().is_empty() {
            builder = builder.base_url(base_url);
        }
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let message = OutgoingMessage::new(args.to, Text::new(args.text));
    match client.send(message).await {
        Ok(sent) => match sent.message_id() {
            Some(id) => {
                println!("{id}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: the API answered without a message id");
                ExitCode::FAILURE
            }
        },
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(code) = err.code() {
                eprintln!("Graph error code: {code}");
            }
            ExitCode::FAILURE
        }
    }
}
