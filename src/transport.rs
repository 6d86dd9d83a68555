//! Request execution shared by the generated client (through progenitor's `ClientHooks`)
//! and the multipart path: authentication, user agent, time limits, tracing, and the
//! bookkeeping the ergonomic layer needs to classify an answer.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, USER_AGENT};
use reqwest::{Request, Response, StatusCode};
use tracing::Instrument;

use crate::raw;

/// The part of a [`crate::Client`] that every request goes through.
///
/// It is the generated client's inner type, so a [`raw::Client`] obtained from
/// [`crate::Client::raw`] authenticates and is traced like the ergonomic client. Its
/// `Debug` never shows the API key.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
    call: Arc<CallState>,
}

pub(crate) struct Shared {
    /// `Bearer <key>`, marked sensitive.
    pub(crate) auth: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
}

/// What one call learned about the answer it got, for the ergonomic layer to classify
/// bodies progenitor could not decode.
#[derive(Default)]
pub(crate) struct CallState {
    answer: Mutex<Option<(StatusCode, HeaderMap)>>,
}

impl CallState {
    /// The status and headers of the last answer of this call.
    pub(crate) fn answer(&self) -> Option<(StatusCode, HeaderMap)> {
        self.answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, response: &Response) {
        *self.answer.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((response.status(), response.headers().clone()));
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("authorization", &"<redacted>")
            .field("user_agent", &self.shared.user_agent)
            .field("timeout", &self.shared.timeout)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Transport {
            shared,
            call: Arc::default(),
        }
    }

    /// A transport for one call, with its own [`CallState`].
    pub(crate) fn for_call(&self) -> (Self, Arc<CallState>) {
        let call = Arc::new(CallState::default());
        (
            Transport {
                shared: Arc::clone(&self.shared),
                call: Arc::clone(&call),
            },
            call,
        )
    }

    /// Sends one request: adds the key and user agent, applies the time limit, records the
    /// answer's status and headers, and traces it.
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        operation: &'static str,
        mut request: Request,
    ) -> reqwest::Result<Response> {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.shared.auth.clone());
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.shared.user_agent.clone());
        }
        request.timeout_mut().get_or_insert(self.shared.timeout);

        let span = tracing::info_span!(
            "bitpeak.request",
            operation,
            method = %request.method(),
            path = request.url().path(),
            attempt = 1u32,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            ratelimit_remaining = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = http.execute(request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(remaining) = response
                    .headers()
                    .get("x-ratelimit-remaining")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("ratelimit_remaining", remaining);
                }
                self.call.record(response);
                tracing::debug!(parent: &span, "answered");
            }
            Err(e) => tracing::debug!(parent: &span, error = %e, "failed"),
        }
        result
    }
}

impl ClientHooks<Transport> for raw::Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        self.inner()
            .execute(self.client(), info.operation_id, request)
            .await
    }
}

/// Reads a wrapper-built request's answer: the success body decoded as `T`, or the error
/// the answer stands for.
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    response: Response,
) -> Result<T, crate::Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(crate::Error::from_reqwest)?;
    if !status.is_success() {
        return Err(crate::Error::from_answer(status, &headers, &body));
    }
    serde_json::from_slice(&body).map_err(|e| crate::Error::decode(status, &body, &e))
}
