//! Media upload, lookup, download and delete against a mock Graph API.

mod common;

use std::io::Write;
use wacloud::DEFAULT_API_VERSION;

use common::{client, fixture, PHONE_NUMBER_ID, TEST_TOKEN};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wacloud::calls::media::{MediaInfo, MediaUpload};
use wacloud::Error;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const MEDIA_ID: &str = "1037543291543636";

fn bearer() -> String {
    format!("Bearer {TEST_TOKEN}")
}

/// One parsed multipart part: its headers (lowercased names) and its body.
#[derive(Debug)]
struct Part {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Part {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// A deliberately independent multipart/form-data parser (RFC 7578), strict about CRLFs.
fn parse_multipart(request: &Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .expect("a content type")
        .to_str()
        .unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let body = &request.body[..];
    let opening = format!("--{boundary}\r\n");
    assert!(
        body.starts_with(opening.as_bytes()),
        "body must open with the boundary"
    );
    let delimiter = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    let mut at = opening.len();
    loop {
        let header_end = find(body, b"\r\n\r\n", at).expect("end of part headers");
        let headers = std::str::from_utf8(&body[at..header_end])
            .unwrap()
            .split("\r\n")
            .map(|line| {
                let (name, value) = line.split_once(": ").expect("a header line");
                (name.to_ascii_lowercase(), value.to_owned())
            })
            .collect();
        let content_start = header_end + 4;
        let content_end = find(body, delimiter.as_bytes(), content_start).expect("a delimiter");
        parts.push(Part {
            headers,
            body: body[content_start..content_end].to_vec(),
        });
        let after = content_end + delimiter.len();
        if body[after..].starts_with(b"--\r\n") {
            assert_eq!(after + 4, body.len(), "nothing after the closing delimiter");
            return parts;
        }
        assert!(body[after..].starts_with(b"\r\n"));
        at = after + 2;
    }
}

fn assert_upload_parts(request: &Request, mime: &str, filename: &str, file: &[u8]) {
    let parts = parse_multipart(request);
    assert_eq!(parts.len(), 3, "{parts:?}");
    let by_name = |name: &str| {
        parts
            .iter()
            .find(|part| {
                part.header("content-disposition")
                    .is_some_and(|value| value.contains(&format!("name=\"{name}\"")))
            })
            .unwrap_or_else(|| panic!("no {name} part"))
    };
    let product = by_name("messaging_product");
    assert_eq!(
        product.header("content-disposition"),
        Some("form-data; name=\"messaging_product\"")
    );
    assert_eq!(product.body, b"whatsapp");
    let kind = by_name("type");
    assert_eq!(kind.body, mime.as_bytes());
    let file_part = by_name("file");
    assert_eq!(
        file_part.header("content-disposition"),
        Some(format!("form-data; name=\"file\"; filename=\"{filename}\"").as_str())
    );
    assert_eq!(file_part.header("content-type"), Some(mime));
    assert_eq!(file_part.body, file, "the file bytes arrive unchanged");
}

fn upload_mock() -> Mock {
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/media"
        )))
        .and(header("authorization", bearer().as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("responses/media-upload.json")),
        )
}

#[tokio::test]
async fn upload_from_bytes_sends_three_parts() {
    let server = MockServer::start().await;
    upload_mock().expect(1).mount(&server).await;
    // Bytes that look like multipart syntax must survive untouched.
    let file = b"\x89PNG\r\n\x1a\n--wacloud-\r\n\r\n\x00\xff tail".to_vec();

    let id = client(&server)
        .upload_media(MediaUpload::from_bytes(
            file.clone(),
            "image/png",
            "photo.png",
        ))
        .await
        .expect("uploaded");
    assert_eq!(id.as_str(), MEDIA_ID);

    let received = server.received_requests().await.unwrap();
    assert_upload_parts(&received[0], "image/png", "photo.png", &file);
}

#[tokio::test]
async fn upload_from_a_file_reads_it_and_sends_its_name() {
    let server = MockServer::start().await;
    upload_mock().expect(1).mount(&server).await;
    let mut file = tempfile::Builder::new()
        .prefix("invoice-")
        .suffix(".pdf")
        .tempfile()
        .unwrap();
    let content = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    file.write_all(content).unwrap();
    file.flush().unwrap();
    let name = file
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();

    let id = client(&server)
        .upload_media(MediaUpload::from_path(file.path(), "application/pdf"))
        .await
        .expect("uploaded");
    assert_eq!(id.as_str(), MEDIA_ID);

    let received = server.received_requests().await.unwrap();
    assert_upload_parts(&received[0], "application/pdf", &name, content);
}

#[tokio::test]
async fn a_missing_file_is_an_io_error_and_sends_nothing() {
    let server = MockServer::start().await;
    upload_mock().expect(0).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();

    let err = client(&server)
        .upload_media(MediaUpload::from_path(
            dir.path().join("missing.jpg"),
            "image/jpeg",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
}

#[tokio::test]
async fn validation_failures_send_no_request() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);

    let gif = MediaUpload::from_bytes(&b"GIF89a"[..], "image/gif", "a.gif");
    let big_image = MediaUpload::from_bytes(vec![1u8; 5 * 1024 * 1024 + 1], "image/jpeg", "a.jpg");
    let empty = MediaUpload::from_bytes(Vec::new(), "audio/ogg", "a.ogg");
    let static_sticker = MediaUpload::from_bytes(vec![0u8; 101 * 1024], "image/webp", "s.webp");
    // An oversized file is refused from its metadata, before it is read.
    let sparse = tempfile::NamedTempFile::new().unwrap();
    sparse.as_file().set_len(17 * 1024 * 1024).unwrap();
    let big_video = MediaUpload::from_path(sparse.path(), "video/mp4");

    for (upload, field) in [
        (gif, "type"),
        (big_image, "file"),
        (empty, "file"),
        (static_sticker, "file"),
        (big_video, "file"),
    ] {
        let err = client.upload_media(upload).await.unwrap_err();
        let Error::Validation(validation) = err else {
            panic!("expected a validation error, got {err:?}");
        };
        assert_eq!(validation.field, field, "{validation}");
    }
    assert!(client.media_url("").await.unwrap_err().is_local_rejection());
    assert!(client
        .delete_media(" ")
        .await
        .unwrap_err()
        .is_local_rejection());
    assert!(client
        .download_media("")
        .await
        .unwrap_err()
        .is_local_rejection());
}

#[tokio::test]
async fn an_upload_answer_without_id_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/media"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;

    let err = client(&server)
        .upload_media(MediaUpload::from_bytes(&b"hi"[..], "text/plain", "a.txt"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

/// The media-url fixture with its URL on the mock server and a chosen hash.
fn media_info_body(server: &MockServer, url_path: &str, sha256: Option<&str>) -> Value {
    let mut body = fixture("responses/media-url.json");
    body["url"] = json!(format!(
        "{}{url_path}?mid={MEDIA_ID}&ext=1732504800&hash=ATuY",
        server.uri()
    ));
    match sha256 {
        Some(hash) => body["sha256"] = json!(hash),
        None => {
            body.as_object_mut().unwrap().remove("sha256");
        }
    }
    body
}

fn lookup_mock(body: Value) -> Mock {
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PHONE_NUMBER_ID))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn media_url_looks_up_with_the_phone_number_id() {
    let server = MockServer::start().await;
    lookup_mock(fixture("responses/media-url.json"))
        .expect(1)
        .mount(&server)
        .await;

    let info = client(&server).media_url(MEDIA_ID).await.expect("lookup");
    assert!(info.url.starts_with("https://lookaside.fbsbx.com/"));
    assert_eq!(info.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(info.file_size, Some(303_833));
    assert_eq!(info.id.as_ref().map(|id| id.as_str()), Some(MEDIA_ID));
    assert_eq!(info.messaging_product.as_deref(), Some("whatsapp"));
    assert_eq!(info.sha256.as_ref().map(String::len), Some(64));
}

#[tokio::test]
async fn download_fetches_the_url_with_the_token_and_checks_the_hash() {
    let server = MockServer::start().await;
    let file = b"\xff\xd8\xff\xe0 jpeg bytes".to_vec();
    lookup_mock(media_info_body(
        &server,
        "/lookaside/a",
        Some(&hex_sha256(&file).to_uppercase()),
    ))
    .expect(1)
    .mount(&server)
    .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/a"))
        .and(query_param("mid", MEDIA_ID))
        .and(header("authorization", bearer().as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(file.clone(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let download = client(&server)
        .download_media(MEDIA_ID)
        .await
        .expect("download");
    assert_eq!(download.bytes, file);
    assert_eq!(download.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(download.sha256, hex_sha256(&file));
}

#[tokio::test]
async fn an_expired_url_is_refreshed_exactly_once() {
    let server = MockServer::start().await;
    let file = b"OggS fresh audio".to_vec();
    let hash = hex_sha256(&file);
    // The first lookup hands out a URL that has expired; the second a fresh one.
    lookup_mock(media_info_body(&server, "/lookaside/old", Some(&hash)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    lookup_mock(media_info_body(&server, "/lookaside/new", Some(&hash)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/old"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/new"))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(file.clone(), "audio/ogg"))
        .expect(1)
        .mount(&server)
        .await;

    let download = client(&server)
        .download_media(MEDIA_ID)
        .await
        .expect("download");
    assert_eq!(download.bytes, file);
}

#[tokio::test]
async fn a_url_that_stays_refused_fails_after_one_refresh() {
    let server = MockServer::start().await;
    lookup_mock(media_info_body(&server, "/lookaside/gone", None))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/gone"))
        .respond_with(ResponseTemplate::new(403))
        .expect(2)
        .mount(&server)
        .await;

    let err = client(&server).download_media(MEDIA_ID).await.unwrap_err();
    assert_eq!(err.http_status(), Some(403));
}

#[tokio::test]
async fn download_from_a_lookup_without_id_does_not_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/lookaside/stale"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut body = media_info_body(&server, "/lookaside/stale", None);
    body.as_object_mut().unwrap().remove("id");
    let info: MediaInfo = serde_json::from_value(body).unwrap();

    let err = client(&server).download_media_url(&info).await.unwrap_err();
    assert_eq!(err.http_status(), Some(404));
}

#[tokio::test]
async fn a_hash_mismatch_is_a_decode_error() {
    let server = MockServer::start().await;
    lookup_mock(media_info_body(
        &server,
        "/lookaside/b",
        Some(&hex_sha256(b"expected")),
    ))
    .mount(&server)
    .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/b"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(&b"tampered"[..], "image/jpeg"))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server).download_media(MEDIA_ID).await.unwrap_err();
    let Error::Decode(decode) = err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(decode.reason.contains("sha256 mismatch"), "{decode}");
    assert_eq!(decode.status, 200);
}

#[tokio::test]
async fn delete_media_sends_delete_and_reads_success() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PHONE_NUMBER_ID))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/success.json")))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .delete_media(MEDIA_ID)
        .await
        .expect("deleted");
}

/// A layer that records, for each request it sees, its operation and whether a retry layer
/// could clone it.
#[derive(Clone, Default)]
struct CloneProbe {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(wacloud::layers::facts::Operation, bool)>>>,
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for CloneProbe {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let operation = wacloud::layers::facts::RequestFacts::of(extensions)
            .expect("the client records facts")
            .operation;
        self.seen
            .lock()
            .unwrap()
            .push((operation, req.try_clone().is_some()));
        next.run(req, extensions).await
    }
}

#[tokio::test]
async fn the_upload_request_in_the_layers_can_be_cloned_for_a_retry() {
    let server = MockServer::start().await;
    upload_mock().expect(1).mount(&server).await;
    let probe = CloneProbe::default();
    let layer_probe = probe.clone();
    let client = wacloud::Client::builder()
        .access_token(TEST_TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .layers(move |stack| {
            stack.push(wacloud::layers::Layer::new("clone-probe", layer_probe));
        })
        .build()
        .unwrap();

    client
        .upload_media(MediaUpload::from_bytes(
            vec![7u8; 4096],
            "video/mp4",
            "clip.mp4",
        ))
        .await
        .expect("uploaded");

    let seen = probe.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![(wacloud::layers::facts::Operation::UploadMedia, true)]
    );
}

#[tokio::test]
async fn a_download_deadline_covers_the_whole_download() {
    let server = MockServer::start().await;
    lookup_mock(media_info_body(&server, "/lookaside/slow", None))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(&b"late"[..], "image/png")
                .set_delay(std::time::Duration::from_millis(800)),
        )
        .mount(&server)
        .await;

    // Built first: a client build loads the phone number metadata, which is not the download.
    let client = client(&server);
    let started = std::time::Instant::now();
    let err = client
        .download_media(MEDIA_ID)
        .deadline(std::time::Duration::from_millis(150))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded(_)), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_millis(700));
}
