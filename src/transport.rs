//! Request execution shared by the generated client (through progenitor's `ClientHooks`)
//! and the multipart path: authentication, user agent, time limits, retries, tracing. A call
//! hands back what happened ([`Sent`]): the last answer and what the retries learnt, for the
//! ergonomic layer to classify.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Context;
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderValue, AUTHORIZATION, USER_AGENT};
use reqwest::{Request, Response, ResponseBuilderExt, StatusCode};
use tracing::Instrument;

use crate::ratelimit::{after, RATELIMIT_REMAINING};
use crate::raw;
use crate::retry::{judge_error, judge_status, Idempotency, RetryPolicy, Throttle, Verdict};

/// The header progenitor adds to every generated request.
const API_VERSION: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("api-version");

/// Marks a request that must go without the key (a heartbeat's ping: the code is its
/// credential), whatever its URL; removed before the request is sent.
pub(crate) const KEYLESS: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-bitpeak-keyless");

/// The part of a [`crate::Client`] that every request goes through.
///
/// It is the generated client's inner type, so a [`raw::Client`] obtained from
/// [`crate::Client::raw`] authenticates and is traced like the ergonomic client. Its
/// `Debug` never shows the API key.
#[derive(Clone)]
pub struct Transport {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    /// `Bearer <key>`, marked sensitive.
    pub(crate) auth: HeaderValue,
    /// The API's base URL with a trailing `/`: the key goes only to URLs under it (not to a
    /// heartbeat's ping URL at the site root, nor anywhere else).
    pub(crate) api_prefix: String,
    pub(crate) user_agent: HeaderValue,
    /// Time limit for one attempt.
    pub(crate) timeout: Duration,
    /// Whether the reqwest client itself applies `timeout` to every request (it does when
    /// this crate built it; an injected client's is unknown): then a request needs a limit of
    /// its own only when the call's deadline is nearer.
    pub(crate) client_applies_timeout: bool,
    pub(crate) policy: RetryPolicy,
    /// The rate-limit budget, shared by every clone of the client.
    pub(crate) throttle: Throttle,
    pub(crate) timer_keeper: TimerKeeper,
    /// The largest answer body read, in bytes.
    pub(crate) max_answer_bytes: u64,
}

/// Keeps one timer registered with the runtime's timer driver while requests flow.
///
/// Every attempt carries a time limit, which reqwest enforces with a timer of its own. When
/// a new timer is the driver's earliest (as it is whenever no other timer is pending, e.g.
/// between one request and the next) the driver's thread must be woken to re-arm it: a
/// cross-thread unpark that profiling showed costs more than all the rest of this crate's
/// per-request work. This keeper holds a timer that expires no later than the newest
/// request's, so a request's own timer is never the earliest. At most one re-arm per time
/// limit; when it fires, nobody is woken.
#[derive(Default)]
pub(crate) struct TimerKeeper(Mutex<Option<(Instant, Pin<Box<tokio::time::Sleep>>)>>);

impl TimerKeeper {
    /// Makes sure a timer is pending until about `deadline` (the attempt's own).
    fn keep(&self, now: Instant, deadline: Instant) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|(until, _)| *until > now) {
            return;
        }
        let mut sleep = Box::pin(tokio::time::sleep_until(deadline.into()));
        // A timer is registered when first polled; nobody waits for this one.
        let _ = sleep
            .as_mut()
            .poll(&mut Context::from_waker(std::task::Waker::noop()));
        *slot = Some((deadline, sleep));
    }
}

/// What one call came to: its last answer (or the transport's failure), and what the attempts
/// before it learnt.
pub(crate) struct Sent {
    /// The last answer, whatever its status, or the last transport error.
    pub(crate) response: reqwest::Result<Response>,
    /// An attempt before the last one may have been carried out by the server.
    pub(crate) maybe_applied: bool,
    /// Retrying stopped because the request may have been carried out and is not idempotent.
    pub(crate) outcome_unknown: bool,
    /// The last answer was refused for its size.
    pub(crate) too_large: Refused,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("authorization", &"<redacted>")
            .field("user_agent", &self.shared.user_agent)
            .field("timeout", &self.shared.timeout)
            .field("policy", &self.shared.policy)
            .finish()
    }
}

impl Transport {
    /// Sends `first`, retrying by the rules of [`crate::retry`] (under `policy`, else the
    /// client's) with requests from `rebuild` (`None`: the request cannot be rebuilt, so there
    /// is no retry). Returns what the call came to.
    pub(crate) async fn send(
        &self,
        http: &reqwest::Client,
        policy: Option<&RetryPolicy>,
        operation: &'static str,
        first: reqwest::Result<Request>,
        mut rebuild: impl FnMut() -> Option<reqwest::Result<Request>>,
    ) -> Sent {
        let policy = policy.unwrap_or(&self.shared.policy);
        let deadline = after(Instant::now(), policy.deadline);
        let mut retry = 0u32;
        let mut next = first;
        let mut maybe_applied = false;
        let done = |response, maybe_applied, outcome_unknown, too_large| Sent {
            response,
            maybe_applied,
            outcome_unknown,
            too_large,
        };
        loop {
            let mut request = match next {
                Ok(request) => request,
                Err(e) => return done(Err(e), maybe_applied, false, None),
            };
            let idempotency = Idempotency::of(request.method(), request.url().path());
            self.prepare(&mut request, deadline);
            let permit = self
                .shared
                .throttle
                .acquire(policy.rate_limit_window, deadline)
                .await;
            let attempt = self.attempt(http, operation, request, retry + 1).await;
            let too_large = attempt.as_ref().ok().and_then(|(_, refused)| *refused);
            let result = attempt.map(|(response, _)| response);
            let answer = result.as_ref().map(|r| (r.status(), r.headers()));
            self.shared.throttle.finish(permit, answer.ok(), policy);
            let verdict = match answer {
                Ok((status, headers)) => judge_status(status, headers, idempotency, policy, retry),
                Err(e) => judge_error(e, idempotency, policy, retry),
            };
            let (wait, applied) = match verdict {
                // Refused for its size: it would be as large again.
                _ if too_large.is_some() => return done(result, maybe_applied, false, too_large),
                Verdict::Done => return done(result, maybe_applied, false, None),
                Verdict::Unsafe => return done(result, maybe_applied, true, None),
                Verdict::Retry {
                    wait,
                    maybe_applied,
                } => (wait, maybe_applied),
            };
            let out_of_time = after(Instant::now(), wait) >= deadline;
            let again = (retry < policy.max_retries && !out_of_time)
                .then(&mut rebuild)
                .flatten();
            let Some(again) = again else {
                return done(result, maybe_applied, false, None);
            };
            next = again;
            maybe_applied |= applied;
            tracing::debug!(
                operation,
                retry = retry + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            drop(result);
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// Adds the key and user agent, and bounds the attempt by the per-attempt time limit and
    /// what is left of the call's deadline.
    fn prepare(&self, request: &mut Request, deadline: Instant) {
        let to_api = request.url().as_str().starts_with(&self.shared.api_prefix);
        let headers = request.headers_mut();
        let keyless = headers.remove(KEYLESS).is_some();
        // progenitor adds `api-version` (the spec's `info.version`) to every request; the API
        // defines no such header, so it is not sent.
        headers.remove(API_VERSION);
        if to_api && !keyless {
            headers.insert(AUTHORIZATION, self.shared.auth.clone());
        }
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.shared.user_agent.clone());
        }
        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        let own = request.timeout().copied();
        let limit = own.unwrap_or(self.shared.timeout).min(left);
        if own.is_some() || !self.shared.client_applies_timeout || limit < self.shared.timeout {
            *request.timeout_mut() = Some(limit.max(Duration::from_millis(1)));
        }
        self.shared.timer_keeper.keep(now, after(now, limit));
    }

    /// One attempt, traced: the answer, and its size refusal if it was refused.
    async fn attempt(
        &self,
        http: &reqwest::Client,
        operation: &'static str,
        request: Request,
        attempt: u32,
    ) -> reqwest::Result<(Response, Refused)> {
        let span = tracing::info_span!(
            "bitpeak.request",
            operation,
            method = %request.method(),
            path = request.url().path(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            ratelimit_remaining = tracing::field::Empty,
        );
        let limit = self.shared.max_answer_bytes;
        if span.is_disabled() {
            // Nobody listens: no timing, no recording.
            return read_whole(http, request, limit).await;
        }
        let started = Instant::now();
        let result = read_whole(http, request, limit)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok((response, _)) => {
                span.record("status", response.status().as_u16());
                if let Some(remaining) = response
                    .headers()
                    .get(&RATELIMIT_REMAINING)
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("ratelimit_remaining", remaining);
                }
                tracing::debug!(parent: &span, "answered");
            }
            Err(e) => tracing::debug!(parent: &span, error = %e, "failed"),
        }
        result
    }
}

/// Sends the request and reads the whole body within the attempt, so a connection that
/// breaks mid-body or a body that stalls is a failed attempt (and retried like one), not an
/// error surfacing later. Returns the answer rebuilt around the buffered body.
///
/// At most `limit` bytes are read: a larger `Content-Length` is refused before reading, a
/// body without one is counted as it arrives. A refused answer comes back with an empty body,
/// and the refusal.
async fn read_whole(
    http: &reqwest::Client,
    request: Request,
    limit: u64,
) -> reqwest::Result<(Response, Refused)> {
    let mut response = http.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    // Carried over so the rebuilt answer keeps its URL (and reqwest does not parse a
    // placeholder URL for it).
    let url = response.url().clone();
    let (body, refused) = match read_bounded(&mut response, limit).await? {
        Ok(body) => (body, None),
        Err(declared) => (bytes::Bytes::new(), Some((status, limit, declared))),
    };
    let mut rebuilt = http::Response::builder()
        .url(url)
        .body(())
        .unwrap_or_else(|_| http::Response::new(()))
        .map(|()| body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok((Response::from(rebuilt), refused))
}

/// An answer refused for its size: `(status, limit, the length it declared)`.
type Refused = Option<(StatusCode, u64, Option<u64>)>;

/// The body, or `Err(declared length)` when it is larger than `limit` (the rest unread).
async fn read_bounded(
    response: &mut Response,
    limit: u64,
) -> reqwest::Result<Result<bytes::Bytes, Option<u64>>> {
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Ok(Err(declared));
    }
    let Some(first) = response.chunk().await? else {
        return Ok(Ok(bytes::Bytes::new()));
    };
    let Some(second) = response.chunk().await? else {
        // The usual case: one chunk, no copy.
        return Ok(if first.len() as u64 > limit {
            Err(declared)
        } else {
            Ok(first)
        });
    };
    let capacity = declared.unwrap_or(0).min(limit) as usize;
    let mut body = bytes::BytesMut::with_capacity(capacity.max(first.len() + second.len()));
    let mut next = Some(second);
    body.extend_from_slice(&first);
    while let Some(chunk) = next {
        if (body.len() + chunk.len()) as u64 > limit {
            return Ok(Err(declared));
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(Ok(body.freeze()))
}

impl ClientHooks<Transport> for raw::Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let template = request.try_clone();
        let rebuild = || template.as_ref().and_then(Request::try_clone).map(Ok);
        self.inner()
            .send(self.client(), None, info.operation_id, Ok(request), rebuild)
            .await
            .response
    }
}
