//! `wacloud-sandbox`: run the local Cloud API simulator until Ctrl-C.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

/// A local simulator of the WhatsApp Business Cloud API, faults included.
#[derive(Debug, Parser)]
#[command(name = "wacloud-sandbox", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The access token clients must send.
    #[arg(long, default_value = "sandbox-token")]
    token: String,
    /// The business phone number id.
    #[arg(long, default_value = "100000000000001")]
    phone_number_id: String,
    /// Where to post status and inbound webhooks.
    #[arg(long)]
    webhook_url: Option<String>,
    /// The app secret that signs webhooks.
    #[arg(long, default_value = "sandbox-app-secret")]
    app_secret: String,
    /// Start with a code-2 outage window of this many seconds.
    #[arg(long)]
    outage_secs: Option<u64>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut cfg = SandboxConfig::default()
        .listen(args.listen)
        .access_token(args.token)
        .phone_number_id(args.phone_number_id)
        .app_secret(args.app_secret);
    if let Some(url) = args.webhook_url {
        cfg = cfg.webhook_url(url);
    }
    if let Some(secs) = args.outage_secs {
        cfg = cfg.fault(FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(secs)));
    }
    let sb = Sandbox::start(cfg).await?;
    println!("wacloud-sandbox listening on {}", sb.base_url());
    println!("token: {}", sb.config().access_token);
    println!("phone number id: {}", sb.config().phone_number_id);
    if let Some(secs) = args.outage_secs {
        println!("outage (code 2) for the first {secs} s");
    }
    tokio::signal::ctrl_c().await?;
    sb.shutdown().await;
    Ok(())
}
