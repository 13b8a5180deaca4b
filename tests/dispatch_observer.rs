//! The dispatch observer fires at the innermost point of the layer stack: once per attempt
//! that may reach the API, never for a send the layers refuse before sending, and after the
//! attempt with how it ended. A stored body sent with `send_prepared` goes out unchanged.

use std::sync::{Arc, Mutex};

use wacloud::dispatch::{AttemptEnd, DispatchObserver, DispatchRefused, ObserverFuture};
use wacloud::messages::{OutgoingMessage, PreparedMessage, Text};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

#[derive(Default)]
struct Log(Mutex<Vec<String>>, bool);

impl DispatchObserver for Log {
    fn dispatching(&self) -> ObserverFuture<'_, Result<(), DispatchRefused>> {
        Box::pin(async move {
            self.0.lock().unwrap().push("dispatching".into());
            if self.1 {
                return Err(DispatchRefused {
                    reason: "the ledger is down".into(),
                });
            }
            Ok(())
        })
    }

    fn attempt_ended(&self, end: AttemptEnd) -> ObserverFuture<'_, ()> {
        Box::pin(async move {
            self.0.lock().unwrap().push(format!("{end:?}"));
        })
    }
}

fn client(sandbox: &SandboxHandle) -> wacloud::Client {
    let config = sandbox.config();
    wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_observer_sees_each_attempt_that_may_reach_the_api_and_its_end() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = client(&sandbox);
    let log = Arc::new(Log::default());
    client
        .send_text("+16505551234", "hi")
        .on_dispatch(log.clone())
        .await
        .unwrap();
    assert_eq!(*log.0.lock().unwrap(), ["dispatching", "Answered(200)"]);

    // A transient error then a success: two attempts, each seen.
    sandbox.inject(
        FaultRule::new(Fault::Graph {
            status: 500,
            code: 131000,
            message: "(#131000) Something went wrong".into(),
        })
        .times(1),
    );
    let log = Arc::new(Log::default());
    client
        .send_text("+16505551235", "hi")
        .on_dispatch(log.clone())
        .await
        .unwrap();
    assert_eq!(
        *log.0.lock().unwrap(),
        [
            "dispatching",
            "Answered(500)",
            "dispatching",
            "Answered(200)"
        ]
    );
}

#[tokio::test]
async fn a_send_refused_by_the_layers_or_the_observer_sends_nothing() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = client(&sandbox);
    let log = Arc::new(Log::default());
    // Not a phone number: the recipient layer refuses it before anything is written.
    let refused = client.send_text("+1", "hi").on_dispatch(log.clone()).await;
    assert!(refused.is_err());
    assert!(log.0.lock().unwrap().is_empty());

    let refusing = Arc::new(Log(Mutex::new(Vec::new()), true));
    let err = client
        .send_text("+16505551234", "hi")
        .on_dispatch(refusing.clone())
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("the ledger is down"), "{err}");
    assert_eq!(*refusing.0.lock().unwrap(), ["dispatching"]);
    assert_eq!(sandbox.request_count(), 0);
}

#[tokio::test]
async fn a_prepared_body_is_sent_as_stored_with_its_callback_data() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = client(&sandbox);
    let stored = OutgoingMessage::new("+16505551234", Text::new("Shipped"))
        .prepare()
        .unwrap()
        .body()
        .to_vec();
    let message = PreparedMessage::from_json(&stored)
        .unwrap()
        .with_callback_data("row-7")
        .unwrap();
    let sent = client.send_prepared(message).await.unwrap();
    let accepted = sandbox.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        Some(accepted[0].wamid.as_str()),
        sent.message_id().map(|id| id.as_str())
    );
    assert_eq!(
        accepted[0].biz_opaque_callback_data.as_deref(),
        Some("row-7")
    );
    assert_eq!(accepted[0].body["text"]["body"], "Shipped");
    assert!(PreparedMessage::from_json(b"{\"to\":\"+1650\",\"type\":\"fax\"}").is_err());
}
