//! Retries that never duplicate, and a client-side rate-limit throttle.
//!
//! What is retried (see [`RetryPolicy`] for how often and how long):
//!
//! | failure | GET, DELETE, safe update | create |
//! |---|---|---|
//! | could not connect (nothing was sent) | retried | retried |
//! | `429 Too Many Requests` (refused before acting) | retried once `X-RateLimit-Reset` has surely passed | the same |
//! | timeout, dropped connection, `408`, `500`, `502`, `503`, `504` | retried with backoff | **never**: [`crate::Error::OutcomeUnknown`] |
//! | any other status | not retried | not retried |
//!
//! A retried DELETE whose earlier attempt may have been carried out treats a following `404`
//! as success.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName};
use reqwest::StatusCode;

use crate::ratelimit::{
    after, reset_after, surely_reset, MIN_RATE_LIMIT_WAIT, RATELIMIT_LIMIT, RATELIMIT_REMAINING,
};

/// How failed requests are retried.
///
/// ```
/// use std::time::Duration;
/// use bitpeak::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .backoff(Duration::from_millis(100), Duration::from_secs(5))
///     .deadline(Duration::from_secs(30));
/// assert_eq!(policy.max_retries, 5);
/// assert_eq!(RetryPolicy::none().max_retries, 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// First backoff step (default 250 ms); each retry doubles it, with full jitter.
    pub base_delay: Duration,
    /// Longest backoff step (default 10 s).
    pub max_delay: Duration,
    /// Longest wait for a rate-limit window, whatever `X-RateLimit-Reset` says (default 65 s).
    pub max_rate_limit_wait: Duration,
    /// Time limit for the whole call, waits and retries included (default 120 s).
    pub deadline: Duration,
    /// The server's rate-limit window, used to wait out a spent budget when the server did
    /// not say when it resets (default 60 s, the servers' default).
    pub rate_limit_window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(65),
            deadline: Duration::from_secs(120),
            rate_limit_window: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (the throttle still waits for a spent rate-limit budget).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }
    /// Sets [`RetryPolicy::max_retries`].
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Sets [`RetryPolicy::base_delay`] and [`RetryPolicy::max_delay`].
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = cap;
        self
    }
    /// Sets [`RetryPolicy::max_rate_limit_wait`].
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }
    /// Sets [`RetryPolicy::deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
    /// Sets [`RetryPolicy::rate_limit_window`].
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.rate_limit_window = window;
        self
    }

    /// How long to wait after a `429`: until the window the server's reset names has surely
    /// passed (the header counts whole seconds: a reset of `N` waits `N + 1` s), or, with no
    /// readable reset, the backoff; never less than 0.5 s, plus jitter up to
    /// [`RetryPolicy::base_delay`] so clients do not return in step, and at most
    /// [`RetryPolicy::max_rate_limit_wait`].
    pub(crate) fn rate_limit_wait(&self, reset: Option<Duration>, retry: u32) -> Duration {
        let wait = reset.map_or_else(|| self.backoff_delay(retry), surely_reset);
        wait.max(MIN_RATE_LIMIT_WAIT)
            .saturating_add(self.base_delay.mul_f64(fastrand::f64()))
            .min(self.max_rate_limit_wait)
    }

    /// Exponential backoff with full jitter: uniform in `[0, min(cap, base·2^retry)]`.
    pub(crate) fn backoff_delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether an operation may be repeated without changing the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET, DELETE, and the safe update (it sends the complete state).
    Idempotent,
    /// Create: repeating it after the server may have acted could duplicate a handler.
    NotIdempotent,
}

impl Idempotency {
    /// By the method and the path's shape, the same for every resource: a `POST` to a
    /// collection (`/monitors`: no id last) is a create, not idempotent; a `POST` to one record
    /// (`/monitors/7`) is its update, idempotent (the safe update sends the whole state again);
    /// any other method as HTTP defines it (`GET`, `DELETE` are).
    pub(crate) fn of(method: &reqwest::Method, path: &str) -> Self {
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let one_record = last.parse::<u64>().is_ok_and(|id| id > 0);
        let idempotent = match *method {
            reqwest::Method::POST => one_record,
            ref other => other.is_idempotent(),
        };
        if idempotent {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        }
    }
}

/// What to do after one attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Done: hand the outcome to the caller.
    Done,
    /// Retry after this wait (before jitter-free clamping to the deadline).
    Retry {
        /// How long to wait first.
        wait: Duration,
        /// Whether the failed attempt may have been carried out by the server.
        maybe_applied: bool,
    },
    /// Not retried because the request may have been carried out and repeating it is unsafe.
    Unsafe,
}

/// Decides on a status answer.
pub(crate) fn judge_status(
    status: StatusCode,
    headers: &HeaderMap,
    idempotency: Idempotency,
    policy: &RetryPolicy,
    retry: u32,
) -> Verdict {
    match status.as_u16() {
        429 => Verdict::Retry {
            wait: policy.rate_limit_wait(reset_after(headers), retry),
            maybe_applied: false,
        },
        408 | 500 | 502 | 503 | 504 => match idempotency {
            Idempotency::Idempotent => Verdict::Retry {
                wait: policy.backoff_delay(retry),
                maybe_applied: true,
            },
            Idempotency::NotIdempotent => Verdict::Unsafe,
        },
        _ => Verdict::Done,
    }
}

/// Decides on a transport failure.
pub(crate) fn judge_error(
    error: &reqwest::Error,
    idempotency: Idempotency,
    policy: &RetryPolicy,
    retry: u32,
) -> Verdict {
    if error.is_builder() || error.is_redirect() {
        return Verdict::Done;
    }
    if error.is_connect() {
        // Nothing reached the server.
        return Verdict::Retry {
            wait: policy.backoff_delay(retry),
            maybe_applied: false,
        };
    }
    match idempotency {
        Idempotency::Idempotent => Verdict::Retry {
            wait: policy.backoff_delay(retry),
            maybe_applied: true,
        },
        Idempotency::NotIdempotent => Verdict::Unsafe,
    }
}

/// The rate-limit budget shared by every clone of a [`crate::Client`], learnt from
/// `X-RateLimit-Limit` / `X-RateLimit-Remaining` (and `X-RateLimit-Reset` on a 429).
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    state: Mutex<Budget>,
}

#[derive(Debug, Default)]
struct Budget {
    limit: Option<u64>,
    /// Requests the server said were left, as of the latest answer.
    remaining: Option<u64>,
    /// Requests sent and not answered yet.
    in_flight: u64,
    /// When the current window started (the first request the server counted in it).
    window_started: Option<Instant>,
    /// When the latest window the server counted in started (kept while the budget is
    /// unknown, to learn the window's length from a `429`).
    counted_since: Option<Instant>,
    /// The window's length as the server's `X-RateLimit-Reset` showed it, once seen.
    learnt_window: Option<Duration>,
    /// No request before this instant.
    blocked_until: Option<Instant>,
}

/// A sent request's claim on the budget; give it back with [`Throttle::finish`].
#[derive(Debug)]
pub(crate) struct Permit {
    sent_at: Instant,
}

impl Throttle {
    fn budget(&self) -> std::sync::MutexGuard<'_, Budget> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request can be sent without being refused, then claims a place. A wait
    /// that would pass `deadline` is skipped: the request goes now and the server decides.
    pub(crate) async fn acquire(&self, window: Duration, deadline: Instant) -> Permit {
        loop {
            let wait_until = {
                let mut b = self.budget();
                let now = Instant::now();
                match b.blocked_until {
                    Some(until) if until > now => Some(until),
                    _ => {
                        b.blocked_until = None;
                        let spent = b.remaining.is_some_and(|r| r <= b.in_flight);
                        if spent && b.in_flight == 0 {
                            // Wait out the window (as the server showed it, else as assumed);
                            // after it, the budget is unknown again. A margin on top absorbs
                            // the gap between sending the window's first request and the
                            // server counting it.
                            let window = b.learnt_window.unwrap_or(window);
                            let window = window
                                .saturating_add(window / 20)
                                .saturating_add(Duration::from_millis(50));
                            let until = after(b.window_started.unwrap_or(now), window).max(now);
                            b.blocked_until = Some(until);
                            b.remaining = None;
                            b.window_started = None;
                            Some(until)
                        } else if spent {
                            // Answers still in flight will tell more; look again shortly.
                            Some(after(now, Duration::from_millis(20)))
                        } else {
                            b.in_flight += 1;
                            return Permit { sent_at: now };
                        }
                    }
                }
            };
            if let Some(until) = wait_until {
                if until > deadline {
                    self.budget().in_flight += 1;
                    return Permit {
                        sent_at: Instant::now(),
                    };
                }
                tracing::debug!(
                    wait_ms = until.saturating_duration_since(Instant::now()).as_millis() as u64,
                    "rate-limit budget spent; waiting for the window"
                );
                tokio::time::sleep_until(until.into()).await;
            }
        }
    }

    /// Gives the place back and learns from the answer's headers, if there was one; a `429`'s
    /// wait is bounded as [`RetryPolicy::rate_limit_wait`] bounds it.
    pub(crate) fn finish(
        &self,
        permit: Permit,
        answer: Option<(StatusCode, &HeaderMap)>,
        policy: &RetryPolicy,
    ) {
        let mut b = self.budget();
        b.in_flight = b.in_flight.saturating_sub(1);
        let Some((status, headers)) = answer else {
            return;
        };
        let number =
            |name: &HeaderName| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        b.limit = number(&RATELIMIT_LIMIT).or(b.limit);
        if let Some(remaining) = number(&RATELIMIT_REMAINING) {
            let fresh_window = b.remaining.is_none_or(|old| remaining > old)
                || b.limit.is_some_and(|l| remaining.saturating_add(1) >= l);
            if fresh_window {
                b.window_started = Some(permit.sent_at);
                b.counted_since = Some(permit.sent_at);
            }
            b.remaining = Some(remaining);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            match reset_after(headers) {
                // The server said when the window resets: wait until then (within the
                // policy's bounds), after which the budget is unknown again; and the window's
                // length is now known.
                Some(reset) => {
                    let now = Instant::now();
                    let reset = surely_reset(reset)
                        .max(MIN_RATE_LIMIT_WAIT)
                        .min(policy.max_rate_limit_wait);
                    let until = after(now, reset);
                    if let Some(started) = b.counted_since.filter(|s| *s <= now) {
                        b.learnt_window = Some(until.saturating_duration_since(started));
                    }
                    b.blocked_until = Some(until);
                    b.remaining = None;
                    b.window_started = None;
                }
                // It did not (or said nothing readable): wait at least the least backoff, with
                // jitter; the budget is unknown after that.
                None => {
                    b.blocked_until = Some(after(Instant::now(), policy.rate_limit_wait(None, 0)));
                    b.remaining = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_the_cap() {
        let p =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(300));
        for retry in 0..10 {
            let d = p.backoff_delay(retry);
            let ceiling =
                Duration::from_millis(100 * 2u64.pow(retry)).min(Duration::from_millis(300));
            assert!(d <= ceiling, "{retry}: {d:?}");
        }
    }

    #[test]
    fn idempotency_comes_from_the_method_and_the_path_shape() {
        use reqwest::Method;
        use Idempotency::*;
        for (method, path, expected) in [
            (Method::POST, "/api/monitors", NotIdempotent),
            (Method::POST, "/api/team-members/", NotIdempotent),
            (Method::POST, "/api/monitors/7", Idempotent),
            (Method::POST, "/api/monitors/0", NotIdempotent),
            (Method::GET, "/api/monitors", Idempotent),
            (Method::DELETE, "/api/monitors/7", Idempotent),
            (Method::PATCH, "/api/monitors/7", NotIdempotent),
        ] {
            assert_eq!(Idempotency::of(&method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn verdicts() {
        let p = RetryPolicy::default();
        let h = HeaderMap::new();
        use Idempotency::*;
        let judge = |status, headers: &HeaderMap, i| judge_status(status, headers, i, &p, 0);
        assert_eq!(judge(StatusCode::OK, &h, NotIdempotent), Verdict::Done);
        assert_eq!(judge(StatusCode::NOT_FOUND, &h, Idempotent), Verdict::Done);
        assert_eq!(
            judge(StatusCode::BAD_GATEWAY, &h, NotIdempotent),
            Verdict::Unsafe
        );
        assert!(matches!(
            judge(StatusCode::BAD_GATEWAY, &h, Idempotent),
            Verdict::Retry {
                maybe_applied: true,
                ..
            }
        ));
    }

    /// A reset of `N` whole seconds waits `N + 1` s (plus jitter below `base_delay`); none
    /// or an unreadable one at least 0.5 s; never more than the policy's cap.
    #[test]
    fn a_rate_limit_wait_outlasts_the_window_and_is_bounded() {
        let p = RetryPolicy::default();
        let ms = Duration::from_millis;
        for (reset, least) in [
            (Some("0"), ms(1000)),
            (Some("2"), ms(3000)),
            (Some("-5"), ms(500)),
            (Some("soon"), ms(500)),
            (Some(""), ms(500)),
            (None, ms(500)),
            (Some("500"), p.max_rate_limit_wait),
            (Some("18446744073709551615"), p.max_rate_limit_wait),
            (Some("Wed, 21 Oct 2026 07:28:00 GMT"), ms(500)),
        ] {
            let mut h = HeaderMap::new();
            if let Some(reset) = reset {
                h.insert("x-ratelimit-reset", reset.parse().unwrap());
            }
            for _ in 0..20 {
                match judge_status(
                    StatusCode::TOO_MANY_REQUESTS,
                    &h,
                    Idempotency::NotIdempotent,
                    &p,
                    0,
                ) {
                    Verdict::Retry {
                        wait,
                        maybe_applied: false,
                    } => assert!(
                        wait >= least
                            && wait < (least + p.base_delay).min(p.max_rate_limit_wait + ms(1)),
                        "{reset:?}: {wait:?}"
                    ),
                    other => panic!("{reset:?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn far_instants_saturate() {
        let now = Instant::now();
        assert!(after(now, Duration::MAX) > now);
        assert!(after(now, Duration::from_secs(u64::MAX)) > now);
    }
}

/// Any values of the headers the client reads, under any status: no panic, no wait past the
/// policy, no unbounded wait in the throttle.
#[cfg(test)]
mod header_properties {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Option<HeaderValue>> {
        let text = prop_oneof![
            "[0-9]{1,25}",
            "-[0-9]{1,20}",
            "[0-9]{1,3}\\.[0-9]{1,3}",
            "[ -~]{0,30}",
            Just("18446744073709551615".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just("Wed, 21 Oct 2026 07:28:00 GMT".to_owned()),
        ]
        .prop_map(|t| HeaderValue::from_str(&t).ok());
        let bytes = prop::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| HeaderValue::from_bytes(&b).ok());
        prop_oneof![Just(None), text, bytes]
    }

    use reqwest::header::HeaderValue;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn any_rate_limit_headers_are_survived(
            values in prop::collection::vec(value(), 6),
            status in prop::sample::select(vec![200u16, 302, 401, 404, 429, 500, 503]),
            base_ms in 1u64..2000,
        ) {
            let mut headers = HeaderMap::new();
            let names = [RATELIMIT_LIMIT, RATELIMIT_REMAINING, crate::ratelimit::RATELIMIT_RESET, http::header::RETRY_AFTER, http::header::CONTENT_LENGTH, http::header::LOCATION];
            for (name, value) in names.into_iter().zip(values) {
                if let Some(value) = value {
                    headers.insert(name, value);
                }
            }
            let status = StatusCode::from_u16(status).unwrap();
            let _ = crate::Error::from_answer(StatusCode::FOUND, &headers, b"").to_string();
            let policy = RetryPolicy::default()
                // A backoff step above the rate-limit cap is the user's to choose.
                .backoff(Duration::from_millis(base_ms), Duration::from_millis(10))
                .max_rate_limit_wait(Duration::from_millis(50));
            if let Verdict::Retry { wait, .. } = judge_status(status, &headers, Idempotency::Idempotent, &policy, 0) {
                prop_assert!(wait <= policy.max_rate_limit_wait, "{:?}", wait);
            }
            let _ = crate::Error::from_answer(status, &headers, b"{\"errors\":[{\"title\":\"x\"}]}").to_string();

            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
            let throttle = Throttle::default();
            let deadline = after(Instant::now(), Duration::from_millis(200));
            for _ in 0..3 {
                let started = Instant::now();
                let permit = runtime.block_on(throttle.acquire(policy.rate_limit_window, deadline));
                prop_assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
                throttle.finish(permit, Some((status, &headers)), &policy);
            }
        }
    }
}
