//! Helpers shared by the httpmock tests.
#![allow(dead_code)]

use std::time::Duration;

use bitpeak::{Client, RetryPolicy};
use httpmock::{HttpMockRequest, MockServer};
use serde_json::{json, Value};

pub const KEY: &str = "test-key-5f3a9c";

/// A client for the mock server, with the test key and no retries (so each answer is seen
/// as it is; `tests/retries.rs` covers retrying).
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A client that retries quickly: backoff steps of a few milliseconds.
pub fn retrying_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key(KEY)
        .retry_policy(
            RetryPolicy::default()
                .backoff(Duration::from_millis(5), Duration::from_millis(20))
                .deadline(Duration::from_secs(20)),
        )
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client")
}

/// A handler object as the document shows it (boolean `is_enabled`).
pub fn handler(id: u64, kind: &str, name: &str, settings: Value) -> Value {
    json!({
        "id": id,
        "type": kind,
        "name": name,
        "settings": settings,
        "is_enabled": true,
        "last_datetime": null,
        "datetime": "2025-12-05 14:29:14"
    })
}

/// A list envelope with `total_results` (what servers send).
pub fn list_body(
    items: Vec<Value>,
    page: u64,
    per_page: u64,
    total: u64,
    total_pages: u64,
) -> Value {
    json!({
        "data": items,
        "meta": {"page": page, "results_per_page": per_page, "total_results": total, "total_pages": total_pages},
        "links": {"first": null, "last": null, "next": null, "prev": null, "self": null}
    })
}

/// The request's query parameters, sorted.
pub fn query(req: &HttpMockRequest) -> Vec<(String, String)> {
    let mut q = req.query_params();
    q.sort();
    q
}

/// Sorted `(name, value)` pairs from a literal list.
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

#[allow(unused_imports)] // not every test file matches forms
pub use bitpeak::mock::multipart_fields;

/// `(name, value)` pairs from a literal list, order kept.
pub fn fields(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
pub mod scripted;
