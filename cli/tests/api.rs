//! `bitpeak api METHOD PATH [-f NAME=VALUE]... [--paginate]` against the fake server: pages
//! followed and streamed (every record once, in order), forms sent (arrays as repeated
//! `name[]`), answers printed as the server sent them, errors with their exit codes, usage
//! errors before any request, and nothing the server sent reaching a terminal raw.

use assert_cmd::Command;
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use serde_json::{json, Value};

const KEY: &str = "api-key";

struct Fake {
    _rt: tokio::runtime::Runtime,
    server: FakeServer,
}

fn fake() -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = FakeConfig::new().profile(Profile::V2026).key(KEY);
    let server = rt.block_on(FakeServer::start(config)).unwrap();
    Fake { _rt: rt, server }
}

/// `bitpeak <args>` against `fake`: (stdout, stderr, exit code).
fn run(fake: &Fake, args: &[&str]) -> (String, String, i32) {
    let output = Command::cargo_bin("bitpeak")
        .unwrap()
        .args(args)
        .env("BITPEAK_BASE_URL", fake.server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// [`run`], which must succeed with nothing on stderr: its stdout.
fn ok(fake: &Fake, args: &[&str]) -> String {
    let (stdout, stderr, code) = run(fake, args);
    assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
    stdout
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

#[test]
fn paginate_prints_every_record_of_every_page_once_in_order_as_one_array() {
    let fake = fake();
    fake.server.seed_real("monitors", 1_050);
    for output in ["json", "table"] {
        let before = fake.server.requests();
        let stdout = ok(
            &fake,
            &[
                "api",
                "GET",
                "monitors",
                "--paginate",
                "-f",
                "results_per_page=100",
                "--output",
                output,
            ],
        );
        assert_eq!(fake.server.requests() - before, 11, "{output}: 11 pages");
        let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        assert_eq!(ids(&records), (1..=1_050).collect::<Vec<_>>(), "{output}");
        // Records as the server sent them: one a line inside the array.
        assert_eq!(stdout.lines().count(), 1_052, "{output}");
        // Each record as the server sent it (compact, its own key order), its comma after it.
        let line = stdout.lines().nth(1).unwrap().strip_suffix(',').unwrap();
        let one: Value = serde_json::from_str(&ok(&fake, &["api", "GET", "monitors/1"])).unwrap();
        assert_eq!(line, one["data"].to_string(), "{output}");
    }
}

#[test]
fn paginate_with_jsonl_prints_one_record_a_line() {
    let fake = fake();
    fake.server.seed_real("monitors", 1_050);
    let stdout = ok(
        &fake,
        &[
            "--output",
            "jsonl",
            "api",
            "get",
            "/monitors",
            "--paginate",
            "--field",
            "results_per_page=250",
        ],
    );
    let records: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(ids(&records), (1..=1_050).collect::<Vec<_>>());
}

#[test]
fn paginate_over_nothing_is_an_empty_array() {
    let fake = fake();
    assert_eq!(ok(&fake, &["api", "GET", "projects", "--paginate"]), "[]\n");
}

#[test]
fn post_creates_with_the_fields_and_prints_the_servers_answer() {
    let fake = fake();
    let stdout = ok(
        &fake,
        &[
            "--output",
            "json",
            "api",
            "POST",
            "projects",
            "-f",
            "name=Ops",
            "-f",
            "color=#ff0000",
        ],
    );
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    let id = answer["data"]["id"].as_u64().unwrap();
    assert_eq!(fake.server.count("projects"), 1);
    // Pretty JSON, as the server answered.
    assert!(stdout.starts_with("{\n  \"data\": {\n"), "{stdout}");
    let read: Value =
        serde_json::from_str(&ok(&fake, &["api", "GET", &format!("projects/{id}")])).unwrap();
    assert_eq!(read["data"]["name"], "Ops");
    assert_eq!(read["data"]["color"], "#ff0000");
    if answer["data"].as_object().is_some_and(|d| d.len() > 1) {
        assert_eq!(answer, read);
    }
}

#[test]
fn array_fields_repeat_their_name() {
    let fake = fake();
    for name in ["A", "B"] {
        let email = format!("email={}@example.com", name.to_lowercase());
        ok(
            &fake,
            &[
                "api",
                "POST",
                "notification-handlers",
                "-f",
                &format!("name={name}"),
                "-f",
                "type=email",
                "-f",
                &email,
            ],
        );
    }
    let created: Value = serde_json::from_str(&ok(
        &fake,
        &[
            "api",
            "POST",
            "monitors",
            "-f",
            "name=Shop",
            "-f",
            "type=website",
            "-f",
            "target=https://shop.example.com/",
            "-f",
            "is_ok_notifications[]=1",
            "-f",
            "is_ok_notifications[]=2",
        ],
    ))
    .unwrap();
    let id = created["data"]["id"].as_u64().unwrap();
    let read: Value =
        serde_json::from_str(&ok(&fake, &["api", "GET", &format!("monitors/{id}")])).unwrap();
    assert_eq!(read["data"]["notifications"]["is_ok"], json!([1, 2]));
}

#[test]
fn jsonl_prints_a_lists_records_one_a_line_and_anything_else_on_one_line() {
    let fake = fake();
    fake.server.seed_real("monitors", 30);
    let stdout = ok(
        &fake,
        &[
            "--output",
            "jsonl",
            "api",
            "GET",
            "monitors",
            "-f",
            "results_per_page=10",
        ],
    );
    let records: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(ids(&records), (1..=10).collect::<Vec<_>>());
    let one = ok(&fake, &["--output", "jsonl", "api", "GET", "monitors/3"]);
    assert_eq!(one.lines().count(), 1);
    let one: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["data"]["id"], 3);
}

#[test]
fn a_missing_record_exits_4_with_the_servers_message() {
    let fake = fake();
    let (stdout, stderr, code) = run(&fake, &["api", "GET", "monitors/999999"]);
    assert_eq!((code, stdout.as_str()), (4, ""));
    assert!(
        stderr.starts_with("bitpeak: HTTP 404 Not Found: "),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2_before_any_request() {
    let fake = fake();
    let cases: &[&[&str]] = &[
        &["api", "GET", "../user"],
        &["api", "GET", "//elsewhere.example/api/user"],
        &["api", "GET", "monitors?page=2"],
        &["api", "GET", ""],
        &["api", "POST", "projects", "-f", "name"],
        &["api", "POST", "projects", "-f", "=Ops"],
        &["api", "POST", "projects", "--paginate", "-f", "name=Ops"],
        &["api", "GET", "monitors", "--paginate", "-f", "page=2"],
        &[
            "api",
            "GET",
            "monitors",
            "--paginate",
            "-f",
            "results_per_page=30",
        ],
        &["api", "FETCH ME", "monitors"],
        &["api", "TRACE", "monitors"],
    ];
    for args in cases {
        let (stdout, stderr, code) = run(&fake, args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}");
    }
    assert_eq!(fake.server.requests(), 0);
    assert_eq!(fake.server.count("projects"), 0);
}

#[test]
fn delete_prints_nothing_and_deletes() {
    let fake = fake();
    let created: Value = serde_json::from_str(&ok(
        &fake,
        &[
            "api",
            "POST",
            "projects",
            "-f",
            "name=Gone",
            "-f",
            "color=#000000",
        ],
    ))
    .unwrap();
    let id = created["data"]["id"].as_u64().unwrap();
    assert_eq!(fake.server.count("projects"), 1);
    assert_eq!(ok(&fake, &["api", "DELETE", &format!("projects/{id}")]), "");
    assert_eq!(fake.server.count("projects"), 0);
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let fake = fake();
    let name = "Ops\u{1b}]0;pwned\u{7}\r\u{9b}31m\u{202e}\u{7f}";
    fake.server.seed_records(
        "projects",
        vec![json!({"id": 1, "name": name, "color": "#fff"})],
    );
    // How each prints: a pretty answer, a record a line, an array of records.
    for (args, shape) in [
        (&["api", "GET", "projects/1"][..], "answer"),
        (&["--output", "jsonl", "api", "GET", "projects"][..], "line"),
        (&["api", "GET", "projects", "--paginate"][..], "array"),
        (
            &["--output", "jsonl", "api", "GET", "projects", "--paginate"][..],
            "line",
        ),
    ] {
        let stdout = ok(&fake, args);
        assert!(
            !stdout.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}', '\u{7f}']),
            "{args:?}: {stdout:?}"
        );
        // The same JSON value.
        let record: Value = match shape {
            "answer" => serde_json::from_str::<Value>(&stdout).unwrap()["data"].clone(),
            "line" => serde_json::from_str(stdout.lines().next().unwrap()).unwrap(),
            _ => serde_json::from_str::<Vec<Value>>(&stdout)
                .unwrap()
                .remove(0),
        };
        assert_eq!(record["name"], name, "{args:?}");
    }
}
