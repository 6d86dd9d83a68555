//! The plain structs a hand-written client would decode into: the baselines' side of the
//! benchmarks (shared by `client.rs` and `get_instructions.rs`).
#![allow(dead_code)]

use serde::Deserialize;

/// One handler.
#[derive(Deserialize)]
pub struct PlainHandler {
    id: u64,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    settings: serde_json::Map<String, serde_json::Value>,
    is_enabled: u8,
    last_datetime: Option<String>,
    datetime: String,
}

#[derive(Deserialize)]
pub struct PlainOne {
    data: PlainHandler,
}

#[derive(Deserialize)]
pub struct PlainMeta {
    page: u64,
    results_per_page: u64,
    total_results: u64,
    total_pages: u64,
}

#[derive(Deserialize)]
pub struct PlainPage {
    data: Vec<PlainHandler>,
    meta: PlainMeta,
}

/// The baseline `get`: a raw reqwest GET of `url` with a bearer `key`, the body decoded into
/// [`PlainOne`].
pub async fn raw_get(http: &reqwest::Client, url: &str, key: &str) -> PlainOne {
    let body = http
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .expect("send")
        .bytes()
        .await
        .expect("body");
    serde_json::from_slice(&body).expect("decode")
}

/// The baseline of ordered `list_all`: a plain client that keeps `in_flight` page requests
/// going and takes pages in whatever order they come (no ordering, no de-duplication), each
/// decoded into plain structs. Returns the records.
pub async fn unordered_pages(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    pages: u64,
    in_flight: usize,
) -> Vec<PlainHandler> {
    use futures::StreamExt;
    let requests = (1..=pages).map(|page| async move {
        let url = format!("{base}/notification-handlers?page={page}&results_per_page=25");
        let body = http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect("body");
        serde_json::from_slice::<PlainPage>(&body)
            .expect("decode")
            .data
    });
    let all: Vec<PlainHandler> = futures::stream::iter(requests)
        .buffer_unordered(in_flight)
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    assert_eq!(all.len(), 2500);
    all
}

/// One header of a monitor's check.
#[derive(Deserialize)]
pub struct PlainHeader {
    name: String,
    value: String,
}

/// A monitor's settings, as a strict client would type them.
#[derive(Deserialize)]
pub struct PlainMonitorSettings {
    check_interval_seconds: i64,
    timeout_seconds: i64,
    request_method: String,
    request_body: String,
    request_basic_auth_username: String,
    request_basic_auth_password: String,
    request_headers: Vec<PlainHeader>,
    response_status_code: Vec<i64>,
    response_body: String,
    response_headers: Vec<PlainHeader>,
    cache_buster_is_enabled: i64,
    verify_ssl_is_enabled: i64,
    ping_ipv: String,
    follow_redirects: i64,
}

/// Who a monitor alerts.
#[derive(Deserialize)]
pub struct PlainNotifications {
    is_ok: Vec<i64>,
}

/// One monitor, nested objects typed.
#[derive(Deserialize)]
pub struct PlainMonitor {
    id: u64,
    user_id: i64,
    project_id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    target: String,
    port: i64,
    settings: PlainMonitorSettings,
    ping_servers_ids: Vec<i64>,
    is_ok: i64,
    uptime: f64,
    downtime: f64,
    average_response_time: f64,
    total_checks: i64,
    total_ok_checks: i64,
    total_not_ok_checks: i64,
    last_check_datetime: Option<String>,
    notifications: PlainNotifications,
    is_enabled: bool,
    datetime: String,
    last_datetime: Option<String>,
}

#[derive(Deserialize)]
pub struct PlainMonitorPage {
    data: Vec<PlainMonitor>,
    meta: PlainMeta,
}
