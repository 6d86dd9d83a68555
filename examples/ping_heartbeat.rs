//! A heartbeat pinged as a cron job would: create it, ping its URL (at the site's root, no
//! key sent), and clean up.
//!
//! ```text
//! cargo run --example ping_heartbeat      # on the embedded fake server, or BITPEAK_API_KEY=…
//! ```

use bitpeak::resources::{IntervalUnit, NewHeartbeat};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::client(|_| {}).await?;
    let beat = client
        .heartbeats()
        .create(
            &NewHeartbeat::new("example: nightly backup")
                .run_interval(1)
                .run_interval_type(IntervalUnit::Days),
        )
        .await?;
    let code = beat.code.clone().unwrap_or_default();
    client.heartbeats().ping(&code).await?;
    let read = client.heartbeats().get(beat.id).await?;
    println!(
        "heartbeat #{} pinged at {}/webhook-heartbeat/…; expected every {} {}",
        read.id,
        client.site_url(),
        read.settings
            .as_ref()
            .and_then(|s| s.run_interval)
            .map_or("?".to_owned(), |n| n.to_string()),
        read.settings
            .as_ref()
            .and_then(|s| s.run_interval_type.as_ref())
            .map_or("?", |u| u.as_str()),
    );
    client.heartbeats().delete(beat.id).await?;
    Ok(())
}
