//! Criterion benchmarks, each beside its baseline in the same run (targets in README):
//!
//! - `get`: `client.notification_handlers().get` vs a raw reqwest GET + serde decode into a
//!   plain struct, same in-process fake server (target ≤ 1.10×).
//! - `list_all`: 100 pages × 25 handlers at 20 ms injected latency, 8 pages in flight vs a
//!   sequential page loop (target ≥ 6× faster).
//! - `list_all` at 20 ± 10 ms: 8 pages in flight, in page order, vs a plain unordered client
//!   (8 requests in flight, pages taken as they come; target ≤ 1.15×).
//! - `decode`: a 1000-handler page, and a 1000-monitor page of real-sized monitors (nested
//!   settings, headers, notifications), through the tolerant model vs strict
//!   `#[derive(Deserialize)]` structs typed as deeply (target ≤ 1.5×).

use std::time::Duration;

use bitpeak::resources::{NotificationHandler, Query};
use bitpeak::{Client, PerPage, RetryPolicy};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use criterion::{criterion_group, criterion_main, Criterion};
use futures::TryStreamExt;

mod plain;
use plain::{PlainMonitorPage, PlainPage};

const KEY: &str = "bench-key";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn get(c: &mut Criterion) {
    let rt = runtime();
    let server = rt
        .block_on(FakeServer::start(
            FakeConfig::new().profile(Profile::V2026).key(KEY),
        ))
        .expect("server");
    server.seed(1);
    let client = client(server.base_url());
    let http = reqwest::Client::new();
    let url = format!("{}/notification-handlers/1", server.base_url());
    let mut group = c.benchmark_group("get");
    group.bench_function("raw reqwest + serde (baseline)", |b| {
        b.to_async(&rt).iter(|| plain::raw_get(&http, &url, KEY))
    });
    group.bench_function("bitpeak get", |b| {
        b.to_async(&rt)
            .iter(|| async { client.notification_handlers().get(1).await.expect("get") })
    });
    group.finish();
}

fn list_all(c: &mut Criterion) {
    let rt = runtime();
    let server = rt
        .block_on(FakeServer::start(
            FakeConfig::new()
                .key(KEY)
                .latency(Duration::from_millis(20)),
        ))
        .expect("server");
    server.seed(2500);
    let client = client(server.base_url());
    let mut group = c.benchmark_group("list_all 100 pages x 25 at 20 ms");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(25));
    for (name, n) in [
        ("sequential page loop (baseline)", 1usize),
        ("8 pages in flight", 8),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let all: Vec<_> = client
                    .notification_handlers()
                    .list_all(&Query::new().per_page(PerPage::P25).concurrency(n))
                    .try_collect()
                    .await
                    .expect("list");
                assert_eq!(all.len(), 2500);
                all
            })
        });
    }
    group.finish();
}

fn list_all_jittered(c: &mut Criterion) {
    let rt = runtime();
    let server = rt
        .block_on(FakeServer::start(
            FakeConfig::new()
                .key(KEY)
                .latency(Duration::from_millis(20))
                .latency_jitter(Duration::from_millis(10)),
        ))
        .expect("server");
    server.seed(2500);
    let client = client(server.base_url());
    let http = reqwest::Client::new();
    let base = server.base_url().to_owned();
    let mut group = c.benchmark_group("list_all 100 pages x 25 at 20 +- 10 ms, 8 in flight");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("plain unordered client (baseline)", |b| {
        b.to_async(&rt)
            .iter(|| plain::unordered_pages(&http, &base, KEY, 100, 8))
    });
    group.bench_function("bitpeak list_all, in page order", |b| {
        b.to_async(&rt).iter(|| async {
            let all: Vec<_> = client
                .notification_handlers()
                .list_all(&Query::new().per_page(PerPage::P25).concurrency(8))
                .try_collect()
                .await
                .expect("list");
            assert_eq!(all.len(), 2500);
            all
        })
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let items: Vec<serde_json::Value> = (1..=1000)
        .map(|id| {
            serde_json::json!({"id": id, "user_id": 1, "type": "webhook", "name": format!("h{id}"),
                "settings": {"webhook": format!("https://example.com/hooks/{id}")}, "is_enabled": 1,
                "last_datetime": null, "datetime": "2026-01-15 09:30:00"})
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({"data": items, "meta": {"page": 1, "results_per_page": 1000, "total_results": 1000, "total_pages": 1}}))
        .expect("body");
    let mut group = c.benchmark_group("decode 1000-handler page");
    group.bench_function("strict derive(Deserialize) (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<PlainPage>(std::hint::black_box(&body)).expect("decode"))
    });
    group.bench_function("bitpeak tolerant model", |b| {
        b.iter(|| {
            bitpeak::decode::page::<NotificationHandler>(std::hint::black_box(&body), 1, 1000)
                .expect("decode")
        })
    });
    group.finish();
}

/// A monitor the size real servers send: a 2025 record with headers, codes and
/// notifications.
fn real_monitor(id: u64) -> serde_json::Value {
    let headers: Vec<_> = (0..4)
        .map(|i| serde_json::json!({"name": format!("X-Header-{i}"), "value": format!("value {id} {i}")}))
        .collect();
    serde_json::json!({
        "id": id, "user_id": 3, "project_id": 4, "name": format!("Checkout {id}"), "type": "website",
        "target": format!("https://shop{id}.example.com/checkout?step=payment"), "port": 0,
        "settings": {
            "check_interval_seconds": 60, "timeout_seconds": 5, "request_method": "GET",
            "request_body": "", "request_basic_auth_username": "monitor",
            "request_basic_auth_password": "s3cr3t-password", "request_headers": headers,
            "response_status_code": [200, 201, 204], "response_body": "OK",
            "response_headers": [{"name": "Content-Type", "value": "text/html"}],
            "cache_buster_is_enabled": 0, "verify_ssl_is_enabled": 1, "ping_ipv": "ipv4",
            "follow_redirects": 1
        },
        "ping_servers_ids": [1, 2, 3], "is_ok": 1, "uptime": 99.95, "downtime": 0.05,
        "average_response_time": 212.7, "total_checks": 144000, "total_ok_checks": 143928,
        "total_not_ok_checks": 72, "last_check_datetime": "2026-06-01 12:00:00",
        "notifications": {"is_ok": [7, 9]}, "is_enabled": true,
        "datetime": "2026-05-01 09:00:00", "last_datetime": "2026-05-20 10:00:00"
    })
}

fn decode_monitors(c: &mut Criterion) {
    let items: Vec<_> = (1..=1000).map(real_monitor).collect();
    let body = serde_json::to_vec(&serde_json::json!({"data": items, "meta": {"page": 1, "results_per_page": 1000, "total_results": 1000, "total_pages": 1}}))
        .expect("body");
    let mut group = c.benchmark_group("decode 1000-monitor page (nested)");
    group.bench_function("strict derive(Deserialize) (baseline)", |b| {
        b.iter(|| {
            serde_json::from_slice::<PlainMonitorPage>(std::hint::black_box(&body)).expect("decode")
        })
    });
    group.bench_function("bitpeak tolerant model", |b| {
        b.iter(|| {
            bitpeak::decode::page::<bitpeak::resources::Monitor>(
                std::hint::black_box(&body),
                1,
                1000,
            )
            .expect("decode")
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    get,
    list_all,
    list_all_jittered,
    decode,
    decode_monitors
);
criterion_main!(benches);
