//! The sandbox delivers, signed, an inbound message from a user known only by their
//! business-scoped user id and a template status update; the SDK's receiver hands both to the
//! handler typed: the message with its reply-to id, the template event as `Event::Field`. The
//! reply goes back through the client to the sandbox, addressed by `recipient` (never `to`).
#![cfg(feature = "webhook-router")]

use std::time::Duration;

use tokio::sync::mpsc;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::webhooks::router::{Event, WebhookReceiver};
use wacloud::webhooks::{FieldUpdate, MessageContent, QualityEvent, TemplateEvent};
use wacloud_sandbox::{Sandbox, SandboxConfig};

const BSUID: &str = "US.13491208655302741918";
const WAIT: Duration = Duration::from_secs(10);

async fn next(rx: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("an event in time")
        .expect("the receiver is running")
}

#[tokio::test]
async fn bsuid_message_and_template_status_reach_the_handler() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    // The sandbox signs with its app secret; a bad signature would be answered 403 and no
    // event would arrive.
    let receiver = WebhookReceiver::new("sandbox-app-secret", "token").forward_to(tx);
    let server = tokio::spawn(receiver.serve(listener));
    let sb = Sandbox::start(SandboxConfig::default().webhook_url(format!("http://{addr}/webhook")))
        .await
        .unwrap();

    let wamid = sb
        .post_inbound_text_from_user_id(BSUID, Some("sheena.nelson"), "Where is my order?")
        .await
        .unwrap();
    let reply = match next(&mut rx).await {
        event @ Event::Message { .. } => {
            assert_eq!(event.reply_to(), Some(BSUID));
            let Event::Message {
                message, contact, ..
            } = event
            else {
                unreachable!()
            };
            assert_eq!(message.id, wamid.as_str());
            assert_eq!(message.from, None);
            assert_eq!(message.kind, "text");
            assert!(
                matches!(&message.content, MessageContent::Text(t) if t.body == "Where is my order?")
            );
            let profile = contact
                .and_then(|c| c.profile)
                .expect("the sender's profile");
            assert_eq!(profile.username.as_deref(), Some("sheena.nelson"));
            // The reply is addressed with the accessor, whatever form the id has.
            OutgoingMessage::new(message.reply_to().unwrap(), Text::new("On its way"))
        }
        other => panic!("{other:?}"),
    };
    sb.post_template_status("order_update", "en_US", "APPROVED", None)
        .await
        .unwrap();
    match next(&mut rx).await {
        Event::Field {
            field,
            update: FieldUpdate::TemplateStatus(t),
            time,
            waba_id,
            ..
        } => {
            assert_eq!(field, "message_template_status_update");
            assert_eq!(waba_id, sb.config().waba_id);
            assert!(time.is_some());
            assert_eq!(t.event, Some(TemplateEvent::Approved));
            assert_eq!(t.message_template_name.as_deref(), Some("order_update"));
            assert_eq!(t.reason.as_deref(), Some("NONE"));
        }
        other => panic!("{other:?}"),
    }

    sb.post_phone_number_quality("FLAGGED", "TIER_2K")
        .await
        .unwrap();
    match next(&mut rx).await {
        Event::Field {
            update: FieldUpdate::PhoneNumberQuality(q),
            ..
        } => assert_eq!(q.event, Some(QualityEvent::Flagged)),
        other => panic!("{other:?}"),
    }
    // The reply, through the client: its status webhooks come after every event checked above.
    let client = wacloud::Client::builder()
        .access_token(sb.config().access_token.clone())
        .phone_number_id(sb.config().phone_number_id.clone())
        .base_url(sb.base_url())
        .build()
        .unwrap();
    let sent = client.send(reply).await.expect("the reply is accepted");
    assert_eq!(sent.user_id(), Some(BSUID));
    assert_eq!(sent.wa_id(), None);
    assert_eq!(sent.contacts[0].input, BSUID);
    let requests = sb.requests();
    let body = requests
        .iter()
        .rev()
        .find(|request| request.path.ends_with("/messages"))
        .and_then(|request| request.json())
        .expect("the reply was recorded");
    assert_eq!(body["recipient"], BSUID);
    assert!(body.get("to").is_none(), "{body}");
    assert_eq!(body["text"]["body"], "On its way");
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].wamid, sent.message_id().unwrap().as_str());
    // Its statuses name the user id it was sent to.
    match next(&mut rx).await {
        Event::Status { status, .. } => {
            assert_eq!(status.id, sent.message_id().unwrap().as_str());
            assert_eq!(status.recipient(), Some(BSUID));
            assert_eq!(status.recipient_id, None);
        }
        other => panic!("{other:?}"),
    }

    sb.shutdown().await;
    server.abort();
}
