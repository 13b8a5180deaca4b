//! The access token is redacted wherever a value holding it can be printed: `AccessToken`,
//! `ClientBuilder`, `Client` and the auth layer, in `Debug`, pretty `Debug` and `Display`.

use wacloud::layers::auth::{AuthGuidance, AuthLayer};
use wacloud::{AccessToken, Client};

const TOKEN: &str = "EAAGredactionTESTtoken0987654321";

fn assert_redacted(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
    assert!(
        !text.contains("EAAG"),
        "{what} shows part of the token: {text}"
    );
}

#[test]
fn access_token_is_redacted() {
    let token = AccessToken::new(TOKEN);
    assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    assert_eq!(token.to_string(), "[redacted]");
    assert_redacted("AccessToken pretty Debug", &format!("{token:#?}"));
    // The value is still there for the one place that needs it.
    assert_eq!(token.expose(), TOKEN);
    assert_eq!(AccessToken::from(TOKEN.to_owned()), token);
}

#[test]
fn client_builder_is_redacted() {
    let builder = Client::builder()
        .access_token(TOKEN)
        .phone_number_id("106540352242922");
    let debug = format!("{builder:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert!(debug.contains("106540352242922"), "{debug}");
    assert_redacted("ClientBuilder Debug", &debug);
    assert_redacted("ClientBuilder pretty Debug", &format!("{builder:#?}"));
}

#[test]
fn client_and_auth_layer_are_redacted() {
    let client = Client::builder()
        .access_token(TOKEN)
        .phone_number_id("106540352242922")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert_redacted("Client Debug", &debug);
    assert_redacted("Client pretty Debug", &format!("{client:#?}"));
    assert_redacted("cloned Client Debug", &format!("{:?}", client.clone()));

    let layer = AuthLayer::new(
        AuthGuidance::with_diagnosis(true),
        reqwest::Client::new(),
        client.endpoint().clone(),
        AccessToken::new(TOKEN),
    );
    let debug = format!("{layer:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert_redacted("AuthLayer Debug", &debug);
}
