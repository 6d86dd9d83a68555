//! Every response decoder: arbitrary bytes and arbitrary JSON in, `Ok` or `Err` out, never a
//! panic; and a page with any one field of one record replaced by any JSON value still
//! decodes, every other record unchanged.

use bitpeak::decode;
use bitpeak::resources::{Channel, NotificationHandler};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        // Values the decoders look at closely.
        prop_oneof![
            Just(json!("2025-12-05 14:29:14")),
            Just(json!("{\"email\":\"a@b.c\"}")),
            Just(json!(2)),
            Just(json!("401"))
        ],
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("data".to_string()),
                    Just("meta".to_string()),
                    Just("id".to_string()),
                    Just("type".to_string()),
                    Just("name".to_string()),
                    Just("settings".to_string()),
                    Just("is_enabled".to_string()),
                    Just("datetime".to_string()),
                    Just("last_datetime".to_string()),
                    Just("total_pages".to_string()),
                    Just("page".to_string()),
                    Just("errors".to_string()),
                    Just("title".to_string()),
                    Just("status".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A handler-shaped object with arbitrary values in every field.
fn arb_handler() -> impl Strategy<Value = Value> {
    (arb_json(), arb_json(), arb_json(), arb_json(), arb_json(), arb_json()).prop_map(|(id, kind, settings, enabled, last, created)| {
        json!({"id": id, "type": kind, "name": "n", "settings": settings, "is_enabled": enabled, "last_datetime": last, "datetime": created})
    })
}

/// A valid handler record of any documented type, in any server version's shape.
fn arb_valid_handler() -> impl Strategy<Value = Value> {
    let kinds = prop::sample::select(vec![
        (
            "email",
            json!({"email": "a@example.com", "email_is_confirmed": 1}),
        ),
        ("webhook", json!({"webhook": "https://example.com/h"})),
        ("slack", json!({"slack": "https://hooks.slack.com/x"})),
        (
            "discord",
            json!({"discord": "https://discord.com/api/webhooks/1/a"}),
        ),
        (
            "telegram",
            json!({"telegram": "1:A", "telegram_chat_id": "-100"}),
        ),
        (
            "microsoft_teams",
            json!({"microsoft_teams": "https://t.example/x"}),
        ),
        (
            "x",
            json!({"x_consumer_key": "a", "x_consumer_secret": "b", "x_access_token": "c", "x_access_token_secret": "d"}),
        ),
        (
            "google_chat",
            json!({"google_chat": "https://chat.example/x"}),
        ),
        (
            "internal_notification",
            json!({"internal_notification": ""}),
        ),
    ]);
    let enabled = prop::sample::select(vec![
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(2),
    ]);
    let encoded = any::<bool>();
    let last = prop::sample::select(vec![Value::Null, json!("2026-03-01 08:00:00")]);
    (kinds, enabled, encoded, last, "[A-Za-z ]{1,20}").prop_map(
        |((kind, settings), enabled, encoded, last, name)| {
            let settings = if encoded {
                Value::from(settings.to_string())
            } else {
                settings
            };
            json!({"id": 0, "user_id": 3, "type": kind, "name": name, "settings": settings,
            "is_enabled": enabled, "last_datetime": last, "datetime": "2026-01-15 09:30:00"})
        },
    )
}

fn page_of(records: &[Value]) -> Vec<u8> {
    json!({"data": records, "meta": {"page": 1, "results_per_page": 25, "total_results": records.len(), "total_pages": 1}})
        .to_string()
        .into_bytes()
}

fn run_all(body: &[u8]) {
    let _ = decode::one::<NotificationHandler>(body);
    let _ = decode::page::<NotificationHandler>(body, 1, 25);
    let _ = decode::mutation::<NotificationHandler>(body);
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-reset", HeaderValue::from_static("3"));
    for status in [200u16, 302, 401, 404, 429, 500, 503] {
        let e = decode::error(StatusCode::from_u16(status).unwrap(), &headers, body);
        let _ = e.to_string();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        run_all(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        run_all(value.to_string().as_bytes());
    }

    #[test]
    fn handler_shaped_json_never_panics(h in arb_handler(), meta in arb_json()) {
        run_all(json!({"data": h.clone()}).to_string().as_bytes());
        run_all(json!({"data": [h], "meta": meta}).to_string().as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn one_odd_field_never_costs_the_others(
        mut records in prop::collection::vec(arb_valid_handler(), 2..6),
        which in any::<prop::sample::Index>(),
        field in prop_oneof![
            prop::sample::select(vec!["id", "type", "name", "settings", "is_enabled", "last_datetime", "datetime", "user_id"])
                .prop_map(str::to_owned),
            "[a-z_]{1,8}",
        ],
        value in arb_json(),
    ) {
        for (i, r) in records.iter_mut().enumerate() {
            r["id"] = json!(i + 1);
        }
        let before = decode::page::<NotificationHandler>(&page_of(&records), 1, 25)
            .expect("valid records decode");
        prop_assert_eq!(before.items.len(), records.len());

        let odd = which.index(records.len());
        records[odd][field.as_str()] = value;
        let body = page_of(&records);
        // The odd record as a reader of the body sees it (floats may not round-trip exactly).
        let sent = serde_json::from_slice::<Value>(&body).unwrap()["data"][odd].take();
        let after = decode::page::<NotificationHandler>(&body, 1, 25);
        prop_assert!(after.is_ok(), "{:?}", after);
        let after = after.unwrap();
        prop_assert_eq!(after.items.len() + after.unreadable.len(), records.len());
        for (i, h) in before.items.iter().enumerate().filter(|(i, _)| *i != odd) {
            prop_assert!(after.items.contains(h), "record {} changed", i + 1);
        }
        if field != "id" {
            // Only an unreadable id can cost the odd record its place among the items.
            let h = after.items.iter().find(|h| h.raw().to_value() == sent);
            prop_assert!(h.is_some_and(|h| h.id == odd as u64 + 1), "record {} lost", odd + 1);
            // And the odd field costs the record nothing but what that field holds.
            let (h, was) = (h.unwrap(), &before.items[odd]);
            let f = field.as_str();
            if f != "name" {
                prop_assert_eq!(&h.name, &was.name);
            }
            if f != "user_id" {
                prop_assert_eq!(h.user_id, was.user_id);
            }
            if f != "is_enabled" {
                prop_assert_eq!(h.is_enabled, was.is_enabled);
                prop_assert_eq!(h.is_pending_confirmation(), was.is_pending_confirmation());
            }
            if f != "last_datetime" {
                prop_assert_eq!(h.last_datetime, was.last_datetime);
            }
            if f != "datetime" {
                prop_assert_eq!(h.datetime, was.datetime);
            }
            if f != "type" && f != "settings" {
                prop_assert_eq!(&h.channel, &was.channel);
            }
        }
    }
}

#[test]
fn the_decoders_accept_the_documented_shapes() {
    let h = json!({"id": 1, "type": "email", "name": "W", "settings": "{\"email\":\"a@b.co\"}", "is_enabled": 1, "last_datetime": null, "datetime": "2025-12-05 14:29:14"});
    let one = decode::one::<NotificationHandler>(json!({"data": h}).to_string().as_bytes())
        .expect("a documented record decodes");
    assert_eq!(
        (one.id, one.name.as_deref(), one.is_enabled, &one.channel),
        (1, Some("W"), Some(true), &Channel::email("a@b.co"))
    );
    assert!(matches!(
        decode::mutation::<NotificationHandler>(br#"{"data": {"id": 4}}"#),
        Ok(decode::Saved::Id(4))
    ));
    let page = decode::page::<NotificationHandler>(
        json!({"data": [h], "meta": {"page": "2", "total_results": 30, "total_pages": 3}})
            .to_string()
            .as_bytes(),
        2,
        10,
    )
    .unwrap();
    assert_eq!(
        (page.page, page.per_page, page.total, page.total_pages),
        (2, 10, Some(30), 3)
    );
}
