//! The built-in layers run inline, as one `reqwest_middleware` hop.
//!
//! Each built-in layer is a [`Middleware`] of its own, so that a [`LayerStack`] can drop,
//! reorder or replace it and add the user's layers anywhere. Through `reqwest_middleware`, though,
//! every layer is a hop: a boxed `async_trait` future and a move of the request. So each built-in
//! layer's work is written once, generic over what comes after it ([`Inner`]), and the client
//! builder runs each stretch of consecutive built-in layers that keeps the default relative order
//! (recipients, auth, retry, rate limit) as one [`Fused`] middleware: one hop for the whole
//! stretch, with exactly the behaviour of the separate layers (the same code runs, in the same
//! order, with the same request and extensions). A stretch that ends the stack also runs the
//! dispatch observer and calls the transport itself, and a stack that is only that stretch (the
//! default one) is called by the client directly, with no hop at all.
//!
//! [`LayerStack`]: super::LayerStack

use std::future::Future;
use std::sync::Arc;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use super::auth::AuthLayer;
use super::rate_limit::RateLimitLayer;
use super::recipients::RecipientLayer;
use super::retry::RetryLayer;
use crate::client::dispatch::DispatchLayer;

/// What comes after a layer: the rest of the chain, called once per attempt.
pub(crate) trait Inner: Send + Sync {
    /// Sends `request` through the rest of the chain.
    fn run<'a>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut Extensions,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a;
}

/// A layer's work, given what comes after it.
pub(crate) trait Stage: Send + Sync {
    /// Handles `request`, calling `next` for the rest of the chain.
    fn handle_with<'a, N: Inner>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut Extensions,
        next: &'a N,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a;
}

/// The two faces of a built-in layer whose work is its `run_with(request, extensions, next)`: a
/// [`Middleware`] of its own (one hop of a custom stack) and a [`Stage`] of a fused run.
macro_rules! builtin_layer {
    ($layer:ty) => {
        #[async_trait::async_trait]
        impl reqwest_middleware::Middleware for $layer {
            async fn handle(
                &self,
                req: reqwest::Request,
                extensions: &mut http::Extensions,
                next: reqwest_middleware::Next<'_>,
            ) -> reqwest_middleware::Result<reqwest::Response> {
                // The response leaves the SDK's layers here: a body one of them read is given
                // back (see `layers::body::buffer`).
                $crate::layers::body::restored(
                    self.run_with(
                        Box::new(req),
                        extensions,
                        &$crate::layers::chain::Rest(next),
                    )
                    .await,
                )
            }
        }

        impl $crate::layers::chain::Stage for $layer {
            fn handle_with<'a, N: $crate::layers::chain::Inner>(
                &'a self,
                req: Box<reqwest::Request>,
                extensions: &'a mut http::Extensions,
                next: &'a N,
            ) -> impl std::future::Future<Output = reqwest_middleware::Result<reqwest::Response>>
                   + Send
                   + 'a {
                self.run_with(req, extensions, next)
            }
        }
    };
}
pub(crate) use builtin_layer;

/// The rest of a `reqwest_middleware` stack.
pub(crate) struct Rest<'n>(pub(crate) Next<'n>);

impl Inner for Rest<'_> {
    fn run<'a>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut Extensions,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        self.0.clone().run(*request, extensions)
    }
}

/// The transport itself: the end of a chain that is innermost.
struct Transport<'c>(&'c reqwest::Client);

impl Inner for Transport<'_> {
    fn run<'a>(
        &'a self,
        request: Box<Request>,
        _extensions: &'a mut Extensions,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        let pending = self.0.execute(*request);
        async move { pending.await.map_err(reqwest_middleware::Error::from) }
    }
}

/// The rest of a chain, run as a future of its own (boxed).
///
/// A future's size is that of everything it holds across an await, the futures it awaits
/// included. Boxing a future moves it into place (a copy of its whole size: above 2 KiB, glibc's
/// `memcpy` goes byte by byte with `rep movsb`) and allocates it (above 1 KiB, past malloc's
/// per-thread cache, several times dearer). So the fused chain is cut in boxes of under a
/// kilobyte each: the auth layer's future, the retry layer's, and the attempt's below it.
struct Boxed<N>(N);

impl<N: Inner> Inner for Boxed<N> {
    fn run<'a>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut Extensions,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        Box::pin(self.0.run(request, extensions))
    }
}

/// One layer of a chain (or none: then the chain goes straight on).
struct Step<'s, L, N> {
    layer: Option<&'s L>,
    next: N,
}

impl<L: Stage, N: Inner> Inner for Step<'_, L, N> {
    // Not an `async fn`: the request would take a second place in the future.
    #[allow(clippy::manual_async_fn)]
    fn run<'a>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut Extensions,
    ) -> impl Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        async move {
            match self.layer {
                Some(layer) => layer.handle_with(request, extensions, &self.next).await,
                None => self.next.run(request, extensions).await,
            }
        }
    }
}

/// A built-in layer as the client builder made it, remembered by its [`Layer`](super::Layer) so
/// that the builder can fuse it. (A layer the user builds is a hop of its own, whatever it is.)
#[derive(Clone)]
pub(crate) enum Builtin {
    Recipients(Arc<RecipientLayer>),
    Auth(Arc<AuthLayer>),
    Retry(Arc<RetryLayer>),
    RateLimit(Arc<RateLimitLayer>),
}

impl Builtin {
    /// The layer as a middleware of its own (sharing its state with the fused run).
    pub(crate) fn middleware(&self) -> Arc<dyn Middleware> {
        match self {
            Builtin::Recipients(layer) => Arc::clone(layer) as Arc<dyn Middleware>,
            Builtin::Auth(layer) => Arc::clone(layer) as Arc<dyn Middleware>,
            Builtin::Retry(layer) => Arc::clone(layer) as Arc<dyn Middleware>,
            Builtin::RateLimit(layer) => Arc::clone(layer) as Arc<dyn Middleware>,
        }
    }

    /// The layer's place in the default order, outermost first.
    fn rank(&self) -> u8 {
        match self {
            Builtin::Recipients(_) => 0,
            Builtin::Auth(_) => 1,
            Builtin::Retry(_) => 2,
            Builtin::RateLimit(_) => 3,
        }
    }
}

/// Consecutive built-in layers in the default relative order, run inline.
#[derive(Default)]
pub(crate) struct Fused {
    recipients: Option<Arc<RecipientLayer>>,
    auth: Option<Arc<AuthLayer>>,
    retry: Option<Arc<RetryLayer>>,
    rate_limit: Option<Arc<RateLimitLayer>>,
    /// The transport, when the stretch ends the stack: the dispatch observer runs inside the
    /// stretch then, and the transport is called directly.
    innermost: Option<reqwest::Client>,
}

impl Fused {
    /// Adds a layer after the ones already in; gives it back when it cannot go there (it comes
    /// before one of them in the default order).
    fn push(&mut self, layer: &Builtin) -> bool {
        let last = [
            self.recipients.is_some(),
            self.auth.is_some(),
            self.retry.is_some(),
            self.rate_limit.is_some(),
        ]
        .iter()
        .rposition(|present| *present);
        if last.is_some_and(|last| usize::from(layer.rank()) <= last) {
            return false;
        }
        match layer {
            Builtin::Recipients(layer) => self.recipients = Some(Arc::clone(layer)),
            Builtin::Auth(layer) => self.auth = Some(Arc::clone(layer)),
            Builtin::Retry(layer) => self.retry = Some(Arc::clone(layer)),
            Builtin::RateLimit(layer) => self.rate_limit = Some(Arc::clone(layer)),
        }
        true
    }

    /// Runs the stretch, then `end` (the transport, or the rest of the stack).
    async fn run_to<E: Inner>(
        &self,
        request: Box<Request>,
        extensions: &mut Extensions,
        end: E,
        dispatch: Option<&DispatchLayer>,
    ) -> reqwest_middleware::Result<Response> {
        let chain = Step {
            layer: self.recipients.as_deref(),
            next: Boxed(Step {
                layer: self.auth.as_deref(),
                next: Boxed(Step {
                    layer: self.retry.as_deref(),
                    next: Boxed(Step {
                        layer: self.rate_limit.as_deref(),
                        next: Step {
                            layer: dispatch,
                            next: end,
                        },
                    }),
                }),
            }),
        };
        chain.run(request, extensions).await
    }

    /// Runs a request through the whole stack this stretch is (it must be innermost), without
    /// any `reqwest_middleware` hop.
    pub(crate) async fn run(
        &self,
        request: Box<Request>,
        extensions: &mut Extensions,
    ) -> reqwest_middleware::Result<Response> {
        match &self.innermost {
            Some(transport) => {
                self.run_to(
                    request,
                    extensions,
                    Transport(transport),
                    Some(&DispatchLayer),
                )
                .await
            }
            None => Err(reqwest_middleware::Error::Middleware(anyhow::anyhow!(
                "the fused layers are not innermost: run them as a middleware"
            ))),
        }
    }
}

#[async_trait::async_trait]
impl Middleware for Fused {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        // The response leaves the SDK's layers here: a body one of them read is given back
        // (see `layers::body::buffer`).
        super::body::restored(match &self.innermost {
            Some(transport) => {
                self.run_to(
                    Box::new(request),
                    extensions,
                    Transport(transport),
                    Some(&DispatchLayer),
                )
                .await
            }
            None => {
                self.run_to(Box::new(request), extensions, Rest(next), None)
                    .await
            }
        })
    }
}

/// How a stack runs: its layers as `reqwest_middleware` hops, stretches of built-in layers fused.
pub(crate) struct Plan {
    /// The middlewares, outermost first (the dispatch observer included, innermost).
    pub(crate) middlewares: Vec<Arc<dyn Middleware>>,
    /// The whole stack as one fused stretch, when it is one: the client calls it directly.
    pub(crate) direct: Option<Arc<Fused>>,
}

/// Plans `layers` (outermost first) over `transport`.
pub(crate) fn plan(layers: &[super::Layer], transport: &reqwest::Client) -> Plan {
    enum Segment {
        Fused(Fused),
        Other(Arc<dyn Middleware>),
    }
    let mut segments: Vec<Segment> = Vec::new();
    for layer in layers {
        match layer.builtin() {
            Some(builtin) => {
                let pushed = match segments.last_mut() {
                    Some(Segment::Fused(fused)) => fused.push(builtin),
                    _ => false,
                };
                if !pushed {
                    let mut fused = Fused::default();
                    fused.push(builtin);
                    segments.push(Segment::Fused(fused));
                }
            }
            None => segments.push(Segment::Other(layer.middleware())),
        }
    }
    // The innermost stretch runs the dispatch observer and the transport itself; without one
    // (an empty stack, or a user's layer innermost), an empty stretch does.
    match segments.last_mut() {
        Some(Segment::Fused(fused)) => fused.innermost = Some(transport.clone()),
        _ => segments.push(Segment::Fused(Fused {
            innermost: Some(transport.clone()),
            ..Fused::default()
        })),
    }
    let direct = match segments.as_slice() {
        [Segment::Fused(_)] => match segments.pop() {
            Some(Segment::Fused(fused)) => Some(Arc::new(fused)),
            _ => None,
        },
        _ => None,
    };
    let mut middlewares: Vec<Arc<dyn Middleware>> = segments
        .into_iter()
        .map(|segment| match segment {
            Segment::Fused(fused) => Arc::new(fused) as Arc<dyn Middleware>,
            Segment::Other(middleware) => middleware,
        })
        .collect();
    if let Some(direct) = &direct {
        middlewares.push(Arc::clone(direct) as Arc<dyn Middleware>);
    }
    Plan {
        middlewares,
        direct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::auth::AuthGuidance;
    use crate::layers::rate_limit::RateLimits;
    use crate::layers::recipients::RecipientRules;
    use crate::layers::retry::RetryPolicy;
    use crate::layers::{Layer, AUTH, RATE_LIMIT, RECIPIENTS, RETRY};

    /// A user's layer.
    struct Mine;

    #[async_trait::async_trait]
    impl Middleware for Mine {
        async fn handle(
            &self,
            request: Request,
            extensions: &mut Extensions,
            next: Next<'_>,
        ) -> reqwest_middleware::Result<Response> {
            next.run(request, extensions).await
        }
    }

    fn defaults() -> Vec<Layer> {
        let http = reqwest::Client::new();
        let clock = crate::time::default_clock();
        let endpoint = crate::client::Client::builder()
            .access_token("t")
            .phone_number_id("1")
            .build()
            .unwrap()
            .endpoint()
            .clone();
        vec![
            Layer::built_in(
                RECIPIENTS,
                Builtin::Recipients(Arc::new(RecipientLayer::new(RecipientRules::default()))),
            ),
            Layer::built_in(
                AUTH,
                Builtin::Auth(Arc::new(AuthLayer::new(
                    AuthGuidance::default(),
                    http,
                    endpoint,
                    "t".into(),
                ))),
            ),
            Layer::built_in(
                RETRY,
                Builtin::Retry(Arc::new(RetryLayer::new(
                    RetryPolicy::default(),
                    clock.clone(),
                ))),
            ),
            Layer::built_in(
                RATE_LIMIT,
                Builtin::RateLimit(Arc::new(RateLimitLayer::new(RateLimits::default(), clock))),
            ),
        ]
    }

    fn hops(layers: &[Layer]) -> (usize, bool) {
        let plan = plan(layers, &reqwest::Client::new());
        (plan.middlewares.len(), plan.direct.is_some())
    }

    #[test]
    fn the_default_stack_is_one_direct_run() {
        assert_eq!(hops(&defaults()), (1, true));
        // Any layer removed, the rest keep their order: still one run.
        for removed in 0..4 {
            let mut layers = defaults();
            layers.remove(removed);
            assert_eq!(hops(&layers), (1, true), "without layer {removed}");
        }
        // No layer at all: the dispatch observer and the transport alone.
        assert_eq!(hops(&[]), (1, true));
    }

    #[test]
    fn a_users_layer_splits_the_run_and_stays_a_hop_of_its_own() {
        let mut layers = defaults();
        layers.insert(2, Layer::new("mine", Mine));
        // recipients + auth, mine, retry + rate limit (innermost, with the transport).
        assert_eq!(hops(&layers), (3, false));
        let mut layers = defaults();
        layers.push(Layer::new("mine", Mine));
        // The four, mine, then the dispatch observer and the transport.
        assert_eq!(hops(&layers), (3, false));
        let mut layers = defaults();
        layers.insert(0, Layer::new("mine", Mine));
        assert_eq!(hops(&layers), (2, false));
    }

    #[test]
    fn layers_out_of_the_default_order_run_as_separate_stretches() {
        let mut layers = defaults();
        layers.reverse();
        // Each built-in layer comes before the one it follows by default: four stretches.
        assert_eq!(hops(&layers), (4, false));
        let mut layers = defaults();
        layers.swap(2, 3);
        // recipients + auth + rate limit, then retry (innermost).
        assert_eq!(hops(&layers), (2, false));
        // A user's own instance of a built-in layer is a hop of its own.
        let mut layers = defaults();
        layers[2] = Layer::new(
            RETRY,
            RetryLayer::new(RetryPolicy::default(), crate::time::default_clock()),
        );
        assert_eq!(hops(&layers), (3, false));
    }
}
