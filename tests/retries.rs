//! The fault matrix: for each fault, how many requests the server saw, what the caller got,
//! and — for create — that at most one handler can exist.

mod common;

use std::time::{Duration, Instant};

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandlerUpdate};
use bitpeak::Error;
use common::scripted::{html, json, Action, Scripted};
use common::*;
use serde_json::json as j;

fn one() -> serde_json::Value {
    j!({"data": handler(1, "email", "Mail", j!({"email": "a@example.com"}))})
}

fn new_handler() -> NewNotificationHandler {
    NewNotificationHandler::with_channel("Mail", Channel::email("a@example.com"))
}

/// A server whose first answer is `first` and every later one is `then`.
async fn first_then(
    first: impl Fn() -> Action + Send + Sync + 'static,
    then: impl Fn() -> Action + Send + Sync + 'static,
) -> Scripted {
    Scripted::start(move |_, i| if i == 0 { first() } else { then() }).await
}

/// `fault` first, then the handler: `get` succeeds after exactly one retry.
async fn get_recovers_after(fault: impl Fn() -> Action + Send + Sync + 'static) {
    let server = first_then(fault, || json(200, one())).await;
    let h = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap();
    assert_eq!(h.id, 1);
    assert_eq!(server.count("GET"), 2);
}

/// `fault` first, then a `201`: `create` is sent once, never repeated, and fails; returns the
/// error.
async fn create_is_sent_once_after(fault: impl Fn() -> Action + Send + Sync + 'static) -> Error {
    let server = first_then(fault, || json(201, one())).await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .create(&new_handler())
        .await
        .unwrap_err();
    assert_eq!(
        server.count("POST"),
        1,
        "zero or one handler exists, never two"
    );
    err
}

#[tokio::test]
async fn get_503_html_then_success_is_retried() {
    get_recovers_after(|| html(503, "<html><body>Service Unavailable</body></html>")).await;
}

#[tokio::test]
/// `X-RateLimit-Reset: 0` means "within the next second" (whole seconds, truncated): the
/// retry waits until that second has surely passed, not a moment.
async fn get_429_waits_until_the_reset_second_has_passed_then_succeeds() {
    let server = first_then(
        || {
            Action::Reply(
                429,
                vec![
                    ("x-ratelimit-limit", "60".into()),
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", "0".into()),
                ],
                j!({"errors": [{"title": "Too many requests", "status": 429}]}).to_string(),
            )
        },
        || json(200, one()),
    )
    .await;
    let started = Instant::now();
    let h = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap();
    assert_eq!(h.id, 1);
    assert_eq!(server.count("GET"), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn create_429_is_retried_because_the_server_refused_before_acting() {
    let server = first_then(
        || Action::Reply(429, vec![("x-ratelimit-reset", "1".into())], String::new()),
        || json(201, one()),
    )
    .await;
    let h = retrying_client(&server.base_url)
        .notification_handlers()
        .create(&new_handler())
        .await
        .unwrap();
    assert_eq!(h.id, 1);
    // Two requests; the first was refused, so exactly one handler exists.
    assert_eq!(server.count("POST"), 2);
}

#[tokio::test]
async fn rate_limited_out_of_attempts_carries_the_reset() {
    let server = Scripted::start(|_, _| {
        Action::Reply(429, vec![("x-ratelimit-reset", "0".into())], String::new())
    })
    .await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { reset_after: Some(d), .. } if d == Duration::ZERO),
        "{err:?}"
    );
    assert_eq!(server.count("GET"), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn get_dropped_connection_is_retried() {
    get_recovers_after(|| Action::Drop).await;
}

#[tokio::test]
async fn create_dropped_connection_is_not_retried_and_says_so() {
    let err = create_is_sent_once_after(|| Action::Drop).await;
    assert!(
        matches!(&err, Error::OutcomeUnknown(inner) if matches!(**inner, Error::Transport(_))),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("the record may or may not have been created"),
        "{err}"
    );
}

#[tokio::test]
async fn get_stalled_past_the_timeout_is_retried() {
    get_recovers_after(|| Action::Stall(Duration::from_secs(5))).await;
}

#[tokio::test]
async fn create_stalled_past_the_timeout_is_not_retried() {
    let err = create_is_sent_once_after(|| Action::Stall(Duration::from_secs(5))).await;
    assert!(
        matches!(&err, Error::OutcomeUnknown(inner) if matches!(**inner, Error::Timeout(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn create_503_is_not_retried() {
    let err = create_is_sent_once_after(|| html(503, "<html>busy</html>")).await;
    assert!(
        matches!(&err, Error::OutcomeUnknown(inner) if inner.status().map(|s| s.as_u16()) == Some(503)),
        "{err:?}"
    );
}

#[tokio::test]
async fn create_refused_connection_is_retried_and_is_not_outcome_unknown() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = retrying_client(&base)
        .notification_handlers()
        .create(&new_handler())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(_)),
        "nothing was sent, so the outcome is known: {err:?}"
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_not_retried() {
    let server = Scripted::start(|_, _| {
        Action::Reply(
            200,
            vec![("content-type", "application/json".into())],
            "{\"data\": {\"id\": 1, \"ty".into(),
        )
    })
    .await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(server.count("GET"), 1);
}

#[tokio::test]
async fn garbage_bytes_get_retried_then_fail_and_create_says_outcome_unknown() {
    let server = Scripted::start(|_, _| Action::Garbage).await;
    let client = retrying_client(&server.base_url);
    let err = client.notification_handlers().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.count("GET"), 4);
    let err = client
        .notification_handlers()
        .create(&new_handler())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn html_404_is_not_retried() {
    let server = Scripted::start(|_, _| html(404, "<!doctype html><title>Not found</title>")).await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unavailable { status, .. } if status.as_u16() == 404),
        "{err:?}"
    );
    assert_eq!(server.count("GET"), 1);
}

#[tokio::test]
async fn a_302_is_not_followed_nor_retried() {
    let server = Scripted::start(|_, _| {
        Action::Reply(
            302,
            vec![("location", "https://elsewhere.example/".into())],
            String::new(),
        )
    })
    .await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .get(1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { location: Some(l), .. } if l == "https://elsewhere.example/"),
        "{err:?}"
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn delete_retried_after_a_503_treats_the_404_as_done() {
    let server = first_then(
        || html(503, ""),
        || json(404, j!({"errors": [{"title": "Not found", "status": 404}]})),
    )
    .await;
    retrying_client(&server.base_url)
        .notification_handlers()
        .delete(1)
        .await
        .unwrap();
    assert_eq!(server.count("DELETE"), 2);
}

#[tokio::test]
async fn delete_404_on_the_first_attempt_is_not_found() {
    let server =
        Scripted::start(|_, _| json(404, j!({"errors": [{"title": "Not found", "status": 404}]})))
            .await;
    let err = retrying_client(&server.base_url)
        .notification_handlers()
        .delete(1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn the_safe_update_is_retried_after_a_502() {
    let server = Scripted::start(|seen, _| {
        if seen.method == "GET" {
            json(200, one())
        } else {
            // The first POST fails, the second succeeds.
            static POSTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            if POSTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                html(502, "<html>Bad Gateway</html>")
            } else {
                json(200, one())
            }
        }
    })
    .await;
    let h = retrying_client(&server.base_url)
        .notification_handlers()
        .update(1, &NotificationHandlerUpdate::new().name("Mail"))
        .await
        .unwrap();
    assert_eq!(h.id, 1);
    assert_eq!(server.count("POST"), 2);
    assert_eq!(
        server.count("GET"),
        1,
        "the handler is read once, not per attempt"
    );
}

/// A `get` from `builder`'s client against a server that never answers ends in
/// `Error::Timeout`, well within 3 s.
async fn times_out_fast(builder: impl FnOnce(&str) -> bitpeak::ClientBuilder) {
    let server = Scripted::start(|_, _| Action::Stall(Duration::from_secs(30))).await;
    let client = builder(&server.base_url).api_key(KEY).build().unwrap();
    let started = Instant::now();
    let err = client.notification_handlers().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_overall_deadline_bounds_a_stalled_server() {
    times_out_fast(|url| {
        bitpeak::Client::builder()
            .base_url(url)
            .timeout(Duration::from_secs(20))
            .retry_policy(bitpeak::RetryPolicy::default().deadline(Duration::from_millis(600)))
    })
    .await;
}

#[tokio::test]
async fn an_injected_http_client_still_gets_the_time_limit() {
    times_out_fast(|url| {
        bitpeak::Client::builder()
            .base_url(url)
            .http_client(reqwest::Client::new())
            .timeout(Duration::from_millis(300))
            .retry_policy(bitpeak::RetryPolicy::none())
    })
    .await;
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_retried_for_get_and_not_for_create() {
    get_recovers_after(|| Action::CutMidBody).await;
    let err = create_is_sent_once_after(|| Action::CutMidBody).await;
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
}
