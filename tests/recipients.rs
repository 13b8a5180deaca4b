//! The recipient rules layer against a wiremock server: restricted recipients never reach the
//! server, everyone else does.

use wacloud::error::RejectReason;
use wacloud::layers::recipients::{Date, RecipientRules, Rule};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::DEFAULT_API_VERSION;
use wacloud::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
const SEND_OK: &str = include_str!("../wiremock-fixtures/recipients/send_ok.json");
const ERROR_130497: &str = include_str!("../wiremock-fixtures/recipients/error_130497.json");

async fn server_answering(status: u16, body: &'static str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/messages"
        )))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, rules: RecipientRules) -> Client {
    Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .recipient_rules(rules)
        .build()
        .expect("a valid client")
}

async fn send(client: &Client, to: &str) -> Result<(), Error> {
    client
        .send(OutgoingMessage::new(to, Text::new("hello")))
        .await
        .map(drop)
}

async fn requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .len()
}

/// The rule that refused a send, or a panic explaining what happened instead.
fn refused_by(result: Result<(), Error>, to: &str) -> (String, String, String, String) {
    match result {
        Err(Error::RecipientRejected(rejected)) => match rejected.reason {
            RejectReason::Rule {
                rule,
                region,
                range,
                source,
                ..
            } => (rule, region, range, source),
            other => panic!("{to}: refused for {other:?}, not by a rule"),
        },
        other => panic!("{to}: expected a rule rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn every_restricted_range_is_refused_without_a_request() {
    let server = server_answering(200, SEND_OK).await;
    let client = client(&server, RecipientRules::default());
    let cases = [
        ("+53 5 234 5678", "sanctions.cuba", "+53"),
        ("5352345678", "sanctions.cuba", "+53"),
        ("+98 912 345 6789", "sanctions.iran", "+98"),
        ("+850 2 381 2345", "sanctions.north-korea", "+850"),
        ("+963 944 567 890", "sanctions.syria", "+963"),
        ("+380 652 123 456", "sanctions.crimea", "+380 65"),
        ("380652123456", "sanctions.crimea", "+380 65"),
        ("+380 692 123 456", "sanctions.sevastopol", "+380 69"),
        ("+380 622 123 456", "sanctions.donetsk", "+380 62"),
        ("+380 642 123 456", "sanctions.luhansk", "+380 64"),
        (
            "+7 978 123 4567",
            "sanctions.crimea-russian-ranges",
            "+7 978",
        ),
        (
            "+7 (365) 212-34-56",
            "sanctions.crimea-russian-ranges",
            "+7 365",
        ),
        // The parser mangles +7 8.. numbers; the rule must still be what refuses it.
        (
            "+7 869 212 3456",
            "sanctions.crimea-russian-ranges",
            "+7 869",
        ),
        ("78692123456", "sanctions.crimea-russian-ranges", "+7 869"),
    ];
    for (to, rule_id, expected_range) in cases {
        let (rule, region, range, source) = refused_by(send(&client, to).await, to);
        assert_eq!(rule, rule_id, "{to}");
        assert_eq!(range, expected_range, "{to}");
        assert!(!region.is_empty() && source.contains("Meta"), "{to}");
    }
    assert_eq!(
        requests(&server).await,
        0,
        "no restricted send may reach the server"
    );
}

#[tokio::test]
async fn the_rejection_names_rule_region_range_and_source() {
    let server = server_answering(200, SEND_OK).await;
    let client = client(&server, RecipientRules::default());
    let error = send(&client, "+53 5 234 5678").await.unwrap_err();
    assert!(error.is_local_rejection());
    let text = error.to_string();
    for part in [
        "sanctions.cuba",
        "Cuba",
        "+53",
        "Country Restrictions",
        "+53 5 234 5678",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test]
async fn numbers_next_to_the_restricted_ranges_are_sent() {
    let server = server_answering(200, SEND_OK).await;
    let client = client(&server, RecipientRules::default());
    let allowed = [
        "+380 44 123 4567", // Kyiv
        "+380 57 123 4567", // Kharkiv
        "+380 48 123 4567", // Odesa
        "+380 61 123 4567", // Zaporizhzhia: not on Meta's list
        "+380 55 123 4567", // Kherson: not on Meta's list
        "+380 50 123 4567", // Ukrainian mobiles
        "+380 66 123 4567",
        "+380 67 123 4567",
        "+380 68 123 4567",
        "+380 97 123 4567",
        "380631234567",    // a wa_id
        "+7 495 123 4567", // Moscow
        "+7 499 123 4567",
        "+7 916 123 4567", // Russian mobiles other than 978
        "+7 903 123 4567",
        "+7 977 123 4567",
        "+7 812 315 1234", // St Petersburg: the parser mangles it, the digits are fine
        "+90 532 123 4567", // Turkey, lifted 2024-05-15
        "+1 650 555 1234",
        "+44 7911 123456",
        "+49 30 901820",
        "+55 11 91234 5678",
        "+91 98765 43210",
    ];
    for to in allowed {
        if let Err(error) = send(&client, to).await {
            panic!("{to} must be sent, got {error}");
        }
    }
    assert_eq!(requests(&server).await, allowed.len());
}

#[tokio::test]
async fn turkey_is_refused_as_of_april_2024_and_allowed_today() {
    let server = server_answering(200, SEND_OK).await;
    let then = client(&server, RecipientRules::as_of(Date::new(2024, 4, 25)));
    let (rule, region, range, _) = refused_by(send(&then, "+90 532 123 4567").await, "+90");
    assert_eq!(
        (rule.as_str(), region.as_str(), range.as_str()),
        ("cloud-api.turkey", "Turkey", "+90")
    );
    assert_eq!(requests(&server).await, 0);

    // The day before the change still refuses; the day of the change allows.
    let eve = RecipientRules::as_of(Date::new(2024, 5, 14));
    assert!(eve.check("905321234567").is_err());
    let lifted = RecipientRules::as_of(Date::new(2024, 5, 15));
    assert!(lifted.check("905321234567").is_ok());

    let today = client(&server, RecipientRules::default());
    send(&today, "+90 532 123 4567")
        .await
        .expect("Turkey is allowed today");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn businesses_add_and_remove_rules() {
    let server = server_answering(200, SEND_OK).await;
    let rules = RecipientRules::default()
        .with_rule(Rule::new(
            "acme.no-uk",
            "United Kingdom",
            ["+44"],
            "ACME compliance policy 7.3",
        ))
        .with_rule(
            Rule::new("acme.later", "Germany", ["+49"], "ACME policy draft")
                .effective_from(Date::new(2999, 1, 1)),
        )
        .without_rule("sanctions.cuba");
    assert!(rules.rule("sanctions.cuba").is_none());
    assert!(rules.rule("acme.no-uk").is_some());
    let client = client(&server, rules);

    let (rule, region, range, source) = refused_by(send(&client, "+44 7911 123456").await, "+44");
    assert_eq!(rule, "acme.no-uk");
    assert_eq!(region, "United Kingdom");
    assert_eq!(range, "+44");
    assert_eq!(source, "ACME compliance policy 7.3");
    assert_eq!(requests(&server).await, 0);

    send(&client, "+53 5 234 5678")
        .await
        .expect("the Cuba rule was removed");
    send(&client, "+49 30 901820")
        .await
        .expect("a future rule does not apply yet");
    // The other built-in rules stay.
    refused_by(send(&client, "+98 912 345 6789").await, "+98");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_rule_with_the_same_id_replaces_the_built_in_one() {
    let rules = RecipientRules::default().with_rule(Rule::new(
        "sanctions.cuba",
        "Cuba (mobiles only)",
        ["+53 5"],
        "our reading",
    ));
    assert_eq!(
        rules
            .rules()
            .iter()
            .filter(|r| r.id() == "sanctions.cuba")
            .count(),
        1
    );
    assert!(rules.check("+53 5 234 5678").is_err());
    assert!(!matches!(
        rules.check("+53 7 861 2345").map_err(|e| e.reason),
        Err(RejectReason::Rule { .. })
    ));
}

#[tokio::test]
async fn error_130497_teaches_the_layer_to_refuse_that_country() {
    let server = server_answering(403, ERROR_130497).await;
    let rules = RecipientRules::default().learn_from_130497(true);
    let client = client(&server, rules.clone());

    let first = send(&client, "+90 532 123 4567").await.unwrap_err();
    assert_eq!(first.code(), Some(130497), "{first}");
    assert_eq!(requests(&server).await, 1);
    assert_eq!(rules.learned_country_codes(), vec![90]);

    // Another Turkish number: refused locally, the server sees nothing more.
    let (rule, _, range, source) = refused_by(send(&client, "905337654321").await, "+90");
    assert_eq!(rule, "learned.130497.90");
    assert_eq!(range, "+90");
    assert!(source.contains("130497"));
    assert_eq!(requests(&server).await, 1);

    // Other countries still go out.
    let other = send(&client, "+1 650 555 1234").await.unwrap_err();
    assert_eq!(other.code(), Some(130497));
    assert_eq!(requests(&server).await, 2);

    assert_eq!(rules.learned_country_codes(), vec![1, 90]);

    // Forgetting (e.g. after Meta lifted the restriction) lets the country through again.
    rules.forget_learned();
    assert!(rules.learned_country_codes().is_empty());
    assert_eq!(
        send(&client, "905337654321").await.unwrap_err().code(),
        Some(130497)
    );
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn without_learning_130497_every_send_reaches_the_server() {
    let server = server_answering(403, ERROR_130497).await;
    let rules = RecipientRules::default();
    let client = client(&server, rules.clone());
    for to in ["+90 532 123 4567", "+90 533 765 4321"] {
        assert_eq!(send(&client, to).await.unwrap_err().code(), Some(130497));
    }
    assert_eq!(requests(&server).await, 2);
    assert!(rules.learned_country_codes().is_empty());
}

#[tokio::test]
async fn invalid_numbers_are_refused_without_a_request() {
    let server = server_answering(200, SEND_OK).await;
    let client = client(&server, RecipientRules::default());
    let invalid = [
        "abc",
        "+1 650 CALL NOW",
        "+12",
        "+1234567890123456",
        "+999 1234 5678",
        "+1 650 555 12",
        "0044 20 7946 0958",
    ];
    for to in invalid {
        match send(&client, to).await {
            Err(Error::RecipientRejected(rejected)) => {
                assert_eq!(rejected.recipient, to);
                assert!(
                    matches!(rejected.reason, RejectReason::InvalidNumber { .. }),
                    "{to}: {:?}",
                    rejected.reason
                );
            }
            other => panic!("{to}: expected InvalidNumber, got {other:?}"),
        }
    }
    // An empty recipient never gets this far (message validation), but the rules refuse it too.
    let empty = RecipientRules::default().check("").unwrap_err();
    assert!(matches!(empty.reason, RejectReason::InvalidNumber { .. }));
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test]
async fn removing_the_layer_sends_restricted_numbers() {
    let server = server_answering(200, SEND_OK).await;
    let client = Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .layers(|stack| {
            stack.remove(wacloud::layers::RECIPIENTS);
        })
        .build()
        .unwrap();
    send(&client, "+53 5 234 5678")
        .await
        .expect("no recipient layer, no check");
    assert_eq!(requests(&server).await, 1);
}

// Business-scoped user ids: checked on the country in their prefix.

#[tokio::test]
async fn bsuids_from_sanctioned_countries_are_refused_by_their_rule_without_a_request() {
    let server = server_answering(200, SEND_OK).await;
    let client = client(&server, RecipientRules::default());
    for (to, rule, region) in [
        ("CU.1", "sanctions.cuba", "Cuba"),
        ("IR.1502576394655843", "sanctions.iran", "Iran"),
        ("KP.ENT.42", "sanctions.north-korea", "North Korea"),
        ("SY.abc123", "sanctions.syria", "Syria"),
    ] {
        let (refused, named, range, _) = refused_by(send(&client, to).await, to);
        assert_eq!((refused.as_str(), named.as_str()), (rule, region), "{to}");
        assert_eq!(range, format!("{}.", &to[..2]));
    }
    assert_eq!(requests(&server).await, 0);
    // Ukraine and Russia: the regional rules cannot be told from a BSUID, so they go.
    for to in ["UA.1", "RU.1", "US.13491208655302741918", "TR.5"] {
        send(&client, to).await.expect("sent");
    }
    assert_eq!(requests(&server).await, 4);
}

#[test]
fn rules_on_a_whole_calling_code_apply_to_that_countrys_bsuids() {
    let check = |rules: &RecipientRules, to: &str| {
        rules
            .check_user(&to.parse().unwrap())
            .map_err(|rejected| rejected.to_string())
    };
    // Turkey's dated rule (+90) applies to TR user ids on the same dates.
    let april_2024 = RecipientRules::as_of(Date::new(2024, 4, 25));
    assert!(check(&april_2024, "TR.5").is_err());
    assert!(check(&RecipientRules::default(), "TR.5").is_ok());
    // A custom rule on +44 covers every region of +44; a narrower range covers none.
    let uk = RecipientRules::empty().with_rule(Rule::new("acme.uk", "UK", ["+44"], "policy"));
    for to in ["GB.1", "GG.1", "IM.1", "JE.1"] {
        assert!(check(&uk, to).is_err(), "{to}");
    }
    assert!(check(&uk, "IE.1").is_ok());
    let london =
        RecipientRules::empty().with_rule(Rule::new("acme.ldn", "London", ["+44 20"], "p"));
    assert!(check(&london, "GB.1").is_ok());
    // A country libphonenumber does not know is not refused (no rule can name it).
    assert!(check(&RecipientRules::default(), "ZZ.1").is_ok());
    // A phone number is checked as before.
    assert_eq!(
        check(&RecipientRules::default(), "+1 650 555 1234")
            .unwrap()
            .to_string(),
        "+16505551234"
    );
}

#[tokio::test]
async fn error_130497_on_a_bsuid_send_teaches_its_country() {
    let server = server_answering(403, ERROR_130497).await;
    let rules = RecipientRules::default().learn_from_130497(true);
    let client = client(&server, rules.clone());
    let first = send(&client, "TR.123").await.unwrap_err();
    assert_eq!(first.code(), Some(130497));
    assert_eq!(rules.learned_country_codes(), vec![90]);
    // Turkish numbers and user ids are now refused locally.
    let (rule, _, range, _) = refused_by(send(&client, "TR.456").await, "TR.");
    assert_eq!(
        (rule.as_str(), range.as_str()),
        ("learned.130497.90", "TR.")
    );
    refused_by(send(&client, "+90 532 123 4567").await, "+90");
    assert_eq!(requests(&server).await, 1);
}
