//! What the client built a request from, so that the retry layer can rebuild the request for a
//! retry instead of copying it before every attempt.
//!
//! The client puts a [`Resend`] in the request's
//! [`RequestFacts`](super::facts::RequestFacts), in its extensions. Its parts are shared (the body's `Bytes`, header
//! values that share their bytes), so keeping it costs a few reference counts. The retry layer
//! uses it only when the request it receives is still exactly what the recipe builds (a layer
//! outside it may have changed the request; then it copies the request as before), and only
//! once an answer says a retry is due.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Version};
use reqwest::{Request, Url};

/// A request's headers, in order; shared (a client's send headers are built once).
pub(crate) type Headers = Arc<[(HeaderName, HeaderValue)]>;

/// The parts of a request, as the client built it.
#[derive(Clone, Debug)]
pub(crate) struct Resend {
    method: Method,
    url: Arc<Url>,
    /// In the order they are added (with distinct names, a `HeaderMap` iterates them in this
    /// order; with repeated names a built request never matches, and is copied instead).
    headers: Headers,
    body: Option<Bytes>,
}

impl Resend {
    /// A recipe from shared parts: building it copies nothing.
    pub(crate) fn new(
        method: Method,
        url: Arc<Url>,
        headers: Headers,
        body: Option<Bytes>,
    ) -> Resend {
        Resend {
            method,
            url,
            headers,
            body,
        }
    }

    /// The recipe in a request's extensions (in its facts), if the client left one.
    pub(crate) fn of(extensions: &http::Extensions) -> Option<&Resend> {
        super::facts::RequestFacts::of(extensions).and_then(|facts| facts.resend.as_ref())
    }

    /// Whether `request` is exactly what [`request`](Self::request) builds: same method, URL,
    /// headers (names, values, order, sensitivity), the very same body bytes, no timeout of its
    /// own and the default version.
    pub(crate) fn matches(&self, request: &Request) -> bool {
        let body_matches = match (&self.body, request.body()) {
            (None, None) => true,
            (Some(kept), Some(body)) => body
                .as_bytes()
                .is_some_and(|sent| sent.as_ptr() == kept.as_ptr() && sent.len() == kept.len()),
            _ => false,
        };
        body_matches
            && request.timeout().is_none()
            && request.version() == Version::default()
            && request.method() == self.method
            && request.url().as_str() == self.url.as_str()
            && request.headers().len() == self.headers.len()
            && request.headers().iter().zip(self.headers.iter()).all(
                |((name, value), (kept_name, kept_value))| {
                    name == kept_name
                        && value == kept_value
                        && value.is_sensitive() == kept_value.is_sensitive()
                },
            )
    }

    /// A new request from the recipe.
    pub(crate) fn request(&self) -> Request {
        let mut request = Request::new(self.method.clone(), Url::clone(&self.url));
        // No `reserve`: the first header allocates room for eight, which also fits the ones the
        // transport adds (`accept`, `user-agent`) without growing the map.
        let headers = request.headers_mut();
        for (name, value) in self.headers.iter() {
            headers.append(name.clone(), value.clone());
        }
        if let Some(body) = &self.body {
            *request.body_mut() = Some(reqwest::Body::from(body.clone()));
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(body: &Bytes) -> Resend {
        let mut bearer = HeaderValue::from_static("Bearer t");
        bearer.set_sensitive(true);
        Resend::new(
            Method::POST,
            Arc::new(Url::parse("http://127.0.0.1:9/v1/123/messages").unwrap()),
            Arc::new([
                (http::header::AUTHORIZATION, bearer),
                (
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
            ]),
            Some(body.clone()),
        )
    }

    fn request(body: &Bytes) -> Request {
        let mut request = Request::new(
            Method::POST,
            Url::parse("http://127.0.0.1:9/v1/123/messages").unwrap(),
        );
        let mut bearer = HeaderValue::from_static("Bearer t");
        bearer.set_sensitive(true);
        request
            .headers_mut()
            .append(http::header::AUTHORIZATION, bearer);
        request.headers_mut().append(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        *request.body_mut() = Some(reqwest::Body::from(body.clone()));
        request
    }

    #[test]
    fn a_rebuilt_request_matches_and_equals_the_original() {
        let body = Bytes::from(b"{\"to\":\"1\"}".to_vec());
        let original = request(&body);
        let recipe = recipe(&body);
        assert!(recipe.matches(&original));
        let rebuilt = recipe.request();
        assert!(recipe.matches(&rebuilt));
        assert_eq!(rebuilt.method(), original.method());
        assert_eq!(rebuilt.url(), original.url());
        assert_eq!(rebuilt.headers(), original.headers());
        assert!(rebuilt.headers()[http::header::AUTHORIZATION].is_sensitive());
        assert_eq!(
            rebuilt.body().and_then(reqwest::Body::as_bytes),
            Some(&body[..])
        );
    }

    #[test]
    fn any_change_to_the_request_is_seen() {
        let body = Bytes::from(b"{\"to\":\"1\"}".to_vec());
        let recipe = recipe(&body);
        assert!(recipe.matches(&request(&body)));
        let mut changed = request(&body);
        changed
            .headers_mut()
            .insert("x-signed", HeaderValue::from_static("yes"));
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        changed.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        );
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        changed
            .headers_mut()
            .get_mut(http::header::AUTHORIZATION)
            .unwrap()
            .set_sensitive(false);
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        // Equal bytes, but not the client's: a layer replaced the body.
        *changed.body_mut() = Some(reqwest::Body::from(body.to_vec()));
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        *changed.url_mut() = Url::parse("http://127.0.0.1:9/v1/123/other").unwrap();
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        *changed.method_mut() = Method::PUT;
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        *changed.timeout_mut() = Some(std::time::Duration::from_secs(1));
        assert!(!recipe.matches(&changed));
        let mut changed = request(&body);
        *changed.body_mut() = None;
        assert!(!recipe.matches(&changed));
    }
}
