//! Every response decoder on arbitrary bytes: `Ok` or `Err`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

fuzz_target!(|body: &[u8]| {
    let _ = bitpeak::decode::handler(body);
    let _ = bitpeak::decode::handler_page(body, 1, 25);
    let _ = bitpeak::decode::saved(body);
    for status in [401u16, 404, 429, 503] {
        if let Ok(status) = StatusCode::from_u16(status) {
            let _ = bitpeak::decode::error(status, &HeaderMap::new(), body).to_string();
        }
    }
});
