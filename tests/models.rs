//! Generated models are as typed as the spec: nested objects are structs, enums keep values
//! they do not list as `Unknown`, id lists read every shape PHP writes; each field is read on
//! its own (any one nested value replaced by any JSON value costs only that value).

use bitpeak::record::FromRecord;
use bitpeak::resources::{
    DnsMonitor, DomainName, Heartbeat, IntervalUnit, Monitor, MonitorType, RequestMethod,
    ServerAlertMetric, ServerMonitor, StatusPage, Team, User,
};
use bitpeak::wire::RawRecord;
use proptest::prelude::*;
use serde_json::{json, Value};

fn read<T: FromRecord>(record: &Value) -> T {
    let raw = RawRecord::of(record).unwrap();
    T::from_record(raw).unwrap_or_else(|e| panic!("{record}: {e}"))
}

/// A monitor as a 2025 server writes it.
fn monitor() -> Value {
    json!({
        "id": 12, "user_id": 3, "project_id": 4, "name": "Checkout", "type": "website",
        "target": "https://shop.example.com/checkout", "port": 0,
        "settings": {
            "check_interval_seconds": 60, "timeout_seconds": 5, "request_method": "GET",
            "request_body": "", "request_basic_auth_username": "ops",
            "request_basic_auth_password": "hunter2",
            "request_headers": [{"name": "X-Token", "value": "abc"}],
            "response_status_code": [200, 204], "response_body": "", "response_headers": [],
            "cache_buster_is_enabled": 0, "verify_ssl_is_enabled": 1, "ping_ipv": "ipv4",
            "follow_redirects": 1
        },
        "ping_servers_ids": [1, 3], "is_ok": 1, "uptime": 99.95, "downtime": 0.05,
        "average_response_time": 212.7, "total_checks": 1440, "total_ok_checks": 1439,
        "total_not_ok_checks": 1, "last_check_datetime": "2025-06-01 12:00:00",
        "notifications": {"is_ok": [7, 9]}, "is_enabled": true,
        "datetime": "2025-05-01 09:00:00", "last_datetime": "2025-05-20 10:00:00"
    })
}

fn with(mut record: Value, key: &str, value: Value) -> Value {
    record[key] = value;
    record
}

#[test]
fn a_monitor_reads_as_nested_typed_values() {
    let m: Monitor = read(&monitor());
    assert_eq!(m.kind, Some(MonitorType::Website));
    assert_eq!(m.ping_servers_ids, Some(vec![1, 3]));
    let settings = m.settings.as_ref().unwrap();
    assert_eq!(settings.check_interval_seconds, Some(60));
    assert_eq!(settings.request_method, Some(RequestMethod::Get));
    assert_eq!(settings.response_status_code, Some(vec![200, 204]));
    let headers = settings.request_headers.as_ref().unwrap();
    assert_eq!(
        (headers[0].name.as_deref(), headers[0].value.as_deref()),
        (Some("X-Token"), Some("abc"))
    );
    assert_eq!(m.notifications.unwrap().is_ok, Some(vec![7, 9]));
}

#[test]
fn php_arrays_with_gaps_json_text_and_empties_read_as_lists() {
    let cases = [
        (json!({"1": 1, "3": 4}), Some(vec![1, 4])),
        // Keys in integer order, whatever the document order.
        (json!({"10": 5, "2": 6}), Some(vec![6, 5])),
        (json!("[2, 3]"), Some(vec![2, 3])),
        (json!("{\"0\": 8}"), Some(vec![8])),
        (json!(["5", 6]), Some(vec![5, 6])),
        (json!(7), Some(vec![7])),
        (json!([]), Some(vec![])),
        (json!(null), Some(vec![])),
        (json!(""), Some(vec![])),
        (json!({}), Some(vec![])),
        (json!([1, "x"]), None),
        (json!({"a": {}}), None),
        (json!("x"), None),
        (json!(true), None),
    ];
    for (value, expected) in cases {
        let m: Monitor = read(&with(monitor(), "ping_servers_ids", value.clone()));
        assert_eq!(m.ping_servers_ids, expected, "{value}");
        let notifications = with(monitor(), "notifications", json!({"is_ok": value.clone()}));
        let m: Monitor = read(&notifications);
        assert_eq!(m.notifications.unwrap().is_ok, expected, "{value}");
    }
}

#[test]
fn nested_objects_read_from_json_text_and_empty_columns() {
    let encoded = with(monitor(), "settings", json!("{\"timeout_seconds\": 10}"));
    let m: Monitor = read(&encoded);
    assert_eq!(m.settings.unwrap().timeout_seconds, Some(10));
    for empty in [json!([]), json!(null), json!(""), json!("[]"), json!({})] {
        let m: Monitor = read(&with(monitor(), "settings", empty.clone()));
        let settings = m.settings.unwrap();
        assert_eq!(settings.check_interval_seconds, None, "{empty}");
        assert!(settings.other().is_empty(), "{empty}");
    }
    for odd in [json!(3), json!([1]), json!("not json"), json!(true)] {
        let m: Monitor = read(&with(monitor(), "settings", odd.clone()));
        assert_eq!((m.id, m.settings.is_none()), (12, true), "{odd}");
        assert_eq!(m.name.as_deref(), Some("Checkout"), "{odd}");
    }
}

#[test]
fn unknown_enum_values_are_kept_and_serialised_as_sent() {
    let mut record = monitor();
    record["type"] = json!("dns");
    record["settings"]["request_method"] = json!("OPTIONS");
    let m: Monitor = read(&record);
    assert_eq!(m.kind, Some(MonitorType::Unknown("dns".to_owned())));
    assert_eq!(
        m.settings.as_ref().unwrap().request_method,
        Some(RequestMethod::Unknown("OPTIONS".to_owned()))
    );
    let shown = serde_json::to_value(&m).unwrap();
    assert_eq!(
        (&shown["type"], &shown["settings"]["request_method"]),
        (&json!("dns"), &json!("OPTIONS"))
    );
    // A number where text is expected is read as its text; an object is no value.
    record["type"] = json!(5);
    assert_eq!(
        read::<Monitor>(&record).kind,
        Some(MonitorType::Unknown("5".into()))
    );
    record["type"] = json!({});
    assert_eq!(read::<Monitor>(&record).kind, None);
    // Parsing text (forms, the command line) accepts only listed values.
    assert!("website".parse::<MonitorType>().is_ok() && "dns".parse::<MonitorType>().is_err());
}

#[test]
fn nested_keys_the_spec_does_not_name_are_kept() {
    let mut record = monitor();
    record["settings"]["new_key"] = json!({"a": 1});
    record["notifications"]["twilio"] = json!(true);
    let m: Monitor = read(&record);
    assert_eq!(
        m.settings.as_ref().unwrap().other()["new_key"],
        json!({"a": 1})
    );
    assert_eq!(
        m.notifications.as_ref().unwrap().other()["twilio"],
        json!(true)
    );
    let shown = serde_json::to_value(&m).unwrap();
    assert_eq!(shown["settings"]["new_key"], json!({"a": 1}));
    assert_eq!(
        shown["notifications"],
        json!({"is_ok": [7, 9], "twilio": true})
    );
}

#[test]
fn nested_secrets_are_redacted_from_debug() {
    let m: Monitor = read(&monitor());
    let shown = format!("{m:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("request_basic_auth_password: Some(\"<redacted>\")"),
        "{shown}"
    );
    assert!(
        shown.contains("request_basic_auth_username: Some(\"ops\")"),
        "{shown}"
    );
}

#[test]
fn every_resource_types_its_nested_values() {
    let beat: Heartbeat = read(&json!({"id": 2, "settings": {"run_interval": 5,
        "run_interval_type": "minutes", "run_interval_grace": 1, "run_interval_grace_type": "fortnights"}}));
    let s = beat.settings.unwrap();
    assert_eq!(
        (s.run_interval_type, s.run_interval_grace_type),
        (
            Some(IntervalUnit::Minutes),
            Some(IntervalUnit::Unknown("fortnights".into()))
        )
    );
    let domain: DomainName = read(&json!({"id": 3,
        "whois": {"end_datetime": "2027-01-02 03:04:05", "nameservers": ["a.example"]},
        "ssl_notifications": {"ssl_notifications": {"2": 5}, "ssl_notifications_timing": "7"}}));
    let whois = domain.whois.unwrap();
    assert_eq!(
        whois.end_datetime.map(|d| d.to_rfc3339()).as_deref(),
        Some("2027-01-02T03:04:05+00:00")
    );
    assert_eq!(whois.nameservers, Some(vec!["a.example".to_owned()]));
    let ssl = domain.ssl_notifications.unwrap();
    assert_eq!(
        (ssl.ssl_notifications, ssl.ssl_notifications_timing),
        (Some(vec![5]), Some(7))
    );
    let dns: DnsMonitor = read(&json!({"id": 4, "notifications": {"0": 7},
        "dns": {"MX": [{"host": "example.com", "pri": 10, "target": "mx.example.com"}], "AAAA": []}}));
    let records = dns.dns.unwrap();
    assert_eq!((records["MX"][0].pri, records["AAAA"].len()), (Some(10), 0));
    assert_eq!(dns.notifications, Some(vec![7]));
    // Alerts written by an update that removed a middle one: an object keyed by index.
    let server: ServerMonitor = read(&json!({"id": 5, "settings": {"alerts": {
        "0": {"metric": "cpu_usage", "rule": "is_higher", "value": "90", "trigger": 3},
        "2": {"metric": "gpu_usage", "rule": "is_lower", "value": 10, "trigger": "1"}}}}));
    let alerts = server.settings.unwrap().alerts.unwrap();
    assert_eq!(
        alerts
            .iter()
            .map(|a| (a.metric.clone(), a.value))
            .collect::<Vec<_>>(),
        [
            (Some(ServerAlertMetric::CpuUsage), Some(90)),
            (
                Some(ServerAlertMetric::Unknown("gpu_usage".into())),
                Some(10)
            )
        ]
    );
    let page: StatusPage = read(&json!({"id": 6, "monitors_ids": "[1,2]", "heartbeats_ids": null}));
    assert_eq!(
        (page.monitors_ids, page.heartbeats_ids),
        (Some(vec![1, 2]), Some(vec![]))
    );
    let team: Team = read(&json!({"id": 7, "team_members": [{"team_member_id": 5,
        "user_email": "ana@example.com", "access": {"read.all": true, "create.monitors": 0}, "status": 1}]}));
    let member = &team.team_members.unwrap()[0];
    let access = member.access.clone().unwrap();
    assert_eq!(
        (
            member.team_member_id,
            access["read.all"],
            access["create.monitors"]
        ),
        (Some(5), true, false)
    );
    let user: User = read(
        &json!({"id": 1, "billing": {"name": "Jane", "vat": "X"}, "plan_settings": {"monitors_limit": -1}}),
    );
    let billing = user.billing.unwrap();
    assert_eq!(
        (billing.name.as_deref(), &billing.other()["vat"]),
        (Some("Jane"), &json!("X"))
    );
    assert_eq!(user.plan_settings.unwrap()["monitors_limit"], -1);
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
        prop_oneof![
            Just(json!("")),
            Just(json!("[]")),
            Just(json!("{\"1\":2}")),
            Just(json!("2025-12-05 14:29:14"))
        ],
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z0-9_]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path to a value inside `value` (object keys and array indices), the root excluded.
fn paths(value: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    let children: Vec<(Value, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (json!(k), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (json!(i), v))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        let mut path = at.clone();
        path.push(step);
        out.push(path.clone());
        paths(child, path, out);
    }
}

fn replace(record: &mut Value, path: &[Value], new: Value) {
    let mut at = record;
    for step in path {
        at = match step {
            Value::String(key) => &mut at[key.as_str()],
            Value::Number(i) => &mut at[i.as_u64().unwrap() as usize],
            _ => unreachable!(),
        };
    }
    *at = new;
}

/// One real-shaped record of each resource with nested values, and how to read it as JSON of
/// its model (the model's own serialisation, so every typed field is compared).
/// A record, and its model's JSON.
type Shown = fn(&Value) -> Value;

fn nested_records() -> Vec<(Value, Shown)> {
    fn shown<T: FromRecord + serde::Serialize>(record: &Value) -> Value {
        serde_json::to_value(read::<T>(record)).unwrap()
    }
    vec![
        (monitor(), shown::<Monitor>),
        (
            json!({"id": 2, "name": "Backup", "code": "abc", "settings": {"run_interval": 5,
                "run_interval_type": "minutes", "run_interval_grace": 1, "run_interval_grace_type": "hours"},
                "notifications": {"is_ok": [1, 2]}, "is_enabled": 1}),
            shown::<Heartbeat>,
        ),
        (
            json!({"id": 3, "target": "example.com",
                "whois": {"end_datetime": "2027-01-02 03:04:05", "nameservers": ["a", "b"]},
                "ssl": {"issuer_name": "CA", "end_datetime": "2027-01-01 00:00:00"},
                "whois_notifications": {"whois_notifications": [7], "whois_notifications_timing": "30"},
                "ssl_notifications": {"ssl_notifications": {"1": 7}, "ssl_notifications_timing": 7}}),
            shown::<DomainName>,
        ),
        (
            json!({"id": 4, "settings": {"dns_check_interval_seconds": 60, "dns_types": ["A", "MX"]},
                "dns": {"A": [{"host": "example.com", "ip": "192.0.2.1", "ttl": 300}], "MX": []},
                "notifications": [7]}),
            shown::<DnsMonitor>,
        ),
        (
            json!({"id": 5, "settings": {"server_check_interval_seconds": 60, "alerts": [
                {"metric": "cpu_usage", "rule": "is_higher", "value": "90", "trigger": 3}]},
                "notifications": [7]}),
            shown::<ServerMonitor>,
        ),
        (
            json!({"id": 6, "name": "Ops", "team_members": [{"team_member_id": 5,
                "user_email": "ana@example.com", "access": {"read.all": true}, "status": 1}]}),
            shown::<Team>,
        ),
        (
            json!({"id": 7, "monitors_ids": [1, 2], "heartbeats_ids": "[3]",
                "settings": {"title": "Status", "font_size": "14"}, "socials": {"twitter": "x"}}),
            shown::<StatusPage>,
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Any one value anywhere in a record of any resource (a nested one included) replaced by
    /// any JSON value: the record still reads, and every top-level field outside that path is
    /// as before.
    #[test]
    fn one_odd_nested_value_costs_only_its_field(
        which in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
        new in arb_json(),
    ) {
        let records = nested_records();
        let (base, shown) = which.get(&records);
        let mut all = Vec::new();
        paths(base, Vec::new(), &mut all);
        all.retain(|p| p[0] != "id");
        let path = pick.get(&all).clone();
        let mut record = base.clone();
        replace(&mut record, &path, new);
        let before = shown(base);
        let after = shown(&record);
        let touched = path[0].as_str().unwrap();
        for (key, value) in before.as_object().unwrap() {
            if key != touched {
                prop_assert_eq!(&after[key], value, "{} changed by {:?}", key, path);
            }
        }
    }
}
