//! The safe update: sends the form's own fields, then reads the handler and re-sends the
//! stored value of every field the form leaves out, so no server resets one.

mod common;

use bitpeak::resources::{Channel, NotificationHandlerUpdate};
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
                        ("is_enabled", "1"),
                        ("telegram", "123:ABC"),
                        ("telegram_chat_id", "-100"),
                    ]))
            });
            then.status(200).json_body(json!({"data": {
                "id": 7, "type": "telegram", "name": "New", "settings": {"telegram": "123:ABC", "telegram_chat_id": "-100"},
                "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(7, &NotificationHandlerUpdate::new().name("New"))
        .await
        .unwrap();
    get.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    assert_eq!(updated.name.as_deref(), Some("New"));
    assert_eq!(updated.is_enabled, Some(true));
    assert_eq!(updated.channel, Channel::telegram("123:ABC", "-100"));
}

#[tokio::test]
async fn a_pending_email_keeps_its_address_and_is_sent_as_enabled_unless_disabled() {
    let pending = json!({"data": {
        "id": 3, "type": "email", "name": "Mail", "settings": {"email": "ops@example.com", "email_is_confirmed": 0},
        "is_enabled": 2, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}});
    // The form's own fields come first, then the stored values of the fields it leaves out;
    // the stored `is_enabled: 2` is re-sent as `1`.
    for (changes, expected, answered_enabled, is_enabled, is_pending) in [
        (
            NotificationHandlerUpdate::new().name("Mail"),
            fields(&[
                ("name", "Mail"),
                ("type", "email"),
                ("is_enabled", "1"),
                ("email", "ops@example.com"),
            ]),
            2,
            Some(true),
            true,
        ),
        (
            NotificationHandlerUpdate::new().is_enabled(false),
            fields(&[
                ("is_enabled", "0"),
                ("name", "Mail"),
                ("type", "email"),
                ("email", "ops@example.com"),
            ]),
            0,
            Some(false),
            false,
        ),
    ] {
        let server = MockServer::start_async().await;
        let get = server
            .mock_async(|when, then| {
                when.method(GET).path("/notification-handlers/3");
                then.status(200).json_body(pending.clone());
            })
            .await;
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
        assert_eq!(updated.is_enabled, is_enabled);
        assert_eq!(updated.is_pending_confirmation(), is_pending);
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
            when.method(POST)
                .path("/notification-handlers/5")
                .is_true(|r| {
                    multipart_fields(r)
                        == Some(fields(&[
                            ("name", "D"),
                            ("type", "discord"),
                            ("is_enabled", "1"),
                            ("discord", "https://discord.com/api/webhooks/1/a"),
                        ]))
                });
            then.status(200).json_body(json!({"data": {"id": 5}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(5, &NotificationHandlerUpdate::new())
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    get.assert_calls_async(2).await;
    assert_eq!(updated.id, 5);
    assert_eq!(updated.name.as_deref(), Some("D"));
    assert_eq!(
        updated.channel,
        Channel::discord("https://discord.com/api/webhooks/1/a")
    );
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
                        ("type", "x"),
                        ("x_consumer_key", "ck"),
                        ("x_consumer_secret", "cs"),
                        ("x_access_token", "at"),
                        ("x_access_token_secret", "ats"),
                        ("name", "Alerts"),
                        ("is_enabled", "1"),
                        // The stored settings of the old type are re-sent too.
                        ("slack", "https://hooks.slack.com/a"),
                    ]))
            });
            then.status(200).json_body(json!({"data": handler(4, "x", "Alerts", json!({"x_consumer_key": "ck", "x_consumer_secret": "cs", "x_access_token": "at", "x_access_token_secret": "ats"}))}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(
            4,
            &NotificationHandlerUpdate::new().channel(Channel::x("ck", "cs", "at", "ats")),
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
        .update(
            4,
            &NotificationHandlerUpdate::new().channel(Channel::email("nope")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, bitpeak::Error::InvalidInput { ref field, ref reason } if field == "email" && reason == "\"nope\" is not an email address"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid email: \"nope\" is not an email address"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_type_the_spec_does_not_list_is_re_sent_as_stored() {
    let server = MockServer::start_async().await;
    let stored = json!({"data": {
        "id": 6, "type": "whatsapp", "name": "WA", "settings": {"whatsapp": "+15550100"},
        "is_enabled": 0, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}});
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/6");
            then.status(200).json_body(stored);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers/6").is_true(|r| {
                multipart_fields(r)
                    == Some(fields(&[
                        ("name", "WhatsApp"),
                        ("type", "whatsapp"),
                        ("is_enabled", "0"),
                    ]))
            });
            then.status(200).json_body(json!({"data": {
                "id": 6, "type": "whatsapp", "name": "WhatsApp", "settings": {"whatsapp": "+15550100"},
                "is_enabled": 0, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(6, &NotificationHandlerUpdate::new().name("WhatsApp"))
        .await
        .unwrap();
    get.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    assert_eq!(updated.name.as_deref(), Some("WhatsApp"));
    assert_eq!(updated.is_enabled, Some(false));
    assert_eq!(updated.channel.kind(), Some("whatsapp"));
    assert!(
        matches!(&updated.channel, Channel::Unknown { kind: Some(k), settings } if k == "whatsapp" && settings.get("whatsapp") == Some(&json!("+15550100"))),
        "{:?}",
        updated.channel
    );
}

#[tokio::test]
async fn a_handler_stored_without_a_type_is_updated_without_one() {
    let server = MockServer::start_async().await;
    let stored = json!({"data": {
        "id": 8, "name": "Typeless", "settings": {"email": "ops@example.com"},
        "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-01 00:00:00"}});
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/8");
            then.status(200).json_body(stored.clone());
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/notification-handlers/8")
                .is_true(|r| {
                    multipart_fields(r)
                        == Some(fields(&[
                            ("is_enabled", "0"),
                            ("name", "Typeless"),
                            ("email", "ops@example.com"),
                        ]))
                });
            then.status(200).json_body(json!({"data": {"id": 8}}));
        })
        .await;
    let updated = client(&server)
        .notification_handlers()
        .update(8, &NotificationHandlerUpdate::new().is_enabled(false))
        .await
        .unwrap();
    // Read once to re-send, once more for the `{id}` answer.
    get.assert_calls_async(2).await;
    update.assert_calls_async(1).await;
    assert_eq!(updated.channel.kind(), None);
    assert!(
        matches!(&updated.channel, Channel::Unknown { kind: None, settings } if settings.get("email") == Some(&json!("ops@example.com"))),
        "{:?}",
        updated.channel
    );
}
