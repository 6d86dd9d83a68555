//! Hostile servers and hostile input, on the scripted TCP server: each class of misbehaviour
//! gets a typed error (or a clean end), never a panic, never unbounded memory or time, and the
//! requests the server saw are asserted.

mod common;

use std::time::{Duration, Instant};

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandler, Query};
use bitpeak::{Client, Error, PerPage, RetryPolicy};
use common::scripted::{json, Action, Scripted};
use common::*;
use futures::TryStreamExt;

fn client_with(base: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(KEY)
        .retry_policy(policy)
        .max_answer_bytes(64 * 1024)
        .build()
        .unwrap()
}

/// Retries on, with short steps, so a wrong retry would show in the count.
fn retrying(base: &str) -> Client {
    client_with(
        base,
        RetryPolicy::default()
            .backoff(Duration::from_millis(5), Duration::from_millis(20))
            .max_rate_limit_wait(Duration::from_millis(300))
            .deadline(Duration::from_secs(10)),
    )
}

/// An email handler record.
fn mail(id: u64) -> serde_json::Value {
    handler(
        id,
        "email",
        "h",
        serde_json::json!({"email": "a@example.com"}),
    )
}

/// Every handler, 10 a page, one page at a time.
async fn list_all_by_tens(server: &Scripted) -> Vec<NotificationHandler> {
    retrying(&server.base_url)
        .notification_handlers()
        .list_all(&Query::new().per_page(PerPage::P10).concurrency(1))
        .try_collect()
        .await
        .unwrap()
}

fn one_handler() -> serde_json::Value {
    serde_json::json!({"data": handler(1, "email", "Mail", serde_json::json!({"email": "a@example.com"}))})
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_unread_and_not_retried() {
    let server = Scripted::start(|_, _| Action::Declares(2_000_000_000)).await;
    let started = Instant::now();
    let err = retrying(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    match &err {
        Error::AnswerTooLarge {
            limit, declared, ..
        } => assert_eq!((*limit, *declared), (64 * 1024, Some(2_000_000_000))),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("larger than the limit of 65536 bytes (it declared 2000000000)"),
        "{err}"
    );
    assert_eq!(server.count("GET"), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_answer_that_never_ends_is_cut_at_the_limit() {
    let server = Scripted::start(|_, _| Action::Endless).await;
    let err = retrying(&server.base_url)
        .notification_handlers()
        .list(&Query::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::AnswerTooLarge {
                limit: 65536,
                declared: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count("GET"), 1);
}

#[tokio::test]
async fn a_create_whose_answer_is_too_large_is_sent_once() {
    let server = Scripted::start(|_, _| Action::Declares(1 << 40)).await;
    let err = retrying(&server.base_url)
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "Mail",
            Channel::email("a@example.com"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AnswerTooLarge { .. }), "{err:?}");
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn an_answer_within_the_limit_in_many_chunks_is_read() {
    // 60 KiB of padding in a 64 KiB limit: read whole.
    let mut body = one_handler();
    body["padding"] = serde_json::Value::from("x".repeat(60 * 1024));
    let server = Scripted::start(move |_, _| json(200, body.clone())).await;
    let h = retrying(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap();
    assert_eq!(h.name.as_deref(), Some("Mail"));
}

fn rate_limited(reset: &str) -> Action {
    Action::Reply(
        429,
        vec![
            ("content-type", "application/json".into()),
            ("x-ratelimit-reset", reset.into()),
            ("retry-after", reset.into()),
        ],
        r#"{"errors":[{"title":"You have exceeded the rate limit.","status":429}]}"#.into(),
    )
}

#[tokio::test]
async fn a_reset_near_u64_max_neither_panics_nor_waits_past_the_policy() {
    for reset in [
        "18446744073709551615",
        "18446744073709551614",
        "9223372036854775807",
    ] {
        let server = Scripted::start(move |_, _| rate_limited(reset)).await;
        let client = retrying(&server.base_url);
        let started = Instant::now();
        let err = client.notification_handlers().get(1).await.unwrap_err();
        assert!(matches!(err, Error::RateLimited { .. }), "{reset}: {err:?}");
        // Three retries, each waiting at most max_rate_limit_wait (300 ms).
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{reset}: {:?}",
            started.elapsed()
        );
        assert_eq!(server.count("GET"), 4, "{reset}");
        // The throttle, too, waits no longer than the policy allows.
        let started = Instant::now();
        let _ = client.notification_handlers().get(1).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{reset}: {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn a_reset_of_zero_negative_or_unreadable_is_not_retried_at_once() {
    for reset in ["0", "-3", "soon"] {
        let times = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&times);
        let server = Scripted::start(move |_, i| {
            log.lock().unwrap().push(Instant::now());
            if i == 0 {
                rate_limited(reset)
            } else {
                json(200, one_handler())
            }
        })
        .await;
        let client = client_with(
            &server.base_url,
            RetryPolicy::default().backoff(Duration::from_millis(200), Duration::from_millis(400)),
        );
        client.notification_handlers().get(1).await.unwrap();
        let times = times.lock().unwrap();
        assert_eq!(times.len(), 2, "{reset}");
        let gap = times[1] - times[0];
        assert!(
            gap >= Duration::from_millis(200),
            "{reset}: retried after {gap:?}"
        );
    }
}

#[tokio::test]
async fn the_rate_limit_window_is_learnt_from_the_servers_reset() {
    // One request per 1 s window. The client assumes 60 s until a 429's reset shows 1 s.
    let spent = || {
        Action::Reply(
            200,
            vec![
                ("content-type", "application/json".into()),
                ("x-ratelimit-limit", "1".into()),
                ("x-ratelimit-remaining", "0".into()),
            ],
            one_handler().to_string(),
        )
    };
    let server =
        Scripted::start(move |_, i| if i == 1 { rate_limited("1") } else { spent() }).await;
    let client = client_with(&server.base_url, RetryPolicy::none());
    let handlers = client.notification_handlers();
    handlers.get(1).await.unwrap();
    // The budget is spent and the window unknown: with no time to wait the assumed 60 s, this
    // call goes at once, and meets the 429 that tells the window's end.
    let hurried = handlers
        .clone()
        .with_retry_policy(RetryPolicy::none().deadline(Duration::from_secs(2)));
    assert!(matches!(
        hurried.get(1).await,
        Err(Error::RateLimited { .. })
    ));
    // Waits out the 1 s the server said, not 60 s.
    handlers.get(1).await.unwrap();
    // A new window, spent again: waited out as the learnt 1 s, not the assumed 60 s.
    let started = Instant::now();
    handlers.get(1).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(4),
        "waited {waited:?}"
    );
    assert_eq!(server.count("GET"), 4, "no request was refused and re-sent");
}

#[tokio::test]
async fn a_server_claiming_endless_empty_pages_is_not_followed() {
    let server = Scripted::start(|seen, _| {
        json(
            200,
            list_body(Vec::new(), seen.page(), 25, 0, 1_000_000_000_000),
        )
    })
    .await;
    let all: Vec<_> = retrying(&server.base_url)
        .notification_handlers()
        .list_all(&Query::new().concurrency(8))
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
    // Page 1 alone, which came back empty.
    assert_eq!(server.count("GET"), 1);
}

#[tokio::test]
async fn a_short_page_before_the_claimed_last_ends_the_listing() {
    let server = Scripted::start(|seen, _| {
        let page = seen.page();
        let items = if page == 1 {
            (1..=10).map(mail).collect()
        } else {
            vec![mail(100 + page)]
        };
        json(200, list_body(items, page, 10, 1_000_000, 100_000))
    })
    .await;
    let all = list_all_by_tens(&server).await;
    assert_eq!(all.len(), 11);
    assert_eq!(server.count("GET"), 2);
}

#[tokio::test]
async fn a_server_repeating_one_full_page_is_not_followed() {
    let server = Scripted::start(|seen, _| {
        let items = (1..=10).map(mail).collect();
        json(200, list_body(items, seen.page(), 10, 1_000_000, 100_000))
    })
    .await;
    let all = list_all_by_tens(&server).await;
    assert_eq!(all.len(), 10);
    assert_eq!(server.count("GET"), 2);
}

#[tokio::test]
async fn concurrency_is_capped() {
    let server = Scripted::start(|seen, _| {
        let page = seen.page();
        let items = vec![mail(page)];
        Action::After(
            Duration::from_millis(30),
            Box::new(json(200, list_body(items, page, 1, 200, 200))),
        )
    })
    .await;
    let all: Vec<_> = retrying(&server.base_url)
        .notification_handlers()
        .list_all(&Query::new().concurrency(usize::MAX))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 200);
    assert!(
        server.max_in_flight() <= bitpeak::MAX_CONCURRENCY,
        "{}",
        server.max_in_flight()
    );
}

#[tokio::test]
async fn pages_and_ids_outside_int64_are_refused_before_sending() {
    let server = Scripted::start(|_, _| json(200, one_handler())).await;
    let client = retrying(&server.base_url);
    let handlers = client.notification_handlers();
    let err = handlers
        .list_all(&Query::new().page(u64::MAX))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "page"),
        "{err:?}"
    );
    for id in [0, 1 << 63, u64::MAX] {
        for err in [
            handlers.get(id).await.unwrap_err(),
            handlers.delete(id).await.unwrap_err(),
            handlers.update(id, &Default::default()).await.unwrap_err(),
        ] {
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "notification_handler_id"),
                "{id}: {err:?}"
            );
        }
    }
    assert!(server.seen().is_empty(), "nothing was sent");
}

#[test]
fn keys_must_be_printable_ascii_and_urls_carry_no_password() {
    for key in ["ключ", "key\u{7f}", "k\u{e9}y", "two words", ""] {
        let err = Client::builder().api_key(key).build().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "api_key"),
            "{key:?}: {err:?}"
        );
        assert!(
            err.to_string().contains("printable ASCII") || key.is_empty(),
            "{err}"
        );
    }
    for url in [
        "https://user:s3cret-pw@example.org/api",
        "https://s3cret-pw@example.org/api",
        "ht!tp://user:s3cret-pw@/",
    ] {
        let err = Client::builder()
            .base_url(url)
            .api_key("k")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("s3cret-pw"), "{err}");
        assert!(!format!("{err:?}").contains("s3cret-pw"), "{err:?}");
    }
}

#[tokio::test]
async fn error_titles_are_shown_escaped_and_cut() {
    let title = format!(
        "\u{1b}]0;owned\u{7}Denied\r\u{1b}[2J{}",
        "x".repeat(10 * 1024 * 1024)
    );
    let body = serde_json::json!({"errors": [{"title": title, "status": 401}]});
    let server = Scripted::start(move |_, _| json(401, body.clone())).await;
    let client = Client::builder()
        .base_url(&server.base_url)
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.notification_handlers().get(1).await.unwrap_err();
    // The data stays exact; what is shown is safe and short.
    assert_eq!(err.titles(), [title.as_str()]);
    let shown = err.to_string();
    assert!(!shown.contains(['\u{1b}', '\u{7}', '\r']), "{shown:?}");
    assert!(
        shown.starts_with("HTTP 401 Unauthorized: \\u{1b}]0;owned\\u{7}Denied\\r\\u{1b}[2Jxxx"),
        "{shown}"
    );
    let more = title.chars().count() - 300;
    assert!(
        shown.contains(&format!("… ({more} more characters)")),
        "{}",
        &shown[..400]
    );
    assert!(shown.len() < 1000, "{}", shown.len());
}

#[tokio::test]
async fn a_redirect_location_is_shown_escaped() {
    let server = Scripted::start(|_, _| {
        // Only visible ASCII and tabs pass HTTP parsing and header reading.
        Action::Reply(
            302,
            vec![("location", "https://evil.example/\tx".into())],
            String::new(),
        )
    })
    .await;
    let err = retrying(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert!(
        err.to_string().contains("https://evil.example/\\tx"),
        "{err}"
    );
}
