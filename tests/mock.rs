//! The `httpmock` feature's typed mocks, used the way a downstream crate would: every operation
//! through `bitpeak::Client`, with the generated (list/get/delete) and the hand-written
//! multipart (create/update) helpers; matchers that must not match, do not.

use std::num::NonZeroU64;

use bitpeak::mock::{multipart_fields, types, MockServerExt, MultipartMockServerExt};
use bitpeak::wire::{Envelope, ListEnvelope};
use bitpeak::{Channel, Client, Error, HandlerUpdate, ListParams, NewNotificationHandler, PerPage};
use httpmock::MockServer;
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .api_key("mock-key")
        .retry_policy(bitpeak::RetryPolicy::none())
        .build()
        .unwrap()
}

fn handler(id: i64, name: &str, enabled: i64) -> serde_json::Value {
    json!({
        "id": id, "user_id": 1, "type": "slack", "name": name, "is_enabled": enabled,
        "settings": {"slack": "https://hooks.slack.com/x"},
        "last_datetime": null, "datetime": "2025-12-05 14:29:14"
    })
}

fn id(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap()
}

fn error(status: i64, title: &str) -> types::ErrorResponse {
    serde_json::from_value(json!({"errors": [{"title": title, "status": status}]})).unwrap()
}

#[tokio::test]
async fn list_matches_query_and_answers_a_typed_page() {
    let server = MockServer::start_async().await;
    let per_page = types::ResultsPerPage::try_from(10).unwrap();
    let meta = serde_json::from_value(
        json!({"page": 2, "results_per_page": 10, "total_results": 12, "total_pages": 2}),
    )
    .unwrap();
    let page = ListEnvelope::of(&[handler(11, "A", 1), handler(12, "B", 0)], meta).unwrap();
    let mock = server.list_notification_handlers(|when, then| {
        when.page(id(2))
            .results_per_page(&per_page)
            .search("ops")
            .type_(None);
        then.ok(&page);
    });
    let got = client(&server)
        .notification_handlers()
        .list(
            ListParams::new()
                .page(2)
                .per_page(PerPage::P10)
                .search("ops"),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        got.items
            .iter()
            .map(|h| (h.id, h.name.as_str(), h.state.is_on()))
            .collect::<Vec<_>>(),
        [(11, "A", Some(true)), (12, "B", Some(false))]
    );
    assert_eq!((got.page, got.total_pages, got.total), (2, 2, Some(12)));
}

#[tokio::test]
async fn get_and_delete_by_id_and_a_typed_error() {
    let server = MockServer::start_async().await;
    let envelope = Envelope::of(&handler(7, "Ops", 1)).unwrap();
    let get = server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(7));
        then.ok(&envelope);
    });
    let missing = server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(8));
        then.client_error(404, &error(404, "Not here."));
    });
    let delete = server.delete_notification_handler(|when, then| {
        when.notification_handler_id(id(7));
        then.ok();
    });
    let client = client(&server);
    let handlers = client.notification_handlers();
    let got = handlers.get(7).await.unwrap();
    assert_eq!((got.id, got.name.as_str()), (7, "Ops"));
    assert_eq!(got.channel, Channel::slack("https://hooks.slack.com/x"));
    match handlers.get(8).await {
        Err(Error::NotFound { titles }) => assert_eq!(titles, ["Not here."]),
        other => panic!("{other:?}"),
    }
    handlers.delete(7).await.unwrap();
    get.assert_async().await;
    missing.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn create_matches_every_field_and_reads_back_an_id_only_answer() {
    let server = MockServer::start_async().await;
    let create = server.create_notification_handler(|when, then| {
        when.fields(&[
            ("name", "Ops"),
            ("type", "slack"),
            ("slack", "https://hooks.slack.com/x"),
        ])
        .name("Ops")
        .kind("slack")
        .field_missing("is_enabled");
        then.created(&Envelope::of(&json!({"id": 9})).unwrap());
    });
    let read_back = server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(9));
        then.ok(&Envelope::of(&handler(9, "Ops", 1)).unwrap());
    });
    let created = client(&server)
        .notification_handlers()
        .create(&NewNotificationHandler::new(
            "Ops",
            Channel::slack("https://hooks.slack.com/x"),
        ))
        .await
        .unwrap();
    assert_eq!((created.id, created.name.as_str()), (9, "Ops"));
    create.assert_async().await;
    read_back.assert_async().await;
}

#[tokio::test]
async fn a_field_that_differs_does_not_match() {
    let server = MockServer::start_async().await;
    let create = server.create_notification_handler(|when, then| {
        when.field("slack", "https://hooks.slack.com/OTHER");
        then.created(&Envelope::of(&json!({"id": 1})).unwrap());
    });
    let result = client(&server)
        .notification_handlers()
        .create(&NewNotificationHandler::new(
            "Ops",
            Channel::slack("https://hooks.slack.com/x"),
        ))
        .await;
    assert!(result.is_err(), "{result:?}");
    create.assert_calls_async(0).await;
}

#[tokio::test]
async fn update_matches_the_id_and_form_and_answers_errors_typed() {
    let server = MockServer::start_async().await;
    server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(3));
        then.ok(&Envelope::of(&handler(3, "Day", 1)).unwrap());
    });
    let update = server.update_notification_handler(|when, then| {
        when.notification_handler_id(id(3))
            .name("Night")
            .is_enabled(false)
            .field("slack", "https://hooks.slack.com/x");
        then.ok(&Envelope::of(&handler(3, "Night", 0)).unwrap());
    });
    let refused = server.update_notification_handler(|when, then| {
        when.notification_handler_id(id(4));
        then.client_error(401, &error(401, "The name is too long."));
    });
    let client = client(&server);
    let handlers = client.notification_handlers();
    let updated = handlers
        .update(3, &HandlerUpdate::new().name("Night").enabled(false))
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.state.is_on()),
        ("Night", Some(false))
    );
    update.assert_async().await;

    server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(4));
        then.ok(&Envelope::of(&handler(4, "Four", 1)).unwrap());
    });
    let err = handlers
        .update(4, &HandlerUpdate::new().name("Longer"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("The name is too long."), "{err}");
    refused.assert_async().await;
}

#[test]
#[should_panic(expected = "status 500 is not a 4XX status")]
fn client_error_refuses_a_5xx_status() {
    let server = MockServer::start();
    server.update_notification_handler(|_, then| {
        then.client_error(500, &error(500, "x"));
    });
}

#[tokio::test]
async fn multipart_fields_reads_forms_and_refuses_malformed_ones() {
    let server = MockServer::start_async().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    server.mock(|when, then| {
        when.is_true(move |req| {
            sink.lock().unwrap().push(multipart_fields(req));
            true
        });
        then.status(200);
    });
    let http = reqwest::Client::new();
    let good = "--XY\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nOps\r\n--XY\r\ncontent-disposition: form-data; name=\"type\"\r\n\r\nslack\r\n--XY--\r\n";
    for (content_type, body) in [
        ("multipart/form-data; boundary=XY", good),
        ("multipart/form-data; boundary=\"XY\"", good),
        ("application/x-www-form-urlencoded", "name=Ops"),
        (
            "multipart/form-data; boundary=XY",
            "--XY\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nOps\r\n",
        ),
        ("multipart/form-data; boundary=XY", "junk--XY--\r\n"),
    ] {
        http.post(server.url("/f"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
    }
    let ops = Some(vec![
        ("name".to_owned(), "Ops".to_owned()),
        ("type".to_owned(), "slack".to_owned()),
    ]);
    assert_eq!(*seen.lock().unwrap(), [ops.clone(), ops, None, None, None]);
}
