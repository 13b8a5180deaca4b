//! The error catalogue, table-driven: every entry is complete and consistent, every code of the
//! reference page is catalogued, and every fixture in `wiremock-fixtures/errors/` parses and,
//! served with its documented HTTP status, comes back from a real client call as the right
//! typed error with the catalogue's guidance in its Display.

use std::collections::BTreeSet;
use std::path::PathBuf;
use wacloud::DEFAULT_API_VERSION;

use serde::Deserialize;
use wacloud::error::catalogue::{is_auth_code, lookup, Category, RetryClass, CATALOGUE};
use wacloud::error::ACCESS_TOKEN_DEBUGGER;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::{Client, Error, GraphError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
const TOKEN: &str = "EAAG-catalogue-test-token";

/// Every code listed in /work/shared/reference/error-codes.md (the tables and the "seen
/// elsewhere" paragraph), 200-299 as its two ends.
const REFERENCE_CODES: &[i64] = &[
    0, 3, 10, 190, 200, 299, // authorization
    368, 130497, 131031, // integrity
    4, 80007, 130429, 131048, 131056, 133016, // throttling
    1, 2, 33, 100, 130472, 131000, 131005, 131008, 131009, 131016, 131021, 131026, 131037, 131042,
    131045, 131047, 131049, 131050, 131051, 131052, 131053, 131057, 132000, 132001, 132005, 132007,
    132012, 132015, 132016, 132018, 132068, 132069, 133000, 133004, 133005, 133006, 133008, 133009,
    133010, 133015, 134011, 135000, // other
    131030, 131062, 131063, 131064, 132008, 137000, // seen elsewhere
    131055, 134100, 134101, 134102, 1752041, // Marketing Messages API
];

/// The codes /work/shared/reference/api-2026.md adds (131062 aside, catalogued with BSUIDs), ranges
/// as their two ends: groups, calling, block users and the 2025-26 messaging codes.
const CODES_2026: &[i64] = &[
    131049, 131050, 130497, 131057, 131063, 131064, 137000, 139100, // messaging, block users
    131020, 131041, 131059, 131201, 131208, 131215, // groups
    138000, 138018, // calling
];

#[derive(Debug, Deserialize)]
struct Index {
    errors: Vec<IndexEntry>,
}

#[derive(Debug, Deserialize)]
struct IndexEntry {
    code: i64,
    subcode: Option<i64>,
    file: String,
    http_status: u16,
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/errors")
}

fn index() -> Index {
    let bytes = std::fs::read(fixtures_dir().join("index.json")).expect("index.json exists");
    serde_json::from_slice(&bytes).expect("index.json parses")
}

fn read_fixture(file: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

#[test]
fn every_entry_is_complete() {
    assert!(CATALOGUE.len() >= 60, "only {} entries", CATALOGUE.len());
    for entry in CATALOGUE {
        assert!(
            !entry.title.trim().is_empty(),
            "{}: empty title",
            entry.code
        );
        assert!(
            entry.guidance.trim().len() > 10,
            "{}: guidance too short",
            entry.code
        );
        assert!(
            entry.code <= entry.code_end,
            "{}: inverted range",
            entry.code
        );
        // 131201 is Meta's one partial success: a group request where some participant
        // operations failed comes back as 206 Partial Content with the error body.
        let partial = entry.code == 131201 && entry.http_status == 206;
        assert!(
            (400..=599).contains(&entry.http_status) || partial,
            "{}: HTTP {} is not an error status",
            entry.code,
            entry.http_status
        );
        // Every category and retry class is one the layers know how to act on.
        assert!(matches!(
            entry.category,
            Category::Authorization
                | Category::Integrity
                | Category::Throttling
                | Category::Template
                | Category::Registration
                | Category::Media
                | Category::Other
        ));
        match entry.retry {
            RetryClass::Later(Some(wait)) => assert!(!wait.is_zero(), "{}", entry.code),
            RetryClass::Outage
            | RetryClass::Transient
            | RetryClass::Throttled
            | RetryClass::Pair
            | RetryClass::Later(None)
            | RetryClass::Never => {}
            other => panic!("{}: unexpected retry class {other:?}", entry.code),
        }
    }
}

#[test]
fn entries_are_sorted_without_overlap() {
    for pair in CATALOGUE.windows(2) {
        assert!(
            pair[0].code_end < pair[1].code,
            "{}..={} overlaps or is out of order with {}",
            pair[0].code,
            pair[0].code_end,
            pair[1].code
        );
    }
}

#[test]
fn lookup_finds_every_entry_and_its_range_ends() {
    for entry in CATALOGUE {
        assert_eq!(lookup(entry.code), Some(entry), "lookup({})", entry.code);
        assert_eq!(
            lookup(entry.code_end),
            Some(entry),
            "lookup({})",
            entry.code_end
        );
        // Just outside the entry is another entry or nothing, never this one.
        assert_ne!(lookup(entry.code - 1), Some(entry));
        assert_ne!(lookup(entry.code_end + 1), Some(entry));
    }
    for unknown in [-1, 5, 99, 300, 999_999, 131_099, i64::MAX, i64::MIN] {
        assert!(lookup(unknown).is_none(), "{unknown} should be unknown");
    }
}

#[test]
fn the_auth_range_is_authorization_throughout() {
    for code in 200..=299 {
        let entry = lookup(code).unwrap_or_else(|| panic!("{code} not catalogued"));
        assert_eq!(entry.category, Category::Authorization, "{code}");
        assert_eq!(entry.retry, RetryClass::Never, "{code}");
        assert_eq!(entry.title, "API Permission");
        assert!(is_auth_code(code));
    }
    let auth: BTreeSet<i64> = CATALOGUE
        .iter()
        .filter(|entry| entry.category == Category::Authorization)
        .map(|entry| entry.code)
        .collect();
    assert_eq!(auth, BTreeSet::from([0, 3, 10, 190, 200]));
    for code in [1, 2, 4, 100, 131005, 131031, 300] {
        assert!(!is_auth_code(code), "{code}");
    }
}

#[test]
fn retry_classes_follow_the_reference() {
    let class = |code| lookup(code).unwrap().retry;
    assert_eq!(class(2), RetryClass::Outage);
    assert_eq!(class(131056), RetryClass::Pair);
    for code in [4, 80007, 130429] {
        assert_eq!(class(code), RetryClass::Throttled, "{code}");
    }
    for code in [1, 131000, 131016, 131057, 133004] {
        assert_eq!(class(code), RetryClass::Transient, "{code}");
    }
    assert!(matches!(class(131049), RetryClass::Later(Some(d)) if d.as_secs() == 24 * 3600));
    assert!(matches!(class(132069), RetryClass::Later(Some(d)) if d.as_secs() == 3600));
    assert!(matches!(class(133015), RetryClass::Later(Some(d)) if d.as_secs() == 300));
    for code in [133008, 133009, 133016] {
        assert_eq!(class(code), RetryClass::Later(None), "{code}");
    }
    for code in [0, 3, 10, 190, 250, 368, 100, 131048, 131026, 131047] {
        assert_eq!(class(code), RetryClass::Never, "{code}");
    }
}

#[test]
fn the_2026_codes_carry_their_class_and_what_to_do() {
    let missing: Vec<i64> = CODES_2026
        .iter()
        .copied()
        .filter(|code| lookup(*code).is_none())
        .collect();
    assert!(missing.is_empty(), "not catalogued: {missing:?}");
    let entry = |code| lookup(code).unwrap();
    // The groups rate limit is the one throttled groups code, answered with HTTP 429.
    assert_eq!(entry(131208).retry, RetryClass::Throttled);
    assert_eq!(entry(131208).http_status, 429);
    assert_eq!(entry(131208).category, Category::Throttling);
    assert_eq!(entry(131201).http_status, 206);
    assert_eq!(entry(131207).http_status, 403);
    for code in [
        131020, 131041, 131059, 131201, 131207, 131063, 131064, 137000, 139100,
    ] {
        assert_eq!(entry(code).retry, RetryClass::Never, "{code}");
    }
    // Since 2025-04-01 marketing to US numbers is not delivered: the guidance says so.
    assert!(
        entry(131049).guidance.contains("US"),
        "{}",
        entry(131049).guidance
    );
    assert!(entry(131063).guidance.contains("Marketing Messages API"));
    // The ranges cover every code between their ends, and nothing just outside.
    for code in 131201..=131215 {
        assert!(lookup(code).is_some(), "{code}");
    }
    for code in 138000..=138018 {
        assert_eq!(lookup(code).unwrap().title, "Calling API error", "{code}");
    }
    assert!(lookup(137999).is_none() && lookup(138019).is_none());
    assert!(lookup(131200).is_none() && lookup(131216).is_none());
    // No 2026 code is left with the generic "not on Meta's page" guidance.
    for code in [131063, 131064, 137000] {
        assert!(!entry(code).title.contains("Not on Meta"), "{code}");
    }
}

#[test]
fn every_reference_code_is_catalogued() {
    let missing: Vec<i64> = REFERENCE_CODES
        .iter()
        .copied()
        .filter(|code| lookup(*code).is_none())
        .collect();
    assert!(missing.is_empty(), "not catalogued: {missing:?}");
}

#[test]
fn every_entry_has_a_fixture_with_its_status() {
    let index = index();
    for entry in CATALOGUE {
        let fixtures: Vec<&IndexEntry> = index
            .errors
            .iter()
            .filter(|fixture| fixture.code == entry.code)
            .collect();
        assert!(!fixtures.is_empty(), "no fixture for {}", entry.code);
        for fixture in fixtures {
            assert_eq!(fixture.http_status, entry.http_status, "{}", fixture.file);
            assert!(
                fixture.file.starts_with(&format!("{}-", entry.code)),
                "{} is not named after its code",
                fixture.file
            );
        }
    }
    let subcodes: BTreeSet<Option<i64>> = index
        .errors
        .iter()
        .filter(|fixture| fixture.code == 190)
        .map(|fixture| fixture.subcode)
        .collect();
    assert_eq!(
        subcodes,
        BTreeSet::from([None, Some(458), Some(460), Some(463), Some(467)])
    );
    // No stray file: every JSON file but the index is listed.
    let listed: BTreeSet<String> = index.errors.iter().map(|f| f.file.clone()).collect();
    for file in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = file.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") && name != "index.json" {
            assert!(listed.contains(&name), "{name} is not in index.json");
        }
    }
}

#[test]
fn every_fixture_parses_into_its_graph_error() {
    for fixture in index().errors {
        let bytes = read_fixture(&fixture.file);
        let raw: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let raw = &raw["error"];
        let graph = GraphError::from_body(&bytes)
            .unwrap_or_else(|| panic!("{} does not parse", fixture.file));
        assert_eq!(graph.code, fixture.code, "{}", fixture.file);
        assert_eq!(graph.subcode, fixture.subcode, "{}", fixture.file);
        assert_eq!(graph.subcode, raw["error_subcode"].as_i64());
        assert_eq!(Some(graph.message.as_str()), raw["message"].as_str());
        assert!(!graph.message.is_empty(), "{}", fixture.file);
        assert_eq!(graph.kind.as_deref(), Some("OAuthException"));
        assert_eq!(graph.details(), raw["error_data"]["details"].as_str());
        let trace = graph
            .fbtrace_id
            .as_deref()
            .expect("every fixture has a trace id");
        assert_eq!(Some(trace), raw["fbtrace_id"].as_str());
        if fixture.code != 190 {
            // Meta's Cloud API errors carry details; Graph's token errors do not.
            assert!(
                graph.details().is_some_and(|d| !d.is_empty()),
                "{}",
                fixture.file
            );
            assert_eq!(
                graph
                    .error_data
                    .as_ref()
                    .unwrap()
                    .messaging_product
                    .as_deref(),
                Some("whatsapp")
            );
            assert!(graph.message.starts_with(&format!("(#{}) ", fixture.code)));
        }
        assert_eq!(graph.retry_class(), lookup(fixture.code).unwrap().retry);
    }
}

#[test]
fn the_pair_rate_limit_fixture_is_metas_example() {
    let graph = GraphError::from_body(&read_fixture("131056-pair-rate-limit.json")).unwrap();
    assert_eq!(
        graph.message,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit"
    );
    assert_eq!(graph.subcode, Some(2494010));
    assert_eq!(
        graph.details(),
        Some(
            "Message failed to send because there were too many messages sent from this phone \
             number to the same phone number in a short period of time."
        )
    );
    assert_eq!(graph.retry_class(), RetryClass::Pair);
}

#[test]
fn unknown_codes_stay_numbers() {
    let body = br#"{"error":{"message":"(#999999) Something new","type":"OAuthException","code":999999,"error_subcode":12,"is_transient":true,"fbtrace_id":"Anew"}}"#;
    let graph = GraphError::from_body(body).expect("an unknown code still parses");
    assert_eq!(graph.code, 999_999);
    assert_eq!(graph.subcode, Some(12));
    assert!(graph.entry().is_none());
    // Meta's transient flag is honoured for a code we do not know.
    assert_eq!(graph.retry_class(), RetryClass::Transient);
    let plain = GraphError::from_body(br#"{"error":{"code":999998}}"#).unwrap();
    assert_eq!(plain.retry_class(), RetryClass::Never);
    assert_eq!(plain.message, "");
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .correlation_ids(false)
        // Only the auth layer matters here: without retry and rate limits, each fixture is
        // one request and the test does not wait on a backoff or a pair-rate permit.
        .layers(|stack| {
            stack.remove(wacloud::layers::RETRY);
            stack.remove(wacloud::layers::RATE_LIMIT);
        })
        .build()
        .expect("client builds")
}

async fn serve(server: &MockServer, status: u16, body: Vec<u8>) {
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/messages"
        )))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body, "application/json; charset=UTF-8"),
        )
        .expect(1)
        .mount(server)
        .await;
}

async fn send(client: &Client) -> Result<wacloud::messages::SendResponse, Error> {
    client
        .send(OutgoingMessage::new("+16505551234", Text::new("hi")))
        .await
}

#[tokio::test]
async fn every_fixture_served_with_its_status_becomes_a_typed_error() {
    let server = MockServer::start().await;
    let client = client(&server);
    for fixture in index().errors {
        let entry = lookup(fixture.code).unwrap();
        serve(&server, fixture.http_status, read_fixture(&fixture.file)).await;
        let err = send(&client).await.expect_err(&fixture.file);
        let display = err.to_string();
        assert_eq!(err.code(), Some(fixture.code), "{}: {err:?}", fixture.file);
        assert_eq!(
            err.http_status(),
            Some(fixture.http_status),
            "{}",
            fixture.file
        );
        assert_eq!(err.graph_error().unwrap().subcode, fixture.subcode);
        assert!(
            display.contains(entry.guidance),
            "{}: Display lacks the guidance: {display}",
            fixture.file
        );
        assert!(display.contains(entry.title), "{}: {display}", fixture.file);
        let trace = err.graph_error().unwrap().fbtrace_id.clone().unwrap();
        assert!(display.contains(&trace), "{}: {display}", fixture.file);
        if is_auth_code(fixture.code) {
            let Error::Auth(auth) = &err else {
                panic!("{}: expected Error::Auth, got {err:?}", fixture.file);
            };
            assert_eq!(auth.api.status, fixture.http_status);
            assert!(display.contains(ACCESS_TOKEN_DEBUGGER), "{display}");
        } else {
            assert!(
                matches!(err, Error::Api(_)),
                "{}: expected Error::Api, got {err:?}",
                fixture.file
            );
            if let Some(details) = err.graph_error().unwrap().details() {
                let details = details.trim_end_matches('.');
                assert!(display.contains(details), "{}: {display}", fixture.file);
            }
        }
        assert!(!display.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
        server.verify().await;
    }
}

#[tokio::test]
async fn an_unknown_code_comes_back_as_a_plain_api_error() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = br#"{"error":{"message":"(#999999) Brand new failure","type":"OAuthException","code":999999,"error_data":{"messaging_product":"whatsapp","details":"Something Meta added later."},"fbtrace_id":"Aunknown"}}"#;
    serve(&server, 400, body.to_vec()).await;
    let err = send(&client).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.graph.code, 999_999);
    assert!(api.entry().is_none());
    let display = err.to_string();
    assert!(display.contains("999999"), "{display}");
    assert!(
        display.contains(": Something Meta added later"),
        "{display}"
    );
    assert!(!display.contains("What to do"), "{display}");
}
