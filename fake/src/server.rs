//! The fake server's routes and state.
// Handlers return early with the answer itself; the answers are built once per request, so
// their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::generic::{self, Records};
use super::table;
use super::{FakeConfig, Fault, FaultQueue, Profile};

const NOT_FOUND_HTML: &str = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Page not found</h1></body></html>";
const JSON: &str = "application/json";
const PER_PAGE: [u64; 7] = [10, 25, 50, 100, 250, 500, 1000];

pub(crate) struct State {
    pub(super) config: FakeConfig,
    keys: Vec<String>,
    base_url: String,
    pub(super) store: Mutex<Store>,
    limits: Mutex<HashMap<String, (Instant, u32)>>,
    pub(crate) faults: FaultQueue,
    pub(crate) requests: AtomicUsize,
}

#[derive(Default)]
pub(super) struct Store {
    /// Each resource's records, by path.
    pub(super) records: HashMap<&'static str, Records>,
}

/// The resource whose records `FakeServer::seed`, `seed_raw` and `handler_count` are about.
pub(crate) const HANDLERS: &str = "notification-handlers";

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub(crate) fn new(config: FakeConfig, base_url: String) -> Self {
        State {
            keys: config.effective_keys(),
            config,
            base_url,
            store: Mutex::new(Store::default()),
            limits: Mutex::new(HashMap::new()),
            faults: FaultQueue::default(),
            requests: AtomicUsize::new(0),
        }
    }

    /// Stores `count` webhook handlers named `seed N`, as if created (test data).
    pub(crate) fn seed(&self, count: usize) {
        let Some(r) = table::RESOURCES.iter().find(|r| r.path == HANDLERS) else {
            return;
        };
        generic::seed(self, r, count, |id| {
            vec![
                ("name".into(), format!("seed {id}")),
                ("type".into(), "webhook".into()),
                ("webhook".into(), format!("https://example.com/hooks/{id}")),
            ]
        });
    }

    /// Stores records of the resource at `path` as given.
    pub(crate) fn seed_records(&self, path: &str, records: Vec<Value>) {
        let Some(r) = table::RESOURCES.iter().find(|r| r.path == path) else {
            return;
        };
        let mut store = lock(&self.store);
        let rows = store.records.entry(r.path).or_default();
        for record in records {
            rows.seed(record);
        }
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        lock(&self.store).records.get(path).map_or(0, Records::len)
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

pub(super) fn error(status: StatusCode, title: &str) -> Response {
    let body = json!({"errors": [{"title": title, "status": status.as_u16()}]});
    ok_json(status, body)
}

/// An answer with this body, labelled `content_type`.
fn typed(status: StatusCode, content_type: &'static str, body: impl IntoResponse) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn html(status: StatusCode, body: &'static str) -> Response {
    typed(status, "text/html; charset=UTF-8", body)
}

pub(super) fn ok_json(status: StatusCode, body: Value) -> Response {
    typed(status, JSON, body.to_string())
}

async fn dispatch(AxumState(state): AxumState<Arc<State>>, request: Request) -> Response {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let delay = state.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fault = lock(&state.faults).pop_front();
    match fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return html(status, "<html><body><h1>Server error</h1></body></html>");
        }
        Some(Fault::Html404) => return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
        Some(Fault::Drop) => {
            let broken = futures::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by fault injection",
                ))
            });
            return (StatusCode::OK, Body::from_stream(broken)).into_response();
        }
        None => {}
    }

    // Route: the ping URL at the site root (no key); every resource under /api/<path>;
    // trailing slashes are ignored.
    let path = request.uri().path().trim_end_matches('/').to_owned();
    if let Some(code) = path.strip_prefix("/webhook-heartbeat/") {
        if table::find("heartbeats", state.config.profile).is_some() && !code.contains('/') {
            return generic::ping(&state, code);
        }
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
    }
    let Some(rest) = path.strip_prefix("/api/") else {
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
    };
    let (name, id) = match rest.split_once('/') {
        None => (rest, None),
        Some((name, id)) if !id.contains('/') => (name, Some(id.to_owned())),
        _ => return state.missing(),
    };
    let resource = table::find(name, state.config.profile);
    if name != "statistics" && resource.is_none() {
        return state.missing();
    }
    if let Some(answer) = state.switched_off(name) {
        return answer;
    }
    let method = request.method().clone();
    let allowed = matches!(
        (&method, id.is_some()),
        (&Method::GET, _) | (&Method::POST, _) | (&Method::DELETE, true)
    );
    if !allowed {
        return state.missing();
    }

    let key = match authenticate(&state, request.headers()) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let (limit_headers, limited) = rate_limit(&state, &key);
    let id = id.as_deref().map(str::parse::<u64>).transpose();
    let mut response = match (limited, resource, method, id) {
        (Some(response), ..) => response,
        (None, _, _, Err(_)) => not_found(),
        (None, Some(r), method, Ok(id)) => generic_answer(&state, r, method, id, request).await,
        // Statistics, the one route outside the table.
        (None, None, Method::GET, Ok(Some(id))) => {
            generic::statistics(&state, id, request.uri().query().unwrap_or(""))
        }
        (None, None, _, _) => not_found(),
    };
    response.headers_mut().extend(limit_headers);
    response
}

/// A request of a resource of the table.
async fn generic_answer(
    state: &State,
    r: &'static table::Resource,
    method: Method,
    id: Option<u64>,
    request: Request,
) -> Response {
    use table::Shape;
    let ops = r.ops;
    match (method, id, ops.shape) {
        (Method::GET, None, Shape::Single) => generic::single(state, r),
        (Method::GET, None, Shape::Collection) => {
            generic::list(state, r, request.uri().query().unwrap_or(""))
        }
        (Method::GET, Some(id), Shape::ChildrenOf(field)) => generic::children(state, r, field, id),
        (Method::GET, Some(id), Shape::Collection) if ops.get => generic::get(state, r, id),
        (Method::POST, None, _) if ops.create => match form(request).await {
            Ok(fields) => generic::create(state, r, &fields),
            Err(answer) => answer,
        },
        (Method::POST, Some(id), _) if ops.update => match form(request).await {
            Ok(fields) => generic::update(state, r, id, &fields),
            Err(answer) => answer,
        },
        (Method::DELETE, Some(id), _) if ops.delete => generic::delete(state, r, id),
        // A controller without the operation falls through to the API's JSON 404.
        _ => not_found(),
    }
}

/// A validation failure, answered `401` as the servers do.
pub(super) enum ValidationError {
    /// A required field is missing or blank.
    Required,
    /// A field's value is not one the server accepts.
    Invalid(&'static str),
    /// A field is longer than the server takes.
    TooLong(&'static str, usize),
}

impl ValidationError {
    pub(super) fn answer(&self) -> Response {
        let title = match self {
            Self::Required => "The fields marked with * are required and cannot be empty.".into(),
            Self::Invalid(field) => format!("The {field} field is not valid."),
            Self::TooLong(field, most) => {
                format!("The {field} must be at most {most} characters long.")
            }
        };
        error(StatusCode::UNAUTHORIZED, &title)
    }
}

fn authenticate(state: &State, headers: &HeaderMap) -> Result<String, Response> {
    // A malformed header's answer gives the status as a string, an unknown key's as a number.
    let title = "You do not have access to the API.";
    let malformed = || {
        let body = json!({"errors": [{"title": title, "status": "401"}]});
        ok_json(StatusCode::UNAUTHORIZED, body)
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(malformed)?;
    let key = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace))
        .ok_or_else(malformed)?;
    if state.keys.iter().any(|k| k == key) {
        Ok(key.to_owned())
    } else {
        Err(error(StatusCode::UNAUTHORIZED, title))
    }
}

/// Counts the request against the key's window; returns the headers for the answer and, when
/// the budget is spent, the 429.
fn rate_limit(state: &State, key: &str) -> (HeaderMap, Option<Response>) {
    let mut headers = HeaderMap::new();
    let Some(limit) = state.config.rate_limit else {
        return (headers, None);
    };
    let mut windows = lock(&state.limits);
    let now = Instant::now();
    let entry = windows.entry(key.to_owned()).or_insert((now, 0));
    if now >= entry.0 + limit.window {
        *entry = (now, 0);
    }
    let number = |n: u64| HeaderValue::from(n);
    headers.insert("x-ratelimit-limit", number(limit.limit.into()));
    if entry.1 >= limit.limit {
        // Whole seconds, truncated, as the servers count them: `0` is "within the next second".
        let reset = (entry.0 + limit.window)
            .saturating_duration_since(now)
            .as_secs();
        headers.insert("x-ratelimit-remaining", number(0));
        headers.insert("x-ratelimit-reset", number(reset));
        return (
            headers,
            Some(error(
                StatusCode::TOO_MANY_REQUESTS,
                "You have exceeded the rate limit.",
            )),
        );
    }
    entry.1 += 1;
    headers.insert(
        "x-ratelimit-remaining",
        number((limit.limit - entry.1).into()),
    );
    (headers, None)
}

/// The form fields of a create or update, multipart or urlencoded, as PHP reads them.
async fn form(request: Request) -> Result<Vec<(String, String)>, Response> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bad = || ValidationError::Required.answer();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|_| bad())?;
        let mut fields = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
            let name = field.name().unwrap_or_default().to_owned();
            let value = field.text().await.map_err(|_| bad())?;
            fields.push((name, value));
        }
        Ok(fields)
    } else {
        let body = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .map_err(|_| bad())?;
        Ok(url::form_urlencoded::parse(&body).into_owned().collect())
    }
}

/// What PHP does to a string field: strip tags, trim, cut at 512 characters.
pub(super) fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_tag = false;
    for c in value.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().chars().take(512).collect()
}

pub(super) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// One page of `records` (all of them, filtered and ordered) as the servers answer a list:
/// `page` echoed as sent (a string) by 2023 servers, `total` in the document, `total_results`
/// elsewhere, and links (built here correctly, unlike some servers). Only the page's records
/// are rendered (`render`).
pub(super) fn paged<T>(
    state: &State,
    path: &str,
    records: Vec<T>,
    render: impl FnMut(T) -> Value,
    (page, per_page): (Option<&str>, Option<&str>),
) -> Response {
    let whole = |p: &str| p.trim().parse::<i64>().is_ok();
    if state.config.fatal_errors && page.is_some_and(|p| !whole(p)) {
        // PHP's TypeError, after the API set its JSON header: an empty 500.
        return typed(StatusCode::INTERNAL_SERVER_ERROR, JSON, "");
    }
    let page = page
        .unwrap_or("1")
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page = per_page
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| PER_PAGE.contains(n))
        .unwrap_or(25);
    let total = records.len() as u64;
    let total_pages = total.div_ceil(per_page);
    let data: Vec<Value> = records
        .into_iter()
        .skip(usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .map(render)
        .collect();

    let link = |p: u64| {
        Value::from(format!(
            "{}/{path}?page={p}&results_per_page={per_page}",
            state.base_url
        ))
    };
    let mut meta = json!({"results_per_page": per_page, "total_pages": total_pages});
    meta["page"] = match state.config.profile {
        Profile::V2023 => Value::from(page.to_string()),
        _ => Value::from(page),
    };
    match state.config.profile {
        Profile::Document => meta["total"] = Value::from(total),
        _ => meta["total_results"] = Value::from(total),
    }
    let body = json!({
        "data": data,
        "meta": meta,
        "links": {
            "first": link(1),
            "last": if total_pages == 0 { Value::Null } else { link(total_pages) },
            "next": if page < total_pages { link(page.saturating_add(1)) } else { Value::Null },
            "prev": if page > 1 { link(page - 1) } else { Value::Null },
            "self": link(page),
        }
    });
    ok_json(StatusCode::OK, body)
}

pub(super) fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "The requested resource was not found.",
    )
}

impl State {
    /// This answer's delay: the latency, moved by up to the jitter either way.
    fn delay(&self) -> std::time::Duration {
        let (latency, jitter) = (self.config.latency, self.config.latency_jitter);
        if jitter.is_zero() {
            return latency;
        }
        let spread = jitter.as_micros().min(u128::from(u64::MAX)) as u64;
        let offset = std::time::Duration::from_micros(fastrand::u64(0..=spread.saturating_mul(2)));
        (latency + offset).saturating_sub(jitter)
    }

    /// A delete's answer: `200`, empty, labelled JSON as real servers do unless configured not.
    pub(super) fn deleted(&self) -> Response {
        if self.config.delete_content_type {
            typed(StatusCode::OK, JSON, "")
        } else {
            StatusCode::OK.into_response()
        }
    }

    /// The answer of a route under the API that the server does not have (a resource its
    /// version lacks): the site's HTML 404, or the API's JSON one if so configured.
    fn missing(&self) -> Response {
        if self.config.missing_json {
            not_found()
        } else {
            html(StatusCode::NOT_FOUND, NOT_FOUND_HTML)
        }
    }

    /// The answer of a resource the instance switched off (before authentication): from 2025
    /// a 302 to the site's not-found page, from 2026 the HTML 404 itself.
    fn switched_off(&self, path: &str) -> Option<Response> {
        if !self.config.switched_off.iter().any(|p| p == path) {
            return None;
        }
        let site = self.base_url.strip_suffix("/api").unwrap_or(&self.base_url);
        let to_not_found = [(header::LOCATION, format!("{site}/not-found"))];
        match self.config.profile {
            Profile::Document | Profile::V2023 => None,
            Profile::V2025 => Some((StatusCode::FOUND, to_not_found, "").into_response()),
            Profile::V2026 => Some(html(StatusCode::NOT_FOUND, NOT_FOUND_HTML)),
        }
    }
}
