//! The client-side throttle: a spent rate-limit budget is waited out, not spent on 429s.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bitpeak::resources::Query;
use bitpeak::{Client, PerPage, RetryPolicy};
use common::scripted::{Action, Scripted};
use common::*;
use futures::TryStreamExt;

const LIMIT: u64 = 10;
const WINDOW: Duration = Duration::from_millis(400);
const PAGES: u64 = 60;

/// A fixed-window limiter like the servers': `LIMIT` requests per `WINDOW`, the window
/// starting at its first request. Returns the server and a counter of 429s it sent.
async fn limited_list_server() -> (Scripted, Arc<Mutex<u64>>) {
    let refused = Arc::new(Mutex::new(0u64));
    let state = Arc::new(Mutex::new((None::<Instant>, 0u64)));
    let counter = Arc::clone(&refused);
    let server = Scripted::start(move |seen, _| {
        let mut s = state.lock().unwrap();
        let now = Instant::now();
        if s.0.is_none_or(|start| now >= start + WINDOW) {
            *s = (Some(now), 0);
        }
        let start = s.0.unwrap_or(now);
        if s.1 >= LIMIT {
            *counter.lock().unwrap() += 1;
            // Whole seconds, truncated, as the servers count them.
            let reset = (start + WINDOW).saturating_duration_since(now).as_secs();
            return Action::Reply(
                429,
                vec![
                    ("x-ratelimit-limit", LIMIT.to_string()),
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", reset.to_string()),
                ],
                String::new(),
            );
        }
        s.1 += 1;
        let page = seen.page();
        let body = list_body(
            vec![handler(
                page,
                "email",
                "h",
                serde_json::json!({"email": "a@example.com"}),
            )],
            page,
            1,
            PAGES,
            PAGES,
        );
        Action::Reply(
            200,
            vec![
                ("content-type", "application/json".into()),
                ("x-ratelimit-limit", LIMIT.to_string()),
                ("x-ratelimit-remaining", (LIMIT - s.1).to_string()),
            ],
            body.to_string(),
        )
    })
    .await;
    (server, refused)
}

fn throttled_client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(KEY)
        .retry_policy(RetryPolicy::none().rate_limit_window(WINDOW))
        .build()
        .unwrap()
}

#[tokio::test]
async fn listing_many_pages_under_a_limit_surfaces_no_429() {
    let (server, refused) = limited_list_server().await;
    // No retries at all: any 429 the server sent would reach the caller.
    let client = throttled_client(&server.base_url);
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(&Query::new().per_page(PerPage::P10))
        .try_collect()
        .await
        .expect("no 429 reaches the caller");
    assert_eq!(all.len() as u64, PAGES);
    assert_eq!(
        server.count("GET") as u64,
        PAGES,
        "no request was refused and re-sent"
    );
    assert_eq!(*refused.lock().unwrap(), 0);
}

#[tokio::test]
async fn clones_share_one_budget() {
    let (server, refused) = limited_list_server().await;
    let client = throttled_client(&server.base_url);
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for id in 1..=10u64 {
                    let params = Query::new().page(id).per_page(PerPage::P10);
                    client.notification_handlers().list(&params).await?;
                }
                Ok::<_, bitpeak::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("no 429 reaches any clone");
    }
    assert_eq!(server.count("GET"), 30);
    assert_eq!(*refused.lock().unwrap(), 0);
}
