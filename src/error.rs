//! One error type for everything a call can meet.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::raw::types::ErrorResponse;

/// How many characters of an undecodable body an [`Error::Decode`] keeps.
const SNIPPET_CHARS: usize = 200;

/// Everything that can go wrong in a call.
///
/// `Display` names the HTTP status and the server's own `title`s, and says what to do. The
/// API key never appears in any variant.
///
/// ```
/// # async fn demo(client: bitpeak::Client) {
/// match client.notification_handlers().get(42).await {
///     Ok(handler) => println!("{:?}", handler.name),
///     Err(bitpeak::Error::NotFound { .. }) => println!("no such handler"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `401`: the key was refused (missing, unknown, inactive user, plan without API access)
    /// **or** the request failed validation, which these servers also answer with `401`. The
    /// `titles` are the only way to tell which.
    #[error("HTTP 401 Unauthorized: {titles} (the API key was refused, or the server rejected the request's fields; these servers answer both with 401)", titles = Titles(.titles))]
    Unauthorized {
        /// The server's own messages.
        titles: Vec<String>,
    },
    /// `404` with the API's JSON error body: the handler does not exist.
    #[error("HTTP 404 Not Found: {titles}", titles = Titles(.titles))]
    NotFound {
        /// The server's own messages.
        titles: Vec<String>,
    },
    /// `429`: the key's rate limit is spent.
    #[error("HTTP 429 Too Many Requests: {titles}; {hint}", titles = Titles(.titles), hint = RetryHint(.reset_after))]
    RateLimited {
        /// Time until the window resets, from `X-RateLimit-Reset` (or `Retry-After`).
        reset_after: Option<Duration>,
        /// The server's own messages (empty when the body was not the API's JSON).
        titles: Vec<String>,
    },
    /// Any other error status that came with the API's JSON error body.
    #[error("HTTP {status}: {titles}", titles = Titles(.titles))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The server's own messages.
        titles: Vec<String>,
    },
    /// A `3xx` answer. Redirects are never followed, so the bearer key cannot travel to
    /// another host; a redirect usually means the base URL is wrong or the instance's admin
    /// sends unknown pages elsewhere.
    #[error("HTTP {status}: redirected to {} (redirects are not followed; check the base URL)", .location.as_deref().map_or("an unnamed location".into(), |l| crate::text::visible(&crate::text::cut(l, 300)).into_owned()))]
    Redirect {
        /// The HTTP status.
        status: StatusCode,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// The server has no such resource: its version lacks it (a 2023 server has no DNS
    /// monitors; the API answers a list or create with its JSON `404`), or the instance's
    /// administrator has switched it (or the whole API) off (the servers then answer, before
    /// authentication, with the site's HTML "not found" page or a `302` to it,
    /// `…/not-found`).
    #[error("HTTP {status}: this server has no {resource} (its version lacks them, or its administrator switched them off{}); check the base URL if that is unexpected", .location.as_deref().map(|l| format!("; it pointed to {}", crate::text::visible(&crate::text::cut(l, 300)))).unwrap_or_default())]
    Unavailable {
        /// The resource, by its path (`notification-handlers`).
        resource: String,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// Where a `302` pointed, if it did.
        location: Option<String>,
    },
    /// The body was not what the API sends: an HTML page, an empty body, truncated or invalid
    /// JSON.
    #[error("HTTP {status}: the body is not the API's JSON ({reason}); it begins: {snippet:?}")]
    Decode {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The first characters of the body.
        snippet: String,
        /// Why it could not be decoded.
        reason: String,
    },
    /// The answer's body is larger than the client accepts
    /// ([`crate::ClientBuilder::max_answer_bytes`]): refused before reading when its
    /// `Content-Length` said so, else once that many bytes had arrived. Not retried.
    #[error("HTTP {status}: the answer is larger than the limit of {limit} bytes{}; it was not read (raise ClientBuilder::max_answer_bytes if such answers are expected)", .declared.map(|n| format!(" (it declared {n})")).unwrap_or_default())]
    AnswerTooLarge {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
        /// The `Content-Length` it declared, if any.
        declared: Option<u64>,
    },
    /// The request did not finish within its time limit.
    #[error("the request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The connection failed or broke.
    #[error("network error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A create may or may not have been carried out: its request reached the server (or may
    /// have) and then failed (timeout, dropped connection, `408`/`5xx`). It was **not**
    /// retried, because a retry could create a duplicate. List the records to find out.
    #[error("the record may or may not have been created (not retried, to avoid a duplicate; list the records to check): {0}")]
    OutcomeUnknown(#[source] Box<Error>),
    /// The server saved the record (create or update answered with its id) but reading it
    /// back failed. The change **was** made: do not repeat a create; `get(id)` later.
    #[error("record #{id} was saved, but reading it back failed: {source}")]
    SavedButUnread {
        /// The saved record's id.
        id: u64,
        /// Why the read-back failed.
        #[source]
        source: Box<Error>,
    },
    /// A value was refused before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field (or builder setting) at fault, by its wire name.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// The HTTP status the server answered with, when there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Api { status, .. }
            | Error::Redirect { status, .. }
            | Error::Decode { status, .. }
            | Error::Unavailable { status, .. }
            | Error::AnswerTooLarge { status, .. } => Some(*status),
            Error::Timeout(e) | Error::Transport(e) => e.status(),
            Error::OutcomeUnknown(e) => e.status(),
            Error::SavedButUnread { source, .. } => source.status(),
            Error::InvalidInput { .. } => None,
        }
    }

    /// The server's own error titles (empty when it sent none).
    pub fn titles(&self) -> &[String] {
        match self {
            Error::Unauthorized { titles }
            | Error::NotFound { titles }
            | Error::RateLimited { titles, .. }
            | Error::Api { titles, .. } => titles,
            _ => &[],
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }

    /// Classifies a non-success answer from its status, headers and body.
    pub(crate) fn from_answer(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let titles = serde_json::from_slice::<ErrorResponse>(body)
            .map(|body| body.errors.into_iter().map(|e| e.title).collect::<Vec<_>>());
        match (status, titles) {
            (StatusCode::TOO_MANY_REQUESTS, titles) => Error::RateLimited {
                reset_after: crate::ratelimit::reset_after(headers),
                titles: titles.unwrap_or_default(),
            },
            (status, _) if status.is_redirection() => Error::Redirect {
                status,
                location: headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            },
            (status, Err(e)) => Self::decode(status, body, &e),
            (StatusCode::UNAUTHORIZED, Ok(titles)) => Error::Unauthorized { titles },
            (StatusCode::NOT_FOUND, Ok(titles)) => Error::NotFound { titles },
            (status, Ok(titles)) => Error::Api { status, titles },
        }
    }

    /// A body that could not be decoded.
    pub(crate) fn decode(status: StatusCode, body: &[u8], reason: &dyn fmt::Display) -> Self {
        let text = String::from_utf8_lossy(body);
        let reason = if body.iter().all(u8::is_ascii_whitespace) {
            "empty body".to_owned()
        } else {
            reason.to_string()
        };
        Error::Decode {
            status,
            snippet: text.chars().take(SNIPPET_CHARS).collect(),
            reason,
        }
    }
}

struct Titles<'a>(&'a [String]);

/// How many characters of one server title `Display` shows.
const TITLE_CHARS: usize = 300;
/// How many of the server's titles `Display` shows.
const TITLES_SHOWN: usize = 5;

/// The server's titles as a person may see them: control characters made visible, each cut
/// at [`TITLE_CHARS`].
impl fmt::Display for Titles<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(the server gave no message)");
        }
        for (i, title) in self.0.iter().take(TITLES_SHOWN).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&crate::text::visible(&crate::text::cut(title, TITLE_CHARS)))?;
        }
        match self.0.len().saturating_sub(TITLES_SHOWN) {
            0 => Ok(()),
            more => write!(f, "; and {more} more"),
        }
    }
}

struct RetryHint<'a>(&'a Option<Duration>);

impl fmt::Display for RetryHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, "the limit resets in {} s", d.as_secs()),
            None => f.write_str("wait for the rate-limit window to reset"),
        }
    }
}
