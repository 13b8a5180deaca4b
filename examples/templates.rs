//! Lists, creates and deletes the message templates of a WhatsApp Business Account.
//!
//! ```text
//! cargo run --example templates -- list
//! cargo run --example templates -- create --file template.json
//! cargo run --example templates -- delete --name order_update
//! ```
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_BUSINESS_ACCOUNT_ID` (required),
//! `WHATSAPP_API_BASE_URL` (optional, default `https://graph.facebook.com`).
//!
//! - `list` follows every page of `GET /{version}/{waba-id}/message_templates` and prints one
//!   line per template: `TEMPLATE <name> <language> <status> <category>`.
//! - `create --file FILE` posts the JSON template definition in FILE (Meta's shape, checked
//!   against Meta's limits first) and prints `CREATED <id> <status> <category>`.
//! - `delete --name NAME` deletes every language of the template (`DELETE
//!   /{version}/{waba-id}/message_templates?name=NAME`) and prints `DELETED <name>`.
//!
//! Exit codes: 0 on success; 1 when the call fails (the error, its Graph code and what to do
//! on stderr); 2 on a usage problem (bad arguments, missing environment, unreadable FILE).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use futures_util::TryStreamExt;
use wacloud::models::templates::NewTemplate;

#[path = "support/mod.rs"]
mod support;

const ENV_HELP: &str = "Environment: WHATSAPP_ACCESS_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID \
                        (required), WHATSAPP_API_BASE_URL (optional, default \
                        https://graph.facebook.com)";

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_BUSINESS_ACCOUNT_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example templates -- \
(list | create --file <FILE> | delete --name <NAME>)";

/// Manage a WhatsApp Business Account's message templates.
#[derive(Parser, Debug)]
#[command(name = "templates", after_help = ENV_HELP)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print every template: TEMPLATE <name> <language> <status> <category>.
    List,
    /// Create the template defined (in Meta's JSON shape) in FILE.
    Create {
        /// The JSON template definition.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Delete the template called NAME (every language).
    Delete {
        /// The template's name.
        #[arg(long, value_name = "NAME")]
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match support::account_client_from_env(USAGE) {
        Ok(client) => client,
        Err(message) => return support::usage_error(message),
    };
    let account = client.business_account();
    if account.id().is_empty() || !account.id().bytes().all(|b| b.is_ascii_digit()) {
        return support::usage_error(format!(
            "WHATSAPP_BUSINESS_ACCOUNT_ID must be the account's numeric id\n{USAGE}"
        ));
    }
    let templates = account.templates();
    match args.command {
        Command::List => {
            let mut stream = templates.list().stream();
            loop {
                match stream.try_next().await {
                    Ok(Some(template)) => println!(
                        "TEMPLATE {} {} {} {}",
                        template.name, template.language, template.status, template.category
                    ),
                    Ok(None) => return ExitCode::SUCCESS,
                    Err(err) => return support::report(&err),
                }
            }
        }
        Command::Create { file } => {
            let definition = match read_definition(&file) {
                Ok(definition) => definition,
                Err(message) => return support::usage_error(format!("{message}\n{USAGE}")),
            };
            match templates.create(definition).await {
                Ok(created) => {
                    println!(
                        "CREATED {} {} {}",
                        created.id, created.status, created.category
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => support::report(&err),
            }
        }
        Command::Delete { name } => match templates.delete_by_name(&name).await {
            Ok(()) => {
                println!("DELETED {name}");
                ExitCode::SUCCESS
            }
            Err(err) => support::report(&err),
        },
    }
}

/// Reads FILE as a JSON template definition; the error is a usage problem.
fn read_definition(file: &PathBuf) -> Result<NewTemplate, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not JSON: {err}", file.display()))?;
    NewTemplate::from_json(value).map_err(|err| format!("{}: {err}", file.display()))
}
