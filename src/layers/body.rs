//! Reading an answer's body inside a layer (or the client) without losing it for the next one,
//! and never more of it than a limit.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use reqwest::Response;

/// The most a layer buffers to look for a Graph error. Meta's error bodies are well under a
/// kilobyte (a few with `error_data` reach a few); an answer longer than this is not a Graph
/// error, and is passed on whole without being held in memory.
pub(crate) const MAX_ERROR_BODY: u64 = 64 * 1024;

/// The most the client reads of a Graph API answer (media downloads have their own caps).
pub(crate) const MAX_ANSWER_BODY: u64 = 4 * 1024 * 1024;

/// A body read under a limit.
pub(crate) enum Capped {
    /// The whole body, within the limit.
    Whole(Bytes),
    /// The body is longer than the limit. `prefix` holds what was read (the limit plus at most
    /// one network chunk; nothing when `Content-Length` already said so); the response still
    /// holds the rest.
    Over { prefix: Bytes },
}

/// Reads `response`'s body until it ends or passes `limit` bytes, whichever comes first.
pub(crate) async fn read_capped(
    response: &mut Response,
    limit: u64,
) -> Result<Capped, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Ok(Capped::Over {
            prefix: Bytes::new(),
        });
    }
    // Most answers arrive in one chunk: it is kept as it is, without a copy; a second chunk
    // starts a buffer.
    let first = match response.chunk().await? {
        None => return Ok(Capped::Whole(Bytes::new())),
        Some(chunk) if chunk.len() as u64 > limit => return Ok(Capped::Over { prefix: chunk }),
        Some(chunk) => chunk,
    };
    let Some(second) = response.chunk().await? else {
        return Ok(Capped::Whole(first));
    };
    let mut body = BytesMut::with_capacity(first.len() + second.len());
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > limit {
            return Ok(Capped::Over {
                prefix: body.freeze(),
            });
        }
        next = response.chunk().await?;
    }
    Ok(Capped::Whole(body.freeze()))
}

/// An answer's body as the first layer that read it found it, kept in the response's
/// extensions: the next layer out and the client take these bytes instead of reading the body
/// again and rebuilding the response once more per layer. Cloning shares the bytes.
#[derive(Clone, Debug)]
pub(crate) struct ReadBody {
    bytes: Option<Bytes>,
    /// Whether the bytes may hold a Graph error (they mention `"error"`): checked once, when
    /// read, for every layer and the client ([`ReadBody::graph_error`]).
    may_be_graph: bool,
    /// The response still has its own body, already read to its end (the bytes are here):
    /// [`restore`] puts them back before the response leaves the SDK's own layers.
    pending: bool,
}

impl ReadBody {
    /// The whole body, or `None` when it was longer than [`MAX_ERROR_BODY`] (and not held).
    pub(crate) fn bytes(&self) -> Option<&Bytes> {
        self.bytes.as_ref()
    }

    /// The Graph error in the body, if it holds one ([`GraphError::from_body`], without its
    /// pre-check again).
    ///
    /// [`GraphError::from_body`]: crate::GraphError::from_body
    pub(crate) fn graph_error(&self) -> Option<crate::GraphError> {
        self.bytes
            .as_deref()
            .filter(|_| self.may_be_graph)
            .and_then(crate::GraphError::from_body)
    }

    /// Whether the body may hold a Graph error (`false`: it was read and holds none).
    pub(crate) fn may_be_graph(&self) -> bool {
        self.may_be_graph
    }

    /// The body a layer already read from `response`, if one did.
    pub(crate) fn of(response: &Response) -> Option<&ReadBody> {
        response.extensions().get::<ReadBody>()
    }
}

/// Reads at most [`MAX_ERROR_BODY`] bytes of an answer for a layer of the SDK; answers the
/// response and the bytes when the body was whole (`None`: too long to be a Graph error).
///
/// The body is read once per answer: a response an inner layer already read carries a
/// [`ReadBody`] and is handed back as it is. A whole body stays in the response's extensions
/// and the response itself is not rebuilt here (that costs several thousand instructions per
/// answer, and the SDK's own layers and the client take the bytes from the extensions): every
/// place where a response leaves the SDK's code (a layer's `Middleware` face, a fused run's, a
/// streamed answer) calls [`restore`], which gives it its body back. A body too long to hold
/// is given back at once: what was read, followed by the unread rest.
pub(crate) async fn buffer(
    mut response: Response,
) -> Result<(Response, Option<Bytes>), reqwest::Error> {
    if let Some(read) = ReadBody::of(&response) {
        let bytes = read.bytes.clone();
        return Ok((response, bytes));
    }
    match read_capped(&mut response, MAX_ERROR_BODY).await? {
        Capped::Whole(bytes) => {
            response.extensions_mut().insert(ReadBody {
                may_be_graph: crate::error::graph::mentions_error(&bytes),
                bytes: Some(bytes.clone()),
                pending: true,
            });
            Ok((response, Some(bytes)))
        }
        Capped::Over { prefix } => {
            let url = response.url().clone();
            let (mut parts, rest) = http::Response::<reqwest::Body>::from(response).into_parts();
            keep_url(&mut parts.extensions, url);
            parts.extensions.insert(ReadBody {
                bytes: None,
                may_be_graph: false,
                pending: false,
            });
            let body = reqwest::Body::wrap(Prefixed {
                prefix: (!prefix.is_empty()).then_some(prefix),
                rest,
            });
            Ok((
                Response::from(http::Response::from_parts(parts, body)),
                None,
            ))
        }
    }
}

/// Gives a response that [`buffer`] read back its body (an equivalent response, with the same
/// status, headers, extensions and URL), before it leaves the SDK's own code. Any other response
/// is handed back as it is.
pub(crate) fn restore(response: Response) -> Response {
    let (bytes, may_be_graph) = match ReadBody::of(&response) {
        Some(ReadBody {
            bytes: Some(bytes),
            may_be_graph,
            pending: true,
        }) => (bytes.clone(), *may_be_graph),
        _ => return response,
    };
    let url = response.url().clone();
    let (mut parts, _) = http::Response::<reqwest::Body>::from(response).into_parts();
    keep_url(&mut parts.extensions, url);
    parts.extensions.insert(ReadBody {
        bytes: Some(bytes.clone()),
        may_be_graph,
        pending: false,
    });
    Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::from(bytes),
    ))
}

/// [`restore`] on a layer's result.
pub(crate) fn restored(
    result: reqwest_middleware::Result<Response>,
) -> reqwest_middleware::Result<Response> {
    result.map(restore)
}

/// Puts the answer's URL where `reqwest::Response::from` looks for it, so that the rebuilt
/// response reports the real URL instead of parsing a placeholder one.
fn keep_url(extensions: &mut http::Extensions, url: reqwest::Url) {
    use reqwest::ResponseBuilderExt;
    let mut carrier = http::Response::builder().url(url);
    if let Some(with_url) = carrier.extensions_mut() {
        extensions.extend(std::mem::take(with_url));
    }
}

/// A body whose first bytes were already read: yields them, then the rest.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: reqwest::Body,
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = reqwest::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, reqwest::Error>>> {
        if let Some(prefix) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let prefix = self.prefix.as_ref().map_or(0, |prefix| prefix.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(prefix));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(prefix));
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: Vec<u8>) -> Response {
        Response::from(
            http::Response::builder()
                .status(500)
                .header("x-kept", "yes")
                .body(body)
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_short_body_is_buffered_and_kept() {
        let (response, bytes) = buffer(answer(b"{\"error\":{}}".to_vec())).await.unwrap();
        assert_eq!(bytes.as_deref(), Some(&b"{\"error\":{}}"[..]));
        assert_eq!(response.headers()["x-kept"], "yes");
        let response = restore(response);
        assert_eq!(response.headers()["x-kept"], "yes");
        assert_eq!(response.bytes().await.unwrap(), &b"{\"error\":{}}"[..]);
    }

    #[tokio::test]
    async fn a_body_is_read_once_and_the_answer_keeps_its_url() {
        use reqwest::ResponseBuilderExt;
        let url = reqwest::Url::parse("http://127.0.0.1:9/v1/123/messages").unwrap();
        let answer = Response::from(
            http::Response::builder()
                .status(200)
                .url(url.clone())
                .body(b"{\"ok\":true}".to_vec())
                .unwrap(),
        );
        let (first, bytes) = buffer(answer).await.unwrap();
        assert_eq!(first.url(), &url);
        assert_eq!(
            ReadBody::of(&first).and_then(ReadBody::bytes),
            bytes.as_ref()
        );
        // A second layer gets the same bytes without a read and the response as it was.
        let (second, again) = buffer(first).await.unwrap();
        assert_eq!(again, bytes);
        assert_eq!(second.url(), &url);
        // Leaving the SDK's code, it gets its body back, once.
        let restored = restore(second);
        assert_eq!(restored.url(), &url);
        assert!(ReadBody::of(&restored).is_some_and(|read| !read.pending));
        let restored = restore(restored);
        assert_eq!(restored.bytes().await.unwrap(), &b"{\"ok\":true}"[..]);
    }

    #[tokio::test]
    async fn a_long_body_is_not_buffered_and_reaches_the_next_layer_whole() {
        let long: Vec<u8> = (0..3 * MAX_ERROR_BODY).map(|n| (n % 253) as u8).collect();
        let (response, bytes) = buffer(answer(long.clone())).await.unwrap();
        assert!(bytes.is_none());
        assert!(ReadBody::of(&response).is_some_and(|read| read.bytes().is_none()));
        assert_eq!(response.status(), 500);
        assert_eq!(response.bytes().await.unwrap(), long);
    }
}
