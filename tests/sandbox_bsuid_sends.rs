//! Sending to business-scoped user ids through the client's whole stack, against the sandbox:
//! a BSUID or parent BSUID goes in `recipient` (never `to`) and the answer's `user_id` is
//! kept; a phone number is sent exactly as before; a malformed id or one from a sanctioned
//! country is refused with no request; an authentication template to a BSUID comes back as
//! error 131062 with the catalogue's advice; the default pair limit stays within the sandbox's
//! model of Meta's pair limit.

use wacloud::error::RejectReason;
use wacloud::messages::{OutgoingMessage, Parameter, Template, Text, UserRef};
use wacloud::{Client, Error};
use wacloud_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

const BSUID: &str = "US.13491208655302741918";
const PARENT: &str = "US.ENT.11815799212886844830";

async fn sandbox(config: SandboxConfig) -> (SandboxHandle, Client) {
    let sb = Sandbox::start(config).await.expect("the sandbox starts");
    let client = Client::builder()
        .access_token(sb.config().access_token.clone())
        .phone_number_id(sb.config().phone_number_id.clone())
        .base_url(sb.base_url())
        .build()
        .expect("a client");
    (sb, client)
}

fn last_body(sb: &SandboxHandle) -> serde_json::Value {
    sb.requests()
        .last()
        .and_then(|request| request.json())
        .expect("a recorded JSON body")
}

#[tokio::test]
async fn bsuids_go_in_recipient_and_phone_numbers_in_to() {
    let (sb, client) = sandbox(SandboxConfig::default()).await;
    for id in [BSUID, PARENT] {
        let sent = client.send_text(id, "hello").await.expect("accepted");
        assert_eq!(sent.user_id(), Some(id));
        assert_eq!(sent.wa_id(), None);
        let body = last_body(&sb);
        assert_eq!(body["recipient"], id);
        assert!(body.get("to").is_none(), "{body}");
    }
    // A parsed reference works as well as a string.
    let user: UserRef = BSUID.parse().unwrap();
    client
        .send(OutgoingMessage::new(user, Text::new("again")))
        .await
        .expect("accepted");
    assert_eq!(last_body(&sb)["recipient"], BSUID);

    let sent = client.send_text("+1 650 555 1234", "hello").await.unwrap();
    assert_eq!(sent.wa_id(), Some("16505551234"));
    assert_eq!(sent.user_id(), None);
    let body = last_body(&sb);
    assert_eq!(body["to"], "+1 650 555 1234");
    assert!(body.get("recipient").is_none(), "{body}");
    assert_eq!(sb.accepted_count(), 4);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_or_restricted_user_ids_make_no_request() {
    let (sb, client) = sandbox(SandboxConfig::default()).await;
    let too_long = format!("US.{}", "9".repeat(129));
    for malformed in ["US.", "us.abc", "1X.abc", "US.12_34", too_long.as_str()] {
        match client.send_text(malformed, "hello").await {
            Err(Error::Validation(error)) => assert_eq!(error.field, "recipient", "{malformed}"),
            other => panic!("{malformed}: {other:?}"),
        }
    }
    for (id, rule) in [
        ("IR.1502576394655843", "sanctions.iran"),
        ("CU.99", "sanctions.cuba"),
        ("KP.ENT.7", "sanctions.north-korea"),
        ("SY.abc", "sanctions.syria"),
    ] {
        match client.send_text(id, "hello").await {
            Err(Error::RecipientRejected(rejected)) => {
                assert_eq!(rejected.recipient, id);
                assert!(
                    matches!(&rejected.reason, RejectReason::Rule { rule: r, range, .. }
                        if r == rule && range == &format!("{}.", &id[..2])),
                    "{id}: {:?}",
                    rejected.reason
                );
                assert!(rejected.to_string().contains(rule));
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    // The regional rules cannot apply to a user id: a Ukrainian one goes.
    client
        .send_text("UA.12345", "hello")
        .await
        .expect("UA is not refused");
    assert_eq!(sb.request_count(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_authentication_template_to_a_bsuid_is_131062_with_advice() {
    let (sb, client) =
        sandbox(SandboxConfig::default().authentication_template("login_code")).await;
    let code = || {
        Template::new("login_code", "en_US")
            .body([Parameter::text("482913")])
            .url_button(0, "482913")
    };
    let error = client
        .send(OutgoingMessage::new(BSUID, code()))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(131062));
    let text = error.to_string();
    assert!(text.contains("phone number"), "{text}");
    assert!(text.contains("authentication"), "{text}");
    // To the user's phone number it goes.
    client
        .send(OutgoingMessage::new("+16505551234", code()))
        .await
        .expect("accepted");
    sb.shutdown().await;
}

/// The client's default pair limit against the sandbox's model of Meta's (`Fault::PairBurst`,
/// 6 s and 45): a bot's four messages in a row go at once, and 46 messages to one user never
/// draw a 131056, because the client waits out the borrowed time itself. Both run on tokio's
/// paused clock, so the 270 s of waiting take no real time.
#[tokio::test(start_paused = true)]
async fn the_default_pair_limit_never_trips_metas_pair_model() {
    use std::time::Duration;
    use tokio::time::Instant;
    use wacloud::layers::retry::RetryPolicy;
    use wacloud_sandbox::{Fault, FaultRule};

    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts");
    sb.inject(FaultRule::new(Fault::PairBurst {
        interval: Duration::from_secs(6),
        burst: 45,
    }));
    let client = Client::builder()
        .access_token(sb.config().access_token.clone())
        .phone_number_id(sb.config().phone_number_id.clone())
        .base_url(sb.base_url())
        // A 131056 would otherwise be retried, and hidden.
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let started = Instant::now();
    for n in 0..4 {
        client
            .send_text(BSUID, format!("part {n}"))
            .await
            .expect("a bot's four messages in a row are accepted");
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    for n in 4..46 {
        client
            .send_text(BSUID, format!("message {n}"))
            .await
            .unwrap_or_else(|err| panic!("message {n}: {err}"));
    }
    // The 46th waited for the burst's 45 x 6 s.
    assert!(started.elapsed() >= Duration::from_secs(270));
    assert_eq!(sb.accepted_count(), 46);
    assert_eq!(sb.request_count(), 46);
    sb.shutdown().await;
}
