//! A small `multipart/form-data` encoder (RFC 7578) that produces one contiguous byte buffer.
//!
//! reqwest's own multipart form streams its body, and a streamed body cannot be cloned, so a
//! request carrying it could never be retried by a middleware. Encoding to [`Bytes`] up front
//! keeps an upload retryable like any JSON call.

use bytes::{BufMut, Bytes, BytesMut};
use rand::Rng;

/// One part of a form.
#[derive(Debug, Clone)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

/// A form being assembled; [`Form::encode`] turns it into the boundary and the body bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    parts: Vec<Part>,
}

/// An encoded form: the boundary for the `Content-Type` header, and the body.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    pub(crate) boundary: String,
    pub(crate) bytes: Bytes,
}

impl Form {
    pub(crate) fn new() -> Self {
        Form::default()
    }

    /// Adds a plain text field.
    pub(crate) fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.push(Part {
            name: name.to_owned(),
            filename: None,
            content_type: None,
            body: Bytes::copy_from_slice(value.as_bytes()),
        });
        self
    }

    /// Adds a file field with its file name and content type.
    pub(crate) fn file(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        body: Bytes,
    ) -> Self {
        self.parts.push(Part {
            name: name.to_owned(),
            filename: Some(filename.to_owned()),
            content_type: Some(content_type.to_owned()),
            body,
        });
        self
    }

    /// Encodes the form with a fresh random boundary that occurs in no part.
    pub(crate) fn encode(&self) -> Encoded {
        let mut boundary = random_boundary();
        while self.parts.iter().any(|part| part.contains(&boundary)) {
            boundary = random_boundary();
        }
        self.encode_with(boundary)
    }

    fn encode_with(&self, boundary: String) -> Encoded {
        let capacity = self
            .parts
            .iter()
            .map(|part| part.body.len() + part.name.len() + 160 + boundary.len())
            .sum::<usize>()
            + boundary.len()
            + 8;
        let mut out = BytesMut::with_capacity(capacity);
        for part in &self.parts {
            out.put_slice(b"--");
            out.put_slice(boundary.as_bytes());
            out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.put_slice(escape_quoted(&part.name).as_bytes());
            out.put_slice(b"\"");
            if let Some(filename) = &part.filename {
                out.put_slice(b"; filename=\"");
                out.put_slice(escape_quoted(filename).as_bytes());
                out.put_slice(b"\"");
            }
            out.put_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                out.put_slice(b"Content-Type: ");
                out.put_slice(strip_line_breaks(content_type).as_bytes());
                out.put_slice(b"\r\n");
            }
            out.put_slice(b"\r\n");
            out.put_slice(&part.body);
            out.put_slice(b"\r\n");
        }
        out.put_slice(b"--");
        out.put_slice(boundary.as_bytes());
        out.put_slice(b"--\r\n");
        Encoded {
            boundary,
            bytes: out.freeze(),
        }
    }
}

impl Part {
    fn contains(&self, boundary: &str) -> bool {
        let needle = boundary.as_bytes();
        contains(&self.body, needle)
            || self.name.contains(boundary)
            || self
                .filename
                .as_deref()
                .is_some_and(|name| name.contains(boundary))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// `wacloud-` and 32 random hex digits: 128 bits make a clash with the content astronomically
/// unlikely, and [`Form::encode`] checks anyway.
fn random_boundary() -> String {
    let value: u128 = rand::rng().random();
    format!("wacloud-{value:032x}")
}

/// Escapes a quoted header parameter the way browsers do (HTML's form encoding): `"`, CR and LF
/// become percent escapes, so that a file name can never end the parameter or the header.
fn escape_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            other => out.push(other),
        }
    }
    out
}

/// Drops CR and LF from a header value, so that it cannot start a new header.
fn strip_line_breaks(value: &str) -> String {
    value
        .chars()
        .filter(|ch| !matches!(ch, '\r' | '\n'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_text_and_file_parts() {
        let form = Form::new().text("messaging_product", "whatsapp").file(
            "file",
            "a.png",
            "image/png",
            Bytes::from_static(b"\x89PNG"),
        );
        let encoded = form.encode_with("XyZ".to_owned());
        let expected = b"--XyZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\
--XyZ--\r\n";
        assert_eq!(&encoded.bytes[..], &expected[..]);
        assert_eq!(encoded.boundary, "XyZ");
    }

    #[test]
    fn boundary_never_occurs_in_content() {
        let body = Bytes::from(vec![b'w'; 64]);
        let encoded = Form::new().file("file", "f", "text/plain", body).encode();
        assert!(encoded.boundary.starts_with("wacloud-"));
        assert_eq!(encoded.boundary.len(), "wacloud-".len() + 32);
        let inner = &encoded.bytes[..encoded.bytes.len() - encoded.boundary.len() - 6];
        let occurrences = inner
            .windows(encoded.boundary.len())
            .filter(|window| *window == encoded.boundary.as_bytes())
            .count();
        assert_eq!(
            occurrences, 1,
            "only the opening delimiter before the closing one"
        );
    }

    #[test]
    fn file_names_cannot_break_the_header() {
        let encoded = Form::new()
            .file(
                "file",
                "evil\".png\r\nX-Injected: 1",
                "image/png\r\nX-Other: 2",
                Bytes::new(),
            )
            .encode_with("B".to_owned());
        let text = String::from_utf8_lossy(&encoded.bytes);
        assert!(text.contains("filename=\"evil%22.png%0D%0AX-Injected: 1\""));
        assert!(text.contains("Content-Type: image/pngX-Other: 2\r\n"));
        assert!(!text.contains("\r\nX-Injected"));
        assert!(!text.contains("\r\nX-Other"));
    }

    #[test]
    fn substring_search() {
        assert!(contains(b"abcdef", b"cde"));
        assert!(!contains(b"abc", b"abcd"));
        assert!(!contains(b"abc", b""));
    }
}
