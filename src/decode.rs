//! The decoders at the wire boundary, for bodies obtained some other way (stored answers, a
//! proxy, a test). The client uses the same conversions; each accepts every shape the server
//! versions send, decodes every record on its own (an odd record never costs its page), and
//! none panics on any input.
//!
//! ```
//! let body = br#"{"data": {"id": 1, "type": "email", "name": "Work email",
//!     "settings": {"email": "hey@example.com"}, "is_enabled": 2,
//!     "last_datetime": null, "datetime": "2025-12-05 14:29:14"}}"#;
//! let handler = bitpeak::decode::one::<bitpeak::resources::NotificationHandler>(body)?;
//! assert_eq!((handler.is_enabled, handler.is_pending_confirmation()), (Some(true), true));
//! # Ok::<(), bitpeak::Error>(())
//! ```

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::pagination::Page;
use crate::record::{record, saved_record, FromRecord};
use crate::wire::Envelope;
use crate::Error;

pub use crate::record::Saved;

/// A `200` list body of any resource as a page, each record decoded on its own. Fails only
/// when the envelope is not the API's JSON. `requested_page` and `requested_per_page` stand
/// in where the server's echo is missing or unreadable.
///
/// ```
/// let body = br#"{"data": [{"id": 1, "type": "webhook", "settings": {"webhook": "https://a.example"}},
///     {"id": "x"}, {"id": 3, "type": null, "settings": "[]", "is_enabled": 7}],
///     "meta": {"page": 1, "total_pages": 1}}"#;
/// let page = bitpeak::decode::page::<bitpeak::resources::NotificationHandler>(body, 1, 25)?;
/// assert_eq!(page.items.iter().map(|h| h.id).collect::<Vec<_>>(), [1, 3]);
/// assert_eq!(page.unreadable[0].raw.json(), r#"{"id": "x"}"#);
/// # Ok::<(), bitpeak::Error>(())
/// ```
pub fn page<T: FromRecord>(
    body: &[u8],
    requested_page: u64,
    requested_per_page: u64,
) -> Result<Page<T>, Error> {
    let list = json(body)?;
    Ok(Page::from_list(list, requested_page, requested_per_page))
}

/// A `200` body of one record of any resource (`{"data": <record>}`).
pub fn one<T: FromRecord>(body: &[u8]) -> Result<T, Error> {
    record(json::<Envelope>(body)?.data)
}

/// A `201`/`200` body of create or update of any resource: the id, or the whole record.
pub fn mutation<T: FromRecord>(body: &[u8]) -> Result<Saved<T>, Error> {
    saved_record(json::<Envelope>(body)?.data)
}

/// The error an answer with a non-success status stands for.
pub fn error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    Error::from_answer(status, headers, body)
}

fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::decode(StatusCode::OK, body, &e))
}
