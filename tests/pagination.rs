//! `list_all` pages by number up to `total_pages`, lazily, never following `links`.

mod common;

use bitpeak::resources::Query;
use bitpeak::PerPage;
use common::*;
use futures::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

fn items(from: u64, count: u64) -> Vec<serde_json::Value> {
    (from..from + count)
        .map(|id| {
            handler(
                id,
                "webhook",
                &format!("h{id}"),
                json!({"webhook": format!("https://example.com/{id}")}),
            )
        })
        .collect()
}

#[tokio::test]
async fn list_all_requests_exactly_pages_one_to_total_pages_and_ignores_links() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=3u64 {
        let count = if page == 3 { 5 } else { 10 };
        let mut body = list_body(items((page - 1) * 10 + 1, count), page, 10, 25, 3);
        // A wrong `links.next`, as servers have been seen to build: must not be followed.
        body["links"]["next"] = json!(format!("{}/monitors?&page=99", server.base_url()));
        let expected = pairs(&[("page", &page.to_string()), ("results_per_page", "10")]);
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/notification-handlers")
                        .is_true(move |r| query(r) == expected);
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let other = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = client(&server);
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(&Query::new().per_page(PerPage::P10))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|h| h.id).collect::<Vec<_>>(),
        (1..=25).collect::<Vec<_>>()
    );
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    other.assert_calls_async(0).await;
}

#[tokio::test]
async fn list_all_is_lazy_and_stops_at_total_pages_zero() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers");
            then.status(200).json_body(list_body(vec![], 1, 25, 0, 0));
        })
        .await;
    let client = client(&server);
    let handlers = client.notification_handlers();
    let stream = handlers.list_all(&Query::new());
    mock.assert_calls_async(0).await;
    let all: Vec<_> = stream.try_collect().await.unwrap();
    assert!(all.is_empty());
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn list_all_fetches_the_next_page_only_when_needed_and_surfaces_errors() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notification-handlers")
                .query_param("page", "1");
            then.status(200)
                .json_body(list_body(items(1, 2), 1, 2, 4, 2));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notification-handlers")
                .query_param("page", "2");
            then.status(503).body("<html>maintenance</html>");
        })
        .await;
    let client = client(&server);
    let handlers = client.notification_handlers();
    let mut stream = std::pin::pin!(handlers.list_all(&Query::new()));
    assert_eq!(stream.next().await.unwrap().unwrap().id, 1);
    assert_eq!(stream.next().await.unwrap().unwrap().id, 2);
    second.assert_calls_async(0).await;
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn list_all_starts_at_the_requested_page() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notification-handlers")
                .query_param("page", "2");
            then.status(200)
                .json_body(list_body(items(11, 3), 2, 10, 13, 2));
        })
        .await;
    let client = client(&server);
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(&Query::new().page(2).per_page(PerPage::P10))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    first.assert_calls_async(1).await;
}

#[test]
fn per_page_allows_only_the_documented_sizes() {
    let allowed: Vec<u64> = PerPage::ALL.iter().map(|p| p.get()).collect();
    assert_eq!(allowed, vec![10, 25, 50, 100, 250, 500, 1000]);
    for n in [0, 1, 24, 26, 999, 1001] {
        assert!(PerPage::try_from(n).is_err(), "{n}");
    }
    assert_eq!(PerPage::default().get(), 25);
}

/// A list server: `pages` pages of 10, each answered after `delay`; `shift` repeats the last
/// item of each page at the start of the next (as offsets do when a handler is created).
async fn slow_list(
    pages: u64,
    delay: std::time::Duration,
    shift: bool,
) -> common::scripted::Scripted {
    use common::scripted::{json as reply, Action};
    common::scripted::Scripted::start(move |seen, _| {
        let page = seen.page();
        let start = (page - 1) * 10 + 1 - u64::from(shift && page > 1);
        Action::After(
            delay,
            Box::new(reply(
                200,
                list_body(items(start, 10), page, 10, pages * 10, pages),
            )),
        )
    })
    .await
}

#[tokio::test]
async fn list_all_keeps_up_to_n_pages_in_flight_in_page_order() {
    for (concurrency, expected_max) in [(1, 1), (4, 4)] {
        let server = slow_list(12, std::time::Duration::from_millis(40), false).await;
        let client = retrying_client(&server.base_url);
        let all: Vec<_> = client
            .notification_handlers()
            .list_all(&Query::new().per_page(PerPage::P10).concurrency(concurrency))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|h| h.id).collect::<Vec<_>>(),
            (1..=120).collect::<Vec<_>>(),
            "page order"
        );
        assert_eq!(
            server.max_in_flight(),
            expected_max,
            "concurrency {concurrency}"
        );
        let mut pages: Vec<String> = server.seen().iter().map(|s| s.path.clone()).collect();
        pages.sort();
        pages.dedup();
        assert_eq!(pages.len(), 12, "each page once");
    }
}

#[tokio::test]
async fn list_all_skips_items_repeated_by_shifting_offsets() {
    let server = slow_list(3, std::time::Duration::ZERO, true).await;
    let client = retrying_client(&server.base_url);
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(&Query::new().per_page(PerPage::P10))
        .try_collect()
        .await
        .unwrap();
    // Pages hold 1..=10, 10..=19, 20..=29: 10 comes twice and is yielded once.
    assert_eq!(
        all.iter().map(|h| h.id).collect::<Vec<_>>(),
        (1..=29).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn list_all_of_a_query_the_spec_refuses_yields_only_the_error_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = client(&server);
    let results: Vec<_> = client
        .notification_handlers()
        .list_all(&Query::new().param("order_type", "descending"))
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    match &results[0] {
        Err(bitpeak::Error::InvalidInput { field, reason }) => assert_eq!(
            (field.as_str(), reason.as_str()),
            ("order_type", "must be one of [\"ASC\", \"DESC\"]")
        ),
        other => panic!("{other:?}"),
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn list_all_sends_the_query_s_parameters_with_every_page() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=2u64 {
        let expected = pairs(&[
            ("page", &page.to_string()),
            ("results_per_page", "10"),
            ("type", "webhook"),
            ("order_by", "name"),
            ("order_type", "ASC"),
        ]);
        let count = if page == 2 { 3 } else { 10 };
        let body = list_body(items((page - 1) * 10 + 1, count), page, 10, 13, 2);
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/notification-handlers")
                        .is_true(move |r| query(r) == expected);
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let client = client(&server);
    let query = Query::new()
        .per_page(PerPage::P10)
        .param("type", "webhook")
        .param("order_by", "name")
        .param("order_type", "ASC");
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(&query)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|h| h.id).collect::<Vec<_>>(),
        (1..=13).collect::<Vec<_>>()
    );
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
}
