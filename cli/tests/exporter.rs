//! `bitpeak exporter` against the fake server: the exposition parses with an independent
//! OpenMetrics parser (`openmetrics-parser`), every seeded record has its series with the
//! server's value, scrapes cost no API request, a failing API leaves the last values served,
//! odd records are counted (never shown, never costing the others), and label values from the
//! server cannot break the format.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bitpeak_fake::{FakeConfig, FakeServer, Fault, Profile};
use serde_json::{json, Value};

const KEY: &str = "exporter-key";

struct Fake {
    _rt: tokio::runtime::Runtime,
    server: FakeServer,
}

fn fake(config: FakeConfig) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FakeServer::start(config.key(KEY))).unwrap();
    Fake { _rt: rt, server }
}

/// A running exporter, stopped when dropped.
struct Exporter {
    child: Child,
    addr: String,
    /// Where its stderr goes.
    log: std::path::PathBuf,
}

impl Exporter {
    /// What it wrote to stderr so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn exporter(fake: &Fake, interval: u64) -> Exporter {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let log =
        std::env::temp_dir().join(format!("bitpeak-exporter-{}-{run}.log", std::process::id()));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("bitpeak"))
        .args(["exporter", "--listen", "127.0.0.1:0", "--retries", "0"])
        .args(["--interval", &interval.to_string()])
        .env("BITPEAK_BASE_URL", fake.server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env("BITPEAK_CONFIG", "/nonexistent/bitpeak-config.toml")
        .env_remove("BITPEAK_PROFILE")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("serving http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Exporter { child, addr, log }
}

/// `GET path` on the exporter: (status line, content type, body).
fn get(exporter: &Exporter, path: &str) -> (String, String, String) {
    let mut stream = std::net::TcpStream::connect(&exporter.addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        exporter.addr
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap().to_owned();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .unwrap_or_default()
        .to_owned();
    (status, content_type, body.to_owned())
}

type Samples = BTreeMap<(String, BTreeMap<String, String>), f64>;

/// The exposition, parsed by an OpenMetrics parser this crate does not write: each sample by
/// family name and labels (counters under their family name).
fn parse(text: &str) -> Samples {
    use openmetrics_parser::{OpenMetricsValue, ParseError};
    let exposition = openmetrics_parser::openmetrics::parse_openmetrics(text)
        .unwrap_or_else(|e: ParseError| panic!("not OpenMetrics: {e:?}\n{text}"));
    let mut samples = Samples::new();
    for (name, family) in exposition.families {
        for sample in family.iter_samples() {
            let labels = sample
                .get_labelset()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), unescape(v)))
                .collect();
            let value = match &sample.value {
                OpenMetricsValue::Gauge(n) | OpenMetricsValue::Unknown(n) => n.as_f64(),
                OpenMetricsValue::Counter(c) => c.value.as_f64(),
                other => panic!("unexpected {other:?}"),
            };
            samples.insert((name.clone(), labels), value);
        }
    }
    samples
}

/// A label value as written in the exposition (`\\`, `\"`, `\n` escaped; the parser keeps
/// them so), read.
fn unescape(written: &str) -> String {
    let mut value = String::new();
    let mut chars = written.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => value.push('\n'),
                Some(other) => value.push(other),
                None => panic!("a lone backslash ends {written:?}"),
            },
            (c, false) => value.push(c),
        }
    }
    value
}

fn scrape(exporter: &Exporter) -> Samples {
    let (status, content_type, body) = get(exporter, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let samples = parse(&body);
    if let Some(python) = std::env::var_os("BITPEAK_TEST_PYTHON") {
        // The same samples; values alike to the last bits (the parsers round differently).
        let python = parse_in_python(&python, &body);
        assert!(python.keys().eq(samples.keys()), "{python:?}\n{samples:?}");
        for ((key, a), b) in python.iter().zip(samples.values()) {
            assert!((a - b).abs() <= a.abs() * 1e-12, "{key:?}: {a} and {b}");
        }
    }
    samples
}

/// The exposition parsed by the Python `prometheus_client`'s OpenMetrics parser (where
/// `BITPEAK_TEST_PYTHON` names a Python that has it: `.ci/run`), counters under their
/// family name as [`parse`] gives them.
fn parse_in_python(python: &std::ffi::OsStr, text: &str) -> Samples {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
out = []
for family in parse(sys.stdin.read()):
    for s in family.samples:
        name = family.name if s.name == family.name + "_total" else s.name
        out.append([name, s.labels, s.value])
print(json.dumps(out))
"#;
    let mut child = Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the Python parser refused:\n{text}"
    );
    let samples: Vec<(String, BTreeMap<String, String>, f64)> =
        serde_json::from_slice(&output.stdout).unwrap();
    samples
        .into_iter()
        .map(|(name, labels, value)| ((name, labels), value))
        .collect()
}

/// The value of the sample of `name` with no labels.
fn one(samples: &Samples, name: &str) -> Option<f64> {
    samples.get(&(name.to_owned(), BTreeMap::new())).copied()
}

/// Scrapes until `done` holds (at most 30 s).
fn wait(exporter: &Exporter, done: impl Fn(&Samples) -> bool) -> Samples {
    let start = Instant::now();
    loop {
        let samples = scrape(exporter);
        if done(&samples) {
            return samples;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{samples:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn refreshed(n: f64) -> impl Fn(&Samples) -> bool {
    move |s| one(s, "bitpeak_exporter_refreshes").is_some_and(|r| r >= n)
}

/// The samples of `family` by their `id` label.
fn by_id(samples: &Samples, family: &str) -> BTreeMap<String, f64> {
    samples
        .iter()
        .filter(|((name, _), _)| name == family)
        .map(|((_, labels), v)| (labels["id"].clone(), *v))
        .collect()
}

fn labels_of(samples: &Samples, family: &str, id: &str) -> BTreeMap<String, String> {
    samples
        .keys()
        .find(|(name, labels)| name == family && labels["id"] == id)
        .map(|(_, labels)| labels.clone())
        .unwrap_or_else(|| panic!("no {family} #{id}"))
}

fn monitor(id: u64, name: &str, is_ok: u8) -> Value {
    json!({
        "id": id, "user_id": 1, "project_id": 1, "name": name, "type": "website",
        "target": format!("https://m{id}.example.com"), "is_ok": is_ok,
        "uptime": 99.5, "average_response_time": 250, "total_checks": 1000 + id,
        "last_check_datetime": "2026-06-01 12:00:00", "is_enabled": 1,
    })
}

/// A 2026 account: a project, monitors (some with hostile names), odd monitor records, and
/// one of each other resource.
fn seeded() -> Fake {
    let fake = fake(FakeConfig::new().profile(Profile::V2026));
    let s = &fake.server;
    s.seed_records(
        "projects",
        vec![json!({"id": 1, "name": "Web", "color": "#fff"})],
    );
    let mut monitors: Vec<Value> = (1..=20)
        .map(|id| monitor(id, &format!("Monitor {id}"), (id % 3 != 0) as u8))
        .collect();
    monitors.push(monitor(21, "Quote \" and \\ back", 1));
    monitors.push(monitor(22, "New\nline } # EOF", 0));
    monitors.push(monitor(23, "\u{1b}]0;pwned\u{7}\u{9b}2J", 1));
    monitors.push(monitor(24, &"x".repeat(300), 1));
    // What a real database may hold: records that cannot be a monitor at all.
    monitors.push(json!("not an object"));
    monitors.push(json!({"id": "x", "name": "bad id"}));
    monitors.push(json!({"name": "no id"}));
    s.seed_records("monitors", monitors);
    s.seed_records(
        "heartbeats",
        vec![
            json!({"id": 1, "name": "Nightly", "project_id": 1, "is_ok": 0, "uptime": 50,
            "total_missed_runs": 4, "last_run_datetime": "2026-06-01 00:00:00", "is_enabled": 1}),
        ],
    );
    s.seed_records(
        "domain-names",
        vec![
            json!({"id": 1, "name": "example.com", "target": "example.com", "project_id": 0,
            "whois": {"end_datetime": "2027-01-01 00:00:00"},
            "ssl": {"end_datetime": "2026-12-24 00:00:00"}, "is_enabled": 1}),
        ],
    );
    s.seed_records(
        "server-monitors",
        vec![
            json!({"id": 1, "name": "db", "target": "10.0.0.1", "project_id": 1,
            "cpu_usage": 42.5, "ram_usage": 80, "disk_usage": 12, "cpu_load_1": 0.42,
            "cpu_load_5": 0.37, "cpu_load_15": 0.31, "is_enabled": 1,
            "last_log_datetime": "2026-06-01 12:00:00"}),
        ],
    );
    s.seed_records(
        "game-servers",
        vec![
            json!({"id": 1, "name": "mc", "type": "minecraft", "target": "mc.example.com",
            "port": 25565, "online_players": 7, "maximum_online_players": 20, "uptime": 99,
            "is_enabled": 1}),
        ],
    );
    s.seed_records(
        "incidents",
        vec![
            json!({"id": 1, "monitor_id": 3, "start_datetime": "2026-06-01 10:00:00", "end_datetime": null}),
            json!({"id": 2, "monitor_id": 6, "start_datetime": "2026-06-01 11:00:00", "end_datetime": null}),
            json!({"id": 3, "heartbeat_id": 1, "start_datetime": "2026-05-01 10:00:00",
                "end_datetime": "2026-05-01 10:05:00"}),
        ],
    );
    fake
}

#[test]
fn every_record_has_its_series_with_the_servers_values_and_scrapes_cost_no_request() {
    let fake = seeded();
    let exporter = exporter(&fake, 3600);
    let samples = wait(&exporter, refreshed(1.0));
    assert_eq!(
        one(&samples, "bitpeak_exporter_last_refresh_success"),
        Some(1.0)
    );
    // Every readable monitor, with the server's is_ok.
    let up = by_id(&samples, "bitpeak_monitor_up");
    let expected: BTreeMap<String, f64> = (1..=24u64)
        .map(|id| {
            let ok = !matches!(id, 3 | 6 | 9 | 12 | 15 | 18 | 22);
            (id.to_string(), f64::from(u8::from(ok)))
        })
        .collect();
    assert_eq!(up, expected);
    let first = labels_of(&samples, "bitpeak_monitor_up", "1");
    let want: BTreeMap<String, String> = [
        ("id", "1"),
        ("name", "Monitor 1"),
        ("project", "Web"),
        ("type", "website"),
        ("target", "https://m1.example.com"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(first, want);
    // Server text cannot break the format or reach a terminal raw; long values are cut.
    let name = |id| labels_of(&samples, "bitpeak_monitor_up", id)["name"].clone();
    assert_eq!(name("21"), "Quote \" and \\ back");
    assert_eq!(name("22"), "New\\nline } # EOF");
    assert_eq!(name("23"), "\\u{1b}]0;pwned\\u{7}\\u{9b}2J");
    assert_eq!(
        name("24"),
        format!("{}… (180 more characters)", "x".repeat(120))
    );
    let (_, _, text) = get(&exporter, "/metrics");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{9b}'));
    // The other figures, converted to base units.
    let value = |family: &str, id: &str| by_id(&samples, family)[id];
    assert_eq!(value("bitpeak_monitor_uptime_ratio", "1"), 0.995);
    assert_eq!(value("bitpeak_monitor_response_time_seconds", "1"), 0.25);
    assert_eq!(value("bitpeak_monitor_checks", "2"), 1002.0);
    assert_eq!(
        value("bitpeak_monitor_last_check_timestamp_seconds", "1"),
        1_780_315_200.0
    );
    assert_eq!(value("bitpeak_heartbeat_up", "1"), 0.0);
    assert_eq!(value("bitpeak_heartbeat_uptime_ratio", "1"), 0.5);
    assert_eq!(value("bitpeak_heartbeat_missed_runs", "1"), 4.0);
    assert_eq!(
        value("bitpeak_domain_name_ssl_expiry_timestamp_seconds", "1"),
        1_798_070_400.0
    );
    assert_eq!(
        value("bitpeak_domain_name_whois_expiry_timestamp_seconds", "1"),
        1_798_761_600.0
    );
    assert_eq!(value("bitpeak_server_monitor_cpu_usage_ratio", "1"), 0.425);
    assert_eq!(value("bitpeak_server_monitor_load1", "1"), 0.42);
    assert_eq!(value("bitpeak_game_server_players", "1"), 7.0);
    assert_eq!(one(&samples, "bitpeak_incidents_open"), Some(2.0));
    assert_eq!(
        by_id(&samples, "bitpeak_incident_start_timestamp_seconds").len(),
        2,
        "closed incidents have no series"
    );
    // The odd records are counted, not shown, and cost no other record.
    let unreadable = samples[&(
        "bitpeak_exporter_unreadable_records".to_owned(),
        [("resource".to_owned(), "monitor".to_owned())].into(),
    )];
    assert_eq!(unreadable, 3.0);
    // Scrapes are answered from memory.
    let before = fake.server.requests();
    for _ in 0..20 {
        assert_eq!(scrape(&exporter), samples);
    }
    assert_eq!(fake.server.requests(), before, "20 scrapes sent no request");
    let (status, content_type, page) = get(&exporter, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("<a href=\"metrics\">"), "{page}");
}

#[test]
fn with_the_api_failing_the_last_values_stay_served_and_success_says_0() {
    let fake = seeded();
    let exporter = exporter(&fake, 1);
    let good = wait(&exporter, refreshed(1.0));
    let up = by_id(&good, "bitpeak_monitor_up");
    fake.server.inject(Fault::Status(500), 100_000);
    let failed = wait(&exporter, |s| {
        one(s, "bitpeak_exporter_last_refresh_success") == Some(0.0)
    });
    assert_eq!(
        by_id(&failed, "bitpeak_monitor_up"),
        up,
        "the last values stay"
    );
    let server_errors = failed
        .iter()
        .find(|((name, labels), _)| {
            name == "bitpeak_exporter_api_requests"
                && labels.get("outcome").map(String::as_str) == Some("server_error")
        })
        .map(|(_, v)| *v);
    assert!(server_errors.is_some_and(|n| n >= 1.0), "{failed:?}");
}

#[test]
fn resources_the_server_lacks_are_left_out_and_the_first_scrape_has_only_the_exporters_own() {
    let fake = fake(
        FakeConfig::new()
            .profile(Profile::V2023)
            .latency(Duration::from_millis(300)),
    );
    fake.server
        .seed_records("monitors", vec![monitor(1, "Home", 1)]);
    let exporter = exporter(&fake, 1);
    let first = scrape(&exporter);
    assert_eq!(
        first,
        [(
            ("bitpeak_exporter_refreshes".to_owned(), BTreeMap::new()),
            0.0
        )]
        .into(),
        "before the first refresh"
    );
    // Said once, however many reads.
    let samples = wait(&exporter, refreshed(2.0));
    assert_eq!(
        one(&samples, "bitpeak_exporter_last_refresh_success"),
        Some(1.0)
    );
    assert_eq!(by_id(&samples, "bitpeak_monitor_up").len(), 1);
    for lacking in ["dns_monitor", "server_monitor", "game_server", "incident"] {
        assert!(
            !samples
                .keys()
                .any(|(name, _)| name.starts_with(&format!("bitpeak_{lacking}"))),
            "{lacking}"
        );
    }
    assert_eq!(one(&samples, "bitpeak_incidents_open"), None);
    assert_eq!(
        exporter.log(),
        ["dns_monitor", "server_monitor", "game_server", "incident"]
            .map(|r| format!(
                "bitpeak: exporter: {r}: not on this server (or switched off); left out\n"
            ))
            .concat()
    );
}
