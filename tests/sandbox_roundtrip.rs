//! The client against the sandbox over real HTTP on loopback: every message type and variant is
//! accepted by the sandbox's own validator (independent of the SDK's model) and recorded with
//! the exact body Meta documents (`wiremock-fixtures/requests/`); the status calls, the media
//! cycle and the token check work end to end; and failures come back as typed errors.

mod common;

use serde_json::{json, Value};
use wacloud::calls::media::MediaUpload;
use wacloud::calls::status::{QualityRating, ThroughputLevel};
use wacloud::messages::{Document, OutgoingMessage, Template};
use wacloud::Error;
use wacloud_sandbox::{
    Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle, TokenInfo, SCOPE_MANAGEMENT,
};

const PHONE_NUMBER_ID: &str = "100000000000001";
const WAMID: &str = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

async fn sandbox(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).await.expect("the sandbox starts")
}

fn builder(sb: &SandboxHandle, token: &str) -> wacloud::ClientBuilder {
    wacloud::Client::builder()
        .base_url(sb.base_url())
        .access_token(token)
        .phone_number_id(PHONE_NUMBER_ID)
}

/// A client whose sends carry exactly the message (no generated correlation id), so the
/// recorded body can be compared with a fixture.
fn quiet_client(sb: &SandboxHandle) -> wacloud::Client {
    builder(sb, "sandbox-token")
        .correlation_ids(false)
        .build()
        .expect("a valid client")
}

/// The request fixture `wiremock-fixtures/requests/{name}.json`.
fn fixture(name: &str) -> Value {
    common::fixture(&format!("requests/{name}.json"))
}

#[tokio::test]
async fn every_message_type_and_variant_is_accepted_with_its_exact_body() {
    let sb = sandbox(SandboxConfig::default()).await;
    let client = quiet_client(&sb);
    let variants = common::message_cases();
    let mut kinds = std::collections::BTreeSet::new();
    for (index, (name, content, envelope)) in variants.into_iter().enumerate() {
        // A recipient per message, so no pair limit (client or server side) slows the test.
        let to = format!("+1650555{:04}", 200 + index);
        let message = envelope(OutgoingMessage::new(&to, content));
        let sent = client
            .send(message)
            .await
            .unwrap_or_else(|err| panic!("{name}: the sandbox refused it: {err}"));
        let wamid = sent.message_id().expect("a message id").as_str().to_owned();
        assert_eq!(sent.wa_id(), Some(&to[1..]), "{name}");
        let accepted = sb
            .accepted_messages()
            .into_iter()
            .find(|message| message.wamid == wamid)
            .unwrap_or_else(|| panic!("{name}: {wamid} not among the accepted messages"));
        let mut expected = fixture(name);
        expected["to"] = json!(to);
        assert_eq!(accepted.kind, expected["type"], "{name}: kind");
        assert_eq!(accepted.to, to, "{name}: to");
        assert_eq!(accepted.body, expected, "{name}: body");
        assert_eq!(
            accepted.biz_opaque_callback_data.as_deref(),
            expected["biz_opaque_callback_data"].as_str(),
            "{name}: callback data"
        );
        kinds.insert(accepted.kind);
    }
    let all: std::collections::BTreeSet<String> = [
        "audio",
        "contacts",
        "document",
        "image",
        "interactive",
        "location",
        "reaction",
        "sticker",
        "template",
        "text",
        "video",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(kinds, all, "all 11 message types were sent");
    assert_eq!(sb.duplicate_count(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn default_client_writes_a_correlation_id_the_sandbox_records() {
    let sb = sandbox(SandboxConfig::default()).await;
    let client = builder(&sb, "sandbox-token").build().expect("a client");
    let sent = client
        .send_text("+16505550101", "Hello")
        .await
        .expect("the send is accepted");
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        Some(accepted[0].wamid.as_str()),
        sent.message_id().map(|id| id.as_str())
    );
    let correlation = accepted[0]
        .biz_opaque_callback_data
        .as_deref()
        .expect("a correlation id");
    assert!(correlation.starts_with("wacloud-"), "{correlation}");
    assert_eq!(correlation.len(), "wacloud-".len() + 16, "{correlation}");
    sb.shutdown().await;
}

#[tokio::test]
async fn mark_read_and_typing_indicator_send_metas_bodies() {
    let sb = sandbox(SandboxConfig::default()).await;
    let client = quiet_client(&sb);
    client.mark_read(WAMID).await.expect("mark read succeeds");
    client
        .typing_indicator(WAMID)
        .await
        .expect("typing indicator succeeds");
    let bodies: Vec<Value> = sb
        .requests()
        .iter()
        .filter(|request| request.path.ends_with("/messages"))
        .map(|request| request.json().expect("a JSON body"))
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": WAMID}),
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": WAMID,
                   "typing_indicator": {"type": "text"}}),
        ]
    );
    assert_eq!(sb.accepted_count(), 0, "neither is a message");
    sb.shutdown().await;
}

#[tokio::test]
async fn number_state_reports_the_sandbox_number() {
    let sb = sandbox(SandboxConfig::default().throughput_level("HIGH")).await;
    let state = quiet_client(&sb)
        .number_state()
        .await
        .expect("number state");
    assert_eq!(
        state.display_phone_number.as_deref(),
        Some("+1 555 010 0001")
    );
    assert_eq!(state.verified_name.as_deref(), Some("Wacloud Sandbox"));
    assert_eq!(state.quality_rating, QualityRating::Green);
    assert_eq!(
        state.throughput.map(|throughput| throughput.level),
        Some(ThroughputLevel::High)
    );
    assert_eq!(state.messaging_limit.as_deref(), Some("TIER_2K"));
    let request = sb.requests().pop().expect("one request");
    assert_eq!(request.method, "GET");
    assert!(request.path.ends_with(PHONE_NUMBER_ID), "{}", request.path);
    assert!(
        request.query.as_deref().unwrap_or("").contains("fields="),
        "{:?}",
        request.query
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn media_upload_url_download_delete_cycle() {
    let sb = sandbox(SandboxConfig::default()).await;
    let client = quiet_client(&sb);
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("invoice.pdf");
    let bytes: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain(0..=255u8).collect();
    std::fs::write(&path, &bytes).expect("write the file");

    let id = client
        .upload_media(MediaUpload::from_path(&path, "application/pdf"))
        .await
        .expect("the upload is accepted");
    let info = client.media_url(&id).await.expect("the media URL");
    assert_eq!(info.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(info.file_size, Some(bytes.len() as u64));
    assert_eq!(info.id.as_ref(), Some(&id));
    assert!(info.url.starts_with(sb.base_url()), "{}", info.url);

    let download = client.download_media(&id).await.expect("the download");
    assert_eq!(download.bytes.as_ref(), bytes.as_slice());
    assert_eq!(Some(&download.sha256), info.sha256.as_ref());

    // The id can be sent as a document, and the sandbox accepts it.
    let sent = client
        .send(OutgoingMessage::new(
            "+16505550103",
            Document::from_id(id.as_str()).filename("invoice.pdf"),
        ))
        .await
        .expect("a document by uploaded id");
    assert!(sent.message_id().is_some());

    client.delete_media(&id).await.expect("the delete");
    let gone = client
        .media_url(&id)
        .await
        .expect_err("deleted media has no URL");
    assert_eq!(gone.code(), Some(100), "{gone}");
    assert!(matches!(gone, Error::Api(_)), "{gone:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn diagnose_token_reads_debug_token() {
    let sb = sandbox(
        SandboxConfig::default().token(TokenInfo::new("mgmt-only").scopes([SCOPE_MANAGEMENT])),
    )
    .await;
    let good = quiet_client(&sb)
        .diagnose_token()
        .await
        .expect("debug_token answers");
    assert!(good.is_valid);
    assert!(good.is_usable(), "{good}");
    assert!(good.missing_permissions.is_empty());
    assert_eq!(good.app_id.as_deref(), Some("300000000000001"));

    let partial = builder(&sb, "mgmt-only")
        .build()
        .expect("a client")
        .diagnose_token()
        .await
        .expect("debug_token answers");
    assert!(!partial.is_usable(), "{partial}");
    assert_eq!(
        partial.missing_permissions,
        vec!["whatsapp_business_messaging"]
    );
    let request = sb.requests().pop().expect("a request");
    assert!(request.path.ends_with("/debug_token"), "{}", request.path);
    assert_eq!(request.header("authorization"), Some("<redacted>"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_sandbox_validation_error_comes_back_typed() {
    let sb = sandbox(SandboxConfig::default()).await;
    // Without the recipient layer the malformed `to` reaches the sandbox, whose own validator
    // refuses it the way Meta does (131009, parameter value not valid).
    let client = builder(&sb, "sandbox-token")
        .layers(|stack| {
            stack.remove(wacloud::layers::RECIPIENTS);
        })
        .build()
        .expect("a client");
    let err = client
        .send_text("12", "Hello")
        .await
        .expect_err("the sandbox refuses it");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.code(), Some(131009), "{err}");
    assert_eq!(err.http_status(), Some(400));
    assert!(!err.is_local_rejection());
    let graph = err.graph_error().expect("the Graph error");
    assert!(
        graph
            .details()
            .is_some_and(|details| details.contains("to")),
        "{graph:?}"
    );
    assert!(err.to_string().contains("131009"), "{err}");
    assert_eq!(sb.accepted_count(), 0);

    // A Graph error the client cannot foresee (the template does not exist) is typed too.
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 404,
            code: 132001,
            message: "(#132001) Template name does not exist in the translation".into(),
        })
        .sends_only()
        .times(1),
    );
    let err = client
        .send(OutgoingMessage::new(
            "+16505550104",
            Template::new("no_such_template", "en_US"),
        ))
        .await
        .expect_err("the template does not exist");
    assert_eq!(err.code(), Some(132001), "{err}");
    assert_eq!(err.http_status(), Some(404));
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(
        api.entry().map(|entry| entry.title),
        Some("Template does not exist")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error_with_guidance() {
    let sb = sandbox(SandboxConfig::default()).await;
    let client = builder(&sb, "not-the-sandbox-token")
        .build()
        .expect("a client");
    let err = client
        .send_text("+16505550105", "Hello")
        .await
        .expect_err("the token is refused");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.code(), Some(190));
    assert_eq!(err.http_status(), Some(401));
    let text = err.to_string();
    assert!(
        text.contains("developers.facebook.com/tools/debug/accesstoken"),
        "{text}"
    );
    assert!(text.contains("whatsapp_business_messaging"), "{text}");
    assert!(
        !text.contains("not-the-sandbox-token"),
        "the token leaked: {text}"
    );
    assert_eq!(sb.accepted_count(), 0);
    sb.shutdown().await;
}
