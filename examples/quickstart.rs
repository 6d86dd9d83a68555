//! A tour of the notification-handlers API: create one handler of each of the nine types,
//! list them ten per page, rename and disable one, read it back, delete everything created.
//!
//! ```text
//! cargo run --example quickstart --features fake          # against the embedded fake server
//! BITPEAK_API_KEY=… [BITPEAK_BASE_URL=https://bitpeak.ru/api] cargo run --example quickstart
//! ```

use std::process::ExitCode;

use bitpeak::{Channel, Client, HandlerUpdate, ListParams, NewNotificationHandler, PerPage};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> ExitCode {
    // Keeps the embedded fake server (if any) running for the whole tour.
    let mut _fake = None;
    let client = match std::env::var("BITPEAK_API_KEY") {
        Ok(key) => Client::builder()
            .base_url(
                std::env::var("BITPEAK_BASE_URL")
                    .unwrap_or_else(|_| bitpeak::DEFAULT_BASE_URL.to_owned()),
            )
            .api_key(key)
            .build(),
        Err(_) => match embedded_server().await {
            Ok((server, client)) => {
                println!("BITPEAK_API_KEY is not set: touring the embedded fake server");
                _fake = Some(server);
                Ok(client)
            }
            Err(code) => return code,
        },
    };
    let result = match client {
        Ok(client) => tour(&client).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the in-process fake server (feature `fake`) and a client for it.
#[cfg(feature = "fake")]
async fn embedded_server() -> Result<(bitpeak::fake::FakeServer, Client), ExitCode> {
    use bitpeak::fake::{FakeConfig, FakeServer, DEFAULT_KEY};
    let server = FakeServer::start(FakeConfig::new()).await.map_err(|e| {
        eprintln!("quickstart: could not start the fake server: {e}");
        ExitCode::FAILURE
    })?;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(DEFAULT_KEY)
        .build()
        .map_err(|e| {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        })?;
    Ok((server, client))
}

#[cfg(not(feature = "fake"))]
async fn embedded_server() -> Result<((), Client), ExitCode> {
    eprintln!(
        "quickstart: set BITPEAK_API_KEY (and BITPEAK_BASE_URL), or run with --features fake"
    );
    Err(ExitCode::from(2))
}

/// The nine types, one handler each.
fn one_of_each() -> Vec<NewNotificationHandler> {
    [
        ("Ops mailbox", Channel::email("ops@example.com")),
        (
            "Deploy hook",
            Channel::webhook("https://example.com/hooks/bitpeak"),
        ),
        (
            "Team Slack",
            Channel::slack("https://hooks.slack.com/services/T000/B000/XXXX"),
        ),
        (
            "Team Discord",
            Channel::discord("https://discord.com/api/webhooks/1/abc"),
        ),
        (
            "On-call Telegram",
            Channel::telegram("123456:ABC-DEF", "-1001234567890"),
        ),
        (
            "Teams channel",
            Channel::microsoft_teams("https://example.webhook.office.com/webhookb2/x"),
        ),
        (
            "Status on X",
            Channel::x(
                "consumer-key",
                "consumer-secret",
                "access-token",
                "access-token-secret",
            ),
        ),
        (
            "Google Chat room",
            Channel::google_chat("https://chat.googleapis.com/v1/spaces/AAA/messages?key=k"),
        ),
        ("In-app", Channel::InternalNotification),
    ]
    .into_iter()
    .map(|(name, channel)| NewNotificationHandler::new(format!("quickstart: {name}"), channel))
    .collect()
}

async fn tour(client: &Client) -> Result<(), bitpeak::Error> {
    let handlers = client.notification_handlers();
    println!("talking to {}", client.base_url());

    let mut created = Vec::new();
    let mut outcome = async {
        for new in one_of_each() {
            let h = handlers.create(&new).await?;
            let kind = h.channel.kind().unwrap_or("?");
            println!("created  #{:<5} {kind:<22} {}", h.id, h.name);
            created.push(h.id);
        }

        let all: Vec<_> = handlers
            .list_all(ListParams::new().per_page(PerPage::P10))
            .try_collect()
            .await?;
        println!("listed   {} handlers, 10 per page", all.len());
        for h in all.iter().filter(|h| created.contains(&h.id)) {
            let kind = h.channel.kind().unwrap_or("?");
            println!("         #{:<5} {kind:<22} {:?}", h.id, h.state);
        }

        let first = created.first().copied().unwrap_or_default();
        let updated = handlers
            .update(
                first,
                &HandlerUpdate::new()
                    .name("quickstart: renamed")
                    .enabled(false),
            )
            .await?;
        println!(
            "updated  #{:<5} name {:?}, {:?}",
            updated.id, updated.name, updated.state
        );

        let read = handlers.get(first).await?;
        let created_at = read.created_at.as_ref().map(bitpeak::wire::format_datetime);
        println!(
            "read     #{:<5} name {:?}, {:?}, created {}",
            read.id,
            read.name,
            read.state,
            created_at.as_deref().unwrap_or("?")
        );
        Ok::<(), bitpeak::Error>(())
    }
    .await;

    // Clean up whatever was created, even after a failure.
    for id in created {
        match handlers.delete(id).await {
            Ok(()) => println!("deleted  #{id}"),
            Err(e) => {
                eprintln!("could not delete #{id}: {e}");
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
        }
    }
    outcome
}
