//! Media downloads under abuse: a body longer than announced (or endless) is cut off at the
//! cap with a typed error, memory bounded by the cap; a downloaded file is never read as a Graph
//! API error, whatever it contains; and the download can stream into a writer.

mod common;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use wacloud::DEFAULT_API_VERSION;

use common::{client, settled, Flood, PHONE_NUMBER_ID};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wacloud::calls::media::MediaInfo;
use wacloud::error::SizeLimit;
use wacloud::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEDIA_ID: &str = "1037543291543636";
const KIB: u64 = 1024;

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Meta's answer to `GET /{media-id}`, pointing at `url`.
fn lookup_body(url: &str, file_size: Option<u64>, sha256: Option<&str>) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "url": url,
        "mime_type": "application/octet-stream",
        "id": MEDIA_ID,
    });
    if let Some(size) = file_size {
        body["file_size"] = json!(size);
    }
    if let Some(hash) = sha256 {
        body["sha256"] = json!(hash);
    }
    body
}

async fn mount_lookup(server: &MockServer, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

/// A flood server of `len` bytes (`None`: endless) announcing `content_length`; its file URL.
async fn flood_server(content_length: Option<u64>, len: Option<u64>) -> (String, Arc<AtomicU64>) {
    let (base_url, written) = Flood {
        content_length,
        len,
        ..Flood::endless()
    }
    .serve()
    .await;
    (format!("{base_url}/file"), written)
}

fn info(url: &str, file_size: Option<u64>) -> MediaInfo {
    serde_json::from_value(lookup_body(url, file_size, None)).unwrap()
}

/// A client for the flood server (any loopback base URL will do: the lookup is skipped).
fn flood_client(url: &str) -> Client {
    Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(url.trim_end_matches("/file"))
        .build()
        .unwrap()
}

fn too_large(result: Result<impl std::fmt::Debug, Error>) -> Box<wacloud::error::TooLarge> {
    match result {
        Err(Error::TooLarge(too_large)) => too_large,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_body_announced_as_one_kib_stops_at_one_kib() {
    let (url, written) = flood_server(None, None).await;
    let client = flood_client(&url);
    let err = too_large(client.download_media_url(&info(&url, Some(KIB))).await);
    assert_eq!(err.limit, KIB);
    assert_eq!(err.limit_kind, SizeLimit::Announced);
    // Reading stopped with the first chunk past the limit: memory held the cap plus one chunk.
    assert!(err.read > KIB, "{err}");
    assert!(err.read <= KIB + 1024 * KIB, "{err}");
    let written = settled(&written).await;
    println!(
        "endless body announced as 1 KiB: read {} bytes, server wrote {written}",
        err.read
    );
    assert!(
        written < 64 * 1024 * KIB,
        "the server wrote {written} bytes"
    );
}

#[tokio::test]
async fn a_one_gib_content_length_over_the_announced_size_is_refused_unread() {
    let (url, written) = flood_server(Some(1024 * 1024 * KIB), Some(1024 * 1024 * KIB)).await;
    let client = flood_client(&url);
    let err = too_large(client.download_media_url(&info(&url, Some(KIB))).await);
    assert_eq!(err.read, 0, "{err}");
    assert_eq!(err.content_length, Some(1024 * 1024 * KIB));
    assert!(settled(&written).await < 64 * 1024 * KIB);
}

#[tokio::test]
async fn without_an_announced_size_the_client_and_call_caps_apply() {
    let (url, _) = flood_server(None, None).await;
    let client = Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(url.trim_end_matches("/file"))
        .max_download_bytes(256 * KIB)
        .build()
        .unwrap();
    let err = too_large(client.download_media_url(&info(&url, None)).await);
    assert_eq!((err.limit, err.limit_kind), (256 * KIB, SizeLimit::Client));
    assert!(err.read <= 256 * KIB + 1024 * KIB, "{err}");
    let err = too_large(
        client
            .download_media_url(&info(&url, None))
            .max_bytes(10_000)
            .await,
    );
    assert_eq!((err.limit, err.limit_kind), (10_000, SizeLimit::Call));
    // The call cap cannot raise the client's, nor either of them Meta's 100 MB.
    let err = too_large(
        client
            .download_media_url(&info(&url, None))
            .max_bytes(u64::MAX)
            .await,
    );
    assert_eq!((err.limit, err.limit_kind), (256 * KIB, SizeLimit::Client));
}

#[tokio::test]
async fn exactly_the_announced_size_passes_and_one_byte_more_fails() {
    let (url, _) = flood_server(Some(5 * KIB), Some(5 * KIB)).await;
    let client = flood_client(&url);
    let download = client
        .download_media_url(&info(&url, Some(5 * KIB)))
        .await
        .expect("exactly the announced size");
    assert_eq!(download.bytes.len() as u64, 5 * KIB);
    assert_eq!(download.sha256, hex_sha256(&download.bytes));
    let err = too_large(
        client
            .download_media_url(&info(&url, Some(5 * KIB - 1)))
            .await,
    );
    assert_eq!(err.limit, 5 * KIB - 1);
}

#[tokio::test]
async fn a_download_streams_into_a_writer_with_its_hash() {
    let server = MockServer::start().await;
    let file: Vec<u8> = (0..300_000u32).map(|n| (n % 251) as u8).collect();
    let url = format!("{}/lookaside/doc", server.uri());
    mount_lookup(
        &server,
        lookup_body(&url, Some(file.len() as u64), Some(&hex_sha256(&file))),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/doc"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(file.clone(), "application/pdf"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("doc.pdf");
    let mut out = tokio::fs::File::create(&target).await.unwrap();
    let saved = client(&server)
        .download_media(MEDIA_ID)
        .write_to(&mut out)
        .await
        .expect("saved");
    drop(out);
    assert_eq!(saved.len, file.len() as u64);
    assert_eq!(saved.sha256, hex_sha256(&file));
    assert_eq!(saved.mime_type.as_deref(), Some("application/octet-stream"));
    assert_eq!(tokio::fs::read(&target).await.unwrap(), file);
}

#[tokio::test]
async fn a_writer_never_receives_more_than_the_cap() {
    let (url, _) = flood_server(None, None).await;
    let client = flood_client(&url);
    let mut out = Vec::new();
    let err = too_large(
        client
            .download_media_url(&info(&url, Some(100 * KIB)))
            .write_to(&mut out)
            .await,
    );
    assert_eq!(err.limit, 100 * KIB);
    assert!(out.len() as u64 <= 100 * KIB, "{} bytes written", out.len());
}

/// What an expired-token Graph error looks like; here it is the content of a file.
const CODE_190: &str = r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbCdEf"}}"#;
const CODE_2: &str = r#"{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true,"fbtrace_id":"AbCdEf"}}"#;

/// Serves `content` as the downloaded file with `content_type`; answers the download.
async fn download_of(content: &str, content_type: &str) -> (Result<Vec<u8>, Error>, usize) {
    let server = MockServer::start().await;
    let url = format!("{}/lookaside/file", server.uri());
    mount_lookup(
        &server,
        lookup_body(
            &url,
            Some(content.len() as u64),
            Some(&hex_sha256(content.as_bytes())),
        ),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/file"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(content.to_owned(), content_type))
        .mount(&server)
        .await;
    // The deadline bounds a wrong retry of the "outage" in the file.
    let result = client(&server)
        .download_media(MEDIA_ID)
        .deadline(Duration::from_secs(3))
        .await
        .map(|download| download.bytes.to_vec());
    let requests = server.received_requests().await.unwrap_or_default();
    let downloads = requests
        .iter()
        .filter(|request| request.url.path() == "/lookaside/file")
        .count();
    (result, downloads)
}

#[tokio::test]
async fn a_text_file_that_looks_like_a_graph_error_is_a_file() {
    let (result, downloads) = download_of(CODE_190, "text/plain").await;
    assert_eq!(result.expect("the file").as_slice(), CODE_190.as_bytes());
    assert_eq!(downloads, 1);
}

#[tokio::test]
async fn a_json_file_with_an_auth_code_is_not_an_auth_failure() {
    let (result, downloads) = download_of(CODE_190, "application/json").await;
    assert_eq!(result.expect("the file").as_slice(), CODE_190.as_bytes());
    assert_eq!(downloads, 1);
}

#[tokio::test]
async fn a_json_file_with_code_2_is_not_an_outage() {
    let (result, downloads) = download_of(CODE_2, "application/json").await;
    assert_eq!(result.expect("the file").as_slice(), CODE_2.as_bytes());
    assert_eq!(downloads, 1, "the download was retried as an outage");
}

#[tokio::test]
async fn an_error_status_from_the_media_host_is_still_a_graph_error() {
    let server = MockServer::start().await;
    let url = format!("{}/lookaside/file", server.uri());
    mount_lookup(&server, lookup_body(&url, None, None)).await;
    Mock::given(method("GET"))
        .and(path("/lookaside/file"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            r#"{"error":{"message":"(#131052) Media download error","type":"OAuthException","code":131052,"fbtrace_id":"x"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = client(&server).download_media(MEDIA_ID).await.unwrap_err();
    assert_eq!(err.code(), Some(131_052), "{err:?}");
}
