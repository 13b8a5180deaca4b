//! Signature (`X-Hub-Signature-256`) and GET handshake verification.

use wacloud::webhooks::{
    verify_handshake, verify_signature, AppSecret, HandshakeError, HandshakeQuery, SignatureError,
    VerifyToken,
};

const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
// Computed independently:
// python3 -c 'import hmac,hashlib;print(hmac.new(b"my-app-secret",
//   b"{\"object\":\"whatsapp_business_account\",\"entry\":[]}",hashlib.sha256).hexdigest())'
const BODY_SIG: &str = "sha256=6181ffb07e99b650e7cd9a132e3f66127ec8827e9bab6e8df0feba5a07ea4c64";
// The RFC 4231-style well-known vector: HMAC-SHA256("key", "The quick brown fox...").
const FOX_SIG: &str = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

fn secret() -> AppSecret {
    AppSecret::new("my-app-secret")
}

#[test]
fn known_vectors_pass() {
    assert_eq!(
        verify_signature(&secret(), Some(BODY_SIG.as_bytes()), BODY),
        Ok(())
    );
    assert_eq!(
        verify_signature(
            &AppSecret::new("key"),
            Some(FOX_SIG.as_bytes()),
            b"The quick brown fox jumps over the lazy dog"
        ),
        Ok(())
    );
    assert_eq!(
        verify_signature(
            &AppSecret::new(""),
            Some(b"sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
            b""
        ),
        Ok(())
    );
}

#[test]
fn sign_matches_the_independent_vector() {
    assert_eq!(secret().sign(BODY), BODY_SIG);
}

#[test]
fn uppercase_hex_and_surrounding_whitespace_pass() {
    let upper = format!("sha256={}", BODY_SIG[7..].to_ascii_uppercase());
    assert_eq!(
        verify_signature(&secret(), Some(upper.as_bytes()), BODY),
        Ok(())
    );
    let upper_prefix = BODY_SIG.replace("sha256=", "SHA256=");
    assert_eq!(
        verify_signature(&secret(), Some(upper_prefix.as_bytes()), BODY),
        Ok(())
    );
    let spaced = format!("  {BODY_SIG} ");
    assert_eq!(
        verify_signature(&secret(), Some(spaced.as_bytes()), BODY),
        Ok(())
    );
}

#[test]
fn tampered_body_is_a_mismatch() {
    let mut tampered = BODY.to_vec();
    tampered[5] ^= 1;
    assert_eq!(
        verify_signature(&secret(), Some(BODY_SIG.as_bytes()), &tampered),
        Err(SignatureError::Mismatch)
    );
    let mut longer = BODY.to_vec();
    longer.push(b' ');
    assert_eq!(
        verify_signature(&secret(), Some(BODY_SIG.as_bytes()), &longer),
        Err(SignatureError::Mismatch)
    );
    // Same JSON re-serialized differently is a different body: raw bytes count.
    let reformatted = br#"{"object": "whatsapp_business_account", "entry": []}"#;
    assert_eq!(
        verify_signature(&secret(), Some(BODY_SIG.as_bytes()), reformatted),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn wrong_secret_is_a_mismatch() {
    for wrong in ["my-app-secreT", "", "my-app-secret ", "other"] {
        assert_eq!(
            verify_signature(&AppSecret::new(wrong), Some(BODY_SIG.as_bytes()), BODY),
            Err(SignatureError::Mismatch),
            "{wrong:?}"
        );
    }
}

#[test]
fn tampered_signature_is_a_mismatch() {
    let mut sig = BODY_SIG.as_bytes().to_vec();
    let last = sig.len() - 1;
    sig[last] = if sig[last] == b'4' { b'5' } else { b'4' };
    assert_eq!(
        verify_signature(&secret(), Some(&sig), BODY),
        Err(SignatureError::Mismatch)
    );
    let zeros = format!("sha256={}", "0".repeat(64));
    assert_eq!(
        verify_signature(&secret(), Some(zeros.as_bytes()), BODY),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn missing_header_is_rejected() {
    assert_eq!(
        verify_signature(&secret(), None, BODY),
        Err(SignatureError::Missing)
    );
    assert_eq!(
        verify_signature(&secret(), None, b""),
        Err(SignatureError::Missing)
    );
}

#[test]
fn malformed_headers_are_rejected() {
    let hex = &BODY_SIG[7..];
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"sha256=".to_vec(),
        hex.as_bytes().to_vec(),                        // no prefix
        format!("sha1={hex}").into_bytes(),             // wrong algorithm
        format!("sha256:{hex}").into_bytes(),           // wrong separator
        format!("sha256={}", &hex[..63]).into_bytes(),  // too short
        format!("sha256={hex}0").into_bytes(),          // too long
        format!("sha256={}g", &hex[..63]).into_bytes(), // not hex
        format!("sha256= {}", &hex[..63]).into_bytes(), // inner space
        format!("sha256={hex},sha256={hex}").into_bytes(),
        b"sha256=\xff\xfe".to_vec(),
        "sha256=ü".repeat(10).into_bytes(),
    ];
    for case in cases {
        assert_eq!(
            verify_signature(&secret(), Some(&case), BODY),
            Err(SignatureError::Malformed),
            "{}",
            String::from_utf8_lossy(&case)
        );
    }
}

#[test]
fn secrets_are_redacted() {
    let s = AppSecret::new("super-secret-value");
    let t = VerifyToken::new("verify-token-value");
    for shown in [
        format!("{s:?}"),
        format!("{s}"),
        format!("{s:#?}"),
        format!("{t:?}"),
        format!("{t}"),
        format!("{t:#?}"),
    ] {
        assert!(!shown.contains("super-secret-value"), "{shown}");
        assert!(!shown.contains("verify-token-value"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    let q = HandshakeQuery::from_query(
        "hub.mode=subscribe&hub.verify_token=verify-token-value&hub.challenge=1",
    );
    let shown = format!("{q:?}");
    assert!(!shown.contains("verify-token-value"), "{shown}");
}

#[test]
fn handshake_answers_the_challenge() {
    let token = VerifyToken::new("meatyhamhock");
    let q = HandshakeQuery::from_query(
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
    );
    assert_eq!(verify_handshake(&token, &q), Ok("1158201444"));
    // Percent-encoded values are decoded.
    let token = VerifyToken::new("a b&c=d");
    let q = HandshakeQuery::from_query(
        "hub.verify_token=a+b%26c%3Dd&hub.mode=subscribe&hub.challenge=x%2Fy&other=1",
    );
    assert_eq!(verify_handshake(&token, &q), Ok("x/y"));
}

#[test]
fn handshake_rejections() {
    let token = VerifyToken::new("meatyhamhock");
    let check = |query: &str| {
        verify_handshake(&token, &HandshakeQuery::from_query(query)).map(str::to_owned)
    };
    assert_eq!(
        check("hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong"),
        Err(HandshakeError::TokenMismatch)
    );
    assert_eq!(
        check("hub.mode=subscribe&hub.challenge=1&hub.verify_token="),
        Err(HandshakeError::TokenMismatch)
    );
    assert_eq!(
        check("hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhockX"),
        Err(HandshakeError::TokenMismatch)
    );
    assert_eq!(
        check("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatyhamhock"),
        Err(HandshakeError::WrongMode)
    );
    assert_eq!(
        check("hub.challenge=1&hub.verify_token=meatyhamhock"),
        Err(HandshakeError::MissingParameter("hub.mode"))
    );
    assert_eq!(
        check("hub.mode=subscribe&hub.challenge=1"),
        Err(HandshakeError::MissingParameter("hub.verify_token"))
    );
    assert_eq!(
        check("hub.mode=subscribe&hub.verify_token=meatyhamhock"),
        Err(HandshakeError::MissingParameter("hub.challenge"))
    );
    assert_eq!(check(""), Err(HandshakeError::MissingParameter("hub.mode")));
    // The first occurrence of a repeated parameter counts.
    assert_eq!(
        check("hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong&hub.verify_token=meatyhamhock"),
        Err(HandshakeError::TokenMismatch)
    );
}

#[test]
fn verify_token_matches_in_constant_time_api() {
    let t = VerifyToken::new("abc");
    assert!(t.matches("abc"));
    assert!(!t.matches("abd"));
    assert!(!t.matches("ab"));
    assert!(!t.matches(""));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Arbitrary header bytes never pass unless they are the HMAC.
        #[test]
        fn arbitrary_headers_never_pass(
            secret in ".{0,40}",
            header in prop::collection::vec(any::<u8>(), 0..100),
            body in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            let secret = AppSecret::new(secret);
            let expected = secret.sign(&body);
            if verify_signature(&secret, Some(&header), &body).is_ok() {
                let shown = String::from_utf8_lossy(&header).trim().to_ascii_lowercase();
                prop_assert_eq!(shown, expected.clone());
            }
            prop_assert!(verify_signature(&secret, Some(expected.as_bytes()), &body).is_ok());
            prop_assert_eq!(verify_signature(&secret, None, &body), Err(SignatureError::Missing));
        }

        /// Flipping any bit of a valid signature or body is a rejection.
        #[test]
        fn any_bit_flip_is_rejected(
            body in prop::collection::vec(any::<u8>(), 1..200),
            bit in any::<prop::sample::Index>(),
            in_header in any::<bool>(),
        ) {
            let secret = AppSecret::new("k");
            let sig = secret.sign(&body);
            if in_header {
                let mut h = sig.into_bytes();
                let i = 7 + bit.index(64);
                h[i] ^= 1;
                prop_assert!(verify_signature(&secret, Some(&h), &body).is_err());
            } else {
                let mut b = body.clone();
                let i = bit.index(b.len() * 8);
                b[i / 8] ^= 1 << (i % 8);
                prop_assert_eq!(verify_signature(&secret, Some(sig.as_bytes()), &b), Err(SignatureError::Mismatch));
            }
        }
    }
}
