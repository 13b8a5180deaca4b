//! Signature and handshake checks on arbitrary input: never a panic, and
//! never a pass unless the header is the body's HMAC.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use wacloud::webhooks::{
    verify_handshake, verify_signature, AppSecret, HandshakeQuery, VerifyToken,
};

fuzz_target!(|data: &[u8]| {
    // Layout: [secret_len, header_len, secret.., header.., body..].
    if data.len() < 2 {
        return;
    }
    let (secret_len, header_len) = (data[0] as usize, data[1] as usize);
    let rest = &data[2..];
    let secret_len = secret_len.min(rest.len());
    let (secret, rest) = rest.split_at(secret_len);
    let header_len = header_len.min(rest.len());
    let (header, body) = rest.split_at(header_len);
    let secret = AppSecret::new(String::from_utf8_lossy(secret).into_owned());

    let expected = secret.sign(body);
    if verify_signature(&secret, Some(header), body).is_ok() {
        let header = std::str::from_utf8(header).expect("a passing header is ASCII");
        assert_eq!(header.trim().to_ascii_lowercase(), expected);
    }
    assert!(verify_signature(&secret, Some(expected.as_bytes()), body).is_ok());
    assert!(verify_signature(&secret, None, body).is_err());

    let token = VerifyToken::new(String::from_utf8_lossy(header).into_owned());
    let query = HandshakeQuery::from_query(&String::from_utf8_lossy(body));
    if let Ok(challenge) = verify_handshake(&token, &query) {
        assert_eq!(query.mode.as_deref(), Some("subscribe"));
        assert_eq!(
            query.verify_token.as_deref(),
            Some(&*String::from_utf8_lossy(header))
        );
        assert_eq!(query.challenge.as_deref(), Some(challenge));
    }
});
