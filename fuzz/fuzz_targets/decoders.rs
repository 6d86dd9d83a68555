//! Every response decoder on arbitrary bytes: `Ok` or `Err`, never a panic. And per-record
//! decoding: the input, when it is JSON, as one record of a page between two valid records,
//! which must come back unchanged.
#![no_main]

use bitpeak::resources::NotificationHandler;
use libfuzzer_sys::fuzz_target;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

const GOOD: [&str; 2] = [
    r#"{"id":1,"type":"webhook","name":"A","settings":{"webhook":"https://a.example"},"is_enabled":1,"last_datetime":null,"datetime":"2026-01-15 09:30:00"}"#,
    r#"{"id":3,"type":"email","name":"C","settings":"{\"email\":\"c@example.com\"}","is_enabled":2,"last_datetime":null,"datetime":"2026-01-15 09:30:00"}"#,
];

fn page(records: &[&str]) -> Vec<u8> {
    format!(
        r#"{{"data":[{}],"meta":{{"page":1,"total_pages":1}}}}"#,
        records.join(",")
    )
    .into_bytes()
}

fuzz_target!(|body: &[u8]| {
    let _ = bitpeak::decode::one::<NotificationHandler>(body);
    let _ = bitpeak::decode::page::<NotificationHandler>(body, 1, 25);
    let _ = bitpeak::decode::mutation::<NotificationHandler>(body);
    for status in [401u16, 404, 429, 503] {
        if let Ok(status) = StatusCode::from_u16(status) {
            let _ = bitpeak::decode::error(status, &HeaderMap::new(), body).to_string();
        }
    }

    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    // Nested as deep as it will be in the page (which adds two levels).
    let is_json = |t: &str| serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
    if !is_json(text) || !is_json(&format!("[[{text}]]")) {
        return;
    }
    let Ok(alone) = bitpeak::decode::page::<NotificationHandler>(&page(&GOOD), 1, 25) else {
        panic!("the valid records decode");
    };
    let Ok(mixed) =
        bitpeak::decode::page::<NotificationHandler>(&page(&[GOOD[0], text, GOOD[1]]), 1, 25)
    else {
        panic!("a page with one odd record decodes: {text}");
    };
    assert_eq!(mixed.items.len() + mixed.unreadable.len(), 3);
    assert_eq!(mixed.items.first(), alone.items.first());
    assert_eq!(mixed.items.last(), alone.items.last());
});
