//! Helpers shared by the integration tests. Only add functions here; never rename.
#![allow(dead_code)]

use std::path::PathBuf;

/// The token every test client uses.
pub const TEST_TOKEN: &str = "test-token";
/// The phone number id every test client uses.
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// The path of a file under `wiremock-fixtures/`.
pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("wiremock-fixtures")
        .join(relative)
}

/// A fixture parsed as JSON, e.g. `fixture("responses/success.json")`.
pub fn fixture(relative: &str) -> serde_json::Value {
    let path = fixture_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("bad JSON in {relative}: {err}"))
}

/// A client pointed at a mock server, with the test token and phone number id.
pub fn client(server: &wiremock::MockServer) -> wacloud::Client {
    wacloud::Client::builder()
        .access_token(TEST_TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .build()
        .expect("a valid test client")
}

/// A client pointed at a mock server with correlation ids off, so a send's body is exactly the
/// message (no generated `biz_opaque_callback_data`) and can be matched against a fixture.
pub fn quiet_client(server: &wiremock::MockServer) -> wacloud::Client {
    wacloud::Client::builder()
        .access_token(TEST_TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .correlation_ids(false)
        .build()
        .expect("a valid test client")
}

/// The path of the send endpoint a test client posts to: `/v24.0/{phone-number-id}/messages`.
pub fn messages_path() -> String {
    format!(
        "/{}/{PHONE_NUMBER_ID}/messages",
        wacloud::DEFAULT_API_VERSION
    )
}
