//! Every server-version shape in SERVER-BEHAVIOUR.md decodes.

mod common;

use bitpeak::resources::{
    Channel, NewNotificationHandler, NotificationHandler, NotificationHandlerUpdate, Query,
};
use bitpeak::Error;
use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{json, Value};

async fn get_with(data: Value) -> Result<NotificationHandler, Error> {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/1");
            then.status(200).json_body(json!({ "data": data }));
        })
        .await;
    client(&server).notification_handlers().get(1).await
}

fn with(mut h: Value, key: &str, value: Value) -> Value {
    h[key] = value;
    h
}

fn email() -> Value {
    handler(1, "email", "Mail", json!({"email": "a@example.com"}))
}

#[tokio::test]
async fn is_enabled_as_boolean_or_zero_one_two() {
    // (is_enabled, is_pending_confirmation())
    for (value, state) in [
        (json!(true), (Some(true), false)),
        (json!(false), (Some(false), false)),
        (json!(0), (Some(false), false)),
        (json!(1), (Some(true), false)),
        (json!(2), (Some(true), true)),
    ] {
        let h = get_with(with(email(), "is_enabled", value.clone()))
            .await
            .unwrap();
        assert_eq!(
            (h.is_enabled, h.is_pending_confirmation()),
            state,
            "is_enabled {value}"
        );
    }
}

#[tokio::test]
async fn is_enabled_outside_the_known_values_reads_as_on_and_is_kept_raw() {
    // Any integer other than 0 is switched on (a later version's state); only 2 is pending.
    let h = get_with(with(email(), "is_enabled", json!(7)))
        .await
        .unwrap();
    assert_eq!(
        (h.is_enabled, h.is_pending_confirmation()),
        (Some(true), false)
    );
    assert_eq!(h.raw().to_value()["is_enabled"], 7);
}

#[tokio::test]
async fn settings_as_object_as_json_string_and_null() {
    let slack = |settings: Value| handler(1, "slack", "Team", settings);
    let url = "https://hooks.slack.com/services/T000/B000/XXXX";
    let h = get_with(slack(json!({ "slack": url }))).await.unwrap();
    assert_eq!(h.channel, Channel::slack(url));
    let h = get_with(slack(json!(format!("{{\"slack\":\"{url}\"}}"))))
        .await
        .unwrap();
    assert_eq!(h.channel, Channel::slack(url));
    let h = get_with(slack(Value::Null)).await.unwrap();
    assert_eq!(h.channel, Channel::slack(""));
    let h = get_with(slack(json!("null"))).await.unwrap();
    assert_eq!(h.channel, Channel::slack(""));
}

#[tokio::test]
async fn settings_string_that_is_not_json_is_an_unknown_channel_with_the_raw_kept() {
    let h = get_with(handler(1, "slack", "Team", json!("{not json")))
        .await
        .unwrap();
    assert_eq!(
        h.channel,
        Channel::Unknown {
            kind: Some("slack".into()),
            settings: Default::default()
        }
    );
    assert_eq!(h.channel.kind(), Some("slack"));
    assert!(h.channel.fields().is_empty());
    assert_eq!(h.raw().to_value()["settings"], "{not json");
}

#[tokio::test]
async fn internal_notification_and_email_confirmation_settings() {
    let h = get_with(handler(
        1,
        "internal_notification",
        "In-app",
        json!({"internal_notification": ""}),
    ))
    .await
    .unwrap();
    assert_eq!(h.channel, Channel::InternalNotification);
    let h = get_with(handler(
        1,
        "email",
        "Mail",
        json!({"email": "a@example.com", "email_is_confirmed": true}),
    ))
    .await
    .unwrap();
    assert_eq!(h.channel, Channel::email("a@example.com"));
}

#[tokio::test]
async fn extra_fields_are_ignored() {
    let mut h = email();
    h["user_id"] = json!(3);
    h["something_new"] = json!({"nested": [1, 2]});
    h["settings"]["future_setting"] = json!(42);
    let h = get_with(h).await.unwrap();
    assert_eq!(h.channel, Channel::email("a@example.com"));
}

#[tokio::test]
async fn an_unknown_type_is_kept_with_its_settings() {
    let h = get_with(handler(
        1,
        "pagerduty",
        "Pager",
        json!({"pagerduty": "key-1", "severity": 3}),
    ))
    .await
    .unwrap();
    let mut settings = serde_json::Map::new();
    settings.insert("pagerduty".into(), json!("key-1"));
    settings.insert("severity".into(), json!(3));
    assert_eq!(
        h.channel,
        Channel::Unknown {
            kind: Some("pagerduty".into()),
            settings
        }
    );
    assert_eq!(h.channel.kind(), Some("pagerduty"));
}

#[tokio::test]
async fn an_rfc3339_datetime_is_read_and_a_wrong_one_is_none() {
    let h = get_with(with(email(), "datetime", json!("2025-12-05T14:29:14Z")))
        .await
        .unwrap();
    assert_eq!(
        h.datetime.map(|d| d.to_rfc3339()).as_deref(),
        Some("2025-12-05T14:29:14+00:00")
    );
    let h = get_with(with(email(), "datetime", json!("yesterday")))
        .await
        .unwrap();
    assert_eq!(h.datetime, None);
}

#[tokio::test]
async fn list_envelopes_of_every_version() {
    let cases = [
        // document: `total`, integer page
        json!({"page": 1, "results_per_page": 25, "total": 1, "total_pages": 1}),
        // servers: `total_results`, page as a string
        json!({"page": "1", "results_per_page": "25", "total_results": 1, "total_pages": 1}),
        // no count at all, no echo
        json!({"total_pages": 1}),
    ];
    for (i, meta) in cases.into_iter().enumerate() {
        let server = MockServer::start_async().await;
        let body = json!({"data": [email()], "meta": meta, "links": {"self": "https://x/api/notification-handlers?&page=1", "next": null}});
        server
            .mock_async(|when, then| {
                when.method(GET).path("/notification-handlers");
                then.status(200).json_body(body);
            })
            .await;
        let page = client(&server)
            .notification_handlers()
            .list(&Query::new())
            .await
            .unwrap();
        assert_eq!(
            (page.page, page.per_page, page.total_pages, page.items.len()),
            (1, 25, 1, 1),
            "case {i}"
        );
        assert_eq!(page.total, if i == 2 { None } else { Some(1) }, "case {i}");
    }
}

#[tokio::test]
async fn an_empty_list_with_total_pages_zero_and_null_last_link() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers");
            then.status(200).json_body(json!({
                "data": [],
                "meta": {"page": 1, "results_per_page": 25, "total_results": 0, "total_pages": 0},
                "links": {"first": "https://bitpeak.ru/api/notification-handlers?page=1", "last": null, "next": null, "prev": null, "self": "https://bitpeak.ru/api/notification-handlers?page=1"}
            }));
        })
        .await;
    let page = client(&server)
        .notification_handlers()
        .list(&Query::new())
        .await
        .unwrap();
    assert_eq!(
        (
            page.items.len(),
            page.total,
            page.total_pages,
            page.has_next()
        ),
        (0, Some(0), 0, false)
    );
}

#[tokio::test]
async fn create_answers_of_every_version() {
    let answers = [
        // newer: whole object
        json!({"data": handler(4, "webhook", "Hook", json!({"webhook": "https://example.com/h"}))}),
        // 2025: whole object with settings as a JSON string
        json!({"data": with(handler(4, "webhook", "Hook", Value::Null), "settings", json!("{\"webhook\":\"https://example.com/h\"}"))}),
        // 2026: integer is_enabled, user_id
        json!({"data": with(with(handler(4, "webhook", "Hook", json!({"webhook": "https://example.com/h"})), "is_enabled", json!(1)), "user_id", json!(3))}),
    ];
    for answer in answers {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/notification-handlers");
                then.status(201).json_body(answer.clone());
            })
            .await;
        let created = client(&server)
            .notification_handlers()
            .create(&NewNotificationHandler::with_channel(
                "Hook",
                Channel::webhook("https://example.com/h"),
            ))
            .await
            .unwrap_or_else(|e| panic!("{answer}: {e}"));
        assert_eq!(
            (created.id, created.channel.clone()),
            (4, Channel::webhook("https://example.com/h"))
        );
        assert_eq!(
            (created.is_enabled, created.is_pending_confirmation()),
            (Some(true), false)
        );
    }
}

#[tokio::test]
async fn a_numeric_chat_id_reads_as_text() {
    let h = get_with(handler(
        1,
        "telegram",
        "T",
        json!({"telegram": "1:A", "telegram_chat_id": -100123}),
    ))
    .await
    .unwrap();
    assert_eq!(h.channel, Channel::telegram("1:A", "-100123"));
}

/// The fields a safe rename of handler 5, stored as `record`, sends (the record is read first
/// to re-send what the rename leaves out).
async fn fields_of_a_rename(record: Value) -> Vec<(String, String)> {
    let server = MockServer::start_async().await;
    let stored = record.clone();
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/5");
            then.status(200).json_body(json!({ "data": stored }));
        })
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let post = server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/notification-handlers/5")
                .is_true(move |req| {
                    log.lock().unwrap().push(multipart_fields(req));
                    true
                });
            then.status(200).json_body(json!({ "data": record }));
        })
        .await;
    client(&server)
        .notification_handlers()
        .update(5, &NotificationHandlerUpdate::new().name("T2"))
        .await
        .unwrap();
    get.assert_calls_async(1).await;
    post.assert_calls_async(1).await;
    let sent = seen.lock().unwrap().clone();
    match sent.as_slice() {
        [Some(fields)] => fields.clone(),
        other => panic!("{other:?}"),
    }
}

const TELEGRAM: &str = r#"{"telegram":"1:A","telegram_chat_id":"-100"}"#;

fn renamed_telegram() -> Vec<(String, String)> {
    fields(&[
        ("name", "T2"),
        ("type", "telegram"),
        ("is_enabled", "1"),
        ("telegram", "1:A"),
        ("telegram_chat_id", "-100"),
    ])
}

#[tokio::test]
async fn a_safe_update_re_sends_settings_stored_as_an_object() {
    let settings: Value = serde_json::from_str(TELEGRAM).unwrap();
    let sent = fields_of_a_rename(handler(5, "telegram", "T", settings)).await;
    assert_eq!(sent, renamed_telegram());
}

#[tokio::test]
async fn a_safe_update_re_sends_settings_stored_json_encoded() {
    // The 2025 shape: the same settings, JSON-encoded in a string. The model reads them, and
    // the update must re-send them as it does for an object.
    let record = handler(5, "telegram", "T", json!(TELEGRAM));
    let read = get_with(with(record.clone(), "id", json!(1)))
        .await
        .unwrap();
    assert_eq!(read.channel, Channel::telegram("1:A", "-100"));
    let sent = fields_of_a_rename(record).await;
    assert_eq!(sent, renamed_telegram());
}
