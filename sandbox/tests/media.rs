//! Media upload, URL, download, expiry and delete over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use wacloud_sandbox::SandboxConfig;

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----wacloudsandboxboundary";
    let mut body = Vec::new();
    for (name, ct, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match ct {
            Some(ct) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"f.bin\"\r\nContent-Type: {ct}\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    sb: &wacloud_sandbox::SandboxHandle,
    fields: &[(&str, Option<&str>, &[u8])],
) -> (u16, Value) {
    let (ct, body) = multipart(fields);
    let url = format!(
        "{}/v23.0/{}/media",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let r = client()
        .post(url)
        .bearer_auth("sandbox-token")
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test(start_paused = true)]
async fn media_round_trip_expiry_and_delete() {
    // The default TTL (5 minutes), on tokio's paused clock.
    let sb = start(SandboxConfig::default()).await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";
    let (s, v) = upload(
        &sb,
        &[
            ("messaging_product", None, b"whatsapp"),
            ("type", None, b"image/png"),
            ("file", Some("image/png"), png),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v.as_object().unwrap().len(), 1);

    let c = client();
    let info: Value = c
        .get(format!(
            "{}/v23.0/{id}?phone_number_id={}",
            sb.base_url(),
            sb.config().phone_number_id
        ))
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["messaging_product"], "whatsapp");
    assert_eq!(info["id"], id.as_str());
    assert_eq!(info["mime_type"], "image/png");
    assert_eq!(info["file_size"], png.len());
    assert_eq!(info["sha256"], hex::encode(Sha256::digest(png)));
    let url = info["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(sb.base_url()));

    // Download needs the token.
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(&url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(&r.bytes().await.unwrap()[..], png);

    // Expiry.
    tokio::time::advance(Duration::from_secs(299)).await;
    let r = c
        .get(&url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::advance(Duration::from_secs(2)).await;
    let r = c
        .get(&url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_graph_error(&v, 100);

    // Delete, then it is gone.
    let r = c
        .delete(format!("{}/v23.0/{id}", sb.base_url()))
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        serde_json::json!({"success": true})
    );
    let r = c
        .get(format!("{}/v23.0/{id}", sb.base_url()))
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = c
        .delete(format!("{}/v23.0/{id}", sb.base_url()))
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn upload_validation() {
    let sb = start(SandboxConfig::default()).await;
    let (s, v) = upload(
        &sb,
        &[
            ("type", None, b"image/png"),
            ("file", Some("image/png"), b"x"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100);
    let (s, v) = upload(
        &sb,
        &[
            ("messaging_product", None, b"whatsapp"),
            ("type", None, b"image/png"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 131008);
    let (s, v) = upload(
        &sb,
        &[
            ("messaging_product", None, b"whatsapp"),
            ("type", None, b"application/x-evil"),
            ("file", Some("application/x-evil"), b"x"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 131053);
    // Not multipart at all.
    let url = format!(
        "{}/v23.0/{}/media",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let r = client()
        .post(url)
        .bearer_auth("sandbox-token")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    sb.shutdown().await;
}
