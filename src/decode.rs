//! The decoders at the wire boundary, for bodies obtained some other way (stored answers, a
//! proxy, a test). The client uses the same conversions; each accepts every shape the server
//! versions send, and none panics on any input.
//!
//! ```
//! let body = br#"{"data": {"id": 1, "type": "email", "name": "Work email",
//!     "settings": {"email": "hey@example.com"}, "is_enabled": 2,
//!     "last_datetime": null, "datetime": "2025-12-05 14:29:14"}}"#;
//! let handler = bitpeak::decode::handler(body)?;
//! assert_eq!(handler.state, bitpeak::HandlerState::PendingConfirmation);
//! # Ok::<(), bitpeak::Error>(())
//! ```

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::notification_handlers::NotificationHandler;
use crate::pagination::Page;
use crate::raw::types as wire;
use crate::Error;

/// What create and update answer: older servers send the id, newer ones the whole handler.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Saved {
    /// `{"data": {"id": N}}`.
    Id(u64),
    /// `{"data": <handler>}`.
    Handler(NotificationHandler),
}

/// A `200` list body (`{data, meta, links}`) as a page. `requested_page` and
/// `requested_per_page` stand in where the server's echo is missing or unreadable.
pub fn handler_page(
    body: &[u8],
    requested_page: u64,
    requested_per_page: u64,
) -> Result<Page<NotificationHandler>, Error> {
    page_from_wire(json(body)?, requested_page, requested_per_page)
}

/// A `200` body of one handler (`{"data": <handler>}`).
pub fn handler(body: &[u8]) -> Result<NotificationHandler, Error> {
    json::<wire::NotificationHandlerEnvelope>(body)?
        .data
        .try_into()
}

/// A `201`/`200` body of create or update.
pub fn saved(body: &[u8]) -> Result<Saved, Error> {
    json::<wire::NotificationHandlerMutation>(body)?.try_into()
}

/// The error an answer with a non-success status stands for.
pub fn error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    Error::from_answer(status, headers, body)
}

fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::decode(StatusCode::OK, body, &e))
}

pub(crate) fn page_from_wire(
    list: wire::NotificationHandlerList,
    requested_page: u64,
    requested_per_page: u64,
) -> Result<Page<NotificationHandler>, Error> {
    Page::from_meta(list.data, &list.meta, requested_page, requested_per_page)
        .try_map(NotificationHandler::try_from)
}

impl TryFrom<wire::NotificationHandlerMutation> for Saved {
    type Error = Error;

    fn try_from(answer: wire::NotificationHandlerMutation) -> Result<Self, Error> {
        match answer.data {
            wire::NotificationHandlerMutationData::NotificationHandler(h) => {
                Ok(Saved::Handler(h.try_into()?))
            }
            wire::NotificationHandlerMutationData::HandlerId(wire::HandlerId { id }) => {
                u64::try_from(id).map(Saved::Id).map_err(|_| Error::Decode {
                    status: StatusCode::OK,
                    snippet: id.to_string(),
                    reason: "the server answered with a negative id".into(),
                })
            }
        }
    }
}
