//! Every response decoder: arbitrary bytes and arbitrary JSON in, `Ok` or `Err` out, never a
//! panic.

use bitpeak::decode;
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

fn run_all(body: &[u8]) {
    let _ = decode::handler(body);
    let _ = decode::handler_page(body, 1, 25);
    let _ = decode::saved(body);
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

#[test]
fn the_decoders_accept_the_documented_shapes() {
    let h = json!({"id": 1, "type": "email", "name": "W", "settings": "{\"email\":\"a@b.co\"}", "is_enabled": 1, "last_datetime": null, "datetime": "2025-12-05 14:29:14"});
    assert!(decode::handler(json!({"data": h}).to_string().as_bytes()).is_ok());
    assert!(matches!(
        decode::saved(br#"{"data": {"id": 4}}"#),
        Ok(decode::Saved::Id(4))
    ));
    let page = decode::handler_page(
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
