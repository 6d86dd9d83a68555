//! The safe update: reads, merges, and re-sends every field so no server resets one.

mod common;

use bitpeak::{Channel, HandlerState, HandlerUpdate};
use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn a_rename_resends_type_settings_and_is_enabled() {
    let server = MockServer::start_async().await;
    let current = json!({"data": {
        "id": 7, "type": "telegram", "name": "Old", "settings": {"telegram": "123:ABC", "telegram_chat_id": "-100"},
        "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}});
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/7");
            then.status(200).json_body(current);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers/7").is_true(|r| {
                multipart_fields(r)
                    == Some(fields(&[
                        ("name", "New"),
                        ("type", "telegram"),
                        ("telegram", "123:ABC"),
                        ("telegram_chat_id", "-100"),
                        ("is_enabled", "1"),
                    ]))
            });
            then.status(200).json_body(json!({"data": {
                "id": 7, "type": "telegram", "name": "New", "settings": {"telegram": "123:ABC", "telegram_chat_id": "-100"},
                "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(7, &HandlerUpdate::new().name("New"))
        .await
        .unwrap();
    get.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    assert_eq!(updated.name, "New");
    assert_eq!(updated.channel, Channel::telegram("123:ABC", "-100"));
}

#[tokio::test]
async fn a_pending_email_keeps_its_address_and_is_sent_as_enabled_unless_disabled() {
    let pending = json!({"data": {
        "id": 3, "type": "email", "name": "Mail", "settings": {"email": "ops@example.com", "email_is_confirmed": 0},
        "is_enabled": 2, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}});
    for (changes, sent_enabled, answered_enabled, state) in [
        (
            HandlerUpdate::new().name("Mail"),
            "1",
            2,
            HandlerState::PendingConfirmation,
        ),
        (
            HandlerUpdate::new().enabled(false),
            "0",
            0,
            HandlerState::Disabled,
        ),
    ] {
        let server = MockServer::start_async().await;
        let get = server
            .mock_async(|when, then| {
                when.method(GET).path("/notification-handlers/3");
                then.status(200).json_body(pending.clone());
            })
            .await;
        let expected = fields(&[
            ("name", "Mail"),
            ("type", "email"),
            ("email", "ops@example.com"),
            ("is_enabled", sent_enabled),
        ]);
        let update = server
            .mock_async(|when, then| {
                when.method(POST).path("/notification-handlers/3").is_true(move |r| multipart_fields(r) == Some(expected.clone()));
                then.status(200).json_body(json!({"data": {
                    "id": 3, "type": "email", "name": "Mail", "settings": {"email": "ops@example.com"},
                    "is_enabled": answered_enabled, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}}));
            })
            .await;
        let updated = client(&server)
            .notification_handlers()
            .update(3, &changes)
            .await
            .unwrap();
        get.assert_calls_async(1).await;
        update.assert_calls_async(1).await;
        assert_eq!(updated.state, state);
        assert_eq!(updated.channel, Channel::email("ops@example.com"));
    }
}

#[tokio::test]
async fn an_update_answered_with_an_id_reads_the_handler_back() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/5");
            then.status(200).json_body(json!({"data": handler(5, "discord", "D", json!({"discord": "https://discord.com/api/webhooks/1/a"}))}));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers/5");
            then.status(200).json_body(json!({"data": {"id": 5}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(5, &HandlerUpdate::new())
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    get.assert_calls_async(2).await;
    assert_eq!(updated.id, 5);
}

#[tokio::test]
async fn changing_the_channel_sends_the_new_type_and_its_fields() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/4");
            then.status(200).json_body(json!({"data": handler(4, "slack", "Alerts", json!({"slack": "https://hooks.slack.com/a"}))}));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers/4").is_true(|r| {
                multipart_fields(r)
                    == Some(fields(&[
                        ("name", "Alerts"),
                        ("type", "x"),
                        ("x_consumer_key", "ck"),
                        ("x_consumer_secret", "cs"),
                        ("x_access_token", "at"),
                        ("x_access_token_secret", "ats"),
                        ("is_enabled", "1"),
                    ]))
            });
            then.status(200).json_body(json!({"data": handler(4, "x", "Alerts", json!({"x_consumer_key": "ck", "x_consumer_secret": "cs", "x_access_token": "at", "x_access_token_secret": "ats"}))}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(
            4,
            &HandlerUpdate::new().channel(Channel::x("ck", "cs", "at", "ats")),
        )
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    assert_eq!(updated.channel, Channel::x("ck", "cs", "at", "ats"));
}

#[tokio::test]
async fn an_invalid_change_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let err = client(&server)
        .notification_handlers()
        .update(4, &HandlerUpdate::new().channel(Channel::email("nope")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, bitpeak::Error::InvalidInput { ref field, .. } if field == "email"),
        "{err:?}"
    );
    any.assert_calls_async(0).await;
}
