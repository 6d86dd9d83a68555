//! A proxy from the environment never carries a plain-http request (and its key): plain http
//! goes straight to the server. (Its own test binary: it sets process-wide variables.)

mod common;

use common::scripted::{json, Scripted};
use common::*;

#[tokio::test]
async fn plain_http_ignores_proxies_from_the_environment() {
    let proxy = Scripted::start(|_, _| json(200, serde_json::json!({}))).await;
    let api = Scripted::start(|_, _| {
        json(200, serde_json::json!({"data": handler(1, "email", "Mail", serde_json::json!({"email": "a@example.com"}))}))
    })
    .await;
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        // SAFETY: this test binary runs this one test; nothing else reads the environment.
        unsafe { std::env::set_var(var, &proxy.base_url) };
    }
    unsafe { std::env::remove_var("NO_PROXY") };
    unsafe { std::env::remove_var("no_proxy") };
    let client = bitpeak::Client::builder()
        .base_url(&api.base_url)
        .api_key(KEY)
        .build()
        .unwrap();
    let h = client.notification_handlers().get(1).await.unwrap();
    assert_eq!(h.id, 1);
    assert_eq!(api.count("GET"), 1);
    assert!(proxy.seen().is_empty(), "the proxy saw {:?}", proxy.seen());
}
