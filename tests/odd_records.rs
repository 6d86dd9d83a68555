//! One odd record never breaks a page: every shape real databases hold (API-SURFACE §2.4,
//! §3.12, §5.4), each in its own test, through `list`, `list_all` and `get`, against an
//! httpmock server and against the fake server holding the record as seeded. The records
//! around the odd one must come back exactly as they do on a page of their own.

mod common;

use bitpeak::resources::{Channel, NotificationHandler, Query};
use bitpeak::{Client, Error};
use bitpeak_fake::{FakeConfig, FakeServer};
use chrono::{TimeZone, Utc};
use common::*;
use futures::TryStreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{json, Map, Value};

/// A well-formed 2026 record.
fn good(id: u64) -> Value {
    json!({
        "id": id, "user_id": 3, "type": "webhook", "name": format!("Hook {id}"),
        "settings": {"webhook": format!("https://example.com/h/{id}")},
        "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-15 09:30:00"
    })
}

/// A good record with `changes` written over it.
fn odd(changes: Value) -> Value {
    let mut record = good(2);
    for (k, v) in changes.as_object().expect("changes are an object") {
        record[k] = v.clone();
    }
    record
}

/// The neighbours as they decode on a page of their own.
fn neighbours() -> Vec<NotificationHandler> {
    let body = list_body(vec![good(1), good(3)], 1, 25, 2, 1).to_string();
    bitpeak::decode::page::<NotificationHandler>(body.as_bytes(), 1, 25)
        .expect("good records decode")
        .items
}

/// What one way of reading a page of `[good 1, record, good 3]` gave.
struct Read {
    items: Vec<NotificationHandler>,
    unreadable: usize,
}

impl Read {
    /// The neighbours are untouched; returns the odd record's model, if it had one.
    fn middle(self, how: &str) -> Option<NotificationHandler> {
        let expected = neighbours();
        let ids: Vec<u64> = self.items.iter().map(|h| h.id).collect();
        assert_eq!(self.items.first(), expected.first(), "{how}: record 1");
        assert_eq!(self.items.last(), expected.last(), "{how}: record 3");
        match ids.as_slice() {
            [1, _, 3] => {
                assert_eq!(self.unreadable, 0, "{how}");
                self.items.into_iter().nth(1)
            }
            [1, 3] => {
                assert_eq!(
                    self.unreadable, 1,
                    "{how}: the odd record is kept as unreadable"
                );
                None
            }
            other => panic!("{how}: ids {other:?}"),
        }
    }
}

/// Reads `[good 1, record, good 3]` every way there is, checks the neighbours each time, and
/// hands each reading of the odd record (`list`, `list_all`, `get`; httpmock, then fake) to
/// `check`. `get` is asked for the id the record is stored under (2).
async fn each_reading(record: Value, check: impl Fn(&str, Result<NotificationHandler, Error>)) {
    // httpmock: the page and the record exactly as given.
    let server = MockServer::start_async().await;
    let page = list_body(vec![good(1), record.clone(), good(3)], 1, 25, 3, 1);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers");
            then.status(200).json_body(page);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notification-handlers/2");
            then.status(200)
                .json_body(json!({ "data": record.clone() }));
        })
        .await;
    read_all("httpmock", &client(&server), &check).await;

    // The fake server holding the three records as seeded.
    let fake = FakeServer::start(FakeConfig::new().key(KEY))
        .await
        .expect("fake");
    fake.seed_raw(vec![good(1), record.clone(), good(3)]);
    let client = Client::builder()
        .base_url(fake.base_url())
        .api_key(KEY)
        .build()
        .expect("client");
    read_all("fake", &client, &check).await;
}

async fn read_all(
    server: &str,
    client: &Client,
    check: &impl Fn(&str, Result<NotificationHandler, Error>),
) {
    let handlers = client.notification_handlers();
    let page = handlers
        .list(&Query::new())
        .await
        .expect("the page decodes");
    let read = Read {
        unreadable: page.unreadable.len(),
        items: page.items,
    };
    let how = format!("{server} list");
    if let Some(h) = read.middle(&how) {
        check(&how, Ok(h));
    }
    let all: Vec<_> = handlers
        .list_all(&Query::new())
        .try_collect()
        .await
        .expect("list_all decodes");
    let unreadable = 3 - all.len();
    let how = format!("{server} list_all");
    if let Some(h) = (Read {
        items: all,
        unreadable,
    })
    .middle(&how)
    {
        check(&how, Ok(h));
    }
    check(&format!("{server} get"), handlers.get(2).await);
}

/// Checks that every reading gives a handler with id 2 passing `expect`, the raw record kept.
async fn reads_as(record: Value, expect: impl Fn(&NotificationHandler)) {
    let raw = record.clone();
    each_reading(record, |how, got| {
        let h = got.unwrap_or_else(|e| panic!("{how}: {e}"));
        assert_eq!(h.id, 2, "{how}");
        assert_eq!(
            h.raw().to_value(),
            raw,
            "{how}: the raw record is kept whole"
        );
        expect(&h);
    })
    .await;
}

fn settings(pairs: Value) -> Map<String, Value> {
    pairs.as_object().cloned().unwrap_or_default()
}

#[tokio::test]
async fn settings_as_an_empty_array() {
    reads_as(odd(json!({"settings": []})), |h| {
        assert_eq!(h.channel, Channel::webhook(""));
    })
    .await;
}

#[tokio::test]
async fn settings_as_an_empty_array_string() {
    reads_as(odd(json!({"settings": "[]"})), |h| {
        assert_eq!(h.channel, Channel::webhook(""));
    })
    .await;
}

#[tokio::test]
async fn a_null_type_is_no_kind() {
    reads_as(odd(json!({"type": null})), |h| {
        assert_eq!(h.channel.kind(), None);
        assert_eq!(
            h.channel,
            Channel::Unknown {
                kind: None,
                settings: settings(json!({"webhook": "https://example.com/h/2"}))
            }
        );
    })
    .await;
}

#[tokio::test]
async fn a_null_type_with_settings_keyed_by_an_empty_name() {
    reads_as(odd(json!({"type": null, "settings": {"": "x"}})), |h| {
        assert_eq!(
            h.channel,
            Channel::Unknown {
                kind: None,
                settings: settings(json!({"": "x"}))
            }
        );
    })
    .await;
}

#[tokio::test]
async fn an_empty_name_key_beside_a_known_type_is_ignored() {
    reads_as(
        odd(json!({"type": "email", "settings": {"": "", "email": "a@example.com"}})),
        |h| assert_eq!(h.channel, Channel::email("a@example.com")),
    )
    .await;
}

#[tokio::test]
async fn an_id_as_a_numeric_string() {
    reads_as(odd(json!({"id": "2"})), |h| {
        assert_eq!(h.name.as_deref(), Some("Hook 2"))
    })
    .await;
}

#[tokio::test]
async fn is_enabled_as_a_numeric_string() {
    reads_as(odd(json!({"is_enabled": "0"})), |h| {
        assert_eq!(
            (h.is_enabled, h.is_pending_confirmation()),
            (Some(false), false)
        );
    })
    .await;
    reads_as(odd(json!({"is_enabled": "2"})), |h| {
        assert_eq!(
            (h.is_enabled, h.is_pending_confirmation()),
            (Some(true), true)
        );
    })
    .await;
}

#[tokio::test]
async fn is_enabled_beyond_zero_one_two() {
    // Any integer but 0 is switched on; only 2 is waiting for a confirmation. The value
    // itself stays in the raw record (checked by `reads_as`).
    reads_as(odd(json!({"is_enabled": 3})), |h| {
        assert_eq!(
            (h.is_enabled, h.is_pending_confirmation()),
            (Some(true), false)
        );
    })
    .await;
    reads_as(odd(json!({"is_enabled": -1})), |h| {
        assert_eq!(
            (h.is_enabled, h.is_pending_confirmation()),
            (Some(true), false)
        );
    })
    .await;
}

#[tokio::test]
async fn is_enabled_missing_or_not_a_number() {
    reads_as(odd(json!({"is_enabled": {"on": true}})), |h| {
        assert_eq!((h.is_enabled, h.is_pending_confirmation()), (None, false));
    })
    .await;
    let mut record = odd(json!({}));
    record.as_object_mut().unwrap().remove("is_enabled");
    reads_as(record, |h| {
        assert_eq!((h.is_enabled, h.is_pending_confirmation()), (None, false));
    })
    .await;
}

#[tokio::test]
async fn an_empty_datetime() {
    reads_as(odd(json!({"datetime": ""})), |h| {
        assert_eq!(h.datetime, None);
        assert_eq!(h.channel, Channel::webhook("https://example.com/h/2"));
    })
    .await;
}

#[tokio::test]
async fn mysql_zero_dates() {
    let zero = "0000-00-00 00:00:00";
    reads_as(odd(json!({"datetime": zero, "last_datetime": zero})), |h| {
        assert_eq!((h.datetime, h.last_datetime), (None, None))
    })
    .await;
}

#[tokio::test]
async fn a_null_datetime() {
    reads_as(
        odd(json!({"datetime": null, "last_datetime": "2026-03-01 08:00:00"})),
        |h| {
            assert_eq!(h.datetime, None);
            assert_eq!(
                h.last_datetime,
                Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).single()
            );
        },
    )
    .await;
}

#[tokio::test]
async fn a_null_name() {
    reads_as(odd(json!({"name": null})), |h| assert_eq!(h.name, None)).await;
}

#[tokio::test]
async fn settings_values_as_numbers_and_booleans() {
    reads_as(
        odd(json!({"type": "telegram", "settings": {"telegram": 123456, "telegram_chat_id": -100123}})),
        |h| assert_eq!(h.channel, Channel::telegram("123456", "-100123")),
    )
    .await;
    reads_as(
        odd(json!({"type": "email", "settings": {"email": "a@example.com", "email_is_confirmed": false}})),
        |h| assert_eq!(h.channel, Channel::email("a@example.com")),
    )
    .await;
}

#[tokio::test]
async fn a_later_type_with_fields_of_its_own() {
    reads_as(
        odd(json!({"type": "whatsapp", "settings": {"whatsapp": "+15550100", "retries": 2}, "team_id": 4})),
        |h| {
            assert_eq!(
                h.channel,
                Channel::Unknown {
                    kind: Some("whatsapp".into()),
                    settings: settings(json!({"whatsapp": "+15550100", "retries": 2}))
                }
            );
            assert_eq!(h.raw().to_value()["team_id"], 4);
        },
    )
    .await;
}

#[tokio::test]
async fn settings_that_cannot_be_read() {
    // Unreadable settings are kept empty (the raw record has them, checked by `reads_as`); a
    // settings object whose webhook is no text is kept as received.
    for (unreadable, kept) in [
        (json!(5), json!({})),
        (json!("{not json"), json!({})),
        (json!(["a"]), json!({})),
        (
            json!({"webhook": {"url": "x"}}),
            json!({"webhook": {"url": "x"}}),
        ),
    ] {
        let kept = settings(kept);
        reads_as(odd(json!({ "settings": unreadable })), |h| {
            assert_eq!(h.channel.kind(), Some("webhook"));
            assert_eq!(
                h.channel,
                Channel::Unknown {
                    kind: Some("webhook".into()),
                    settings: kept.clone()
                }
            );
            assert!(h.channel.fields().is_empty(), "{:?}", h.channel);
        })
        .await;
    }
}

#[tokio::test]
async fn a_record_without_a_readable_id_is_kept_aside_and_get_says_why() {
    for record in [
        odd(json!({"id": "two"})),
        odd(json!({"id": null})),
        odd(json!({"id": 0})),
        json!([1, 2]),
        json!("x"),
    ] {
        each_reading(record.clone(), |how, got| {
            // list and list_all do not hand it out; get of the id it is stored under does,
            // as a decode error that names why.
            match got {
                Err(Error::Decode { reason, .. }) => {
                    assert!(
                        reason.contains("id") || reason.contains("object"),
                        "{how}: {reason}"
                    )
                }
                other => panic!("{how}: {record}: {other:?}"),
            }
        })
        .await;
    }
}

#[tokio::test]
async fn a_page_keeps_its_unreadable_records_as_sent() {
    let body = list_body(vec![good(1), json!({"id": "two"}), good(3)], 1, 25, 3, 1).to_string();
    let page = bitpeak::decode::page::<NotificationHandler>(body.as_bytes(), 1, 25).unwrap();
    assert_eq!(page.items, neighbours());
    assert_eq!(page.unreadable.len(), 1);
    assert_eq!(page.unreadable[0].raw.json(), r#"{"id":"two"}"#);
    assert_eq!(page.unreadable[0].reason, "it has no readable id");
}

#[tokio::test]
async fn only_a_broken_envelope_fails_the_page() {
    for body in [
        json!({"data": {"id": 1}, "meta": {"total_pages": 1}}),
        json!({"data": [good(1)]}),
        json!({"data": [good(1)], "meta": {"total_pages": "many"}}),
    ] {
        let err = bitpeak::decode::page::<NotificationHandler>(body.to_string().as_bytes(), 1, 25)
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
    }
    // Links of any shape are no reason to fail.
    let mut body = list_body(vec![good(1)], 1, 25, 1, 1);
    body["links"] = json!("?&page=2");
    assert_eq!(
        bitpeak::decode::page::<NotificationHandler>(body.to_string().as_bytes(), 1, 25)
            .unwrap()
            .items
            .len(),
        1
    );
}
