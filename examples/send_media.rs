//! Uploads a local file, then sends it by its media id through the client's default stack.
//!
//! ```text
//! cargo run --example send_media -- --to +16505551234 --file photo.jpg --mime image/jpeg \
//!     --caption "The best succulent ever?"
//! cargo run --example send_media -- --to +16505551234 --file invoice.pdf --mime application/pdf
//! ```
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` (required),
//! `WHATSAPP_API_BASE_URL` (optional, default `https://graph.facebook.com`).
//!
//! The MIME type picks the message type (image, video, audio, document or sticker, as Meta
//! groups its supported types). Uploading first and sending by id, rather than by link, means
//! Meta never has to fetch the file from a public URL, and the id can be reused for 30 days.
//!
//! On success stdout has two lines, `media_id <id>` and the message id, and the exit code is 0.
//! On failure the error (with its Graph code and guidance) goes to stderr and the exit code is
//! 1; if the upload succeeded but the send failed, the media id is on stdout so the upload can
//! be reused. A usage problem (missing environment or argument, a file that cannot be found, a
//! MIME type the Cloud API does not accept, a caption on audio or a sticker) exits with 2 before
//! any request.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wacloud::calls::media::{MediaKind, MediaUpload};
use wacloud::messages::{Audio, Document, Image, MessageContent, OutgoingMessage, Sticker, Video};

#[path = "support/mod.rs"]
mod support;

/// Upload a file and send it as a WhatsApp media message.
#[derive(Parser, Debug)]
#[command(name = "send_media", after_help = support::ENV_HELP)]
struct Args {
    /// The recipient: + and the country code, e.g. +16505551234.
    #[arg(long)]
    to: String,
    /// The file to upload.
    #[arg(long)]
    file: PathBuf,
    /// Its MIME type, e.g. image/jpeg, video/mp4, audio/ogg, application/pdf, image/webp.
    #[arg(long)]
    mime: String,
    /// A caption (images, videos and documents only).
    #[arg(long)]
    caption: Option<String>,
}

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example send_media -- --to <number> --file <path> \
--mime <type> [--caption <text>]";

/// The message for an uploaded media id, or a usage problem.
fn content(
    kind: MediaKind,
    id: &str,
    caption: Option<String>,
    filename: &str,
) -> Result<MessageContent, String> {
    let content: MessageContent = match (kind, caption) {
        (MediaKind::Image, Some(caption)) => Image::from_id(id).caption(caption).into(),
        (MediaKind::Image, None) => Image::from_id(id).into(),
        (MediaKind::Video, Some(caption)) => Video::from_id(id).caption(caption).into(),
        (MediaKind::Video, None) => Video::from_id(id).into(),
        (MediaKind::Document, caption) => {
            // The file name is what the recipient sees on the document bubble.
            let document = Document::from_id(id).filename(filename);
            match caption {
                Some(caption) => document.caption(caption).into(),
                None => document.into(),
            }
        }
        (MediaKind::Audio, None) => Audio::from_id(id).into(),
        (MediaKind::Sticker, None) => Sticker::from_id(id).into(),
        (kind, Some(_)) => return Err(format!("{kind} messages cannot have a caption")),
        (kind, None) => return Err(format!("{kind} media cannot be sent by this example")),
    };
    Ok(content)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match support::client_from_env(USAGE) {
        Ok(client) => client,
        Err(message) => return support::usage_error(message),
    };
    if !args.file.is_file() {
        return support::usage_error(format_args!(
            "error: {} is not a readable file\n{USAGE}",
            args.file.display()
        ));
    }
    let upload = MediaUpload::from_path(&args.file, args.mime);
    let kind = match upload.validate() {
        Ok(kind) => kind,
        Err(err) => {
            return support::usage_error(format_args!("error: {err}\n{USAGE}"));
        }
    };
    let filename = upload.file_name().to_owned();
    // Check the caption rule with a placeholder id so a usage problem costs no upload.
    if let Err(message) = content(kind, "0", args.caption.clone(), &filename) {
        return support::usage_error(format_args!("error: {message}\n{USAGE}"));
    }
    let media_id = match client.upload_media(upload).await {
        Ok(id) => id,
        Err(err) => return support::report(&err),
    };
    println!("media_id {media_id}");
    let message = match content(kind, media_id.as_str(), args.caption, &filename) {
        Ok(content) => OutgoingMessage::new(args.to, content),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match client.send(message).await {
        Ok(sent) => match sent.message_id() {
            Some(id) => {
                println!("{id}");
                ExitCode::SUCCESS
            }
            None => support::missing_message_id(),
        },
        Err(err) => {
            eprintln!(
                "the upload succeeded (media id {media_id}, valid 30 days), the send did not"
            );
            support::report(&err)
        }
    }
}
