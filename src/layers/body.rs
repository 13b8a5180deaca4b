//! Reading an answer's body inside a layer without losing it for the next one.

use bytes::Bytes;
use reqwest::Response;

/// Reads the whole body and rebuilds an equivalent response around the bytes.
pub(crate) async fn buffer(response: Response) -> Result<(Response, Bytes), reqwest::Error> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let mut builder = http::Response::builder().status(status).version(version);
    if let Some(map) = builder.headers_mut() {
        *map = headers;
    }
    let rebuilt = builder
        .body(bytes.clone())
        .map(Response::from)
        .expect("status and headers come from a valid response");
    Ok((rebuilt, bytes))
}
