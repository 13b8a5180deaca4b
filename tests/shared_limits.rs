//! Shared limits through a real Redis (feature `redis`): separate `Client`s, each with its own
//! connection as separate replicas would have, share one number's throughput, the pair limit,
//! the 130429 back-off and the outage gate; an unreachable Redis means local limits at a share.
//!
//! The tests that need Redis read `WACLOUD_TEST_REDIS_URL` (e.g. `redis://127.0.0.1:6379`) and
//! say they were skipped without it. Each uses its own key namespace, so they run in parallel.
//! Counts are checked with fail-fast limits (a permit is granted or refused, whatever the
//! machine's load); timings only as lower bounds, which load cannot break.
#![cfg(feature = "redis")]

mod retry_support;
mod telemetry_support;

use std::future::IntoFuture;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use retry_support::{error_answer, hits, sent_answer, text};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tracing_subscriber::fmt::MakeWriter;
use wacloud::error::LimitKind;
use wacloud::layers::rate_limit::{LimitMode, RateLimits};
use wacloud::layers::retry::{RetryPolicy, Schedule};
use wacloud::layers::shared::RedisLimits;
use wacloud::{Client, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const NUMBER: &str = "123";

/// The Redis to test against, or `None` (the test is skipped, and says so).
fn redis_url(test: &str) -> Option<String> {
    match std::env::var("WACLOUD_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!("{test}: skipped (WACLOUD_TEST_REDIS_URL is not set)");
            None
        }
    }
}

/// A key namespace of this test alone.
fn namespace(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("wacloud-test:{test}:{}:{nanos}", std::process::id())
}

/// One replica: its own client and its own Redis connection.
fn replica(
    server: &MockServer,
    token: &str,
    shared: RedisLimits,
    limits: RateLimits,
    policy: RetryPolicy,
) -> Client {
    Client::builder()
        .access_token(token)
        .phone_number_id(NUMBER)
        .base_url(server.uri())
        .rate_limits(limits)
        .retry_policy(policy)
        .shared_limits(shared)
        .build()
        .expect("a valid client")
}

fn recipient(n: usize) -> String {
    format!("+1650555{:04}", n % 10_000)
}

/// Sends one text to each recipient in turn; counts the sends granted, and checks that every
/// other one was refused by the named fail-fast limit.
async fn granted(client: &Client, recipients: &[String], kind: LimitKind) -> usize {
    let mut granted = 0;
    for to in recipients {
        match client.send(text(to)).await {
            Ok(_) => granted += 1,
            Err(Error::RateLimited(refused)) => assert_eq!(refused.kind, kind, "{refused}"),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    granted
}

/// A server that answers every send.
async fn sending_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(&server)
        .await;
    server
}

/// Permits the refill may have added while a step ran, on top of the burst.
fn refill(elapsed: Duration, per_second: f64) -> usize {
    (elapsed.as_secs_f64() * per_second).floor() as usize
}

#[tokio::test]
async fn two_replicas_share_one_numbers_throughput() {
    let Some(url) = redis_url("two_replicas_share_one_numbers_throughput") else {
        return;
    };
    let ns = namespace("throughput");
    let server = sending_server().await;
    // A burst of 4, then one per second: alone, each replica would send 4 at once.
    let limits = RateLimits::default()
        .throughput(1)
        .throughput_burst(4)
        .no_pair()
        .mode(LimitMode::FailFast);
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .build()
            .expect("valid settings")
    };
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());

    let start = Instant::now();
    let mut total = 0;
    for round in 0..6 {
        for (index, client) in [&a, &b].into_iter().enumerate() {
            total += granted(
                client,
                &[recipient(round * 2 + index)],
                LimitKind::Throughput,
            )
            .await;
        }
    }
    let elapsed = start.elapsed();

    assert!(
        (4..=4 + refill(elapsed, 1.0)).contains(&total),
        "{total} sends granted across two replicas in {elapsed:?}; the number allows a burst of 4"
    );
    assert_eq!(
        hits(&server).await,
        total,
        "only granted sends reach the API"
    );
}

#[tokio::test]
async fn waiting_replicas_together_keep_the_rate() {
    let Some(url) = redis_url("waiting_replicas_together_keep_the_rate") else {
        return;
    };
    let ns = namespace("waiting");
    let server = sending_server().await;
    // 20 per second, one at a time: 10 sends need at least 9 intervals of 50 ms.
    let limits = RateLimits::default()
        .throughput(20)
        .throughput_burst(1)
        .no_pair();
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .build()
            .expect("valid settings")
    };
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());

    let start = Instant::now();
    let sends = (0..10).map(|n| {
        let client = if n % 2 == 0 { &a } else { &b };
        client.send(text(&recipient(n))).into_future()
    });
    let results = join_all(sends).await;
    let elapsed = start.elapsed();

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(hits(&server).await, 10);
    assert!(
        elapsed >= Duration::from_millis(450),
        "10 sends at 20/s across two replicas took only {elapsed:?}: the rate was not shared"
    );
}

#[tokio::test]
async fn the_pair_limit_is_shared() {
    let Some(url) = redis_url("the_pair_limit_is_shared") else {
        return;
    };
    let ns = namespace("pair");
    let server = sending_server().await;
    let limits = RateLimits::default()
        .no_throughput()
        .pair(Duration::from_secs(60), 2)
        .mode(LimitMode::FailFast);
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .build()
            .expect("valid settings")
    };
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());

    let user = "+16505550100".to_owned();
    assert_eq!(
        granted(&a, std::slice::from_ref(&user), LimitKind::Pair).await,
        1
    );
    assert_eq!(
        granted(&b, std::slice::from_ref(&user), LimitKind::Pair).await,
        1
    );
    // The pair's burst of 2 is spent, by two replicas: the third send is refused, whichever
    // replica makes it and however the number is spelled.
    assert_eq!(granted(&a, &[user], LimitKind::Pair).await, 0);
    assert_eq!(
        granted(&b, &["16505550100".to_owned()], LimitKind::Pair).await,
        0
    );
    // Another user is not affected.
    assert_eq!(
        granted(&b, &["+16505550101".to_owned()], LimitKind::Pair).await,
        1
    );
    assert_eq!(hits(&server).await, 3);
}

/// Meta's pair limit lends a burst and then wants it paid back: after a burst of N to one user,
/// the next message waits about N intervals (a token bucket would let one through per interval,
/// and Meta would answer 131056). The shared script keeps that rule across replicas.
#[tokio::test]
async fn a_shared_pair_burst_is_paid_back_before_the_next_message() {
    let Some(url) = redis_url("a_shared_pair_burst_is_paid_back_before_the_next_message") else {
        return;
    };
    let ns = namespace("payback");
    let server = sending_server().await;
    let interval = Duration::from_secs(20);
    let limits = RateLimits::default()
        .no_throughput()
        .pair(interval, 3)
        .mode(LimitMode::FailFast);
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .build()
            .expect("valid settings")
    };
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());
    let user = "+16505550100".to_owned();
    // The burst of 3, spread over two replicas, all within the first interval.
    for client in [&a, &b, &a] {
        assert_eq!(
            granted(client, std::slice::from_ref(&user), LimitKind::Pair).await,
            1
        );
    }
    match b.send(text(&user)).await {
        Err(Error::RateLimited(refused)) => {
            assert_eq!(refused.kind, LimitKind::Pair);
            // The whole debt (3 x 20 s), less the little time the burst took; GCRA would say
            // one interval.
            assert!(
                refused.retry_after > interval * 2 + Duration::from_secs(10),
                "waits {:?}",
                refused.retry_after
            );
            assert!(
                refused.retry_after <= interval * 3,
                "waits {:?}",
                refused.retry_after
            );
        }
        other => panic!("expected the pair limit, got {other:?}"),
    }
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn a_130429_backs_off_every_replica() {
    let Some(url) = redis_url("a_130429_backs_off_every_replica") else {
        return;
    };
    let ns = namespace("backoff");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            error_answer(400, "130429-rate-limit-hit.json").insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(&server)
        .await;
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .throttle_backoff(Duration::from_millis(300))
            .build()
            .expect("valid settings")
    };
    let limits = RateLimits::default().mode(LimitMode::FailFast);
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());

    // Replica a is told to slow down, with Retry-After: 1 ...
    assert!(a.send(text(&recipient(1))).await.is_err());
    // ... and replica b, which never got a 130429, waits too.
    match b.send(text(&recipient(2))).await {
        Err(Error::RateLimited(refused)) => {
            assert_eq!(refused.kind, LimitKind::Throughput);
            assert!(
                refused.retry_after > Duration::ZERO
                    && refused.retry_after <= Duration::from_secs(1),
                "{refused}"
            );
        }
        other => panic!("replica b sent during a's back-off: {other:?}"),
    }
    assert_eq!(
        hits(&server).await,
        1,
        "nothing was sent during the back-off"
    );
}

#[tokio::test]
async fn a_130429_without_retry_after_backs_off_for_the_configured_wait() {
    let Some(url) = redis_url("a_130429_without_retry_after") else {
        return;
    };
    let ns = namespace("backoff-default");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(400, "130429-rate-limit-hit.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(&server)
        .await;
    let backoff = Duration::from_millis(300);
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .throttle_backoff(backoff)
            .build()
            .expect("valid settings")
    };
    let limits = RateLimits::default().mode(LimitMode::FailFast);
    let a = replica(&server, "a", shared(), limits.clone(), RetryPolicy::none());
    let b = replica(&server, "b", shared(), limits, RetryPolicy::none());

    assert!(a.send(text(&recipient(1))).await.is_err());
    let retry_after = match b.send(text(&recipient(2))).await {
        Err(Error::RateLimited(refused)) => refused.retry_after,
        other => panic!("replica b sent during a's back-off: {other:?}"),
    };
    assert!(retry_after > Duration::ZERO && retry_after <= backoff);
    tokio::time::sleep(retry_after).await;
    b.send(text(&recipient(2)))
        .await
        .expect("sent once the back-off is over");
    assert_eq!(hits(&server).await, 2);
}

/// What the outage server saw: each request's arrival and token.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<(Instant, String)>>>);

/// Answers code 2 (after `delay`) until `lasting` after the first request, then sends.
struct Outage {
    arrivals: Arrivals,
    lasting: Duration,
    delay: Duration,
}

impl Respond for Outage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let token = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut arrivals = self.arrivals.0.lock().unwrap();
        arrivals.push((now, token));
        let first = arrivals[0].0;
        let answer = if now < first + self.lasting {
            error_answer(503, "2-api-service.json")
        } else {
            sent_answer()
        };
        answer.set_delay(self.delay)
    }
}

#[tokio::test]
async fn one_probe_at_a_time_across_replicas() {
    let Some(url) = redis_url("one_probe_at_a_time_across_replicas") else {
        return;
    };
    let ns = namespace("gate");
    let arrivals = Arrivals::default();
    let delay = Duration::from_millis(40);
    let lasting = Duration::from_millis(700);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Outage {
            arrivals: arrivals.clone(),
            lasting,
            delay,
        })
        .mount(&server)
        .await;
    let probe_every = Duration::from_millis(100);
    let policy = RetryPolicy::default().outage(
        Schedule::exponential(Duration::from_millis(50), probe_every)
            .max_retries(u32::MAX)
            .max_elapsed(Duration::from_secs(20)),
    );
    let shared = || {
        RedisLimits::builder(&url)
            .namespace(&ns)
            .probe_poll(probe_every)
            .build()
            .expect("valid settings")
    };
    // Every attempt takes a pair permit: without a pair limit, only the gate spaces them.
    let limits = RateLimits::default().no_pair();
    let a = replica(&server, "a", shared(), limits.clone(), policy.clone());
    let b = replica(&server, "b", shared(), limits, policy);

    let (sent_a, sent_b) = tokio::join!(a.send(text(&recipient(1))), b.send(text(&recipient(2))));
    sent_a.expect("replica a resumed after the outage");
    sent_b.expect("replica b resumed after the outage");

    let mut seen = arrivals.0.lock().unwrap().clone();
    seen.sort_by_key(|(at, _)| *at);
    let origin = seen[0].0;
    eprintln!(
        "requests (ms since the first, replica): {:?}",
        seen.iter()
            .map(|(at, token)| (
                (*at - origin).as_millis(),
                token.trim_start_matches("Bearer ")
            ))
            .collect::<Vec<_>>()
    );
    let end = seen[0].0 + lasting;
    // Each replica's first request went out before it knew of the outage; every later one
    // until the API answered (the recovery included) was a probe.
    let mut firsts = std::collections::HashSet::new();
    let probes: Vec<Instant> = seen
        .iter()
        .filter(|(_, token)| !firsts.insert(token.clone()))
        .map(|(at, _)| *at)
        .collect();
    let during: Vec<Instant> = probes.iter().copied().filter(|at| *at < end).collect();
    assert!(
        during.len() >= 2,
        "the outage saw {} probes: {seen:?}",
        during.len()
    );
    for pair in probes.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= delay,
            "two probes in flight at once ({gap:?} apart, each answered after {delay:?}): {seen:?}"
        );
    }
    // One probe stream, not one per replica: the probes fit the schedule of one.
    let most = lasting.as_millis() / (delay.as_millis() + 50) + 2;
    assert!(
        during.len() as u128 <= most,
        "{} probes during a {lasting:?} outage",
        during.len()
    );
}

/// Collects what `tracing` writes, to count warnings.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    /// Captures this thread's events (the tests run on a current-thread runtime).
    fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        // Before any test here reaches the fallback warning: the outage-gate test below also
        // falls back, with no subscriber, and could otherwise cache "never" for it.
        telemetry_support::anchor_tracing();
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn count(&self, needle: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .matches(needle)
            .count()
    }
}

const FELL_BACK: &str = "Redis is unreachable";
const RETURNED: &str = "Redis answers again";

/// Needs no Redis: the point is that there is none.
#[tokio::test]
async fn an_unreachable_redis_means_local_limits_at_the_share_and_one_warning() {
    let (logs, _guard) = Logs::capture();
    let server = sending_server().await;
    let shared = RedisLimits::builder("redis://127.0.0.1:1")
        .namespace(namespace("down"))
        .fallback_share(0.25)
        .build()
        .expect("a closed port is no reason to fail");
    // 8 per second with a burst of 8: a quarter of it is a burst of 2.
    let limits = RateLimits::default()
        .throughput(8)
        .throughput_burst(8)
        .no_pair()
        .mode(LimitMode::FailFast);
    let client = replica(&server, "a", shared, limits, RetryPolicy::none());

    let start = Instant::now();
    let recipients: Vec<String> = (0..10).map(recipient).collect();
    let total = granted(&client, &recipients, LimitKind::Throughput).await;
    let elapsed = start.elapsed();

    assert!(
        (2..=2 + refill(elapsed, 2.0)).contains(&total),
        "{total} sends granted in {elapsed:?} at a quarter of 8/s"
    );
    assert_eq!(logs.count(FELL_BACK), 1, "one warning per transition");
}

#[tokio::test]
async fn an_unreachable_redis_leaves_the_local_outage_gate() {
    telemetry_support::anchor_tracing();
    let arrivals = Arrivals::default();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Outage {
            arrivals: arrivals.clone(),
            lasting: Duration::from_millis(200),
            delay: Duration::ZERO,
        })
        .mount(&server)
        .await;
    let shared = RedisLimits::builder("redis://127.0.0.1:1")
        .namespace(namespace("down-gate"))
        .build()
        .expect("valid settings");
    let policy = RetryPolicy::default().outage(
        Schedule::exponential(Duration::from_millis(50), Duration::from_millis(100))
            .max_retries(u32::MAX)
            .max_elapsed(Duration::from_secs(20)),
    );
    let client = replica(&server, "a", shared, RateLimits::default(), policy);
    let sends = (0..3).map(|n| client.send(text(&recipient(n))).into_future());
    let results = join_all(sends).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}

/// A loopback TCP proxy to Redis that can be stopped (closing every connection) and started
/// again on the same port: Redis going away and coming back, without touching the server.
struct Proxy {
    port: u16,
    upstream: String,
    task: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy that is not listening yet: its port is closed.
    fn closed(upstream: String) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("an address").port();
        Proxy {
            port,
            upstream,
            task: None,
        }
    }

    async fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the proxy's port again");
        let upstream = self.upstream.clone();
        self.task = Some(tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Stops listening and drops every connection.
    fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[tokio::test]
async fn shared_limits_come_back_when_redis_does() {
    let Some(url) = redis_url("shared_limits_come_back_when_redis_does") else {
        return;
    };
    let (logs, _guard) = Logs::capture();
    let mut target = url::Url::parse(&url).expect("WACLOUD_TEST_REDIS_URL is a URL");
    let upstream = format!(
        "{}:{}",
        target.host_str().unwrap_or("127.0.0.1"),
        target.port().unwrap_or(6379)
    );
    let mut proxy = Proxy::closed(upstream);
    target.set_host(Some("127.0.0.1")).expect("a host");
    target.set_port(Some(proxy.port)).expect("a port");

    let server = sending_server().await;
    let health_backoff = Duration::from_millis(50);
    let shared = RedisLimits::builder(target.as_str())
        .namespace(namespace("comeback"))
        .fallback_share(0.25)
        .health_backoff(health_backoff)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("valid settings");
    // 4 per second, burst 4: a quarter is one per second, burst 1.
    let limits = RateLimits::default()
        .throughput(4)
        .throughput_burst(4)
        .no_pair()
        .mode(LimitMode::FailFast);
    let client = replica(&server, "a", shared, limits, RetryPolicy::none());
    let batch = |from: usize| (from..from + 6).map(recipient).collect::<Vec<_>>();

    // Redis is away: local limits, at a quarter.
    let start = Instant::now();
    let local = granted(&client, &batch(0), LimitKind::Throughput).await;
    assert!(
        (1..=1 + refill(start.elapsed(), 1.0)).contains(&local),
        "{local} granted at a quarter of 4/s"
    );
    assert_eq!(logs.count(FELL_BACK), 1);
    assert_eq!(logs.count(RETURNED), 0);

    // Redis is back: after the health back-off, the next call tries it, and the shared bucket
    // (fresh: a burst of 4) applies again.
    proxy.start().await;
    tokio::time::sleep(health_backoff * 2).await;
    let start = Instant::now();
    let shared = granted(&client, &batch(10), LimitKind::Throughput).await;
    assert!(
        (4..=4 + refill(start.elapsed(), 4.0)).contains(&shared),
        "{shared} granted by the shared burst of 4"
    );
    assert_eq!(logs.count(RETURNED), 1, "one note per transition");
    assert_eq!(logs.count(FELL_BACK), 1);

    // And away again: one more warning, local limits again.
    proxy.stop();
    let again = granted(&client, &batch(20), LimitKind::Throughput).await;
    assert!(again <= 2, "{again} granted after Redis went away again");
    assert_eq!(logs.count(FELL_BACK), 2);
    assert_eq!(hits(&server).await, local + shared + again);
}

#[test]
fn settings_are_checked_and_name_the_field() {
    let field = |result: Result<RedisLimits, Error>| match result {
        Err(Error::Validation(error)) => error.field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(
        field(RedisLimits::new("rediss://127.0.0.1:6379")),
        "redis_url"
    );
    assert_eq!(
        field(RedisLimits::new("http://127.0.0.1:6379")),
        "redis_url"
    );
    assert_eq!(field(RedisLimits::new("not a url")), "redis_url");
    for share in [0.0, -1.0, 1.5, f64::NAN] {
        assert_eq!(
            field(
                RedisLimits::builder("redis://127.0.0.1")
                    .fallback_share(share)
                    .build()
            ),
            "fallback_share"
        );
    }
    assert_eq!(
        field(
            RedisLimits::builder("redis://127.0.0.1")
                .namespace("two words")
                .build()
        ),
        "namespace"
    );
    assert_eq!(
        field(
            RedisLimits::builder("redis://127.0.0.1")
                .probe_lease(Duration::ZERO)
                .build()
        ),
        "probe_lease"
    );
    let ok = RedisLimits::builder("redis://:secret@127.0.0.1:6379/2")
        .fallback_share(1.0)
        .build()
        .expect("valid settings");
    assert!(!format!("{ok:?}").contains("secret"), "{ok:?}");
    assert_eq!(ok.fallback_share(), 1.0);
}
