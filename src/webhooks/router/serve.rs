//! The receiver's own HTTP/1.1 server: an axum [`Router`] on hyper, with the connection limits
//! `axum::serve` does not set.
//!
//! A webhook endpoint faces the internet. Without a deadline on request headers, a client that
//! opens connections and sends their headers a byte at a time (a "slowloris") holds each one
//! open for ever, and enough of them exhaust the process's file descriptors: Meta's deliveries
//! then fail to connect. Here each request's headers must arrive within
//! [`ServeOptions::header_read_timeout`] (the deadline also closes a keep-alive connection that
//! stays idle that long), and at most [`ServeOptions::max_connections`] connections are served
//! at once; the next ones wait in the listen backlog until one closes. Bodies have their own
//! deadline and byte budget in the router ([`super::DEFAULT_BODY_TIMEOUT`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::time::{default_clock, SharedClock};

/// The default time a request's headers may take to arrive (and a keep-alive connection may
/// stay idle): 10 s. Meta sends its headers in one packet.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The default number of connections served at once: 4,096.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// The largest request head (request line and headers) read: 64 KiB. Meta's are under 2 KiB.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How the server treats connections.
#[derive(Debug, Clone)]
#[must_use]
pub struct ServeOptions {
    header_read_timeout: Duration,
    max_connections: usize,
    clock: SharedClock,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            clock: default_clock(),
        }
    }
}

impl ServeOptions {
    /// The time a request's headers may take to arrive, from the moment the server waits for
    /// them (so also the longest a keep-alive connection stays idle). At least 1 ms.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The connections served at once (at least 1); the next wait in the listen backlog.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.clamp(1, Semaphore::MAX_PERMITS);
        self
    }

    /// The clock the header deadline runs on (default tokio's; see [`crate::time`]).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

/// Serves `app` on `listener` until `signal` completes, then stops accepting, lets each
/// connection finish the request in flight, and returns once every connection has closed.
/// An accept error (too many open files, a connection reset before it was accepted) is
/// logged and the loop goes on after a short pause; it never ends the server.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(ClockTimer(Arc::clone(&options.clock)))
        .header_read_timeout(options.header_read_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(signal);
    loop {
        let slot = tokio::select! {
            () = &mut signal => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "webhook receiver: accept failed; retrying shortly");
                options.clock.sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "webhook receiver: connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// hyper's timer on the crate's [`Clock`](crate::time::Clock), so that tests can drive the
/// header deadline with paused or scaled time like every other wait.
#[derive(Debug, Clone)]
struct ClockTimer(SharedClock);

impl hyper::rt::Timer for ClockTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(ClockSleep(Mutex::new(self.0.sleep(duration))))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let deadline = crate::time::Instant::from_std(deadline);
        Box::pin(ClockSleep(Mutex::new(self.0.sleep_until(deadline))))
    }

    fn now(&self) -> std::time::Instant {
        self.0.now().into_std()
    }
}

/// A clock's sleep as hyper wants it: `Sync` as well as `Send`. The mutex is never locked:
/// polling has the future by `&mut`.
struct ClockSleep(Mutex<crate::time::Sleep>);

impl Future for ClockSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut()
            .0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .poll(cx)
    }
}

impl hyper::rt::Sleep for ClockSleep {}
