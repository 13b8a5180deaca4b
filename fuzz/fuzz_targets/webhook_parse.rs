//! Any bytes through the webhook parser, the owned conversion and the
//! status tracker: errors are fine, panics are not.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use wacloud::webhooks::{parse, HandshakeQuery, StatusTracker};

fuzz_target!(|data: &[u8]| {
    if let Ok(n) = parse(data) {
        let mut tracker = StatusTracker::new(64, std::time::Duration::from_secs(60));
        for (_, status) in n.statuses() {
            let r = tracker.observe(status);
            assert_eq!(r.message_id, status.id);
            assert!(r.state >= r.previous.unwrap_or(r.state));
        }
        for (_, message) in n.messages() {
            let _ = message.reply_to();
            let _ = message.clone().into_owned();
        }
        let events = wacloud::webhooks::collect_events(n.clone(), &mut tracker);
        assert!(events.len() >= n.statuses().count());
        let owned = n.into_owned();
        assert_eq!(owned.object, "whatsapp_business_account");
    }
    let _ = HandshakeQuery::from_query(&String::from_utf8_lossy(data));
});
