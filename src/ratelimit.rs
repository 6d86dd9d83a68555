//! The servers' rate-limit headers and time arithmetic that cannot overflow: a leaf module,
//! read by the retry rules, the throttle and the error type alike.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName};

/// `X-RateLimit-Limit`: requests allowed per window.
pub(crate) const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `X-RateLimit-Remaining`: requests left in this window.
pub(crate) const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `X-RateLimit-Reset`: seconds until the window resets (sent with a 429).
pub(crate) const RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// An instant `d` from `from`, saturating far in the future instead of overflowing (a server's
/// number or a policy's duration can be anything).
pub(crate) fn after(from: Instant, d: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
    from.checked_add(d)
        .or_else(|| from.checked_add(FAR))
        .unwrap_or(from)
}

/// `X-RateLimit-Reset` (seconds), or `Retry-After` (seconds) should a server send one; `None`
/// when absent, negative, or not a number of seconds.
pub(crate) fn reset_after(headers: &HeaderMap) -> Option<Duration> {
    [&RATELIMIT_RESET, &http::header::RETRY_AFTER]
        .into_iter()
        .find_map(|name| {
            let text = headers.get(name)?.to_str().ok()?;
            text.trim().parse::<u64>().ok().map(Duration::from_secs)
        })
}

/// The least wait after a `429`, whatever the server says (unless the policy caps waits lower).
pub(crate) const MIN_RATE_LIMIT_WAIT: Duration = Duration::from_millis(500);

/// How long until a window that resets in `reset` has surely passed: the header counts whole
/// seconds, truncated (`0` means "within the next second"), so one second more.
pub(crate) fn surely_reset(reset: Duration) -> Duration {
    reset.saturating_add(Duration::from_secs(1))
}
