//! Criterion benchmarks, each beside its baseline in the same run (targets in README):
//!
//! - `get`: `client.notification_handlers().get` vs a raw reqwest GET + serde decode into a
//!   plain struct, same in-process fake server (target ≤ 1.10×).
//! - `list_all`: 100 pages × 25 handlers at 20 ms injected latency, 8 pages in flight vs a
//!   sequential page loop (target ≥ 6× faster).
//! - `list_all` at 20 ± 10 ms: 8 pages in flight, in page order, vs a plain unordered client
//!   (8 requests in flight, pages taken as they come; target ≤ 1.15×).
//! - `decode`: a 1000-handler page through the tolerant model vs a strict
//!   `#[derive(Deserialize)]` struct (target ≤ 1.5×).

use std::time::Duration;

use bitpeak::resources::{NotificationHandler, Query};
use bitpeak::{Client, PerPage, RetryPolicy};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use criterion::{criterion_group, criterion_main, Criterion};
use futures::TryStreamExt;

mod plain;
use plain::PlainPage;

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

criterion_group!(benches, get, list_all, list_all_jittered, decode);
criterion_main!(benches);
