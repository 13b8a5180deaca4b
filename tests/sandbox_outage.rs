//! The client's default stack against the sandbox during a code-2 outage: every send ends
//! accepted exactly once, and the sandbox sees about one request per send plus the probes. The
//! client's clock runs 1,000 times faster than real time, and the sandbox's outage window is
//! compressed by the same factor (300 ms of real time for Meta's 5 minutes).

use std::sync::Arc;
use std::time::Duration;

use wacloud::calls::media::MediaUpload;
use wacloud::layers::recipients::RecipientRules;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

const SCALE: f64 = 1_000.0;

fn recipients(count: usize) -> Vec<String> {
    let rules = RecipientRules::default();
    let numbers: Vec<String> = (0..count)
        .map(|i| format!("+1650555{:04}", 1000 + i))
        .collect();
    for number in &numbers {
        rules.check(number).expect("a valid, unrestricted number");
    }
    numbers
}

#[tokio::test]
async fn a_compressed_five_minute_outage_is_ridden_out_with_one_request_per_send_plus_probes() {
    let sends = 10;
    let to = recipients(sends);
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let config = sandbox.config();
    let client = wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .clock(Arc::new(ScaledClock::new(SCALE)))
        .build()
        .unwrap();
    // The outage starts before the first send: the first answer closes the gate.
    sandbox.inject(
        FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(300).div_f64(SCALE)),
    );
    let first = client
        .send(OutgoingMessage::new(to[0].clone(), Text::new("first")))
        .deadline(Duration::from_secs(400));
    let first = tokio::spawn(std::future::IntoFuture::into_future(first));
    // Let the first answer close the gate, then start the others: they wait at it.
    while sandbox.request_count() == 0 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let others: Vec<_> = to[1..]
        .iter()
        .map(|number| {
            let request = client.send(OutgoingMessage::new(number.clone(), Text::new("later")));
            tokio::spawn(std::future::IntoFuture::into_future(request))
        })
        .collect();
    first
        .await
        .unwrap()
        .expect("the first send is accepted after the outage");
    for task in others {
        task.await
            .unwrap()
            .expect("every send is accepted after the outage");
    }

    let requests = sandbox.request_count();
    println!("{sends} sends through a compressed 5-minute outage: {requests} requests");
    assert_eq!(sandbox.accepted_count(), sends);
    assert_eq!(sandbox.duplicate_count(), 0);
    // Probes on the default schedule over 300 s: 1, 2, 4, then every 5 s (+ up to 20 % jitter):
    // about 55 (fewer when real latency, scaled 1000x, eats into the window), one stream for
    // the whole client, not one per send.
    let probes = requests - sends;
    assert!(probes >= 20, "{requests} requests: the outage was not met");
    assert!(probes <= 75, "{requests} requests");
}

#[tokio::test]
async fn a_media_upload_is_retried_through_an_outage_by_rebuilding_its_body() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let config = sandbox.config();
    let client = wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .clock(Arc::new(ScaledClock::new(SCALE)))
        .build()
        .unwrap();
    sandbox.inject(FaultRule::new(Fault::Outage).for_path("/media").times(2));
    let id = client
        .upload_media(MediaUpload::from_bytes(
            b"%PDF-1.4 menu".to_vec(),
            "application/pdf",
            "menu.pdf",
        ))
        .await
        .expect("the upload goes through on its third attempt");
    assert!(!id.0.is_empty());
    let uploads: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with("/media"))
        .collect();
    assert_eq!(uploads.len(), 3, "two outage answers, then the upload");
    // The multipart body is sent whole on every attempt.
    assert!(uploads
        .iter()
        .all(|request| request.body == uploads[2].body));
}
