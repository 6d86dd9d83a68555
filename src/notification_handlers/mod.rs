//! Notification handlers: where an account's alerts go.

mod api;
mod model;

pub use api::{
    HandlerUpdate, ListParams, NewNotificationHandler, NotificationHandlers, OrderBy, SortOrder,
    DEFAULT_CONCURRENCY,
};
pub use model::{
    stored_text, Channel, HandlerState, NotificationHandler, KINDS, MAX_NAME_CHARS, MAX_VALUE_CHARS,
};
