//! The crate's client round-trips every operation against the fake server under every
//! profile, and the fake server behaves like the real ones.

use std::time::Duration;

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandlerUpdate, Query};
use bitpeak::{Client, Error, PerPage, RetryPolicy};
use bitpeak_fake::{FakeConfig, FakeServer, Fault, Profile};
use futures::TryStreamExt;

const KEY: &str = "fake-test-key";

async fn start(profile: Profile) -> (FakeServer, Client) {
    start_with(FakeConfig::new().profile(profile)).await
}

/// A fake server of `config` (accepting [`KEY`]) and a client without retries.
async fn start_with(config: FakeConfig) -> (FakeServer, Client) {
    let server = FakeServer::start(config.key(KEY)).await.unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

fn all_nine() -> Vec<Channel> {
    vec![
        Channel::email("ops@example.com"),
        Channel::webhook("https://example.com/hook"),
        Channel::slack("https://hooks.slack.com/services/T/B/X"),
        Channel::discord("https://discord.com/api/webhooks/1/a"),
        Channel::telegram("123:ABC", "-100"),
        Channel::microsoft_teams("https://example.webhook.office.com/x"),
        Channel::x("ck", "cs", "at", "ats"),
        Channel::google_chat("https://chat.googleapis.com/v1/spaces/A/messages"),
        Channel::InternalNotification,
    ]
}

#[tokio::test]
async fn every_operation_round_trips_under_every_profile() {
    for profile in Profile::ALL {
        let (server, client) = start(profile).await;
        let handlers = client.notification_handlers();
        let mut ids = Vec::new();
        for (i, channel) in all_nine().into_iter().enumerate() {
            let created = handlers
                .create(&NewNotificationHandler::with_channel(
                    format!("h{i}"),
                    channel.clone(),
                ))
                .await
                .unwrap_or_else(|e| panic!("{profile}: {e}"));
            assert_eq!(created.channel, channel, "{profile}");
            assert_eq!(created.name, Some(format!("h{i}")));
            // A 2026 server keeps a new email handler pending until its address is confirmed.
            let pending = profile == Profile::V2026 && i == 0;
            assert_eq!(
                (created.is_enabled, created.is_pending_confirmation()),
                (Some(true), pending),
                "{profile} {i}"
            );
            ids.push(created.id);
        }
        assert_eq!(server.handler_count(), 9);

        let page = handlers
            .list(&Query::new().per_page(PerPage::P10))
            .await
            .unwrap();
        assert_eq!(
            (
                page.page,
                page.per_page,
                page.total,
                page.total_pages,
                page.items.len()
            ),
            (1, 10, Some(9), 1, 9),
            "{profile}"
        );
        let all: Vec<_> = handlers
            .list_all(&Query::new().per_page(PerPage::P10))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|h| h.id).collect::<Vec<_>>(),
            ids,
            "{profile}"
        );

        let got = handlers.get(ids[4]).await.unwrap();
        assert_eq!(
            got.channel,
            Channel::telegram("123:ABC", "-100"),
            "{profile}"
        );

        // The safe update keeps every setting and the type, even on 2023 servers that reset
        // what is not re-sent.
        let updated = handlers
            .update(
                ids[4],
                &NotificationHandlerUpdate::new()
                    .name("renamed")
                    .is_enabled(false),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                updated.name.as_deref(),
                updated.is_enabled,
                updated.is_pending_confirmation()
            ),
            (Some("renamed"), Some(false), false),
            "{profile}"
        );
        assert_eq!(
            updated.channel,
            Channel::telegram("123:ABC", "-100"),
            "{profile}"
        );
        let reread = handlers.get(ids[4]).await.unwrap();
        assert_eq!(reread, updated, "{profile}");
        let enabled = handlers
            .update(ids[4], &NotificationHandlerUpdate::new().is_enabled(true))
            .await
            .unwrap();
        assert_eq!(
            (enabled.is_enabled, enabled.is_pending_confirmation()),
            (Some(true), false),
            "{profile}"
        );
        assert_eq!(enabled.name.as_deref(), Some("renamed"), "{profile}");
        assert_eq!(
            enabled.channel,
            Channel::telegram("123:ABC", "-100"),
            "{profile}"
        );

        for id in &ids {
            handlers.delete(*id).await.unwrap();
        }
        assert_eq!(server.handler_count(), 0);
        let err = handlers.get(ids[0]).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{profile}: {err:?}");
        let empty = handlers.list(&Query::new()).await.unwrap();
        assert_eq!((empty.total_pages, empty.items.len()), (0, 0));
    }
}

#[tokio::test]
async fn pagination_and_filters_on_a_newer_server() {
    let (_server, client) = start(Profile::V2026).await;
    let handlers = client.notification_handlers();
    for i in 0..23 {
        let channel = if i % 2 == 0 {
            Channel::webhook(format!("https://example.com/{i}"))
        } else {
            Channel::slack("https://hooks.slack.com/x")
        };
        handlers
            .create(&NewNotificationHandler::with_channel(
                format!("n{i:02}"),
                channel,
            ))
            .await
            .unwrap();
    }
    let all: Vec<_> = handlers
        .list_all(&Query::new().per_page(PerPage::P10))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
    let page3 = handlers
        .list(&Query::new().page(3).per_page(PerPage::P10))
        .await
        .unwrap();
    assert_eq!(
        (page3.items.len(), page3.total_pages, page3.has_next()),
        (3, 3, false)
    );
    let webhooks: Vec<_> = handlers
        .list_all(&Query::new().param("type", "webhook"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(webhooks.len(), 12);
    let found = handlers
        .list(
            &Query::new()
                .param("search", "N2")
                .param("search_by", "name"),
        )
        .await
        .unwrap();
    assert_eq!(
        found
            .items
            .iter()
            .map(|h| h.name.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("n20"), Some("n21"), Some("n22")]
    );
    let desc = handlers
        .list(
            &Query::new()
                .param("order_by", "name")
                .param("order_type", "DESC")
                .per_page(PerPage::P10),
        )
        .await
        .unwrap();
    assert_eq!(desc.items[0].name.as_deref(), Some("n22"));
}

#[tokio::test]
async fn the_fake_server_answers_like_the_real_ones() {
    let (server, client) = start(Profile::V2026).await;
    let http = reqwest::Client::new();
    let url = format!("{}/notification-handlers", server.base_url());

    // Missing header: the string "401".
    let body: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "401");
    // Unknown key: the integer 401.
    let answer = http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], 401);
    // A disallowed page size falls back to 25; the page is echoed.
    let body: serde_json::Value = http
        .get(format!("{url}/?results_per_page=30&page=2"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            body["meta"]["results_per_page"].as_u64(),
            body["meta"]["page"].as_u64(),
            body["meta"]["total_pages"].as_u64()
        ),
        (Some(25), Some(2), Some(0))
    );
    assert!(body["links"]["last"].is_null());
    // Unknown route (a fork-only resource): HTML; non-numeric id: JSON 404.
    let answer = http
        .get(format!("{}/thresholds", server.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let answer = http
        .get(format!("{url}/abc"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.text().await.unwrap().contains("\"errors\""));
    // Validation failures answer 401 with a title.
    let answer = http
        .post(&url)
        .bearer_auth(KEY)
        .multipart(
            reqwest::multipart::Form::new()
                .text("name", "  ")
                .text("type", "email"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    // Create answers 201; DELETE answers 200 with an empty body labelled JSON.
    let h = client
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "a",
            Channel::InternalNotification,
        ))
        .await
        .unwrap();
    let answer = http
        .delete(format!("{url}/{}", h.id))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert_eq!(answer.text().await.unwrap(), "");
    // Datetimes are YYYY-MM-DD HH:MM:SS.
    let h = client
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "b",
            Channel::InternalNotification,
        ))
        .await
        .unwrap();
    let body: serde_json::Value = http
        .get(format!("{url}/{}", h.id))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let datetime = body["data"]["datetime"].as_str().unwrap();
    assert_eq!(datetime.len(), 19);
    assert_eq!(&datetime[10..11], " ");
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let server = FakeServer::start(
        FakeConfig::new()
            .key(KEY)
            .rate_limit(3, Duration::from_secs(30)),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/notification-handlers", server.base_url());
    for remaining in ["2", "1", "0"] {
        let answer = http.get(&url).bearer_auth(KEY).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["x-ratelimit-limit"], "3");
        assert_eq!(answer.headers()["x-ratelimit-remaining"], remaining);
    }
    let answer = http.get(&url).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(answer.status(), 429);
    let reset: u64 = answer.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset < 30, "{reset}");
}

#[tokio::test]
async fn the_throttle_keeps_a_client_under_the_fake_servers_limit() {
    let server = FakeServer::start(
        FakeConfig::new()
            .key(KEY)
            .rate_limit(5, Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .retry_policy(RetryPolicy::none().rate_limit_window(Duration::from_millis(300)))
        .build()
        .unwrap();
    for _ in 0..20 {
        client
            .notification_handlers()
            .list(&Query::new())
            .await
            .expect("never a 429");
    }
    assert_eq!(server.requests(), 20);
}

#[tokio::test]
async fn injected_faults_and_latency() {
    let server = FakeServer::start(
        FakeConfig::new()
            .key(KEY)
            .latency(Duration::from_millis(50)),
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let handlers = client.notification_handlers();
    server.inject(Fault::Status(503), 2);
    let started = std::time::Instant::now();
    handlers
        .list(&Query::new())
        .await
        .expect("retried past two 503s");
    assert_eq!(server.requests(), 3);
    assert!(started.elapsed() >= Duration::from_millis(150));
    server.inject(Fault::Drop, 1);
    handlers
        .list(&Query::new())
        .await
        .expect("retried past a dropped connection");
    server.inject(Fault::Drop, 1);
    let err = handlers
        .create(&NewNotificationHandler::with_channel(
            "x",
            Channel::InternalNotification,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert_eq!(
        server.handler_count(),
        0,
        "the dropped create did not reach the store"
    );
    server.inject(Fault::Html404, 1);
    let err = handlers.get(1).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unavailable { status, .. } if status.as_u16() == 404),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_huge_page_number_answers_an_empty_page_instead_of_breaking() {
    // Found by schemathesis: `(page - 1) * per_page` overflowed and dropped the connection.
    let (server, client) = start(Profile::V2026).await;
    server.seed(3);
    let http = reqwest::Client::new();
    let url = format!(
        "{}/notification-handlers?page=18446744073709551615&results_per_page=1000",
        server.base_url()
    );
    let body: serde_json::Value = http
        .get(&url)
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"], serde_json::json!([]));
    assert_eq!(body["meta"]["total_pages"], 1);
    // The client refuses a page number outside the spec's int64 before sending it…
    let err = client
        .notification_handlers()
        .list(&Query::new().page(u64::MAX))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "page"),
        "{err:?}"
    );
    // …and reads a far page within it as empty.
    let page = client
        .notification_handlers()
        .list(&Query::new().page(i64::MAX as u64))
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

/// The fake's PHP behaviours a spec must describe: a fatal error is an empty `500` labelled
/// JSON; id lists may come as arrays with gaps, which the models read as lists in key order.
#[tokio::test]
async fn fatal_errors_and_gapped_arrays_as_php_answers_them() {
    use bitpeak::resources::NewMonitor;
    for profile in Profile::ALL {
        let config = FakeConfig::new()
            .profile(profile)
            .fatal_errors(true)
            .gapped_arrays(true);
        let (server, client) = start_with(config).await;
        let http = reqwest::Client::new();
        let url = format!("{}/monitors?page=null", server.base_url());
        let answer = http.get(&url).bearer_auth(KEY).send().await.unwrap();
        assert_eq!(answer.status(), 500, "{profile}");
        assert_eq!(answer.headers()["content-type"], "application/json");
        assert_eq!(answer.text().await.unwrap(), "");

        server.seed(1);
        let form = NewMonitor::new("Home", "https://example.com")
            .ping_servers_ids([1, 3])
            .is_ok_notifications([1]);
        let created = client.monitors().create(&form).await.unwrap();
        let raw = http
            .get(format!("{}/monitors/{}", server.base_url(), created.id))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(
            raw["data"]["ping_servers_ids"],
            serde_json::json!({"1": 1, "3": 3}),
            "{profile}"
        );
        assert_eq!(created.ping_servers_ids, Some(vec![1, 3]), "{profile}");
        let notified = created.notifications.and_then(|n| n.is_ok);
        assert_eq!(notified.map(|ids| ids.len()), Some(1), "{profile}");
    }
}
