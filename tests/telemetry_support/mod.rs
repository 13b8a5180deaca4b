//! Recording what the SDK reports: a `tracing` layer that keeps every span (name, parent,
//! fields as recorded), and a metrics snapshot read by name and labels. Both are installed as
//! the thread's defaults, so a current-thread test sees only its own spans and metrics.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use http::Extensions;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::MetricKind;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// One span as the layer saw it.
#[derive(Debug, Clone)]
pub struct SpanRecord {
    pub id: u64,
    pub name: &'static str,
    pub parent: Option<u64>,
    pub fields: BTreeMap<String, String>,
}

impl SpanRecord {
    /// A field's recorded value (strings without quotes, numbers as digits).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// Every span opened while the layer was installed, in order of creation.
#[derive(Clone, Default)]
pub struct Spans(Arc<Mutex<Vec<SpanRecord>>>);

impl Spans {
    /// Installs a subscriber with this layer as the thread's default.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        anchor_tracing();
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    pub fn all(&self) -> Vec<SpanRecord> {
        self.0.lock().unwrap().clone()
    }

    pub fn named(&self, name: &str) -> Vec<SpanRecord> {
        self.all().into_iter().filter(|s| s.name == name).collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> Layer<S> for Spans
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.id().into_u64());
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(SpanRecord {
            id: id.into_u64(),
            name: attrs.metadata().name(),
            parent,
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        // Ids are reused once a span closes: the latest span with the id is the live one.
        if let Some(span) = spans.iter_mut().rev().find(|s| s.id == id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
}

/// Installs an inert global subscriber, once per test binary. Called by [`Spans::install`] and
/// [`Metrics::install`], which every test using this module calls before it reaches the SDK.
///
/// Why: `tracing` caches each callsite's interest process-wide, computed by the first thread
/// to reach it. With one thread-local subscriber registered and no global one, tracing-core
/// asks only the registering thread's own default; a sibling test with no subscriber (in
/// `telemetry.rs`, those that read only metrics) then caches "never" for the call or attempt
/// span, and a test recording spans on another thread sees none of them until some later
/// subscriber rebuilds the cache (`telemetry -- --test-threads=2
/// rate_limit_waits_are_measured_per_permit a_retried_send_has_a_call_span` failed 25 times
/// in 30 so). With a global default every thread is interested, and each test's own
/// subscriber still gets only its thread's spans. `shared_limits.rs` calls it too.
pub fn anchor_tracing() {
    static ANCHOR: std::sync::Once = std::sync::Once::new();
    ANCHOR.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
}

/// A metrics recorder for one test thread.
pub struct Metrics {
    recorder: DebuggingRecorder,
    snapshotter: Snapshotter,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        Metrics {
            recorder,
            snapshotter,
        }
    }
}

impl Metrics {
    /// Installs the recorder as the thread's default (and anchors `tracing`: see
    /// [`anchor_tracing`]; a test reading only metrics still reaches the SDK's spans).
    pub fn install(&self) -> metrics::LocalRecorderGuard<'_> {
        anchor_tracing();
        metrics::set_default_local_recorder(&self.recorder)
    }

    /// What was recorded since the last snapshot (counters and histograms are drained).
    pub fn snapshot(&self) -> Snapshot {
        let entries = self
            .snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, unit, _, value)| {
                let labels = key
                    .key()
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                Entry {
                    kind: key.kind(),
                    name: key.key().name().to_owned(),
                    labels,
                    unit,
                    value,
                }
            })
            .collect();
        Snapshot(entries)
    }
}

#[derive(Debug)]
pub struct Entry {
    pub kind: MetricKind,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub unit: Option<metrics::Unit>,
    pub value: DebugValue,
}

/// A snapshot, read by name and (a subset of) labels.
#[derive(Debug)]
pub struct Snapshot(pub Vec<Entry>);

impl Snapshot {
    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.0.iter().filter(move |e| {
            e.name == name
                && labels
                    .iter()
                    .all(|(k, v)| e.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The sum of the counters with this name and these labels.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.matching(name, labels)
            .map(|e| match e.value {
                DebugValue::Counter(n) => n,
                _ => 0,
            })
            .sum()
    }

    /// The gauge with this name and these labels.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.matching(name, labels).find_map(|e| match e.value {
            DebugValue::Gauge(v) => Some(v.into_inner()),
            _ => None,
        })
    }

    /// Every value of the histograms with this name and these labels.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
        self.matching(name, labels)
            .flat_map(|e| match &e.value {
                DebugValue::Histogram(values) => values.iter().map(|v| v.into_inner()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// Every label value a metric was recorded with, per label key.
    pub fn label_values(&self, name: &str, key: &str) -> Vec<String> {
        self.matching(name, &[])
            .filter_map(|e| e.labels.get(key).cloned())
            .collect()
    }
}

/// A send answer, as Meta shapes it.
pub const SENT: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;

/// The innermost layer of a test client: answers from a script (status and Graph error
/// fixture), then [`SENT`], without any socket, so the test runs on tokio's paused clock.
#[derive(Clone, Default)]
pub struct Scripted(Arc<Mutex<VecDeque<(u16, &'static str)>>>);

impl Scripted {
    pub fn new(script: impl IntoIterator<Item = (u16, &'static str)>) -> Self {
        Scripted(Arc::new(Mutex::new(script.into_iter().collect())))
    }
}

/// A fixture from `wiremock-fixtures/errors/`.
pub fn error_body(name: &str) -> String {
    let path = format!(
        "{}/wiremock-fixtures/errors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("fixture {path}: {err}"))
}

#[async_trait::async_trait]
impl Middleware for Scripted {
    async fn handle(
        &self,
        _req: Request,
        _extensions: &mut Extensions,
        _next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let next = self.0.lock().unwrap().pop_front();
        let (status, body) = match next {
            Some((status, fixture)) => (status, error_body(fixture)),
            None => (200, SENT.to_owned()),
        };
        let answer = http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body)
            .expect("a valid response");
        Ok(Response::from(answer))
    }
}

/// A client whose innermost layer is `script`, on tokio's clock, with the default stack.
pub fn client(script: Scripted) -> wacloud::ClientBuilder {
    wacloud::Client::builder()
        .access_token("EAAGtelemetryTOKEN")
        .phone_number_id("106540352242922")
        .base_url("http://127.0.0.1:9")
        .layers(move |stack| {
            stack.push(wacloud::layers::Layer::new("scripted", script));
        })
}
