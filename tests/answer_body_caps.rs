//! What the layers and the client read of an answer's body: a layer buffers at most 64 KiB
//! looking for a Graph error (a longer body is not one, and goes on unread), and the client
//! reads at most 4 MiB of a Graph API answer. Against a loopback server that sends more than
//! it announces, or forever.

mod common;

use std::time::Duration;

use common::{settled, Flood, PHONE_NUMBER_ID};
use wacloud::error::SizeLimit;
use wacloud::layers::retry::RetryPolicy;
use wacloud::{Client, Error};

const KIB: u64 = 1024;
const CODE_190: &str = r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbCdEf"}}"#;

fn client(base_url: &str) -> Client {
    Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A number-state lookup against `flood`, bounded by a deadline (which a reader without a cap
/// runs into).
async fn lookup(flood: Flood) -> (Result<(), Error>, u64) {
    let (base_url, written) = flood.serve().await;
    let result = client(&base_url)
        .number_state()
        .deadline(Duration::from_secs(5))
        .await
        .map(drop);
    (result, settled(&written).await)
}

fn too_large(result: Result<(), Error>) -> Box<wacloud::error::TooLarge> {
    match result {
        Err(Error::TooLarge(too_large)) => too_large,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_error_body_is_cut_off() {
    let (result, written) = lookup(Flood {
        status: 503,
        content_type: "text/html",
        ..Flood::endless()
    })
    .await;
    let err = too_large(result);
    assert_eq!((err.status, err.limit_kind), (503, SizeLimit::Answer));
    assert!(err.read <= 5 * 1024 * KIB, "{err}");
    assert!(
        written < 64 * 1024 * KIB,
        "the server wrote {written} bytes"
    );
}

#[tokio::test]
async fn an_endless_json_success_is_cut_off() {
    let (result, written) = lookup(Flood {
        content_type: "application/json",
        prefix: b"{\"id\":\"".to_vec(),
        ..Flood::endless()
    })
    .await;
    let err = too_large(result);
    assert_eq!((err.status, err.limit_kind), (200, SizeLimit::Answer));
    assert!(
        written < 64 * 1024 * KIB,
        "the server wrote {written} bytes"
    );
}

#[tokio::test]
async fn a_content_length_over_the_cap_is_refused_unread() {
    let (result, _) = lookup(Flood {
        status: 500,
        content_type: "application/json",
        content_length: Some(1024 * 1024 * KIB),
        prefix: CODE_190.as_bytes().to_vec(),
        len: Some(1024 * 1024 * KIB),
    })
    .await;
    let err = too_large(result);
    assert_eq!(err.read, 0, "{err}");
}

/// A Graph error padded past 64 KiB is longer than any Graph error: not an auth failure, not an
/// API error, but an error status whose body is not a Graph error.
#[tokio::test]
async fn a_body_longer_than_any_graph_error_is_not_one() {
    let mut body = CODE_190.as_bytes().to_vec();
    body.resize(100 * KIB as usize, b' ');
    let len = body.len() as u64;
    let (result, _) = lookup(Flood {
        status: 400,
        content_type: "application/json",
        content_length: Some(len),
        prefix: body,
        len: Some(len),
    })
    .await;
    match result {
        Err(Error::Decode(decode)) => {
            assert_eq!(decode.status, 400);
            assert_eq!(decode.body_len as u64, len);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// Under the cap, the same error is read as before.
#[tokio::test]
async fn a_graph_error_under_the_cap_is_still_one() {
    let len = CODE_190.len() as u64;
    let (result, _) = lookup(Flood {
        status: 400,
        content_type: "application/json",
        content_length: Some(len),
        prefix: CODE_190.as_bytes().to_vec(),
        len: Some(len),
    })
    .await;
    match result {
        Err(Error::Auth(auth)) => assert_eq!(auth.api.graph.code, 190),
        other => panic!("expected an auth error, got {other:?}"),
    }
}
