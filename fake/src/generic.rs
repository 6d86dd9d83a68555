//! The fake server's answers for every resource of [`super::table`]: one store of JSON
//! records per resource, list / get / create / update / delete as the servers answer them,
//! and the heartbeat ping URL.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::server::{
    clean, error, lock, not_found, now, ok_json, paged, State, Store, ValidationError,
};
use super::table::{version, Confirm, Resource, Ty, Union};

/// One resource's records.
#[derive(Default)]
pub(super) struct Records {
    next_id: u64,
    rows: BTreeMap<u64, Value>,
    /// The ids of records seeded as given.
    seeded: BTreeSet<u64>,
}

impl Records {
    fn insert(&mut self, mut record: Value) -> u64 {
        self.next_id = self.next_id.max(1);
        let id = self.next_id;
        self.next_id += 1;
        record["id"] = Value::from(id);
        self.rows.insert(id, record);
        id
    }

    /// Stores a seeded record under its own id (or the next free one), exactly as given.
    pub(super) fn seed(&mut self, record: Value) {
        let id = record["id"]
            .as_u64()
            .or_else(|| record["id"].as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|id| *id > 0 && !self.rows.contains_key(id))
            .unwrap_or(self.next_id.max(1));
        self.next_id = self.next_id.max(id.saturating_add(1));
        self.rows.insert(id, record);
        self.seeded.insert(id);
    }

    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether record `id` is answered exactly as it was seeded.
    fn as_given(&self, r: &Resource, id: u64) -> bool {
        r.seeds_as_given && self.seeded.contains(&id)
    }

    /// Record `id` as a server of the state's profile answers it (`list`: as its list does).
    fn answer(&self, state: &State, r: &Resource, id: u64, list: bool) -> Option<Value> {
        let row = self.rows.get(&id)?;
        Some(render(state, r, row, list, self.as_given(r, id)))
    }
}

/// The record as a server of the state's profile answers it (`list`: as its list does), or
/// exactly as it is (`as_given`).
fn render(state: &State, r: &Resource, record: &Value, list: bool, as_given: bool) -> Value {
    let mut out = record.clone();
    if state.config.gapped_arrays && !as_given {
        gap(&mut out);
    }
    let v = version(state.config.profile);
    if let (Value::Object(map), false) = (&mut out, as_given) {
        if v < 2025 {
            for field in r.since_2025 {
                map.remove(*field);
            }
        }
        if let Some(u) = &r.union {
            union_answer(v, u, map);
        }
        if let (Some(Value::Number(n)), true) = (map.get("is_enabled"), v < r.bool_before) {
            let on = n.as_i64() != Some(0);
            map.insert("is_enabled".into(), Value::from(on));
        }
        // 2025 lists fill `last_datetime` from `datetime` (a bug of theirs).
        if list && v == 2025 && r.list_copies_datetime && map.contains_key("last_datetime") {
            let created = map.get("datetime").cloned().unwrap_or(Value::Null);
            map.insert("last_datetime".into(), created);
        }
    }
    out
}

/// Every id list inside `value` (`*_ids`, `is_ok`, `notifications`, …) as PHP writes an array
/// with gaps: `[3, 4]` as `{"1": 3, "3": 4}`.
fn gap(value: &mut Value) {
    let Value::Object(map) = value else { return };
    for (key, v) in map.iter_mut() {
        let ids = key.ends_with("_ids")
            || [
                "is_ok",
                "notifications",
                "whois_notifications",
                "ssl_notifications",
            ]
            .contains(&key.as_str());
        match v {
            Value::Array(items) if ids && !items.is_empty() && items.iter().all(Value::is_i64) => {
                let by_index = items
                    .iter()
                    .enumerate()
                    .map(|(i, id)| ((2 * i + 1).to_string(), id.clone()));
                *v = Value::Object(by_index.collect());
            }
            Value::Object(_) => gap(v),
            _ => {}
        }
    }
}

/// A union's object as this version answers it: with its variant's constant keys and
/// confirmation flag; as JSON text in one version, an empty one as PHP's empty array.
fn union_answer(v: u16, u: &Union, map: &mut Map<String, Value>) {
    let kind = map.get(u.tag).and_then(Value::as_str).unwrap_or_default();
    let kind = kind.to_owned();
    let waiting = map.get("is_enabled").is_some_and(|e| *e == 2);
    let Some(Value::Object(object)) = map.get_mut(u.at) else {
        return;
    };
    for (_, key) in u.constants.iter().filter(|(variant, _)| *variant == kind) {
        object.insert((*key).into(), Value::from(""));
    }
    if let Some(c) = u
        .confirm
        .iter()
        .find(|c| c.variant == kind && v >= c.flag_since)
    {
        object.insert(c.flag.into(), Value::from(u8::from(!waiting)));
    }
    let answer = match object.is_empty() {
        true => json!([]),
        false => Value::Object(std::mem::take(object)),
    };
    let answer = match v == u.text_in {
        true => Value::from(answer.to_string()),
        false => answer,
    };
    map.insert(u.at.into(), answer);
}

/// `GET /path`.
pub(super) fn list(state: &State, r: &'static Resource, query: &str) -> Response {
    let params = params(query);
    let param = |name: &str| Some(params.get(name)?.as_str()).filter(|v| !v.is_empty());
    let store = lock(&state.store);
    let empty = Records::default();
    let records = store.records.get(r.path).unwrap_or(&empty);
    let mut rows: Vec<(&u64, &Value)> = records.rows.iter().collect();
    if version(state.config.profile) >= r.filters_since {
        for filter in r.filters {
            if let Some(wanted) = param(filter) {
                rows.retain(|(_, row)| scalar_text(&row[*filter]).as_deref() == Some(wanted));
            }
        }
        let by = params.get("search_by").map(String::as_str);
        if let (Some(text), Some(by)) = (param("search"), by.or(r.search_by_default)) {
            if r.search_by.contains(&by) {
                let text = text.to_lowercase();
                rows.retain(|(_, row)| {
                    scalar_text(&row[by]).is_some_and(|v| v.to_lowercase().contains(&text))
                });
            }
        }
        if let Some(key) = param("order_by").filter(|k| r.order_by.contains(k)) {
            rows.sort_by_key(|(_, row)| scalar_text(&row[key]).unwrap_or_default());
        }
        if param("order_type") == Some("DESC") {
            rows.reverse();
        }
    }
    let render = |(id, row): (&u64, &Value)| render(state, r, row, true, records.as_given(r, *id));
    paged(
        state,
        r.path,
        rows,
        render,
        (param("page"), param("results_per_page")),
    )
}

/// A query string's parameters (the last of each name).
fn params(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(u8::from(*b).to_string()),
        _ => None,
    }
}

/// `GET /user`: the key's user, as this profile's server describes it.
pub(super) fn single(state: &State, r: &'static Resource) -> Response {
    let mut store = lock(&state.store);
    let rows = store.records.entry(r.path).or_default();
    if rows.rows.is_empty() {
        rows.seed(user(state.config.profile));
    }
    let first = rows.rows.keys().next().copied();
    data(first.and_then(|id| rows.answer(state, r, id, false)))
}

/// `{data}` with the record, or the JSON 404 without one.
fn data(row: Option<Value>) -> Response {
    row.map_or_else(not_found, |row| {
        ok_json(StatusCode::OK, json!({ "data": row }))
    })
}

/// The fake's user, with the fields this profile's server sends (API-SURFACE §3.13).
fn user(profile: super::Profile) -> Value {
    let plan = json!({"monitors_limit": -1, "heartbeats_limit": -1, "api_is_enabled": true,
                      "monitors_check_intervals": [60, 300, 3600]});
    if version(profile) < 2026 {
        return json!({
            "id": 1, "email": "owner@example.com", "billing": {}, "is_enabled": true,
            "plan_id": "free", "plan_expiration_date": "2030-01-01 00:00:00",
            "plan_settings": plan, "plan_trial_done": false, "language": "english",
            "timezone": "UTC", "country": null, "datetime": "2024-01-01 00:00:00",
            "last_activity": "2026-01-01 00:00:00", "total_logins": 3
        });
    }
    json!({
        "id": 1, "name": "Owner", "email": "owner@example.com", "language": "english",
        "timezone": "UTC", "anti_phishing_code": false, "is_broadcast_subscribed": true,
        "billing": {}, "status": true, "plan_id": "free",
        "plan_expiration_date": "2030-01-01 00:00:00", "plan_settings": plan,
        "plan_trial_done": false, "payment_processor": null, "payment_total_amount": null,
        "payment_currency": null, "payment_subscription_id": null, "source": "direct",
        "ip": "192.0.2.1", "latitude": null, "longitude": null, "continent_code": null,
        "country": null, "city_name": null, "os_name": null, "browser_name": null,
        "browser_language": null, "device_type": null, "api_key": "redacted-by-the-fake",
        "referral_key": "abc", "referred_by": null, "last_activity": "2026-01-01 00:00:00",
        "total_logins": 3, "datetime": "2024-01-01 00:00:00", "next_cleanup_datetime": null
    })
}

/// `GET /team-members/{team_id}`: every member of the team, one page without links.
pub(super) fn children(state: &State, r: &'static Resource, field: &str, parent: u64) -> Response {
    let store = lock(&state.store);
    let rows: Vec<Value> = store
        .records
        .get(r.path)
        .map(|records| {
            records
                .rows
                .iter()
                .filter(|(_, row)| row[field].as_u64() == Some(parent))
                .filter_map(|(id, _)| records.answer(state, r, *id, true))
                .collect()
        })
        .unwrap_or_default();
    let total = rows.len();
    let mut meta = json!({"page": 1, "total_pages": 1, "results_per_page": -1});
    match state.config.profile {
        super::Profile::Document => meta["total"] = Value::from(total),
        _ => meta["total_results"] = Value::from(total),
    }
    ok_json(StatusCode::OK, json!({"data": rows, "meta": meta}))
}

/// `GET /statistics/{status_page_id}`: rows shaped by `type` (no meta); a status page that
/// does not exist is a JSON 404.
pub(super) fn statistics(state: &State, status_page_id: u64, query: &str) -> Response {
    let exists = lock(&state.store)
        .records
        .get("status-pages")
        .is_some_and(|pages| pages.rows.contains_key(&status_page_id));
    if !exists {
        return not_found();
    }
    let params = params(query);
    let kind = params.get("type").map_or("overview", String::as_str);
    let rows = match kind {
        "referrer_path" => {
            json!([{"referrer_host": "example.com", "referrer_path": "/", "pageviews": 5}])
        }
        "city_name" => {
            json!([{"country_code": "DE", "country_name": "Germany", "city_name": "Berlin", "pageviews": 4}])
        }
        "utm_medium" => json!([{"utm_source": "news", "utm_medium": "email", "pageviews": 2}]),
        "utm_campaign" => {
            json!([{"utm_source": "news", "utm_medium": "email", "utm_campaign": "launch", "pageviews": 2}])
        }
        "referrer_host" | "country_code" | "os_name" | "browser_name" | "device_type"
        | "browser_language" | "utm_source" => {
            json!([{kind: "example", "pageviews": 7}, {kind: null, "pageviews": 1}])
        }
        // Unknown types fall back to the overview, as the servers do.
        _ => json!([{"pageviews": 12, "visitors": 5, "formatted_date": "2026-01-01"}]),
    };
    data(Some(rows))
}

/// `GET /path/{id}`.
pub(super) fn get(state: &State, r: &'static Resource, id: u64) -> Response {
    let store = lock(&state.store);
    let rows = store.records.get(r.path);
    data(rows.and_then(|rows| rows.answer(state, r, id, false)))
}

/// `POST /path`.
pub(super) fn create(state: &State, r: &'static Resource, fields: &[(String, String)]) -> Response {
    let missing = |name: &&str| last(fields, name).is_none_or(|v| v.trim().is_empty());
    if r.required.iter().any(missing) {
        return ValidationError::Required.answer();
    }
    if let Err(e) = check(r, fields) {
        return e.answer();
    }
    // A union's tag is required too (after the fields' own checks).
    if r.union.as_ref().is_some_and(|u| missing(&u.tag)) {
        return ValidationError::Required.answer();
    }
    let mut store = lock(&state.store);
    if r.path == "team-members" {
        let team = last(fields, "team_id").map(php_int).unwrap_or(0);
        let teams = store.records.get("teams");
        if !teams.is_some_and(|t| t.rows.contains_key(&(team as u64))) {
            return not_found();
        }
        let email = last(fields, "user_email").unwrap_or_default().trim();
        let members = store.records.get("team-members");
        let taken = members.is_some_and(|m| {
            m.rows
                .values()
                .any(|row| row["team_id"] == team && row["user_email"] == email)
        });
        if taken || !email.contains('@') {
            return ValidationError::Invalid("user_email").answer();
        }
    }
    let records = store.records.entry(r.path).or_default();
    if state
        .config
        .plan_limits
        .get(r.path)
        .is_some_and(|limit| records.len() >= *limit)
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "You cannot add more resources of this kind on your plan.",
        );
    }
    let id = records.insert(new_record(state, r, fields));
    if r.path == "heartbeats" {
        if let Some(row) = records.rows.get_mut(&id) {
            row["code"] = Value::from(format!("{:032x}", 0x5eed_u128 * 1_000_003 + u128::from(id)));
        }
    }
    let row = records.rows.get(&id).cloned().unwrap_or_default();
    sync_team(&mut store, r, &row);
    saved(state, r, StatusCode::CREATED, id, &row, false)
}

/// A new record written from a create form (it gets its id when stored).
fn new_record(state: &State, r: &Resource, fields: &[(String, String)]) -> Value {
    let fields: Vec<(String, String)> = fields
        .iter()
        .filter(|(name, _)| !r.update_only.contains(&name.as_str()))
        .cloned()
        .collect();
    let mut record = (r.defaults)(state.config.profile);
    record["datetime"] = Value::from(now());
    apply(state, r, &mut record, &fields, &Write::New);
    record
}

/// Stores `count` records written from the create forms `form(id)` gives, without requests.
pub(super) fn seed(
    state: &State,
    r: &Resource,
    count: usize,
    form: impl Fn(u64) -> Vec<(String, String)>,
) {
    let mut store = lock(&state.store);
    let rows = store.records.entry(r.path).or_default();
    for _ in 0..count {
        let record = new_record(state, r, &form(rows.next_id.max(1)));
        rows.insert(record);
    }
}

/// A team lists its members (`team_members`): after a member changes, the team's list is
/// rebuilt from the members.
fn sync_team(store: &mut Store, r: &Resource, member: &Value) {
    let (true, Some(team)) = (r.path == "team-members", member["team_id"].as_u64()) else {
        return;
    };
    let summary: Vec<Value> = store
        .records
        .get("team-members")
        .map(|m| {
            m.rows
                .values()
                .filter(|row| row["team_id"] == team)
                .map(|row| {
                    json!({"team_member_id": row["id"], "user_email": row["user_email"],
                           "access": row["access"], "status": row["status"],
                           "datetime": row["datetime"], "last_datetime": row["last_datetime"]})
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(row) = store
        .records
        .get_mut("teams")
        .and_then(|t| t.rows.get_mut(&team))
    {
        row["team_members"] = Value::from(summary);
    }
}

/// `POST /path/{id}`.
pub(super) fn update(
    state: &State,
    r: &'static Resource,
    id: u64,
    fields: &[(String, String)],
) -> Response {
    let mut store = lock(&state.store);
    let Some(rows) = store.records.get_mut(r.path) else {
        return not_found();
    };
    let as_given = rows.as_given(r, id);
    let Some(row) = rows.rows.get_mut(&id).filter(|row| row.is_object()) else {
        return not_found();
    };
    if let Err(e) = check(r, fields) {
        return e.answer();
    }
    let blank = |name: &&str| last(fields, name).is_some_and(|v| v.trim().is_empty());
    if r.required.iter().any(blank) {
        return ValidationError::Required.answer();
    }
    let mut fields = fields.to_vec();
    let write = if as_given {
        Write::Foreign
    } else {
        for (form, profiles, text) in r.reset_when_omitted {
            if profiles.contains(&state.config.profile) && values(&fields, form).next().is_none() {
                fields.push(((*form).into(), (*text).into()));
            }
        }
        Write::Over(row.clone())
    };
    apply(state, r, row, &fields, &write);
    if r.stamps_updates {
        row["last_datetime"] = Value::from(now());
    }
    let row = row.clone();
    if r.path == "team-members" {
        // Their update sets the access of every member of the team (a bug of theirs).
        for member in rows.rows.values_mut() {
            if member["team_id"] == row["team_id"] {
                member["access"] = row["access"].clone();
            }
        }
        sync_team(&mut store, r, &row);
    }
    saved(state, r, StatusCode::OK, id, &row, as_given)
}

/// `DELETE /path/{id}`: `200`, empty.
pub(super) fn delete(state: &State, r: &'static Resource, id: u64) -> Response {
    let mut store = lock(&state.store);
    let removed = store.records.get_mut(r.path).and_then(|rows| {
        rows.seeded.remove(&id);
        rows.rows.remove(&id)
    });
    match removed {
        Some(row) => {
            sync_team(&mut store, r, &row);
            state.deleted()
        }
        None => not_found(),
    }
}

/// `GET|POST /webhook-heartbeat/{code}`: no key; `200` empty, `403` for a disabled heartbeat
/// or a second ping within 60 seconds, `401` for an unknown code.
pub(super) fn ping(state: &State, code: &str) -> Response {
    let mut store = lock(&state.store);
    let heartbeat = store
        .records
        .get_mut("heartbeats")
        .and_then(|rows| rows.rows.values_mut().find(|row| row["code"] == code));
    let Some(row) = heartbeat else {
        return error(StatusCode::UNAUTHORIZED, "The heartbeat does not exist.");
    };
    if row["is_enabled"].as_i64() == Some(0) || row["is_enabled"] == false {
        return error(StatusCode::FORBIDDEN, "The heartbeat is disabled.");
    }
    let at = now();
    let recent = row["last_run_datetime"]
        .as_str()
        .and_then(|last| chrono::NaiveDateTime::parse_from_str(last, "%Y-%m-%d %H:%M:%S").ok())
        .is_some_and(|last| chrono::Utc::now().naive_utc() - last < chrono::Duration::seconds(60));
    if recent {
        return error(
            StatusCode::FORBIDDEN,
            "The heartbeat was pinged less than a minute ago.",
        );
    }
    row["last_run_datetime"] = Value::from(at);
    row["total_runs"] = Value::from(row["total_runs"].as_i64().unwrap_or(0) + 1);
    row["is_ok"] = Value::from(1);
    StatusCode::OK.into_response()
}

/// The answer to create and update: `{id}`, or the whole record on servers that send it.
fn saved(
    state: &State,
    r: &Resource,
    status: StatusCode,
    id: u64,
    row: &Value,
    as_given: bool,
) -> Response {
    let data = if version(state.config.profile) >= r.whole_answers_since {
        let mut data = render(state, r, row, false, as_given);
        // Game servers answer from what was just written: no project is `null`, and a new
        // server's details are PHP's empty array.
        if r.path == "game-servers" {
            if data["project_id"] == 0 {
                data["project_id"] = Value::Null;
            }
            if status == StatusCode::CREATED {
                data["details"] = json!([]);
            }
        }
        data
    } else {
        json!({ "id": id })
    };
    ok_json(status, json!({ "data": data }))
}

/// Every value sent for `name`, in order.
fn values<'a>(fields: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The last value sent for `name` (the one PHP reads).
fn last<'a>(fields: &'a [(String, String)], name: &'a str) -> Option<&'a str> {
    values(fields, name).last()
}

/// Refuses a value the server does not accept.
fn check(r: &Resource, fields: &[(String, String)]) -> Result<(), ValidationError> {
    for field in r.fields {
        let Some(value) = last(fields, field.form) else {
            continue;
        };
        if !field.allowed.is_empty() && !field.allowed.contains(&value.trim()) {
            return Err(ValidationError::Invalid(field.form));
        }
        if let Some((fewest, most)) = field.chars {
            match clean(value).chars().count() {
                n if n < fewest => return Err(ValidationError::Required),
                n if n > most => return Err(ValidationError::TooLong(field.form, most)),
                _ => {}
            }
        }
    }
    if r.path == "monitors" {
        let kind = last(fields, "type").unwrap_or("website");
        if let Some(target) = last(fields, "target") {
            let url = target.trim().starts_with("http://") || target.trim().starts_with("https://");
            if kind == "website" && !url {
                return Err(ValidationError::Invalid("target"));
            }
        }
    }
    Ok(())
}

/// What a form is written over.
enum Write {
    /// A new record.
    New,
    /// A stored record, as it was before this update.
    Over(Value),
    /// A record seeded as given: only what the form sends is written.
    Foreign,
}

/// Stores what the form sends.
fn apply(
    state: &State,
    r: &Resource,
    record: &mut Value,
    fields: &[(String, String)],
    write: &Write,
) {
    for field in r.fields.iter().filter(|f| !f.at.is_empty()) {
        let Some(text) = last(fields, field.form) else {
            continue;
        };
        let sent = values(fields, field.form);
        let value = match field.ty {
            Ty::Text => Value::from(clean(text)),
            Ty::Lower => Value::from(clean(text).to_lowercase()),
            Ty::Access => access(sent),
            Ty::Int => Value::from(php_int(text)),
            Ty::Bool => Value::from(php_bool(text)),
            Ty::Ints => Value::from(sent.map(php_int).collect::<Vec<_>>()),
            Ty::Texts => Value::from(sent.map(clean).collect::<Vec<_>>()),
            Ty::Codes => codes(state, text),
            Ty::Switch => Value::from(i64::from(text.trim().parse::<i64>().is_ok_and(|n| n != 0))),
        };
        let at = match field.at.ends_with('.') {
            true => format!("{}{}", field.at, field.form.trim_end_matches("[]")),
            false => field.at.to_owned(),
        };
        set(record, &at, value);
    }
    for zip in r.zips {
        let columns: Vec<Vec<&str>> = zip
            .forms
            .iter()
            .map(|f| values(fields, f).collect())
            .collect();
        if columns.iter().all(Vec::is_empty) {
            continue;
        }
        let rows: Vec<Value> = (0..columns[0].len())
            .filter(|i| !columns[0][*i].trim().is_empty())
            .map(|i| {
                let row: Map<String, Value> = zip
                    .keys
                    .iter()
                    .zip(&columns)
                    .map(|(key, column)| {
                        let cell = column.get(i).copied().unwrap_or_default();
                        ((*key).to_owned(), Value::from(clean(cell)))
                    })
                    .collect();
                Value::Object(row)
            })
            .collect();
        set(record, zip.at, Value::from(rows));
    }
    if let Some(u) = &r.union {
        apply_union(state, u, record, fields, write);
    }
}

/// Stores the union's tag and its variant's object from the form, then what waits for a
/// confirmation.
fn apply_union(
    state: &State,
    u: &Union,
    record: &mut Value,
    fields: &[(String, String)],
    write: &Write,
) {
    let sent = last(fields, u.tag);
    let before = match write {
        Write::Over(before) => before,
        Write::Foreign if sent.is_none() => return,
        Write::New | Write::Foreign => &Value::Null,
    };
    if let Some(tag) = sent {
        let tag = clean(tag);
        let known = u.variants.iter().find(|(variant, _)| *variant == tag);
        record[u.tag] = known.map_or(Value::Null, |(variant, _)| Value::from(*variant));
    }
    let unchanged = before[u.tag] == record[u.tag];
    let mut object = Map::new();
    match u
        .variants
        .iter()
        .find(|(variant, _)| record[u.tag] == *variant)
    {
        Some((_, keys)) => {
            for key in *keys {
                let value = match last(fields, key) {
                    Some(value) => Value::from(clean(value)),
                    None if unchanged && !before[u.at][*key].is_null() => {
                        before[u.at][*key].clone()
                    }
                    None => Value::from(""),
                };
                object.insert((*key).into(), value);
            }
        }
        None if sent.is_some()
            && matches!(write, Write::Over(_))
            && version(state.config.profile) >= u.unsupported_update_since =>
        {
            object.insert(String::new(), Value::from(""));
        }
        None => {}
    }
    record[u.at] = Value::Object(object);
    if let (Some(c), false) = (&u.confirm, matches!(write, Write::Foreign)) {
        confirm(state, c, u, before, record);
    }
}

/// From the confirmation's version: a waiting record stays waiting, and one on whose address
/// is new (created, or changed) waits.
fn confirm(state: &State, c: &Confirm, u: &Union, before: &Value, record: &mut Value) {
    if version(state.config.profile) < c.since {
        return;
    }
    let new_address = record[u.tag] == c.variant
        && (before[u.tag] != c.variant || before[u.at][c.field] != record[u.at][c.field]);
    if before["is_enabled"] == 2 || (new_address && record["is_enabled"] != 0) {
        record["is_enabled"] = Value::from(2);
    }
}

fn set(record: &mut Value, path: &str, value: Value) {
    let mut target = record;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        if !target.is_object() {
            *target = Value::Object(Map::new());
        }
        if keys.peek().is_none() {
            target[key] = value;
            return;
        }
        target = &mut target[key];
    }
}

/// A team member's access: the keys sent, each `true`, and `read.all` always.
fn access<'a>(keys: impl Iterator<Item = &'a str>) -> Value {
    let mut map = Map::new();
    map.insert("read.all".into(), Value::Bool(true));
    for key in keys {
        map.insert(clean(key), Value::Bool(true));
    }
    Value::Object(map)
}

/// PHP's `(int)` of a string: its leading integer, else 0.
fn php_int(text: &str) -> i64 {
    let text = text.trim();
    let end = text
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    text[..end].parse().unwrap_or(0)
}

/// PHP's `(int)(bool)` of a string: `""` and `"0"` are false, anything else true.
fn php_bool(text: &str) -> i64 {
    i64::from(!(text.is_empty() || text == "0"))
}

fn codes(state: &State, text: &str) -> Value {
    let code = |text| Some(php_int(text)).filter(|code| (0..=1000).contains(code));
    if version(state.config.profile) < 2025 {
        return Value::from(code(text).unwrap_or(0));
    }
    let mut out: Vec<i64> = Vec::new();
    for code in text.split(',').map(|text| code(text).unwrap_or(200)) {
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Value::from(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn php_casts() {
        assert_eq!(super::php_int(" 12abc"), 12);
        assert_eq!(super::php_int("-3"), -3);
        assert_eq!(super::php_int("abc"), 0);
        assert_eq!(super::php_bool("false"), 1);
        assert_eq!(super::php_bool("0"), 0);
    }
}
