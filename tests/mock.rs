//! The `httpmock` feature's typed mocks, used the way a downstream crate would: every operation
//! through `bitpeak::Client`, with the generated (list/get/delete) and the form (create/update)
//! helpers; matchers that must not match, do not.

use std::num::NonZeroU64;

use bitpeak::mock::{multipart_fields, types, FormMockServerExt, MockServerExt};
use bitpeak::resources::{
    Channel, NewNotificationHandler, NotificationHandler, NotificationHandlerUpdate, Query,
};
use bitpeak::wire::{Envelope, ListEnvelope};
use bitpeak::{Client, Error, PerPage};
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

fn slack_form() -> NewNotificationHandler {
    NewNotificationHandler::with_channel("Ops", Channel::slack("https://hooks.slack.com/x"))
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
            .search_by(types::ListNotificationHandlersSearchBy::Name)
            .type_(None)
            .order_by(None)
            .order_type(None);
        then.ok(&page);
    });
    let got = client(&server)
        .notification_handlers()
        .list(
            &Query::new()
                .page(2)
                .per_page(PerPage::P10)
                .param("search", "ops")
                .param("search_by", "name"),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        got.items
            .iter()
            .map(|h| (h.id, h.name.as_deref(), h.is_enabled))
            .collect::<Vec<_>>(),
        [(11, Some("A"), Some(true)), (12, Some("B"), Some(false))]
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
    assert_eq!((got.id, got.name.as_deref()), (7, Some("Ops")));
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
    let form = slack_form();
    let create = server.create_form::<NotificationHandler>(&form, |then| {
        then.status(201)
            .json_body_obj(&Envelope::of(&json!({"id": 9})).unwrap())
    });
    let read_back = server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(9));
        then.ok(&Envelope::of(&handler(9, "Ops", 1)).unwrap());
    });
    let created = client(&server)
        .notification_handlers()
        .create(&form)
        .await
        .unwrap();
    assert_eq!((created.id, created.name.as_deref()), (9, Some("Ops")));
    assert_eq!(created.channel, Channel::slack("https://hooks.slack.com/x"));
    create.assert_async().await;
    read_back.assert_async().await;
}

#[tokio::test]
async fn a_field_that_differs_or_is_missing_does_not_match() {
    let server = MockServer::start_async().await;
    let other_url = NewNotificationHandler::with_channel(
        "Ops",
        Channel::slack("https://hooks.slack.com/OTHER"),
    );
    // The same fields plus one the client does not send: the fields must be exactly these.
    let extra_field = slack_form().email("ops@example.com");
    let creates = [
        server.create_form::<NotificationHandler>(&other_url, |then| {
            then.status(201)
                .json_body_obj(&Envelope::of(&json!({"id": 1})).unwrap())
        }),
        server.create_form::<NotificationHandler>(&extra_field, |then| {
            then.status(201)
                .json_body_obj(&Envelope::of(&json!({"id": 1})).unwrap())
        }),
    ];
    let result = client(&server)
        .notification_handlers()
        .create(&slack_form())
        .await;
    // httpmock answers a request no mock matches with a 404 that is not the API's JSON.
    assert!(
        matches!(&result, Err(Error::Unavailable { status, .. }) if status.as_u16() == 404),
        "{result:?}"
    );
    for create in &creates {
        create.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn update_matches_the_id_and_form_and_answers_errors_typed() {
    let server = MockServer::start_async().await;
    server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(3));
        then.ok(&Envelope::of(&handler(3, "Day", 1)).unwrap());
    });
    let form = NotificationHandlerUpdate::new()
        .name("Night")
        .is_enabled(false);
    // The form's fields first; the client re-sends the stored `type` and `slack` after them.
    let update = server.update_form::<NotificationHandler>(3, &form, |then| {
        then.status(200)
            .json_body_obj(&Envelope::of(&handler(3, "Night", 0)).unwrap())
    });
    let refused = server.update_form::<NotificationHandler>(
        4,
        &NotificationHandlerUpdate::new().name("Longer"),
        |then| {
            then.status(401)
                .json_body_obj(&error(401, "The name is too long."))
        },
    );
    let client = client(&server);
    let handlers = client.notification_handlers();
    let updated = handlers.update(3, &form).await.unwrap();
    assert_eq!(
        (updated.name.as_deref(), updated.is_enabled),
        (Some("Night"), Some(false))
    );
    update.assert_async().await;

    server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(4));
        then.ok(&Envelope::of(&handler(4, "Four", 1)).unwrap());
    });
    let err = handlers
        .update(4, &NotificationHandlerUpdate::new().name("Longer"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { titles } if titles == &["The name is too long."]),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("HTTP 401 Unauthorized: The name is too long."),
        "{err}"
    );
    refused.assert_async().await;
    update.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_update_whose_form_fields_do_not_come_first_does_not_match() {
    let server = MockServer::start_async().await;
    server.get_notification_handler(|when, then| {
        when.notification_handler_id(id(3));
        then.ok(&Envelope::of(&handler(3, "Day", 1)).unwrap());
    });
    // The client sends `is_enabled` first and re-sends the stored `name` after it; a mock of
    // a form that also sets `name` expects `name` first.
    let renamed = NotificationHandlerUpdate::new()
        .name("Day")
        .is_enabled(false);
    let update = server.update_form::<NotificationHandler>(3, &renamed, |then| {
        then.status(200)
            .json_body_obj(&Envelope::of(&handler(3, "Day", 0)).unwrap())
    });
    let result = client(&server)
        .notification_handlers()
        .update(3, &NotificationHandlerUpdate::new().is_enabled(false))
        .await;
    // httpmock answers a request no mock matches with a 404 that is not the API's JSON.
    assert!(
        matches!(&result, Err(Error::Unavailable { status, .. }) if status.as_u16() == 404),
        "{result:?}"
    );
    update.assert_calls_async(0).await;
}

#[test]
#[should_panic(expected = "assertion `left == right` failed\n  left: 5\n right: 4")]
fn client_error_refuses_a_5xx_status() {
    let server = MockServer::start();
    server.get_notification_handler(|_, then| {
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
