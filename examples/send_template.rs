//! Sends one approved template message through the client's default stack.
//!
//! ```text
//! cargo run --example send_template -- --to +16505551234
//! cargo run --example send_template -- --to +16505551234 --template order_update \
//!     --language en_GB --body-param Pablo --body-param 8c3d
//! ```
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` (required),
//! `WHATSAPP_API_BASE_URL` (optional, default `https://graph.facebook.com`).
//!
//! With `--marketing` the template goes through Meta's Marketing Messages API
//! (`POST /{phone-number-id}/marketing_messages`) instead of `/messages`; the output is the same.
//!
//! Without `--template` it sends Meta's sample `hello_world` template in `en_US`, which every
//! WhatsApp Business Account has and which takes no parameters: the harmless default. Templates
//! are the only messages a business may start a conversation with (outside the 24-hour window
//! after a user's last message), which is why this example exists next to `send_text`.
//!
//! On success the message id is printed on stdout (and, for paced templates, a second line
//! `message_status <status>`), exit code 0; on failure the error (with its Graph code and
//! guidance) goes to stderr and the exit code is 1; a usage problem exits with 2.

use std::process::ExitCode;

use clap::Parser;
use wacloud::messages::{MessageStatus, OutgoingMessage, Parameter, Template};

#[path = "support/mod.rs"]
mod support;

/// Send a WhatsApp template message.
#[derive(Parser, Debug)]
#[command(name = "send_template", after_help = support::ENV_HELP)]
struct Args {
    /// The recipient: + and the country code, e.g. +16505551234.
    #[arg(long)]
    to: String,
    /// The approved template's name.
    #[arg(long, default_value = "hello_world")]
    template: String,
    /// The template's language code, exactly as approved (e.g. en_US, pt_BR).
    #[arg(long, default_value = "en_US")]
    language: String,
    /// A text parameter of the template body, in order ({{1}}, {{2}}, ...); repeat as needed.
    #[arg(long = "body-param", value_name = "TEXT")]
    body_params: Vec<String>,
    /// Send through the Marketing Messages API (`/marketing_messages`) instead of `/messages`.
    #[arg(long)]
    marketing: bool,
}

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example send_template -- --to <number> \
[--template hello_world] [--language en_US] [--body-param <text>]... [--marketing]";

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match support::client_from_env(USAGE) {
        Ok(client) => client,
        Err(message) => return support::usage_error(message),
    };
    let mut template = Template::new(args.template, args.language);
    if !args.body_params.is_empty() {
        template = template.body(args.body_params.into_iter().map(Parameter::text));
    }
    let message = OutgoingMessage::new(args.to, template);
    let sent = if args.marketing {
        client.send_marketing(message).await
    } else {
        client.send(message).await
    };
    match sent {
        Ok(sent) => match sent.message_id() {
            Some(id) => {
                println!("{id}");
                match sent.message_status() {
                    Some(MessageStatus::Accepted) => println!("message_status accepted"),
                    Some(MessageStatus::HeldForQualityAssessment) => {
                        println!("message_status held_for_quality_assessment")
                    }
                    Some(_) => println!("message_status other"),
                    None => {}
                }
                ExitCode::SUCCESS
            }
            None => support::missing_message_id(),
        },
        Err(err) => support::report(&err),
    }
}
