//! Every failure a user can meet: the right `Error` kind, carrying the server's own words.

mod common;

use std::time::Duration;

use bitpeak::resources::{Channel, NewNotificationHandler, NotificationHandlerUpdate, Query};
use bitpeak::Error;
use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

async fn get_answered(status: u16, headers: &[(&str, &str)], body: &str) -> Error {
    let server = MockServer::start_async().await;
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = body.to_string();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/5");
            let mut then = then.status(status).body(body);
            for (k, v) in headers {
                then = then.header(k, v);
            }
        })
        .await;
    let err = client(&server)
        .notification_handlers()
        .get(5)
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    err
}

#[tokio::test]
async fn unauthorized_with_integer_and_string_status() {
    for status in [json!(401), json!("401")] {
        let body =
            json!({"errors": [{"title": "You do not have access to the API.", "status": status}]});
        let err = get_answered(
            401,
            &[("content-type", "application/json")],
            &body.to_string(),
        )
        .await;
        assert!(
            matches!(&err, Error::Unauthorized { titles } if titles == &["You do not have access to the API."]),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("HTTP 401 Unauthorized: You do not have access to the API."),
            "{text}"
        );
    }
}

#[tokio::test]
async fn validation_failure_answered_as_401_keeps_the_title() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers");
            then.status(401).json_body(
                json!({"errors": [{"title": "Поля, отмеченные *, обязательны.", "status": 401}]}),
            );
        })
        .await;
    let err = client(&server)
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "Ops",
            Channel::email("ops@example.com"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { titles } if titles == &["Поля, отмеченные *, обязательны."]),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("Поля, отмеченные *, обязательны."));
}

#[tokio::test]
async fn not_found_json() {
    let body =
        json!({"errors": [{"title": "The requested resource was not found.", "status": 404}]})
            .to_string();
    let err = get_answered(404, &[("content-type", "application/json")], &body).await;
    assert!(
        matches!(&err, Error::NotFound { titles } if titles == &["The requested resource was not found."]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "HTTP 404 Not Found: The requested resource was not found."
    );
}

#[tokio::test]
async fn not_found_html_is_a_switched_off_resource_naming_it() {
    let err = get_answered(
        404,
        &[("content-type", "text/html")],
        "<!DOCTYPE html><html><body>Not found</body></html>",
    )
    .await;
    match &err {
        Error::Unavailable {
            resource,
            status,
            location,
        } => {
            assert_eq!(
                (resource.as_str(), status.as_u16(), location),
                ("notification-handlers", 404, &None)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "HTTP 404 Not Found: this server has no notification-handlers (its version lacks them, or its administrator switched them off); check the base URL if that is unexpected"
    );
}

/// The API's JSON `404` on a collection path (a list, a create) can only mean the server has
/// no such resource; on a record's path it is an unknown id.
#[tokio::test]
async fn a_json_404_on_the_collection_path_is_a_resource_the_server_lacks() {
    use bitpeak::resources::{NewProject, Query};
    let server = MockServer::start_async().await;
    let body =
        json!({"errors": [{"title": "The requested resource was not found.", "status": 404}]});
    let mock = server
        .mock_async(|when, then| {
            when.path_matches("^/projects");
            then.status(404).json_body(body);
        })
        .await;
    let client = client(&server);
    let projects = client.projects();
    for err in [
        projects.list(&Query::new()).await.unwrap_err(),
        projects.create(&NewProject::new("Ops")).await.unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Unavailable { resource, status, location: None } if resource == "projects" && status.as_u16() == 404),
            "{err:?}"
        );
    }
    let err = projects.get(3).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { titles } if titles == &["The requested resource was not found."]),
        "{err:?}"
    );
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_302_to_the_not_found_page_is_a_switched_off_resource() {
    let err = get_answered(
        302,
        &[("location", "https://status.example.org/not-found")],
        "",
    )
    .await;
    assert!(
        matches!(&err, Error::Unavailable { status, location: Some(l), .. } if status.as_u16() == 302 && l == "https://status.example.org/not-found"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("switched them off; it pointed to https://status.example.org/not-found)"),
        "{err}"
    );
}

#[tokio::test]
async fn rate_limited_carries_the_reset() {
    let body = json!({"errors": [{"title": "Too many requests.", "status": 429}]}).to_string();
    let err = get_answered(
        429,
        &[
            ("x-ratelimit-limit", "60"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "17"),
        ],
        &body,
    )
    .await;
    match &err {
        Error::RateLimited {
            reset_after,
            titles,
        } => {
            assert_eq!(*reset_after, Some(Duration::from_secs(17)));
            assert_eq!(titles, &["Too many requests."]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "HTTP 429 Too Many Requests: Too many requests.; the limit resets in 17 s"
    );
}

#[tokio::test]
async fn rate_limited_with_an_html_body_still_carries_the_reset() {
    let err = get_answered(429, &[("x-ratelimit-reset", "3")], "<html>slow down</html>").await;
    assert!(
        matches!(&err, Error::RateLimited { reset_after: Some(d), titles } if *d == Duration::from_secs(3) && titles.is_empty()),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_error_with_an_empty_body() {
    let err = get_answered(500, &[], "").await;
    match &err {
        Error::Decode {
            status,
            snippet,
            reason,
        } => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(snippet, "");
            assert_eq!(reason, "empty body");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.to_string(), "HTTP 500 Internal Server Error: the body is not the API's JSON (empty body); it begins: \"\"");
}

#[tokio::test]
async fn server_error_with_the_api_body() {
    let body = json!({"errors": [{"title": "Database unavailable", "status": 503}]}).to_string();
    let err = get_answered(503, &[], &body).await;
    assert!(
        matches!(&err, Error::Api { status, titles } if status.as_u16() == 503 && titles == &["Database unavailable"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_the_location() {
    let err = get_answered(302, &[("location", "https://elsewhere.example/login")], "").await;
    assert!(
        matches!(&err, Error::Redirect { status, location: Some(l) } if status.as_u16() == 302 && l == "https://elsewhere.example/login"),
        "{err:?}"
    );
    assert!(err.to_string().contains("https://elsewhere.example/login"));
}

#[tokio::test]
async fn a_redirect_on_create_is_not_followed() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers");
            then.status(302).header("location", "/login");
        })
        .await;
    let err = client(&server)
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "Ops",
            Channel::email("ops@example.com"),
        ))
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert!(
        matches!(&err, Error::Redirect { location: Some(l), .. } if l == "/login"),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_json_on_success_is_a_decode_error() {
    let err = get_answered(
        200,
        &[("content-type", "application/json")],
        "{\"data\": {\"id\": 5, \"na",
    )
    .await;
    assert!(
        matches!(&err, Error::Decode { status, snippet, .. } if status.as_u16() == 200 && snippet == "{\"data\": {\"id\": 5, \"na"),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = bitpeak::Client::builder()
        .base_url(format!("http://{addr}"))
        .api_key(KEY)
        .build()
        .unwrap();
    let err = client.notification_handlers().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.to_string().starts_with("network error"), "{err}");
}

#[tokio::test]
async fn a_stalled_server_is_a_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/5");
            then.status(200)
                .delay(Duration::from_secs(5))
                .json_body(json!({}));
        })
        .await;
    let client = bitpeak::Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.notification_handlers().get(5).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let handlers = client(&server);
    let handlers = handlers.notification_handlers();
    let long = "n".repeat(129);
    let long_value = format!("https://example.com/{}", "a".repeat(500));
    let new = NewNotificationHandler::with_channel;
    let cases: Vec<(NewNotificationHandler, &str, &str)> = vec![
        (
            new("   ", Channel::email("a@example.com")),
            "name",
            "is required and cannot be blank",
        ),
        (
            new(long.as_str(), Channel::email("a@example.com")),
            "name",
            "is 129 characters long; at most 128 are allowed",
        ),
        (
            new("ok", Channel::email("not-an-address")),
            "email",
            "\"not-an-address\" is not an email address",
        ),
        (
            new("ok", Channel::email("a@b")),
            "email",
            "\"a@b\" is not an email address",
        ),
        (
            new("ok", Channel::webhook("ftp://example.com/x")),
            "webhook",
            "\"ftp://example.com/x\" is not an http(s) URL: the scheme must be http or https",
        ),
        (
            new("ok", Channel::webhook("example.com/x")),
            "webhook",
            "\"example.com/x\" is not an http(s) URL: relative URL without a base",
        ),
        (
            new("ok", Channel::webhook(long_value)),
            "webhook",
            "is 520 characters long; at most 512 are allowed",
        ),
        (
            new("ok", Channel::telegram("123:ABC", "")),
            "telegram_chat_id",
            "is required for type telegram",
        ),
        (
            new("ok", Channel::telegram("", "-100")),
            "telegram",
            "is required for type telegram",
        ),
        (
            new("ok", Channel::x("ck", "cs", "at", " ")),
            "x_access_token_secret",
            "is required for type x",
        ),
        (
            new(
                "ok",
                Channel::Unknown {
                    kind: Some("sms".into()),
                    settings: Default::default(),
                },
            ),
            "type",
            "\"sms\" is not allowed; use one of [\"email\", \"webhook\", \"slack\", \"discord\", \"telegram\", \"microsoft_teams\", \"x\", \"google_chat\", \"internal_notification\"]",
        ),
    ];
    for (form, field, reason) in cases {
        let err = handlers.create(&form).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field: f, reason: r } if f == field && r == reason),
            "{field}: {err:?}"
        );
        assert_eq!(err.to_string(), format!("invalid {field}: {reason}"));
    }
    let id_reason = "ids are between 1 and 2^63 - 1 (the spec's int64)";
    for err in [
        handlers.get(0).await.unwrap_err(),
        handlers.delete(0).await.unwrap_err(),
        handlers
            .update(0, &NotificationHandlerUpdate::new().name("x"))
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::InvalidInput { field, reason } if field == "notification_handler_id" && reason == id_reason),
            "{err:?}"
        );
    }
    // A list query is checked against the parameters the spec declares.
    for (query, field, reason) in [
        (
            Query::new().param("order_by", "created_at"),
            "order_by",
            "must be one of [\"notification_handler_id\", \"datetime\", \"last_datetime\", \"name\"]",
        ),
        (
            Query::new().param("order_type", "asc"),
            "order_type",
            "must be one of [\"ASC\", \"DESC\"]",
        ),
        (
            Query::new().param("color", "red"),
            "color",
            "is not a parameter of notification-handlers lists (they take: [\"type\", \"search\", \"search_by\", \"order_by\", \"order_type\"])",
        ),
    ] {
        let err = handlers.list(&query).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field: f, reason: r } if f == field && r == reason),
            "{field}: {err:?}"
        );
    }
    any.assert_calls_async(0).await;
}

#[test]
fn the_builder_refuses_what_would_leak_or_break() {
    let build = |url: &str, key: &str| {
        bitpeak::Client::builder()
            .base_url(url)
            .api_key(key)
            .build()
    };
    assert!(
        matches!(build("http://api.example.com/api", "k"), Err(Error::InvalidInput { field, .. }) if field == "base_url")
    );
    assert!(bitpeak::Client::builder()
        .base_url("http://api.example.com/api")
        .api_key("k")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    assert!(build("http://127.0.0.1:8080/api", "k").is_ok());
    assert!(build("http://localhost/api", "k").is_ok());
    assert!(
        matches!(build("ftp://x/api", "k"), Err(Error::InvalidInput { field, .. }) if field == "base_url")
    );
    assert!(
        matches!(build("not a url", "k"), Err(Error::InvalidInput { field, .. }) if field == "base_url")
    );
    assert!(
        matches!(build("https://x/api", ""), Err(Error::InvalidInput { field, .. }) if field == "api_key")
    );
    assert!(
        matches!(build("https://x/api", "two words"), Err(Error::InvalidInput { field, .. }) if field == "api_key")
    );
    assert!(
        matches!(bitpeak::Client::builder().build(), Err(Error::InvalidInput { field, .. }) if field == "api_key")
    );
    assert_eq!(
        build("https://x.example/api/", "k").unwrap().base_url(),
        "https://x.example/api"
    );
}

#[test]
fn debug_output_never_shows_the_key() {
    let builder = bitpeak::Client::builder()
        .api_key("s3cr3t-key")
        .base_url("https://x.example/api");
    assert!(!format!("{builder:?}").contains("s3cr3t-key"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("s3cr3t-key"), "{client:?}");
    assert!(!format!("{:?}", client.raw()).contains("s3cr3t-key"));
}

#[tokio::test]
async fn a_create_whose_read_back_fails_says_it_was_saved() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/notification-handlers");
            then.status(201).json_body(json!({"data": {"id": 12}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/12");
            then.status(503).body("");
        })
        .await;
    let err = client(&server)
        .notification_handlers()
        .create(&NewNotificationHandler::with_channel(
            "Ops",
            Channel::email("ops@example.com"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SavedButUnread { id: 12, source } if source.status().map(|s| s.as_u16()) == Some(503)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("record #12 was saved, but reading it back failed: HTTP 503"),
        "{err}"
    );
}
