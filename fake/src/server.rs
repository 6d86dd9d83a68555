//! The fake server's routes and state.
// Handlers return early with the answer itself; the answers are built once per request, so
// their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use super::generic::{self, Records};
use super::table;
use super::{FakeConfig, Fault, FaultQueue, Profile};
/// The handler types these servers support and each one's settings fields, as the servers'
/// source has them (API-SURFACE §3.12). The fake keeps its own table, so it judges the client
/// instead of mirroring it.
const TYPES: [(&str, &[&str]); 9] = [
    ("email", &["email"]),
    ("webhook", &["webhook"]),
    ("slack", &["slack"]),
    ("discord", &["discord"]),
    ("telegram", &["telegram", "telegram_chat_id"]),
    ("microsoft_teams", &["microsoft_teams"]),
    (
        "x",
        &[
            "x_consumer_key",
            "x_consumer_secret",
            "x_access_token",
            "x_access_token_secret",
        ],
    ),
    ("google_chat", &["google_chat"]),
    ("internal_notification", &[]),
];

/// The settings fields of a supported type (none for any other).
fn fields_of(kind: &str) -> &'static [&'static str] {
    TYPES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, fields)| fields)
}

const NOT_FOUND_HTML: &str = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Page not found</h1></body></html>";
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
    next_id: u64,
    handlers: BTreeMap<u64, Record>,
    /// Every other resource's records, by path.
    pub(super) others: HashMap<&'static str, Records>,
}

/// A stored handler: one the fake wrote itself, or a raw JSON record seeded as a real
/// database may hold it (answered exactly as seeded).
#[derive(Clone)]
enum Record {
    Typed(Stored),
    Raw(Value),
}

impl Record {
    fn kind(&self) -> &str {
        match self {
            Record::Typed(h) => &h.kind,
            Record::Raw(v) => v["type"].as_str().unwrap_or_default(),
        }
    }
    fn name(&self) -> &str {
        match self {
            Record::Typed(h) => &h.name,
            Record::Raw(v) => v["name"].as_str().unwrap_or_default(),
        }
    }
    fn datetime(&self) -> &str {
        match self {
            Record::Typed(h) => &h.datetime,
            Record::Raw(v) => v["datetime"].as_str().unwrap_or_default(),
        }
    }
    fn last_datetime(&self) -> Option<&str> {
        match self {
            Record::Typed(h) => h.last_datetime.as_deref(),
            Record::Raw(v) => v["last_datetime"].as_str(),
        }
    }
}

#[derive(Clone)]
struct Stored {
    id: u64,
    kind: String,
    name: String,
    settings: BTreeMap<String, String>,
    /// 0 disabled, 1 enabled, 2 waiting for email confirmation.
    enabled: u8,
    last_datetime: Option<String>,
    datetime: String,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub(crate) fn new(config: FakeConfig, base_url: String) -> Self {
        State {
            keys: config.effective_keys(),
            config,
            base_url,
            store: Mutex::new(Store {
                next_id: 1,
                ..Store::default()
            }),
            limits: Mutex::new(HashMap::new()),
            faults: FaultQueue::default(),
            requests: AtomicUsize::new(0),
        }
    }

    pub(crate) fn seed(&self, count: usize) {
        let mut store = lock(&self.store);
        let datetime = now();
        for _ in 0..count {
            let id = store.next_id;
            store.next_id += 1;
            let settings = BTreeMap::from([(
                "webhook".to_owned(),
                format!("https://example.com/hooks/{id}"),
            )]);
            store.handlers.insert(
                id,
                Record::Typed(Stored {
                    id,
                    kind: "webhook".into(),
                    name: format!("seed {id}"),
                    settings,
                    enabled: 1,
                    last_datetime: None,
                    datetime: datetime.clone(),
                }),
            );
        }
    }

    /// Stores records exactly as given; each is answered as it is. A record's `id` (an integer
    /// or a numeric string) is its key; one without a usable id gets the next free one, though
    /// the record keeps what it has.
    pub(crate) fn seed_raw(&self, records: Vec<Value>) {
        let mut store = lock(&self.store);
        for record in records {
            let id = match &record["id"] {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .filter(|id| *id > 0 && !store.handlers.contains_key(id))
            .unwrap_or(store.next_id);
            store.next_id = store.next_id.max(id.saturating_add(1));
            store.handlers.insert(id, Record::Raw(record));
        }
    }

    pub(crate) fn seed_records(&self, path: &str, records: Vec<Value>) {
        if path == "notification-handlers" {
            return self.seed_raw(records);
        }
        let Some(r) = table::RESOURCES.iter().find(|r| r.path == path) else {
            return;
        };
        let mut store = lock(&self.store);
        let rows = store.others.entry(r.path).or_default();
        for record in records {
            rows.seed(record);
        }
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        lock(&self.store).others.get(path).map_or(0, Records::len)
    }

    pub(crate) fn handler_count(&self) -> usize {
        lock(&self.store).handlers.len()
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

pub(super) fn error(status: StatusCode, title: &str) -> Response {
    let body = json!({"errors": [{"title": title, "status": status.as_u16()}]});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn html(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response()
}

pub(super) fn ok_json(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
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
        _ => return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
    };
    let resource = table::find(name, state.config.profile);
    let known = matches!(name, "notification-handlers" | "statistics") || resource.is_some();
    if !known {
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
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
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
    }

    let key = match authenticate(&state, request.headers()) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let (limit_headers, limited) = rate_limit(&state, &key);
    let mut response = if let Some(response) = limited {
        response
    } else {
        let id = match id.as_deref().map(str::parse::<u64>) {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => {
                return with_headers(
                    error(
                        StatusCode::NOT_FOUND,
                        "The requested resource was not found.",
                    ),
                    limit_headers,
                )
            }
        };
        match (name, resource) {
            ("statistics", _) => match (method, id) {
                (Method::GET, Some(id)) => {
                    generic::statistics(&state, id, request.uri().query().unwrap_or(""))
                }
                _ => not_found(),
            },
            (_, Some(r)) => generic_answer(&state, r, method, id, request).await,
            (_, None) => handler_answer(&state, method, id, request).await,
        }
    };
    response.headers_mut().extend(limit_headers);
    response
}

/// A notification-handlers request.
async fn handler_answer(
    state: &State,
    method: Method,
    id: Option<u64>,
    request: Request,
) -> Response {
    match (method, id) {
        (Method::GET, None) => list(state, request.uri().query().unwrap_or("")),
        (Method::GET, Some(id)) => get(state, id),
        (Method::POST, None) => match form(request).await {
            Ok(fields) => create(state, fields),
            Err(r) => r,
        },
        (Method::POST, Some(id)) => match form(request).await {
            Ok(fields) => update(state, id, fields),
            Err(r) => r,
        },
        (_, Some(id)) => delete(state, id),
        _ => html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
    }
}

/// A request of any other resource.
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
}

impl ValidationError {
    pub(super) fn answer(&self) -> Response {
        match self {
            ValidationError::Required => error(
                StatusCode::UNAUTHORIZED,
                "The fields marked with * are required and cannot be empty.",
            ),
            ValidationError::Invalid(field) => error(
                StatusCode::UNAUTHORIZED,
                &format!("The {field} field is not valid."),
            ),
        }
    }
}

fn with_headers(mut response: Response, headers: HeaderMap) -> Response {
    response.headers_mut().extend(headers);
    response
}

fn authenticate(state: &State, headers: &HeaderMap) -> Result<String, Response> {
    let malformed = || {
        let body =
            json!({"errors": [{"title": "You do not have access to the API.", "status": "401"}]});
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
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
        Err(error(
            StatusCode::UNAUTHORIZED,
            "You do not have access to the API.",
        ))
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
        let reset = (entry.0 + limit.window)
            .saturating_duration_since(now)
            .as_secs_f64()
            .ceil() as u64;
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
    let bad = || {
        error(
            StatusCode::UNAUTHORIZED,
            "The fields marked with * are required and cannot be empty.",
        )
    };
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

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
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

impl State {
    fn render_record(&self, record: &Record) -> Value {
        match record {
            Record::Typed(h) => self.render(h),
            Record::Raw(v) => v.clone(),
        }
    }

    fn render(&self, h: &Stored) -> Value {
        let profile = self.config.profile;
        let mut settings: Map<String, Value> = h
            .settings
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        if h.kind == "internal_notification" {
            settings.insert("internal_notification".into(), Value::from(""));
        }
        if h.kind == "email" && matches!(profile, Profile::V2025 | Profile::V2026) {
            settings.insert(
                "email_is_confirmed".into(),
                Value::from(u8::from(h.enabled != 2)),
            );
        }
        // PHP encodes empty settings as an empty array.
        let settings = match (profile, settings.is_empty()) {
            (Profile::V2025, true) => Value::from("[]"),
            (Profile::V2025, false) => Value::from(Value::Object(settings).to_string()),
            (_, true) => Value::Array(Vec::new()),
            (_, false) => Value::Object(settings),
        };
        // A type the instance does not support is stored as nothing.
        let kind = if h.kind.is_empty() {
            Value::Null
        } else {
            Value::from(h.kind.as_str())
        };
        let is_enabled = match profile {
            Profile::Document | Profile::V2023 => Value::from(h.enabled != 0),
            Profile::V2025 => Value::from(u8::from(h.enabled != 0)),
            Profile::V2026 => Value::from(h.enabled),
        };
        let mut out = json!({
            "id": h.id,
            "type": kind,
            "name": h.name,
            "settings": settings,
            "is_enabled": is_enabled,
            "last_datetime": h.last_datetime,
            "datetime": h.datetime,
        });
        if matches!(profile, Profile::V2025 | Profile::V2026) {
            out["user_id"] = Value::from(1);
        }
        out
    }

    /// The answer to create and update: `{id}` or the whole handler, by profile.
    fn saved(&self, status: StatusCode, h: &Stored) -> Response {
        let data = match self.config.profile {
            Profile::Document | Profile::V2023 => json!({"id": h.id}),
            Profile::V2025 | Profile::V2026 => self.render(h),
        };
        ok_json(status, json!({ "data": data }))
    }

    fn newer(&self) -> bool {
        matches!(self.config.profile, Profile::V2025 | Profile::V2026)
    }
}

fn list(state: &State, query: &str) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| params.get(name).map(String::as_str);
    let store = lock(&state.store);
    // Sorting is stable, so equal keys keep id order.
    let mut items: Vec<&Record> = store.handlers.values().collect();
    if state.newer() {
        if let Some(kind) = param("type").filter(|t| !t.is_empty()) {
            items.retain(|h| h.kind() == kind);
        }
        if let Some(text) = param("search").filter(|t| !t.is_empty()) {
            if param("search_by").unwrap_or("name") == "name" {
                let text = text.to_lowercase();
                items.retain(|h| h.name().to_lowercase().contains(&text));
            }
        }
        if let Some(key) = param("order_by") {
            match key {
                "datetime" => items.sort_by(|a, b| a.datetime().cmp(b.datetime())),
                "last_datetime" => items.sort_by(|a, b| a.last_datetime().cmp(&b.last_datetime())),
                "name" => items.sort_by(|a, b| a.name().cmp(b.name())),
                _ => {}
            }
        }
        if param("order_type") == Some("DESC") {
            items.reverse();
        }
    }
    let rendered = items.iter().map(|h| state.render_record(h)).collect();
    drop(store);
    paged(
        state,
        "notification-handlers",
        rendered,
        param("page"),
        param("results_per_page"),
    )
}

/// One page of `records` (all of them, filtered and ordered) as the servers answer a list:
/// `page` echoed as sent (a string) by 2023 servers, `total` in the document, `total_results`
/// elsewhere, and links (built here correctly, unlike some servers).
pub(super) fn paged(
    state: &State,
    path: &str,
    records: Vec<Value>,
    page: Option<&str>,
    per_page: Option<&str>,
) -> Response {
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

fn get(state: &State, id: u64) -> Response {
    let store = lock(&state.store);
    match store.handlers.get(&id) {
        Some(h) => ok_json(StatusCode::OK, json!({"data": state.render_record(h)})),
        None => not_found(),
    }
}

fn validate_name(name: Option<&str>) -> Result<String, Response> {
    let name = clean(name.unwrap_or_default());
    if name.is_empty() {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "The fields marked with * are required and cannot be empty.",
        ));
    }
    if name.chars().count() > 128 {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "The name must be at most 128 characters long.",
        ));
    }
    Ok(name)
}

/// A type as servers store it: an unknown one is stored as nothing.
fn stored_kind(kind: &str) -> String {
    let kind = clean(kind);
    if TYPES.iter().any(|(k, _)| *k == kind) {
        kind
    } else {
        String::new()
    }
}

fn create(state: &State, fields: Vec<(String, String)>) -> Response {
    let name = match validate_name(field(&fields, "name")) {
        Ok(name) => name,
        Err(r) => return r,
    };
    let Some(kind) = field(&fields, "type")
        .map(stored_kind)
        .filter(|_| field(&fields, "type").is_some_and(|t| !t.trim().is_empty()))
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "The fields marked with * are required and cannot be empty.",
        );
    };
    let settings = fields_of(&kind)
        .iter()
        .map(|f| {
            (
                (*f).to_owned(),
                clean(field(&fields, f).unwrap_or_default()),
            )
        })
        .collect();
    let enabled = if kind == "email" && state.config.profile == Profile::V2026 {
        2
    } else {
        1
    };
    let mut store = lock(&state.store);
    let id = store.next_id;
    store.next_id += 1;
    let h = Stored {
        id,
        kind,
        name,
        settings,
        enabled,
        last_datetime: None,
        datetime: now(),
    };
    store.handlers.insert(id, Record::Typed(h.clone()));
    state.saved(StatusCode::CREATED, &h)
}

fn update(state: &State, id: u64, fields: Vec<(String, String)>) -> Response {
    let mut store = lock(&state.store);
    let current = match store.handlers.get(&id).cloned() {
        None => return not_found(),
        Some(Record::Typed(current)) => current,
        Some(Record::Raw(record)) => return update_raw(state, &mut store, id, record, &fields),
    };
    let mut h = current.clone();
    if let Some(name) = field(&fields, "name") {
        match validate_name(Some(name)) {
            Ok(name) => h.name = name,
            Err(r) => return r,
        }
    }
    match field(&fields, "type") {
        Some(kind) => h.kind = stored_kind(kind),
        // 2023 servers reset what is not re-sent.
        None if state.config.profile == Profile::V2023 => h.kind = String::new(),
        None => {}
    }
    let mut settings = BTreeMap::new();
    for f in fields_of(&h.kind) {
        let value = match field(&fields, f) {
            Some(v) => clean(v),
            None if h.kind == current.kind
                && !(state.config.profile == Profile::V2023 && *f == "email") =>
            {
                current.settings.get(*f).cloned().unwrap_or_default()
            }
            None => String::new(),
        };
        settings.insert((*f).to_owned(), value);
    }
    if h.kind.is_empty()
        && field(&fields, "type").is_some()
        && state.config.profile == Profile::V2026
    {
        // The 2026 update code stores an unsupported type as NULL, its settings under an
        // empty name.
        settings.insert(String::new(), String::new());
    }
    h.settings = settings;
    match field(&fields, "is_enabled").map(|v| v.trim().parse::<i64>().unwrap_or(0)) {
        // 2026 servers keep an unconfirmed email handler pending whatever is sent.
        Some(_) if h.enabled == 2 && state.config.profile == Profile::V2026 => {}
        Some(0) => h.enabled = 0,
        Some(_) if h.enabled == 2 => {}
        Some(_) => h.enabled = 1,
        None if state.config.profile == Profile::V2023 => h.enabled = 0,
        None => {}
    }
    let email_changed = h.kind == "email"
        && (current.kind != "email" || current.settings.get("email") != h.settings.get("email"));
    if email_changed && state.config.profile == Profile::V2026 && h.enabled != 0 {
        h.enabled = 2;
    }
    store.handlers.insert(id, Record::Typed(h.clone()));
    state.saved(StatusCode::OK, &h)
}

/// An update of a seeded raw record: the form's fields are written into it, the rest of the
/// record is left as it is.
fn update_raw(
    state: &State,
    store: &mut Store,
    id: u64,
    mut record: Value,
    fields: &[(String, String)],
) -> Response {
    let Some(object) = record.as_object_mut() else {
        return not_found();
    };
    if let Some(name) = field(fields, "name") {
        match validate_name(Some(name)) {
            Ok(name) => {
                object.insert("name".into(), Value::from(name));
            }
            Err(r) => return r,
        }
    }
    if let Some(kind) = field(fields, "type") {
        let kind = stored_kind(kind);
        let settings: Map<String, Value> = fields_of(&kind)
            .iter()
            .map(|f| {
                (
                    (*f).to_owned(),
                    Value::from(clean(field(fields, f).unwrap_or_default())),
                )
            })
            .collect();
        object.insert("settings".into(), Value::Object(settings));
        object.insert(
            "type".into(),
            if kind.is_empty() {
                Value::Null
            } else {
                Value::from(kind)
            },
        );
    }
    if let Some(enabled) = field(fields, "is_enabled") {
        let on = enabled.trim().parse::<i64>().unwrap_or(0) != 0;
        object.insert("is_enabled".into(), Value::from(u8::from(on)));
    }
    store.handlers.insert(id, Record::Raw(record.clone()));
    let data = match state.config.profile {
        Profile::Document | Profile::V2023 => json!({ "id": id }),
        Profile::V2025 | Profile::V2026 => record,
    };
    ok_json(StatusCode::OK, json!({ "data": data }))
}

fn delete(state: &State, id: u64) -> Response {
    let removed = lock(&state.store).handlers.remove(&id);
    match removed {
        None => not_found(),
        Some(_) => state.deleted(),
    }
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
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "",
            )
                .into_response()
        } else {
            self.empty_ok()
        }
    }

    /// `200` with an empty body.
    pub(super) fn empty_ok(&self) -> Response {
        StatusCode::OK.into_response()
    }

    /// The answer of a resource the instance switched off (before authentication): from 2025
    /// a 302 to the site's not-found page, from 2026 the HTML 404 itself.
    fn switched_off(&self, path: &str) -> Option<Response> {
        if !self.config.switched_off.iter().any(|p| p == path) {
            return None;
        }
        let site = self.base_url.strip_suffix("/api").unwrap_or(&self.base_url);
        match self.config.profile {
            Profile::Document | Profile::V2023 => None,
            Profile::V2025 => Some(
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, format!("{site}/not-found"))],
                    "",
                )
                    .into_response(),
            ),
            Profile::V2026 => Some(html(StatusCode::NOT_FOUND, NOT_FOUND_HTML)),
        }
    }
}
