//! A monitor that alerts a notification handler: create the handler, then the monitor
//! naming it, read back who it notifies, and clean up.
//!
//! ```text
//! cargo run --example monitor_with_handler      # on the embedded fake server, or BITPEAK_API_KEY=…
//! ```

use bitpeak::resources::{Channel, MonitorType, NewMonitor, NewNotificationHandler};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::client(|_| {}).await?;
    let handler = client
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "example: on-call",
            Channel::webhook("https://hooks.example.com/on-call"),
        ))
        .await?;
    let monitor = client
        .monitors()
        .create(
            &NewMonitor::new("example: shop", "https://shop.example.com")
                .kind(MonitorType::Website)
                .check_interval_seconds(300)
                .is_ok_notifications([handler.id as i64]),
        )
        .await?;
    let notified = monitor.notifications.as_ref().and_then(|n| n.is_ok.clone());
    println!(
        "monitor #{} checks {} every {} s and notifies {:?} (handler #{})",
        monitor.id,
        monitor.target.as_deref().unwrap_or("?"),
        monitor
            .settings
            .as_ref()
            .and_then(|s| s.check_interval_seconds)
            .map_or("?".to_owned(), |n| n.to_string()),
        notified.unwrap_or_default(),
        handler.id
    );
    client.monitors().delete(monitor.id).await?;
    client.notification_handlers().delete(handler.id).await?;
    println!("deleted both");
    Ok(())
}
