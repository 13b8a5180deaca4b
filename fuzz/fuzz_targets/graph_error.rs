//! Any bytes as a Graph answer: the error parse (`GraphError::from_body`) and everything the
//! client derives from it (catalogue entry, retry class, details, Debug), the decode error
//! the client builds for an unusable answer, and the typed send answer. Errors are fine,
//! panics are not.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use wacloud::error::{DecodeError, BODY_PREFIX_LIMIT};
use wacloud::messages::SendResponse;
use wacloud::GraphError;

fuzz_target!(|data: &[u8]| {
    // Layout: [status_hi, status_lo, body..]; the status only reaches the decode error.
    let (status, body) = match data {
        [hi, lo, body @ ..] => (u16::from_be_bytes([*hi, *lo]), body),
        _ => (200, data),
    };

    if let Some(graph) = GraphError::from_body(body) {
        let _ = graph.retry_class();
        let _ = graph.details();
        if let Some(entry) = graph.entry() {
            assert!(entry.code <= graph.code && graph.code <= entry.code_end);
        }
        let _ = format!("{graph:?}");
    } else if let Ok(sent) = serde_json::from_slice::<SendResponse>(body) {
        let _ = sent.message_id();
        let _ = format!("{sent:?}");
    }

    let decode = DecodeError::new(status, Some("application/json".into()), body, "fuzz");
    assert!(decode.body_prefix.len() <= BODY_PREFIX_LIMIT);
    assert_eq!(decode.body_len, body.len());
    let _ = decode.to_string();
});
