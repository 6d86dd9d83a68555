//! The monitors that are down (their last check failed), with how long they have been
//! checked and their uptime: every page, read as it comes.
//!
//! ```text
//! cargo run --example down_monitors      # on the embedded fake server, or BITPEAK_API_KEY=…
//! ```

use bitpeak::resources::{MonitorType, Query};
use futures::TryStreamExt;

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::client(|fake| {
        fake.seed_records(
            "monitors",
            vec![
                serde_json::json!({"id": 1, "name": "Shop", "type": "website", "target": "https://shop.example.com", "is_ok": 1, "uptime": 99.9}),
                serde_json::json!({"id": 2, "name": "API", "type": "website", "target": "https://api.example.com", "is_ok": 0, "uptime": 97.2}),
                serde_json::json!({"id": 3, "name": "DB", "type": "port", "target": "db.example.com", "port": 5432, "is_ok": 0, "uptime": 99.1}),
            ],
        )
    })
    .await?;
    let mut monitors = std::pin::pin!(client.monitors().list_all(&Query::new()));
    let mut down = 0;
    while let Some(m) = monitors.try_next().await? {
        if m.is_ok != Some(0) {
            continue;
        }
        down += 1;
        let what = match &m.kind {
            Some(MonitorType::Port) => format!(
                "{}:{}",
                m.target.as_deref().unwrap_or("?"),
                m.port.unwrap_or(0)
            ),
            _ => m.target.clone().unwrap_or_default(),
        };
        println!(
            "DOWN #{} {} ({what}), uptime {:.1}%",
            m.id,
            m.name.as_deref().unwrap_or("?"),
            m.uptime.unwrap_or(0.0)
        );
    }
    println!("{down} monitor(s) down");
    Ok(())
}
