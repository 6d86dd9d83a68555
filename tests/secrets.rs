//! The API key never appears in tracing output, `Debug` or `Display` of any client or error
//! type, over a full run that meets every kind of answer. (Keep this binary to this one test:
//! its scoped tracing subscriber misses events while other tests run on other threads.)

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandlerUpdate, Query};
use bitpeak::{Client, RetryPolicy};
use common::scripted::{html, json, Action, Scripted};
use common::*;
use futures::TryStreamExt;
use serde_json::json as j;

const SECRET: &str = "sk_live_9f8e7d6c5b4a";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_appears_nowhere() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = Scripted::start(|seen, i| match (seen.method.as_str(), i % 7) {
        ("GET", 0) => html(404, "<html>not here</html>"),
        ("GET", 1) => json(401, j!({"errors": [{"title": "Bad key", "status": "401"}]})),
        ("GET", 2) => Action::Reply(429, vec![("x-ratelimit-reset", "0".into())], String::new()),
        ("GET", _) if seen.path.starts_with("/notification-handlers?") => json(
            200,
            list_body(
                vec![handler(1, "email", "M", j!({"email": "a@example.com"}))],
                1,
                25,
                1,
                1,
            ),
        ),
        ("GET", _) => json(
            200,
            j!({"data": handler(1, "email", "M", j!({"email": "a@example.com"}))}),
        ),
        ("POST", 3) => Action::Drop,
        ("POST", _) => json(
            201,
            j!({"data": handler(1, "email", "M", j!({"email": "a@example.com"}))}),
        ),
        ("DELETE", _) => Action::Reply(
            200,
            vec![("content-type", "application/json".into())],
            String::new(),
        ),
        _ => Action::Stall(Duration::from_secs(2)),
    })
    .await;

    let builder = Client::builder()
        .base_url(&server.base_url)
        .api_key(SECRET)
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)),
        );
    let mut texts = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.raw()));
    let handlers = client.notification_handlers();
    texts.push(format!("{handlers:?}"));

    let mut outcomes: Vec<Result<String, bitpeak::Error>> = Vec::new();
    for _ in 0..8 {
        outcomes.push(handlers.get(1).await.map(|h| format!("{h:?}")));
        outcomes.push(
            handlers
                .create(&NewNotificationHandler::with_channel(
                    "M",
                    Channel::email("a@example.com"),
                ))
                .await
                .map(|h| format!("{h:?}")),
        );
        outcomes.push(
            handlers
                .list_all(&Query::new())
                .try_collect::<Vec<_>>()
                .await
                .map(|v| format!("{v:?}")),
        );
        outcomes.push(
            handlers
                .update(1, &NotificationHandlerUpdate::new().is_enabled(false))
                .await
                .map(|h| format!("{h:?}")),
        );
        outcomes.push(handlers.delete(1).await.map(|()| String::new()));
    }
    // A client that cannot connect, for transport errors.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let offline = Client::builder()
        .base_url(dead)
        .api_key(SECRET)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    outcomes.push(
        offline
            .notification_handlers()
            .get(1)
            .await
            .map(|_| String::new()),
    );
    // Builder errors.
    outcomes.push(
        Client::builder()
            .base_url("http://example.com")
            .api_key(SECRET)
            .build()
            .map(|_| String::new()),
    );

    let mut errors = 0;
    for outcome in &outcomes {
        match outcome {
            Ok(text) => texts.push(text.clone()),
            Err(e) => {
                errors += 1;
                texts.push(format!("{e:?}"));
                texts.push(e.to_string());
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    texts.push(format!("{s:?} {s}"));
                    source = s.source();
                }
            }
        }
    }
    assert!(
        errors >= 5,
        "the run met errors of several kinds ({errors})"
    );
    assert!(outcomes.iter().any(Result::is_ok), "and successes");

    let traced = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(traced.contains("bitpeak.request"), "tracing was captured");
    assert!(traced.contains("attempt=2"), "retries were traced");
    texts.push(traced);
    for text in &texts {
        assert!(!text.contains(SECRET), "the key leaked into: {text}");
    }
    assert!(server.seen().len() > 20);
}
