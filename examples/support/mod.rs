//! What the command-line examples share: reading the client's settings from the environment,
//! building the client, and printing a failed call, so every example has the same contract
//! (usage problems exit 2, call failures exit 1 with the Graph code on stderr).
//!
//! Included by each example with `#[path = "support/mod.rs"] mod support;`; cargo does not
//! build a folder without `main.rs` as an example of its own.

// Each example includes this file as its own module and uses only part of it.
#![allow(dead_code)]

use std::process::ExitCode;

/// The `after_help` of the examples that always send: where the settings come from.
pub const ENV_HELP: &str = "Environment: WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID \
                            (required), WHATSAPP_API_BASE_URL (optional, default \
                            https://graph.facebook.com)";

/// A required environment variable; an unset or blank one is a usage problem whose message
/// ends with the example's `usage` line.
fn required_env(name: &str, usage: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(format!("missing environment variable {name}\n{usage}")),
    }
}

/// Builds the client from `WHATSAPP_ACCESS_TOKEN`, `WHATSAPP_PHONE_NUMBER_ID` and the optional
/// `WHATSAPP_API_BASE_URL`; the error is the message to print before exiting with 2.
pub fn client_from_env(usage: &str) -> Result<wacloud::Client, String> {
    client_from_env_with(usage, Ok)
}

/// [`client_from_env`], with `extra` applied to the builder before it builds (shared limits,
/// say); `extra`'s error is printed like a usage problem.
pub fn client_from_env_with(
    usage: &str,
    extra: impl FnOnce(wacloud::ClientBuilder) -> Result<wacloud::ClientBuilder, String>,
) -> Result<wacloud::Client, String> {
    client_for(
        "WHATSAPP_PHONE_NUMBER_ID",
        usage,
        wacloud::ClientBuilder::phone_number_id,
        extra,
    )
}

/// Builds a client that manages a WhatsApp Business Account, from `WHATSAPP_ACCESS_TOKEN`,
/// `WHATSAPP_BUSINESS_ACCOUNT_ID` and the optional `WHATSAPP_API_BASE_URL` (no phone number
/// id needed); the error is the message to print before exiting with 2.
pub fn account_client_from_env(usage: &str) -> Result<wacloud::Client, String> {
    client_for(
        "WHATSAPP_BUSINESS_ACCOUNT_ID",
        usage,
        wacloud::ClientBuilder::business_account_id,
        Ok,
    )
}

/// A client from the token, the id in `id_variable` (set with `set_id`), the optional base
/// URL and `extra`.
fn client_for(
    id_variable: &str,
    usage: &str,
    set_id: fn(wacloud::ClientBuilder, String) -> wacloud::ClientBuilder,
    extra: impl FnOnce(wacloud::ClientBuilder) -> Result<wacloud::ClientBuilder, String>,
) -> Result<wacloud::Client, String> {
    let (token, id) = match (
        required_env("WHATSAPP_ACCESS_TOKEN", usage),
        required_env(id_variable, usage),
    ) {
        (Ok(token), Ok(id)) => (token, id),
        (Err(message), _) | (_, Err(message)) => return Err(message),
    };
    let mut builder = set_id(wacloud::Client::builder().access_token(token), id);
    if let Ok(base_url) = std::env::var("WHATSAPP_API_BASE_URL") {
        if !base_url.trim().is_empty() {
            builder = builder.base_url(base_url);
        }
    }
    extra(builder)
        .map_err(|err| format!("error: {err}\n{usage}"))?
        .build()
        .map_err(|err| format!("error: {err}\n{usage}"))
}

/// Prints a usage problem on stderr and answers exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

/// Prints a call's failure (and its Graph error code, when Meta sent one) on stderr and
/// answers exit code 1.
pub fn report(err: &wacloud::Error) -> ExitCode {
    eprintln!("error: {err}");
    if let Some(code) = err.code() {
        eprintln!("Graph error code: {code}");
    }
    ExitCode::FAILURE
}

/// A send that succeeded without a message id: nothing to print on stdout, so it is a failure
/// (exit code 1).
pub fn missing_message_id() -> ExitCode {
    eprintln!("error: the API answered without a message id");
    ExitCode::FAILURE
}
