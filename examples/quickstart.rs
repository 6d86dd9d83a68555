//! A tour of the API: a project; one notification handler of each of the nine types (listed
//! ten per page, one renamed and disabled); a monitor and a heartbeat that notify through them
//! (listed, updated, the heartbeat pinged); a domain name; DNS and server monitors and a game
//! server where the server version has them; the statistics of a status page when there is
//! one; the user. Then everything created is deleted. What an instance lacks or has switched
//! off is skipped, and said so.
//!
//! ```text
//! cargo run --example quickstart                          # against the embedded fake server
//! BITPEAK_API_KEY=… [BITPEAK_BASE_URL=https://bitpeak.ru/api] [BITPEAK_SITE_URL=https://bitpeak.ru] \
//!     cargo run --example quickstart
//! ```

use std::process::ExitCode;

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandlerUpdate};
use bitpeak::resources::{
    HeartbeatUpdate, IntervalUnit, MonitorType, MonitorUpdate, NewDnsMonitor, NewDomainName,
    NewGameServer, NewHeartbeat, NewMonitor, NewProject, NewServerMonitor, Query,
    ServerAlertMetric, ServerAlertRule, StatisticsQuery, StatisticsType,
};
use bitpeak::{Client, Error, PerPage};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> ExitCode {
    // Keeps the embedded fake server (if any) running for the whole tour.
    let mut _fake = None;
    let client = match std::env::var("BITPEAK_API_KEY") {
        Ok(key) => {
            let builder = Client::builder()
                .base_url(
                    std::env::var("BITPEAK_BASE_URL")
                        .unwrap_or_else(|_| bitpeak::DEFAULT_BASE_URL.to_owned()),
                )
                .api_key(key);
            // Where heartbeats are pinged, when it is not the base URL without `/api`.
            match std::env::var("BITPEAK_SITE_URL") {
                Ok(site) => builder.site_url(site).build(),
                Err(_) => builder.build(),
            }
        }
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

/// Starts the in-process fake server (the `bitpeak-fake` crate) and a client for it.
async fn embedded_server() -> Result<(bitpeak_fake::FakeServer, Client), ExitCode> {
    use bitpeak_fake::{FakeConfig, FakeServer, DEFAULT_KEY};
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
    .map(|(name, channel)| {
        NewNotificationHandler::with_channel(format!("quickstart: {name}"), channel)
    })
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
            println!("created  #{:<5} {kind:<22} {}", h.id, shown(&h.name));
            created.push(h.id);
        }

        let all: Vec<_> = handlers
            .list_all(&Query::new().per_page(PerPage::P10))
            .try_collect()
            .await?;
        println!("listed   {} handlers, 10 per page", all.len());
        for h in all.iter().filter(|h| created.contains(&h.id)) {
            let kind = h.channel.kind().unwrap_or("?");
            println!("         #{:<5} {kind:<22} {}", h.id, state(h));
        }

        let first = created.first().copied().unwrap_or_default();
        let updated = handlers
            .update(
                first,
                &NotificationHandlerUpdate::new()
                    .name("quickstart: renamed")
                    .is_enabled(false),
            )
            .await?;
        println!(
            "updated  #{:<5} name {}, {}",
            updated.id,
            shown(&updated.name),
            state(&updated)
        );

        let read = handlers.get(first).await?;
        let created_at = read.datetime.as_ref().map(bitpeak::wire::format_datetime);
        println!(
            "read     #{:<5} name {}, {}, created {}",
            read.id,
            shown(&read.name),
            state(&read),
            created_at.as_deref().unwrap_or("?")
        );
        monitoring(client, &created).await
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

/// A text field as shown: control characters escaped (server text never reaches a terminal
/// raw), `?` when the server sent none.
/// Whether a handler delivers: on, off, or waiting for its email address to be confirmed.
fn state(h: &bitpeak::resources::NotificationHandler) -> &'static str {
    match (h.is_enabled, h.is_pending_confirmation()) {
        (_, true) => "pending confirmation",
        (Some(true), _) => "enabled",
        (Some(false), _) => "disabled",
        (None, _) => "unknown",
    }
}

fn shown(text: &Option<String>) -> String {
    bitpeak::text::visible(text.as_deref().unwrap_or("?")).into_owned()
}

/// What a step on a resource the instance lacks or has switched off comes to: skipped, said so.
fn unless_unavailable<T>(what: &str, result: Result<T, Error>) -> Result<Option<T>, Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Unavailable { resource, .. }) => {
            println!("skipped  {what}: this instance has no {resource} (or switched it off)");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Everything created by the monitoring tour, deleted in reverse order afterwards.
#[derive(Default)]
struct Created {
    projects: Vec<u64>,
    monitors: Vec<u64>,
    heartbeats: Vec<u64>,
    domain_names: Vec<u64>,
    dns_monitors: Vec<u64>,
    server_monitors: Vec<u64>,
    game_servers: Vec<u64>,
}

/// A project, a monitor and a heartbeat that notify through `handlers`, a domain name, and the
/// monitors of newer servers; then everything it created is deleted, even after a failure.
async fn monitoring(client: &Client, handlers: &[u64]) -> Result<(), Error> {
    let mut created = Created::default();
    let outcome = monitoring_steps(client, handlers, &mut created).await;
    let cleanup = delete_all(client, created).await;
    outcome.and(cleanup)
}

async fn monitoring_steps(
    client: &Client,
    handlers: &[u64],
    created: &mut Created,
) -> Result<(), Error> {
    let notify: Vec<i64> = handlers.iter().take(2).map(|id| *id as i64).collect();
    let project = client
        .projects()
        .create(&NewProject::new("quickstart: Production").color("#1f6feb"))
        .await?;
    created.projects.push(project.id);
    let project_id = project.id as i64;
    println!("created  project #{} {}", project.id, shown(&project.name));

    let monitor = client
        .monitors()
        .create(
            &NewMonitor::new("quickstart: home page", "https://example.com")
                .kind(MonitorType::Website)
                .project_id(project_id)
                .is_ok_notifications(notify.clone()),
        )
        .await?;
    created.monitors.push(monitor.id);
    println!(
        "created  monitor #{} {} in project {:?}, notifying {notify:?}",
        monitor.id,
        shown(&monitor.target),
        monitor.project_id
    );
    let monitor = client
        .monitors()
        .update(monitor.id, &MonitorUpdate::new().is_enabled(false))
        .await?;
    println!(
        "updated  monitor #{}: enabled {:?}, still in project {:?}",
        monitor.id, monitor.is_enabled, monitor.project_id
    );

    let beat = client
        .heartbeats()
        .create(
            &NewHeartbeat::new("quickstart: nightly backup")
                .run_interval(1)
                .run_interval_type(IntervalUnit::Days)
                .project_id(project_id)
                .is_ok_notifications(notify.clone()),
        )
        .await?;
    created.heartbeats.push(beat.id);
    let beat = client
        .heartbeats()
        .update(beat.id, &HeartbeatUpdate::new().name("quickstart: backup"))
        .await?;
    if let Some(code) = &beat.code {
        client.heartbeats().ping(code).await?;
        let runs = client.heartbeats().get(beat.id).await?.total_runs;
        let runs = runs.unwrap_or_default();
        println!(
            "pinged   heartbeat #{} {}: {runs} run(s)",
            beat.id,
            shown(&beat.name)
        );
    }

    let domain = client
        .domain_names()
        .create(
            &NewDomainName::new("quickstart: example.com", "example.com")
                .project_id(project_id)
                .whois_notifications(notify.clone())
                .whois_notifications_timing(30),
        )
        .await;
    if let Some(domain) = unless_unavailable("domain names", domain)? {
        created.domain_names.push(domain.id);
        println!(
            "created  domain name #{} {}",
            domain.id,
            shown(&domain.target)
        );
    }
    let dns = client
        .dns_monitors()
        .create(
            &NewDnsMonitor::new("quickstart: DNS", "example.com")
                .dns_types(["A", "MX"])
                .notifications(notify.clone()),
        )
        .await;
    if let Some(dns) = unless_unavailable("DNS monitors", dns)? {
        created.dns_monitors.push(dns.id);
        println!("created  DNS monitor #{} {}", dns.id, shown(&dns.target));
    }
    let server = client
        .server_monitors()
        .create(
            &NewServerMonitor::new("quickstart: web 1", "203.0.113.20", 60)
                .alert_metric([ServerAlertMetric::CpuUsage])
                .alert_rule([ServerAlertRule::IsHigher])
                .alert_value([90])
                .alert_trigger([3]),
        )
        .await;
    if let Some(server) = unless_unavailable("server monitors", server)? {
        created.server_monitors.push(server.id);
        println!(
            "created  server monitor #{} {}",
            server.id,
            shown(&server.target)
        );
    }
    let game = client
        .game_servers()
        .create(&NewGameServer::new(
            "quickstart: survival",
            "play.example.com",
            25565,
        ))
        .await;
    if let Some(game) = unless_unavailable("game servers", game)? {
        created.game_servers.push(game.id);
        let port = game.port.unwrap_or_default();
        println!(
            "created  game server #{} {}:{port}",
            game.id,
            shown(&game.target)
        );
    }

    let monitors: Vec<_> = client
        .monitors()
        .list_all(&Query::new())
        .try_collect()
        .await?;
    let projects = client.projects().list(&Query::new()).await?;
    println!(
        "listed   {} monitor(s); {} project(s)",
        monitors.len(),
        projects.total.unwrap_or(projects.items.len() as u64)
    );
    let incidents = unless_unavailable("incidents", client.incidents().list(&Query::new()).await)?;
    if let Some(page) = incidents {
        println!("listed   {} incident(s)", page.items.len());
    }
    let pages = client.status_pages().list(&Query::new()).await?;
    match pages.items.first() {
        Some(page) => {
            let query = StatisticsQuery::new(StatisticsType::Overview);
            let stats = client.statistics(page.id, &query).await?;
            let views: i64 = stats.rows.iter().filter_map(|r| r.pageviews).sum();
            println!(
                "read     statistics of status page #{}: {views} page views",
                page.id
            );
        }
        None => println!("skipped  statistics: no status page (the API cannot create one)"),
    }
    let user = client.user().await?;
    println!("read     user #{} ({})", user.id, shown(&user.email));
    Ok(())
}

/// Deletes what the tour created, dependants first; every delete is tried.
async fn delete_all(client: &Client, created: Created) -> Result<(), Error> {
    let mut outcome = Ok(());
    let mut done = |what: &str, id: u64, result: Result<(), Error>| match result {
        Ok(()) => println!("deleted  {what} #{id}"),
        Err(e) => {
            eprintln!("could not delete {what} #{id}: {e}");
            if outcome.is_ok() {
                outcome = Err(e);
            }
        }
    };
    for id in created.game_servers {
        done("game server", id, client.game_servers().delete(id).await);
    }
    for id in created.server_monitors {
        done(
            "server monitor",
            id,
            client.server_monitors().delete(id).await,
        );
    }
    for id in created.dns_monitors {
        done("DNS monitor", id, client.dns_monitors().delete(id).await);
    }
    for id in created.domain_names {
        done("domain name", id, client.domain_names().delete(id).await);
    }
    for id in created.heartbeats {
        done("heartbeat", id, client.heartbeats().delete(id).await);
    }
    for id in created.monitors {
        done("monitor", id, client.monitors().delete(id).await);
    }
    for id in created.projects {
        done("project", id, client.projects().delete(id).await);
    }
    outcome
}
