//! Business profile, resumable upload, blocked users, QR codes and webhook subscriptions
//! against wiremock: Meta's paths and bodies, typed answers, limits checked before sending,
//! and a block partial failure (139100, HTTP 200) that names who failed and why.

mod account_support;

use account_support::{client, hits, json, path, success, PHONE_NUMBER_ID, WABA_ID};
use serde_json::json;
use wacloud::calls::uploads::FileUpload;
use wacloud::models::profile::{ProfileUpdate, Vertical};
use wacloud::models::qr_codes::QrImageFormat;
use wacloud::Error;
use wiremock::matchers::{body_json, header, method, path as at, query_param};
use wiremock::{Mock, MockServer};

fn field_of(error: Error) -> String {
    match error {
        Error::Validation(validation) => validation.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_business_profile_is_read_and_updated() {
    let server = MockServer::start().await;
    let profile = path(&[PHONE_NUMBER_ID, "whatsapp_business_profile"]);
    Mock::given(method("GET"))
        .and(at(profile.clone()))
        .and(query_param("fields", wacloud::models::profile::PROFILE_FIELDS))
        .respond_with(json(200, json!({"data": [{
            "about": "Succulents", "address": "1 Main St", "description": "Plants", "email": "a@example.com",
            "profile_picture_url": "https://pps.whatsapp.net/x.jpg", "websites": ["https://example.com"],
            "vertical": "RETAIL", "messaging_product": "whatsapp"}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(at(profile))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "about": "Open 9-5",
            "websites": ["https://example.com", "http://shop.example.com"], "vertical": "OTHER",
            "profile_picture_handle": "4::aW1hZ2U="}),
        ))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let number = client(&server).phone_number();
    let read = number.business_profile().await.unwrap();
    assert_eq!(read.vertical, Some(Vertical::Retail));
    assert_eq!(read.websites, ["https://example.com"]);
    number
        .update_business_profile(
            ProfileUpdate::new()
                .about("Open 9-5")
                .websites(["https://example.com", "http://shop.example.com"])
                .vertical(Vertical::OtherIndustry)
                .profile_picture_handle("4::aW1hZ2U="),
        )
        .await
        .unwrap();
    let too_long = "a".repeat(140);
    assert_eq!(
        field_of(
            number
                .update_business_profile(ProfileUpdate::new().about(too_long))
                .await
                .unwrap_err()
        ),
        "about"
    );
    assert_eq!(
        field_of(
            number
                .update_business_profile(ProfileUpdate::new().email("nope"))
                .await
                .unwrap_err()
        ),
        "email"
    );
    assert_eq!(
        field_of(
            number
                .update_business_profile(ProfileUpdate::new().websites(["ftp://x"]))
                .await
                .unwrap_err()
        ),
        "websites[0]"
    );
    assert_eq!(
        field_of(
            number
                .update_business_profile(ProfileUpdate::new().websites([
                    "https://a",
                    "https://b",
                    "https://c"
                ]))
                .await
                .unwrap_err()
        ),
        "websites"
    );
    assert_eq!(
        field_of(
            number
                .update_business_profile(ProfileUpdate::new())
                .await
                .unwrap_err()
        ),
        "profile"
    );
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn the_resumable_upload_answers_a_handle() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(at(path(&["300000000000001", "uploads"])))
        .and(query_param("file_name", "logo.jpg"))
        .and(query_param("file_length", "4"))
        .and(query_param("file_type", "image/jpeg"))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(json(
            200,
            json!({"id": "upload:MTphdHRhY2htZW50OjEyMw==?sig=ARZ"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(at(path(&["upload:MTphdHRhY2htZW50OjEyMw=="])))
        .and(query_param("sig", "ARZ"))
        .and(header("authorization", "OAuth test-token"))
        .and(header("file_offset", "0"))
        .respond_with(json(200, json!({"h": "4::aW1hZ2UvanBlZw==:ARb"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let uploaded = client
        .upload_file(
            "300000000000001",
            FileUpload::new("logo.jpg", "image/jpeg", vec![1, 2, 3, 4]),
        )
        .await
        .unwrap();
    assert_eq!(uploaded.handle, "4::aW1hZ2UvanBlZw==:ARb");
    let sent = &server.received_requests().await.unwrap()[1];
    assert_eq!(sent.body, [1, 2, 3, 4]);
    assert_eq!(
        field_of(
            client
                .upload_file(
                    "300000000000001",
                    FileUpload::new("a.gif", "image/gif", vec![1])
                )
                .await
                .unwrap_err()
        ),
        "file_type"
    );
    assert_eq!(
        field_of(
            client
                .upload_file("app", FileUpload::new("a.jpg", "image/jpeg", vec![1]))
                .await
                .unwrap_err()
        ),
        "app_id"
    );
}

#[tokio::test]
async fn block_unblock_and_list() {
    let server = MockServer::start().await;
    let block = path(&[PHONE_NUMBER_ID, "block_users"]);
    Mock::given(method("POST"))
        .and(at(block.clone()))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "block_users": [{"user": "+16505551234"}]}),
        ))
        .respond_with(json(
            200,
            json!({"messaging_product": "whatsapp",
            "block_users": {"added_users": [{"input": "+16505551234", "wa_id": "16505551234"}]}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(at(block.clone()))
        .respond_with(json(
            200,
            json!({"messaging_product": "whatsapp",
            "block_users": {"removed_users": [{"input": "+16505551234", "wa_id": "16505551234"}]}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(block))
        .respond_with(json(
            200,
            json!({"data": [{"block_users": [
            {"messaging_product": "whatsapp", "wa_id": "16505551234"},
            {"messaging_product": "whatsapp", "wa_id": "16505551235"}]}]}),
        ))
        .mount(&server)
        .await;
    let number = client(&server).phone_number();
    let blocked = number.block_users(["+16505551234"]).await.unwrap();
    assert!(blocked.is_complete());
    assert_eq!(blocked.done[0].wa_id.as_deref(), Some("16505551234"));
    let unblocked = number.unblock_users(["+16505551234"]).await.unwrap();
    assert_eq!(unblocked.done.len(), 1);
    let list = number.blocked_users().await.unwrap();
    let ids: Vec<_> = list.iter().map(|u| u.wa_id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["16505551234", "16505551235"]);
    assert_eq!(
        field_of(number.block_users(Vec::<String>::new()).await.unwrap_err()),
        "block_users"
    );
}

#[tokio::test]
async fn a_partial_block_failure_names_who_failed_and_why() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(200, json!({
            "messaging_product": "whatsapp",
            "block_users": {
                "added_users": [{"input": "+16505551234", "wa_id": "16505551234"}],
                "failed_users": [{"input": "+16505559999", "wa_id": "16505559999", "errors": [
                    {"message": "Failed to block user", "code": 139100,
                     "error_data": {"details": "The user has not messaged the business in the last 24 hours."}}]}]
            },
            "error": {"message": "(#139100) Failed to block/unblock users", "type": "OAuthException", "code": 139100,
                      "error_data": {"details": "Failed to block some users, see the block_users response list for details"},
                      "fbtrace_id": "AnvqaWbdp2T2cLJnUN3bo1a"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server)
        .phone_number()
        .block_users(["+16505551234", "+16505559999"])
        .await
        .expect("a partial failure is an outcome, not an error");
    assert!(!outcome.is_complete());
    assert_eq!(outcome.done.len(), 1);
    assert_eq!(outcome.failed[0].input.as_deref(), Some("+16505559999"));
    let why = &outcome.failed[0].errors[0];
    assert_eq!(why.code, Some(139100));
    assert!(why
        .error_data
        .as_ref()
        .unwrap()
        .details
        .as_ref()
        .unwrap()
        .contains("24 hours"));
    let top = outcome.error.as_ref().unwrap();
    assert_eq!(top.code, 139100);
    assert!(top.entry().unwrap().guidance.contains("24 hours"));
}

#[tokio::test]
async fn a_block_error_without_lists_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(account_support::error_answer(
            400,
            "100-invalid-parameter.json",
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone_number()
        .block_users(["+1"])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(100));
}

#[tokio::test]
async fn qr_codes_create_list_get_update_delete() {
    let server = MockServer::start().await;
    let qrdls = path(&[PHONE_NUMBER_ID, "message_qrdls"]);
    let qr = json!({"code": "4O4YGZEG3RIVE1", "prefilled_message": "Hi!", "deep_link_url": "https://wa.me/message/4O4YGZEG3RIVE1"});
    Mock::given(method("POST"))
        .and(at(qrdls.clone()))
        .and(body_json(json!({"prefilled_message": "Hi!", "generate_qr_image": "PNG"})))
        .respond_with(json(200, json!({"code": "4O4YGZEG3RIVE1", "prefilled_message": "Hi!",
            "deep_link_url": "https://wa.me/message/4O4YGZEG3RIVE1", "qr_image_url": "https://scontent.example/qr.png"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(at(qrdls.clone()))
        .and(body_json(
            json!({"code": "4O4YGZEG3RIVE1", "prefilled_message": "Hello again"}),
        ))
        .respond_with(json(
            200,
            json!({"code": "4O4YGZEG3RIVE1", "prefilled_message": "Hello again"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(qrdls.clone()))
        .respond_with(json(200, json!({"data": [qr.clone()]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(format!("{qrdls}/4O4YGZEG3RIVE1")))
        .respond_with(json(200, json!({"data": [qr]})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(at(format!("{qrdls}/4O4YGZEG3RIVE1")))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let number = client(&server).phone_number();
    let created = number
        .create_qr_code("Hi!", QrImageFormat::Png)
        .await
        .unwrap();
    assert_eq!(
        created.qr_image_url.as_deref(),
        Some("https://scontent.example/qr.png")
    );
    let listed = number.qr_codes().await.unwrap();
    assert_eq!(listed[0].code, "4O4YGZEG3RIVE1");
    let one = number.qr_code("4O4YGZEG3RIVE1").await.unwrap();
    assert_eq!(one.prefilled_message.as_deref(), Some("Hi!"));
    let updated = number
        .update_qr_code("4O4YGZEG3RIVE1", "Hello again")
        .await
        .unwrap();
    assert_eq!(updated.prefilled_message.as_deref(), Some("Hello again"));
    number.delete_qr_code("4O4YGZEG3RIVE1").await.unwrap();
    assert_eq!(
        field_of(
            number
                .create_qr_code("x".repeat(141), QrImageFormat::Svg)
                .await
                .unwrap_err()
        ),
        "prefilled_message"
    );
    assert_eq!(
        field_of(number.delete_qr_code("../x").await.unwrap_err()),
        "code"
    );
}

#[tokio::test]
async fn webhook_subscriptions() {
    let server = MockServer::start().await;
    let apps = path(&[WABA_ID, "subscribed_apps"]);
    Mock::given(method("POST"))
        .and(at(apps.clone()))
        .and(body_json(
            json!({"override_callback_uri": "https://hooks.example.com/wa", "verify_token": "vt"}),
        ))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(at(apps.clone()))
        .and(wiremock::matchers::body_string(""))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(apps.clone()))
        .respond_with(json(
            200,
            json!({"data": [{"whatsapp_business_api_data":
            {"id": "300000000000001", "link": "https://example.com/app", "name": "My app"},
            "override_callback_uri": "https://hooks.example.com/wa"}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(at(apps))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let account = client(&server).business_account();
    account
        .subscribe_app()
        .override_callback("https://hooks.example.com/wa", "vt")
        .await
        .unwrap();
    account.subscribe_app().await.unwrap();
    let subscribed = account.subscribed_apps().await.unwrap();
    let app = subscribed[0].whatsapp_business_api_data.as_ref().unwrap();
    assert_eq!(app.name.as_deref(), Some("My app"));
    assert_eq!(
        subscribed[0].override_callback_uri.as_deref(),
        Some("https://hooks.example.com/wa")
    );
    account.unsubscribe_app().await.unwrap();
    assert_eq!(
        field_of(
            account
                .subscribe_app()
                .override_callback("http://insecure", "vt")
                .await
                .unwrap_err()
        ),
        "override_callback_uri"
    );
    let debug = format!(
        "{:?}",
        account
            .subscribe_app()
            .override_callback("https://x.example", "secret-vt")
    );
    assert!(!debug.contains("secret-vt"), "{debug}");
}
