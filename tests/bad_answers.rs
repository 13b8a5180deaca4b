//! Answers that are not what Meta documents: empty, HTML from a proxy, truncated, huge, not
//! UTF-8, the wrong JSON shape. None may panic; each must become a typed error that keeps the
//! HTTP status and the start of the body, and a Graph error must be recognised whatever the
//! status.

use proptest::prelude::*;
use wacloud::error::DecodeError;
use wacloud::error::BODY_PREFIX_LIMIT;
use wacloud::messages::{OutgoingMessage, SendResponse, Text};
use wacloud::DEFAULT_API_VERSION;
use wacloud::{Client, Error, GraphError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
const SUCCESS: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;

async fn answer(
    status: u16,
    body: impl Into<Vec<u8>>,
    content_type: &str,
) -> Result<SendResponse, Error> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/messages"
        )))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.into(), content_type))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token("EAAG-bad-answers-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .correlation_ids(false)
        .layers(|stack| {
            stack.remove(wacloud::layers::RETRY);
            stack.remove(wacloud::layers::RATE_LIMIT);
        })
        .build()
        .unwrap();
    client
        .send(OutgoingMessage::new("+16505551234", Text::new("hi")))
        .await
}

/// The decode error inside, after checking the Display names the status.
fn decode_error(result: Result<SendResponse, Error>, status: u16) -> Box<DecodeError> {
    let err = result.expect_err("a bad answer is an error");
    assert_eq!(err.http_status(), Some(status), "{err:?}");
    let display = err.to_string();
    assert!(display.contains(&format!("HTTP {status}")), "{display}");
    match err {
        Error::Decode(decode) => {
            assert_eq!(decode.status, status);
            assert!(decode.body_prefix.len() <= BODY_PREFIX_LIMIT);
            decode
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn empty_bodies() {
    for status in [200, 500] {
        let decode = decode_error(answer(status, Vec::new(), "application/json").await, status);
        assert_eq!(decode.body_len, 0);
        assert_eq!(decode.body_prefix, "");
        assert!(
            decode.to_string().contains("the body was empty"),
            "{decode}"
        );
    }
}

#[tokio::test]
async fn html_from_a_proxy() {
    let decode = decode_error(
        answer(502, "<html>Bad Gateway</html>", "text/html").await,
        502,
    );
    assert_eq!(decode.body_prefix, "<html>Bad Gateway</html>");
    assert_eq!(decode.content_type.as_deref(), Some("text/html"));
    let display = decode.to_string();
    assert!(display.contains("<html>Bad Gateway</html>"), "{display}");
    assert!(display.contains("text/html"), "{display}");
}

#[tokio::test]
async fn truncated_json() {
    let success = &SUCCESS[..SUCCESS.len() / 2];
    let decode = decode_error(answer(200, success, "application/json").await, 200);
    assert_eq!(decode.body_prefix, success);
    assert!(
        decode.reason.contains("unexpected answer shape"),
        "{decode}"
    );

    let error =
        r#"{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":10"#;
    let decode = decode_error(answer(400, error, "application/json").await, 400);
    assert_eq!(decode.body_prefix, error);
}

#[tokio::test]
async fn a_graph_error_in_a_200_is_still_an_error() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/wiremock-fixtures/errors/131056-pair-rate-limit.json"
    ))
    .unwrap();
    let err = answer(200, body, "application/json").await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.status, 200);
    assert_eq!(api.graph.code, 131056);
}

#[tokio::test]
async fn unknown_fields_are_accepted() {
    let success = r#"{"messaging_product":"whatsapp","new_top_level":{"a":[1,2]},"contacts":[{"input":"+16505551234","wa_id":"16505551234","extra":true}],"messages":[{"id":"wamid.X1","message_status":"accepted","brand_new":"yes"}]}"#;
    let sent = answer(200, success, "application/json").await.unwrap();
    assert_eq!(sent.message_id().unwrap().as_str(), "wamid.X1");
    assert_eq!(sent.wa_id(), Some("16505551234"));

    let error = r#"{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp","details":"Too many.","new_detail":{"x":1}},"error_subcode":2494010,"is_transient":false,"error_user_title":"Slow down","error_user_msg":"Wait a bit","brand_new_field":[1,2,3],"fbtrace_id":"Aabc"}}"#;
    let err = answer(400, error, "application/json").await.unwrap_err();
    let graph = err.graph_error().expect("a Graph error");
    assert_eq!(graph.code, 131056);
    assert_eq!(graph.details(), Some("Too many."));
    assert_eq!(graph.error_user_title.as_deref(), Some("Slow down"));
    assert_eq!(graph.error_user_msg.as_deref(), Some("Wait a bit"));
    assert_eq!(graph.is_transient, Some(false));
}

#[tokio::test]
async fn a_success_without_messages_is_a_decode_error() {
    let body = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}]}"#;
    let decode = decode_error(answer(200, body, "application/json").await, 200);
    assert!(decode.reason.contains("messages"), "{decode}");
    assert_eq!(decode.body_prefix, body);

    let empty = r#"{"messaging_product":"whatsapp","contacts":[],"messages":[]}"#;
    let decode = decode_error(answer(200, empty, "application/json").await, 200);
    assert!(decode.reason.contains("no message id"), "{decode}");
}

#[tokio::test]
async fn a_huge_body_keeps_a_bounded_prefix_on_a_char_boundary() {
    // "a" then two-byte characters: byte 512 falls inside a character.
    let mut junk = String::from("a");
    while junk.len() < 2 * 1024 * 1024 {
        junk.push('é');
    }
    let len = junk.len();
    for status in [200, 500] {
        let decode = decode_error(answer(status, junk.clone(), "text/plain").await, status);
        assert_eq!(decode.body_len, len);
        assert_eq!(decode.body_prefix.len(), BODY_PREFIX_LIMIT - 1);
        assert!(junk.starts_with(&decode.body_prefix));
        assert!(!decode.body_prefix.contains('\u{FFFD}'));
        // The Display stays small too.
        assert!(decode.to_string().len() < 2 * BODY_PREFIX_LIMIT, "{decode}");
    }
}

#[tokio::test]
async fn bytes_that_are_not_utf8() {
    let body: Vec<u8> = vec![0xff, 0xfe, b'{', 0x80, 0xc3, b'"', 0xe9];
    for status in [200, 400] {
        let decode = decode_error(
            answer(status, body.clone(), "application/json").await,
            status,
        );
        assert_eq!(decode.body_len, body.len());
        assert!(decode.body_prefix.contains('\u{FFFD}'), "{decode}");
    }
    // Many invalid bytes: each becomes a three-byte U+FFFD, and the limit still holds.
    let many = vec![0xffu8; 4096];
    let decode = decode_error(answer(500, many, "application/octet-stream").await, 500);
    assert!(!decode.body_prefix.is_empty());
    assert!(decode.body_prefix.len() <= BODY_PREFIX_LIMIT);
    assert_eq!(decode.body_len, 4096);
}

#[tokio::test]
async fn json_of_the_wrong_shape() {
    for (status, body) in [
        (200, "null"),
        (500, "null"),
        (200, "[1,2,3]"),
        (400, r#"[{"error":{"code":2}}]"#),
        (200, r#"{"error":"string"}"#),
        (400, r#"{"error":"string"}"#),
        (400, r#"{"error":null}"#),
        (
            400,
            r#"{"error":{"message":"an error object without a code"}}"#,
        ),
        (200, "42"),
        (200, r#""just a string""#),
    ] {
        let decode = decode_error(answer(status, body, "application/json").await, status);
        assert_eq!(decode.body_prefix, body);
        // The Display quotes the prefix (escaped, so control characters cannot forge lines).
        assert!(
            decode.to_string().contains(&format!("{body:?}")),
            "{decode}"
        );
    }
}

#[tokio::test]
async fn graph_fields_of_unexpected_types_do_not_lose_the_error() {
    // Code and subcode as strings, error_data as a bare string (some Graph endpoints do this),
    // a numeric fbtrace_id and a string is_transient: the code must survive.
    let body = r#"{"error":{"message":"(#131056) pair rate limit hit","type":"OAuthException","code":"131056","error_subcode":"2494010","error_data":"Too many messages to this user.","is_transient":"yes","fbtrace_id":12345}}"#;
    let err = answer(400, body, "application/json").await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.graph.code, 131056);
    assert_eq!(api.graph.subcode, Some(2494010));
    assert_eq!(api.graph.details(), Some("Too many messages to this user."));
    assert_eq!(api.graph.is_transient, None);
    assert_eq!(api.graph.fbtrace_id, None);
}

#[test]
fn from_body_rejects_what_is_not_a_graph_error() {
    for body in [
        &b""[..],
        b"null",
        b"[]",
        b"{}",
        b"\"error\"",
        br#"{"error":[]}"#,
        br#"{"error":{}}"#,
        br#"{"error":{"code":null}}"#,
        br#"{"error":{"code":1.5}}"#,
        br#"{"error":{"code":"abc"}}"#,
        br#"{"data":{"error":{"code":190}}}"#,
        b"<html>\"error\"</html>",
        b"\xff\xfe\"error\"",
    ] {
        assert!(
            GraphError::from_body(body).is_none(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

proptest! {
    #[test]
    fn from_body_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = GraphError::from_body(&bytes);
    }

    #[test]
    fn graph_shaped_junk_never_panics(
        code in any::<i64>(),
        message in ".{0,40}",
        details in proptest::option::of(".{0,40}"),
    ) {
        let mut error = serde_json::json!({"code": code, "message": message});
        if let Some(details) = details {
            error["error_data"] = serde_json::json!({"details": details});
        }
        let body = serde_json::to_vec(&serde_json::json!({"error": error})).unwrap();
        let graph = GraphError::from_body(&body).expect("a coded error parses");
        prop_assert_eq!(graph.code, code);
        prop_assert_eq!(graph.message, message);
    }

    #[test]
    fn decode_prefix_is_bounded_and_a_prefix(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let decode = DecodeError::new(500, None, &bytes, "test");
        prop_assert!(decode.body_prefix.len() <= BODY_PREFIX_LIMIT);
        prop_assert_eq!(decode.body_len, bytes.len());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            prop_assert!(text.starts_with(&decode.body_prefix));
            prop_assert!(decode.body_prefix.len() + 3 >= text.len().min(BODY_PREFIX_LIMIT));
        }
    }
}
