//! The `templates` example, and `send_template --marketing`, run as processes against a
//! sandbox on loopback: their command-line contracts (stdout lines, stderr, exit codes) are
//! what a user scripts against, so they are tested from the outside.

mod example_support;

use example_support::run;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

async fn sandbox() -> SandboxHandle {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts")
}

fn account_env(sb: &SandboxHandle) -> [(&'static str, &str); 3] {
    [
        ("WHATSAPP_ACCESS_TOKEN", "sandbox-token"),
        ("WHATSAPP_BUSINESS_ACCOUNT_ID", sb.config().waba_id.as_str()),
        ("WHATSAPP_API_BASE_URL", sb.base_url()),
    ]
}

fn template_lines(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|line| line.split(' ').map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn list_prints_every_template_of_every_page() {
    let sb = sandbox().await;
    let run = run("templates", &account_env(&sb), &["list"]).await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = template_lines(&run.stdout);
    assert_eq!(lines.len(), 8, "stdout: {}", run.stdout);
    for line in &lines {
        assert_eq!(line.len(), 5, "{line:?}");
        assert_eq!(line[0], "TEMPLATE");
    }
    assert!(lines.contains(
        &["TEMPLATE", "order_update", "pt_BR", "PENDING", "UTILITY"]
            .map(String::from)
            .to_vec()
    ));
    assert!(lines.contains(
        &[
            "TEMPLATE",
            "winter_teaser",
            "en_US",
            "REJECTED",
            "MARKETING"
        ]
        .map(String::from)
        .to_vec()
    ));
    let statuses: std::collections::BTreeSet<&str> = lines.iter().map(|l| l[3].as_str()).collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    // Followed the sandbox's pages (3 templates a page): 3 requests, each on the list path.
    let gets: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(gets.len(), 3);
    for request in gets {
        assert_eq!(
            request.path,
            format!(
                "/{}/{}/message_templates",
                wacloud::DEFAULT_API_VERSION,
                sb.config().waba_id
            )
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn create_then_delete_round_trip() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("template.json");
    std::fs::write(
        &file,
        r#"{"name": "shipping_notice", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hi {{1}}, your parcel is on its way.",
                            "example": {"body_text": [["Pablo"]]}}]}"#,
    )
    .unwrap();
    let env = account_env(&sb);
    let created = run(
        "templates",
        &env,
        &["create", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(created.code, Some(0), "stderr: {}", created.stderr);
    let fields: Vec<&str> = created.stdout.trim_end().split(' ').collect();
    assert_eq!(fields.len(), 4, "{:?}", created.stdout);
    assert_eq!(fields[0], "CREATED");
    assert!(fields[1].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&fields[2..], ["PENDING", "UTILITY"]);

    let listed = run("templates", &env, &["list"]).await;
    assert!(
        listed
            .stdout
            .contains("TEMPLATE shipping_notice en_US PENDING UTILITY"),
        "{}",
        listed.stdout
    );

    let deleted = run("templates", &env, &["delete", "--name", "shipping_notice"]).await;
    assert_eq!(deleted.code, Some(0), "stderr: {}", deleted.stderr);
    assert_eq!(deleted.stdout, "DELETED shipping_notice\n");
    let request = sb
        .requests()
        .into_iter()
        .rfind(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(
        request.path,
        format!(
            "/{}/{}/message_templates",
            wacloud::DEFAULT_API_VERSION,
            sb.config().waba_id
        )
    );
    assert_eq!(request.query.as_deref(), Some("name=shipping_notice"));

    let listed = run("templates", &env, &["list"]).await;
    assert!(
        !listed.stdout.contains("shipping_notice"),
        "{}",
        listed.stdout
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn api_errors_exit_1_with_the_graph_code_and_guidance() {
    let sb = sandbox().await;
    let env = account_env(&sb);
    // Deleting a template that does not exist: Meta's code 100.
    let run1 = run("templates", &env, &["delete", "--name", "no_such_template"]).await;
    assert_eq!(run1.code, Some(1));
    assert!(run1.stdout.is_empty());
    assert!(
        run1.stderr.contains("Graph error code: 100"),
        "{}",
        run1.stderr
    );
    assert!(run1.stderr.contains("What to do"), "{}", run1.stderr);
    // A duplicate create.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    std::fs::write(&file, r#"{"name":"hello_world","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hello"}]}"#).unwrap();
    let run2 = run(
        "templates",
        &env,
        &["create", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(run2.code, Some(1), "{}", run2.stderr);
    assert!(
        run2.stderr.contains("Graph error code: 100"),
        "{}",
        run2.stderr
    );
    // A token Meta rejects.
    let run4 = run(
        "templates",
        &[env[1], env[2], ("WHATSAPP_ACCESS_TOKEN", "wrong")],
        &["list"],
    )
    .await;
    assert_eq!(run4.code, Some(1));
    assert!(
        run4.stderr.contains("Graph error code: 190"),
        "{}",
        run4.stderr
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_throttled_list_is_retried_and_completes() {
    let sb = sandbox().await;
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 400,
            code: 80007,
            message: "(#80007) Rate limit issues".into(),
        })
        .times(1),
    );
    let run = run("templates", &account_env(&sb), &["list"]).await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 8, "{}", run.stdout);
    assert_eq!(
        sb.request_count(),
        4,
        "one throttled attempt, then three pages"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn usage_problems_exit_2_and_send_nothing() {
    let sb = sandbox().await;
    let env = account_env(&sb);
    type Env<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Env, Vec<&str>)> = vec![
        (env.to_vec(), vec![]),
        (env.to_vec(), vec!["rename"]),
        (env.to_vec(), vec!["delete"]),
        (env.to_vec(), vec!["create"]),
        (env.to_vec(), vec!["create", "--file", "/no/such/file.json"]),
        (vec![env[0], env[2]], vec!["list"]),
        (vec![env[1], env[2]], vec!["list"]),
        (
            vec![env[0], ("WHATSAPP_BUSINESS_ACCOUNT_ID", "my-waba"), env[2]],
            vec!["list"],
        ),
    ];
    for (env, args) in cases {
        let run = run("templates", &env, &args).await;
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, "not json").unwrap();
    let run = run(
        "templates",
        &env,
        &["create", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(sb.request_count(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn send_template_marketing_goes_through_marketing_messages() {
    let sb = sandbox().await;
    let env = [
        ("WHATSAPP_ACCESS_TOKEN", "sandbox-token"),
        (
            "WHATSAPP_PHONE_NUMBER_ID",
            sb.config().phone_number_id.as_str(),
        ),
        ("WHATSAPP_API_BASE_URL", sb.base_url()),
    ];
    let run = run(
        "send_template",
        &env,
        &[
            "--to",
            "+16505550142",
            "--template",
            "spring_sale",
            "--body-param",
            "Pablo",
            "--marketing",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("wamid."), "{}", run.stdout);
    assert_eq!(lines.get(1), Some(&"message_status accepted"));
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), 1);
    let request = &sb.requests()[accepted[0].request_seq as usize];
    assert_eq!(
        request.path,
        format!(
            "/{}/{}/marketing_messages",
            wacloud::DEFAULT_API_VERSION,
            sb.config().phone_number_id
        )
    );
    // Without the flag, the same template goes to /messages.
    let plain = self::run("send_template", &env, &["--to", "+16505550142"]).await;
    assert_eq!(plain.code, Some(0), "stderr: {}", plain.stderr);
    assert!(sb.requests().last().unwrap().path.ends_with("/messages"));
    sb.shutdown().await;
}
