//! `Client::call` and `Client::call_pages`, any path under the base URL: the exact request
//! that goes out (method, path, query, key, every form field), the exact result, and the
//! transport's rules (retries only where safe, redirects refused, typed errors).

mod common;

use bitpeak::wire::RawRecord;
use bitpeak::Error;
use common::scripted::{html, json, Action, Scripted};
use common::*;
use futures::TryStreamExt;
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use serde_json::{json as j, Value};

const AUTH: &str = "Bearer test-key-5f3a9c";

fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    fields(list)
}

#[tokio::test]
async fn get_sends_its_fields_in_the_query_and_returns_the_answer_as_sent() {
    let server = MockServer::start_async().await;
    let answer = j!({
        "data": [{"id": 7, "name": "Shop", "extra": {"nested": [1, 2]}}],
        "meta": {"page": 1, "results_per_page": 25, "total_results": 1, "total_pages": 1},
        "links": {"next": null}
    });
    let body = answer.clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/monitors")
                .header("authorization", AUTH)
                .header("accept", "application/json")
                .header_matches("user-agent", "^bitpeak-rust/")
                .is_true(|r| {
                    r.query_params() == owned(&[("search", "shop & co"), ("type", "website")])
                        && r.body().is_empty()
                });
            then.status(200).json_body(body);
        })
        .await;
    let got = client(&server)
        .call(
            "get",
            "/monitors",
            &owned(&[("search", "shop & co"), ("type", "website")]),
        )
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(got, answer);
}

#[tokio::test]
async fn post_sends_every_field_as_the_form_repeated_names_for_arrays() {
    let server = MockServer::start_async().await;
    let expected = owned(&[
        ("name", "Checkout"),
        ("type", "website"),
        ("target", "https://shop.example.com/"),
        ("is_ok_notifications[]", "3"),
        ("is_ok_notifications[]", "7"),
        ("description", "  kept as given "),
    ]);
    let sent = expected.clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/monitors")
                .header("authorization", AUTH)
                .header("accept", "application/json")
                .header_matches("content-type", "^multipart/form-data; boundary=")
                .is_true(move |r| {
                    r.query_params().is_empty() && multipart_fields(r).as_ref() == Some(&expected)
                });
            then.status(201).json_body(j!({"data": {"id": 12}}));
        })
        .await;
    let got = client(&server)
        .call("POST", "monitors", &sent)
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(got, j!({"data": {"id": 12}}));
}

#[tokio::test]
async fn post_without_fields_sends_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/teams-member/5")
                .header("authorization", AUTH)
                .is_true(|r| {
                    r.body().is_empty()
                        && r.headers_vec()
                            .iter()
                            .all(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
                });
            then.status(200).json_body(j!({"data": {"id": 5}}));
        })
        .await;
    let got = client(&server)
        .call("POST", "teams-member/5", &[])
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(got, j!({"data": {"id": 5}}));
}

#[tokio::test]
async fn delete_answered_with_an_empty_body_is_null() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/projects/4")
                .header("authorization", AUTH)
                .is_true(|r| r.query_params().is_empty() && r.body().is_empty());
            then.status(200).header("content-type", "application/json");
        })
        .await;
    let got = client(&server)
        .call("DELETE", "projects/4", &[])
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(got, Value::Null);
}

#[tokio::test]
async fn a_json_404_is_not_found_with_the_servers_message() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/monitors/999999");
            then.status(404).json_body(
                j!({"errors": [{"title": "The resource was not found.", "status": "404"}]}),
            );
        })
        .await;
    let err = client(&server)
        .call("GET", "monitors/999999", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { titles } if titles == &["The resource was not found."]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_success_that_is_not_json_is_a_decode_error_with_the_body() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/user");
            then.status(200).body("<html>maintenance</html>");
        })
        .await;
    let err = client(&server).call("GET", "user", &[]).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { status, snippet, .. } if status.as_u16() == 200 && snippet == "<html>maintenance</html>"),
        "{err:?}"
    );
}

#[tokio::test]
async fn refused_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(j!({}));
        })
        .await;
    let client = client(&server);
    // (method, path, fields, the field at fault)
    let cases = [
        ("GET", "", vec![], "path"),
        ("GET", "//evil.example/api/user", vec![], "path"),
        ("GET", "http://evil.example/user", vec![], "path"),
        ("GET", "monitors/../user", vec![], "path"),
        ("GET", "monitors?page=2", vec![], "path"),
        ("TRACE", "user", vec![], "method"),
        ("POST", "projects", owned(&[("", "x")]), "field"),
    ];
    for (method, path, fields, at) in cases {
        let err = client.call(method, path, &fields).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == at),
            "{method} {path:?}: {err:?}"
        );
    }
    let page = client
        .call_pages("monitors", &owned(&[("page", "2")]))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&page, Error::InvalidInput { field, .. } if field == "page"),
        "{page:?}"
    );
    let path = client
        .call_pages("../x", &[])
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&path, Error::InvalidInput { field, .. } if field == "path"),
        "{path:?}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_5xx_on_a_post_to_a_collection_is_not_retried() {
    let server = Scripted::start(|_, i| {
        if i == 0 {
            html(503, "<html>busy</html>")
        } else {
            json(201, j!({"data": {"id": 1}}))
        }
    })
    .await;
    let err = retrying_client(&server.base_url)
        .call("POST", "projects", &owned(&[("name", "Ops")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown(inner) if inner.status().map(|s| s.as_u16()) == Some(503)),
        "{err:?}"
    );
    assert_eq!(server.count("POST"), 1, "a project may exist, never two");
}

#[tokio::test]
async fn a_503_on_a_get_is_retried() {
    let server = Scripted::start(|_, i| {
        if i == 0 {
            html(503, "<html>busy</html>")
        } else {
            json(200, j!({"data": {"id": 1, "email": "a@example.com"}}))
        }
    })
    .await;
    let got = retrying_client(&server.base_url)
        .call("GET", "user", &[])
        .await
        .unwrap();
    assert_eq!(got, j!({"data": {"id": 1, "email": "a@example.com"}}));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.method == "GET" && s.path == "/user"));
}

#[tokio::test]
async fn a_delete_retried_after_a_503_takes_the_404_as_done() {
    let server = Scripted::start(|_, i| {
        if i == 0 {
            html(503, "")
        } else {
            json(
                404,
                j!({"errors": [{"title": "Not found", "status": "404"}]}),
            )
        }
    })
    .await;
    let got = retrying_client(&server.base_url)
        .call("DELETE", "monitors/3", &[])
        .await
        .unwrap();
    assert_eq!(got, Value::Null);
    assert_eq!(server.count("DELETE"), 2);
}

#[tokio::test]
async fn a_redirect_is_refused_and_not_followed() {
    let server = Scripted::start(|_, _| {
        Action::Reply(
            301,
            vec![("location", "https://elsewhere.example/api/user".into())],
            String::new(),
        )
    })
    .await;
    let err = retrying_client(&server.base_url)
        .call("GET", "user", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { status, location: Some(l) } if status.as_u16() == 301 && l == "https://elsewhere.example/api/user"),
        "{err:?}"
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn an_html_404_is_a_path_the_server_does_not_have() {
    let server = Scripted::start(|_, _| html(404, "<!doctype html><title>Not found</title>")).await;
    let err = retrying_client(&server.base_url)
        .call("GET", "dns-monitors", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unavailable { resource, status, location: None } if resource == "dns-monitors" && status.as_u16() == 404),
        "{err:?}"
    );
    assert_eq!(server.seen().len(), 1);
}

/// Record `id` of the paged listing: ids in order, each with something besides its id.
fn record(id: u64) -> Value {
    j!({"id": id, "name": format!("Monitor {id}"), "type": "website"})
}

#[tokio::test]
async fn call_pages_yields_every_record_of_every_page_once_in_order() {
    const TOTAL: u64 = 2_500;
    const PER_PAGE: u64 = 1000;
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=3u64 {
        let first = (page - 1) * PER_PAGE + 1;
        let last = (page * PER_PAGE).min(TOTAL);
        let records: Vec<Value> = (first..=last).map(record).collect();
        let number = page.to_string();
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/monitors")
                        .header("authorization", AUTH)
                        .header("accept", "application/json")
                        .is_true(move |r| {
                            query(r)
                                == pairs(&[
                                    ("page", &number),
                                    ("results_per_page", "1000"),
                                    ("type", "website"),
                                ])
                        });
                    then.status(200)
                        .json_body(list_body(records, page, PER_PAGE, TOTAL, 3));
                })
                .await,
        );
    }
    let client = client(&server);
    let query = owned(&[("results_per_page", "1000"), ("type", "website")]);
    let got: Vec<RawRecord> = client
        .call_pages("monitors", &query)
        .try_collect()
        .await
        .unwrap();
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    let expected: Vec<RawRecord> = (1..=TOTAL)
        .map(|id| RawRecord::of(&record(id)).unwrap())
        .collect();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "every record once, in order, as sent");
}

#[tokio::test]
async fn call_pages_over_the_fake_server_reads_every_real_record() {
    let server = bitpeak_fake::FakeServer::start(bitpeak_fake::FakeConfig::new())
        .await
        .unwrap();
    server.seed_real("monitors", 1_050);
    let client = bitpeak::Client::builder()
        .base_url(server.base_url())
        .api_key(bitpeak_fake::DEFAULT_KEY)
        .build()
        .unwrap();
    let records: Vec<RawRecord> = client
        .call_pages("/monitors", &owned(&[("results_per_page", "100")]))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<u64> = records
        .iter()
        .map(|r| r.to_value()["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=1_050).collect::<Vec<_>>());
    assert_eq!(server.requests(), 11);
}
