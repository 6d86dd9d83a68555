//! The `bitpeak` command line against the fake server: every command, both output formats,
//! every error class and exit code, and apply's plan, dry run, idempotence and prune.

use std::time::Duration;

use assert_cmd::Command;
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use serde_json::Value;

const KEY: &str = "cli-test-key";

struct Env {
    _rt: tokio::runtime::Runtime,
    server: FakeServer,
    /// A Prism validating proxy in front of `server`, when `BITPEAK_TEST_PRISM` names one.
    prism: Option<Prism>,
}

/// The server profile of these tests: `BITPEAK_TEST_PROFILE` (`document`, `2023`, `2025`,
/// `2026`; scripts/check-spec runs the tests under each), 2026 by default.
fn profile() -> Profile {
    match std::env::var("BITPEAK_TEST_PROFILE") {
        Ok(name) => *Profile::ALL
            .iter()
            .find(|p| p.name() == name)
            .unwrap_or_else(|| panic!("BITPEAK_TEST_PROFILE={name:?} is no profile")),
        Err(_) => Profile::V2026,
    }
}

fn env_with(config: FakeConfig) -> Env {
    env_through(config, std::env::var("BITPEAK_TEST_PRISM").ok())
}

/// The fake server, behind Prism when `prism_cmd` names it.
fn env_through(config: FakeConfig, prism_cmd: Option<String>) -> Env {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // Prism's proxy cannot forward an empty body labelled JSON (the real DELETE answer).
    let config = config.key(KEY).delete_content_type(prism_cmd.is_none());
    let server = rt.block_on(FakeServer::start(config)).unwrap();
    let prism = prism_cmd.map(|cmd| Prism::start(&cmd, server.base_url()));
    Env {
        _rt: rt,
        server,
        prism,
    }
}

fn env() -> Env {
    env_with(FakeConfig::new().profile(profile()))
}

/// `prism proxy openapi.yaml <fake server> --errors`: answers 422 to any request that does not
/// match the spec and 500 to any response that does not; logs each. Dropping it checks the log.
struct Prism {
    child: std::process::Child,
    url: String,
    log: std::path::PathBuf,
}

impl Prism {
    fn start(cmd: &str, upstream: &str) -> Prism {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log =
            std::env::temp_dir().join(format!("bitpeak-prism-{}-{port}.log", std::process::id()));
        let child = std::process::Command::new(cmd)
            .args([
                "proxy",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"),
                upstream,
            ])
            .args([
                "--errors",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("BITPEAK_TEST_PRISM={cmd}: {e}"));
        let prism = Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !prism.log_text().contains("Prism is listening") {
            assert!(
                std::time::Instant::now() < deadline,
                "Prism did not start: {}",
                prism.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        prism
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.log_text();
        let _ = std::fs::remove_file(&self.log);
        // A request or response that does not match the spec is logged as an error or a
        // violation (and answered 422/500, which fails the command that met it). Prism's own
        // listing of the routes at start-up (`[CLI]`, with made-up path values) is not.
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("[CLI]"))
            .filter(|l| l.contains("error") || l.to_lowercase().contains("violation"))
            .collect();
        if !std::thread::panicking() {
            assert!(
                bad.is_empty(),
                "Prism found requests or responses off the spec:\n{}",
                bad.join("\n")
            );
        }
    }
}

impl Env {
    /// The URL the CLI talks to: the fake server, or the Prism proxy in front of it.
    fn base_url(&self) -> &str {
        match &self.prism {
            Some(prism) => prism.url.as_str(),
            None => self.server.base_url(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("bitpeak").unwrap();
        cmd.env("BITPEAK_BASE_URL", self.base_url())
            .env("BITPEAK_API_KEY", KEY)
            .env_remove("RUST_LOG")
            .args(args);
        cmd
    }

    /// Runs, expects success, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs, expects failure with `code`, returns stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "nothing on stdout on failure");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}

#[test]
fn create_get_list_update_delete_in_both_formats() {
    let env = env();
    let created = env.json(&[
        "handlers",
        "create",
        "--name",
        "On-call",
        "--type",
        "telegram",
        "--telegram",
        "123456:ABCDEF",
        "--telegram-chat-id",
        "-1001234567890",
    ]);
    assert_eq!(created["id"], 1);
    assert_eq!(created["name"], "On-call");
    assert_eq!(created["type"], "telegram");
    assert_eq!(
        created["settings"],
        serde_json::json!({"telegram": "123456:ABCDEF", "telegram_chat_id": "-1001234567890"})
    );
    assert_eq!(
        (
            created["is_enabled"].as_bool(),
            created["pending_confirmation"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert!(created["last_datetime"].is_null());
    assert_eq!(created["datetime"].as_str().unwrap().len(), 19);

    let table = env.ok(&[
        "handlers",
        "create",
        "--name",
        "Ops",
        "--type",
        "email",
        "--email",
        "ops@example.com",
    ]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "NAME", "TYPE", "STATE", "TARGET"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        [
            "2",
            "Ops",
            "email",
            // Only 2026 servers say an email handler waits for its address to be confirmed.
            if profile() == Profile::V2026 {
                "pending"
            } else {
                "enabled"
            },
            "ops@example.com"
        ]
    );

    // Table output masks secrets.
    let listed = env.ok(&["handlers", "list"]);
    assert!(
        listed.contains("****CDEF") && !listed.contains("123456:ABCDEF"),
        "{listed}"
    );
    let listed = env.json(&["handlers", "list", "--per-page", "10"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(env.json(&["handlers", "get", "1"]), created);

    let updated = env.json(&["handlers", "update", "1", "--disable", "--name", "Night"]);
    assert_eq!(
        (updated["name"].as_str(), updated["is_enabled"].as_bool()),
        (Some("Night"), Some(false))
    );
    assert_eq!(updated["settings"], created["settings"], "settings kept");
    let updated = env.json(&[
        "handlers",
        "update",
        "1",
        "--telegram-chat-id",
        "-42",
        "--enable",
    ]);
    assert_eq!(
        updated["settings"],
        serde_json::json!({"telegram": "123456:ABCDEF", "telegram_chat_id": "-42"})
    );
    assert_eq!(updated["is_enabled"], true);
    let switched = env.json(&[
        "handlers",
        "update",
        "1",
        "--type",
        "slack",
        "--slack",
        "https://hooks.slack.com/x",
    ]);
    assert_eq!(
        (switched["type"].as_str(), &switched["settings"]),
        (
            Some("slack"),
            &serde_json::json!({"slack": "https://hooks.slack.com/x"})
        )
    );

    assert_eq!(
        env.ok(&["handlers", "delete", "1"]),
        "",
        "delete prints nothing"
    );
    assert_eq!(env.server.handler_count(), 1);
}

#[test]
fn list_all_pages_and_filters() {
    let env = env();
    for i in 0..23 {
        env.ok(&[
            "handlers",
            "create",
            "--name",
            &format!("n{i:02}"),
            "--type",
            "webhook",
            "--webhook",
            &format!("https://example.com/{i}"),
        ]);
    }
    assert_eq!(
        env.json(&["handlers", "list", "--per-page", "10"])
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        env.json(&["handlers", "list", "--per-page", "10", "--page", "3"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let all = env.json(&["handlers", "list", "--all", "--per-page", "10"]);
    assert_eq!(all.as_array().unwrap().len(), 23);
    assert_eq!(
        env.json(&[
            "handlers",
            "list",
            "--all",
            "--per-page",
            "10",
            "--concurrency",
            "1"
        ]),
        all
    );
    // Servers before 2025 ignore the filters and answer the first page of everything.
    let filters = matches!(profile(), Profile::V2025 | Profile::V2026);
    let found = env.json(&["handlers", "list", "--search", "n1"]);
    assert_eq!(
        found.as_array().unwrap().len(),
        if filters { 10 } else { 23 }
    );
    assert_eq!(
        env.json(&["handlers", "list", "--type", "email"])
            .as_array()
            .unwrap()
            .len(),
        if filters { 0 } else { 23 }
    );
}

#[test]
fn errors_have_one_line_and_documented_exit_codes() {
    let env = env();
    // not found: 4
    let err = env.fails(&["handlers", "get", "99"], 4);
    assert_eq!(
        err,
        "bitpeak: HTTP 404 Not Found: The requested resource was not found.\n"
    );
    // auth: 3
    let err = env.fails(&["--api-key", "wrong", "handlers", "list"], 3);
    assert!(
        err.starts_with("bitpeak: HTTP 401 Unauthorized: You do not have access to the API."),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    // usage: 2
    let mut cmd = Command::cargo_bin("bitpeak").unwrap();
    let out = cmd
        .env_remove("BITPEAK_API_KEY")
        .args(["handlers", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API key"));
    env.fails(&["handlers", "list", "--per-page", "30"], 2);
    let err = env.fails(&["handlers", "create", "--name", "x", "--type", "sms"], 2);
    assert!(err.contains("unknown type \"sms\""), "{err}");
    let err = env.fails(
        &[
            "handlers",
            "create",
            "--name",
            "x",
            "--type",
            "telegram",
            "--telegram",
            "t",
        ],
        2,
    );
    assert_eq!(err, "bitpeak: type telegram needs --telegram-chat-id\n");
    let err = env.fails(
        &[
            "handlers", "create", "--name", "x", "--type", "email", "--email", "nope",
        ],
        2,
    );
    assert!(err.contains("invalid email"), "{err}");
    let err = env.fails(
        &[
            "handlers",
            "create",
            "--name",
            "x",
            "--type",
            "email",
            "--email",
            "a@b.co",
            "--slack",
            "https://x.y",
        ],
        2,
    );
    assert!(
        err.contains("--slack does not belong to type email"),
        "{err}"
    );
    assert_eq!(
        env.server.handler_count(),
        0,
        "nothing was created by refused commands"
    );
    // network: 6
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/api", listener.local_addr().unwrap());
    drop(listener);
    let out = Command::cargo_bin("bitpeak")
        .unwrap()
        .args([
            "--base-url",
            &dead,
            "--api-key",
            KEY,
            "--retries",
            "0",
            "handlers",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("bitpeak: network error"));
}

#[test]
fn rate_limited_exits_5() {
    let env = env_with(
        FakeConfig::new()
            .profile(profile())
            .rate_limit(1, Duration::from_secs(60)),
    );
    env.ok(&["handlers", "list"]);
    let err = env.fails(&["--retries", "0", "handlers", "list"], 5);
    assert!(err.starts_with("bitpeak: HTTP 429 Too Many Requests: You have exceeded the rate limit.; the limit resets in"), "{err}");
}

#[test]
fn export_and_apply_plan_dry_run_idempotence_and_prune() {
    let env = env();
    env.ok(&[
        "handlers",
        "create",
        "--name",
        "Ops",
        "--type",
        "webhook",
        "--webhook",
        "https://example.com/ops",
    ]);
    env.ok(&[
        "handlers",
        "create",
        "--name",
        "Old",
        "--type",
        "discord",
        "--discord",
        "https://discord.com/api/webhooks/1/a",
    ]);
    let dir = temp_dir("export-apply");
    let exported = dir.join("export.yaml");
    env.ok(&["handlers", "export", "--file", exported.to_str().unwrap()]);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(
        text,
        "handlers:\n  Old:\n    enabled: true\n    type: discord\n    discord: https://discord.com/api/webhooks/1/a\n  Ops:\n    enabled: true\n    type: webhook\n    webhook: https://example.com/ops\n"
    );
    // Applying the export changes nothing.
    let plan = env.ok(&["handlers", "apply", exported.to_str().unwrap()]);
    assert!(
        plan.ends_with("plan: 0 to create, 0 to update, 2 unchanged, 0 to delete\n"),
        "{plan}"
    );

    let wanted = dir.join("wanted.yaml");
    std::fs::write(
        &wanted,
        "handlers:\n  Ops:\n    type: webhook\n    webhook: https://example.com/ops\n    enabled: false\n  Hook:\n    type: webhook\n    webhook: https://example.com/h\n",
    )
    .unwrap();
    let path = wanted.to_str().unwrap();
    let dry = env.ok(&["handlers", "apply", path, "--dry-run", "--prune"]);
    assert_eq!(dry, "+ create Hook (webhook)\n~ update Ops (#1)\n- delete Old (#2)\nplan: 1 to create, 1 to update, 0 unchanged, 1 to delete\n");
    assert_eq!(env.server.handler_count(), 2, "a dry run changes nothing");
    let done = env.ok(&["handlers", "apply", path, "--prune"]);
    assert!(
        done.ends_with("created Hook (#3)\nupdated Ops (#1)\ndeleted Old (#2)\n"),
        "{done}"
    );
    let again = env.ok(&["handlers", "apply", path, "--prune"]);
    assert_eq!(again, "= unchanged Hook\n= unchanged Ops\nplan: 0 to create, 0 to update, 2 unchanged, 0 to delete\n");
    let ops = env.json(&["handlers", "get", "1"]);
    assert_eq!(ops["is_enabled"], false);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn apply_rejects_bad_files_before_any_request_naming_the_line() {
    let env = env();
    let dir = std::env::temp_dir().join(format!("bitpeak-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("handlers:\n  a:\n    type: email\n    email: a@b.co\n  a:\n    type: email\n    email: a@b.co\n", "the name \"a\" is given twice at line 2"),
        ("handlers:\n  a:\n    type: sms\n", "unknown variant `sms`"),
        ("handlers:\n  a:\n    type: email\n    email: a@b.co\n  b:\n    type: telegram\n    telegram: t\n", "missing field `telegram_chat_id` at line 6"),
        ("handlers:\n  a:\n    type: email\n    email: a@b.co\n  b:\n    type: webhook\n    webhook: ftp://x\n", "line 5: handler \"b\": invalid webhook"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let err = env.fails(&["handlers", "apply", path.to_str().unwrap()], 2);
        assert!(err.contains(expected), "case {i}: {err}");
    }
    assert_eq!(env.server.requests(), 0, "no request was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_committed_schema_matches_the_file_format() {
    let out = Command::cargo_bin("bitpeak")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/handlers.schema.json"))
            .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        committed,
        "run `bitpeak schema > handlers.schema.json`"
    );
}

#[test]
fn fake_server_command_prints_its_url_and_serves() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let bin = assert_cmd::cargo::cargo_bin("bitpeak");
    let mut child = std::process::Command::new(bin)
        .args([
            "fake-server",
            "--addr",
            &addr,
            "--profile",
            "2023",
            "--key",
            "k1",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, format!("http://{addr}/api\n"));
    let out = Command::cargo_bin("bitpeak")
        .unwrap()
        .args([
            "--base-url",
            line.trim(),
            "--api-key",
            "k1",
            "--output",
            "json",
            "handlers",
            "list",
        ])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "[]\n");
}

/// Records as real databases hold them, in shapes the spec allows (so a validating proxy in
/// front of the fake accepts them too); scripts/check-spec seeds the same file for the Python
/// client's smoke test.
fn odd_records() -> Vec<Value> {
    let text = include_str!("../../tests/data/odd-handlers.json");
    serde_json::from_str(text).unwrap()
}

/// The ids of a JSON list output, in order.
fn ids_of(list: &Value) -> Vec<u64> {
    let items = list.as_array().expect("a JSON array");
    items
        .iter()
        .map(|h| h["id"].as_u64().expect("an id"))
        .collect()
}

#[test]
fn odd_records_are_listed_got_and_shown() {
    let env = env();
    env.server.seed_raw(odd_records());
    let all = env.json(&["handlers", "list", "--all"]);
    let ids = ids_of(&all);
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(
        all[1],
        serde_json::json!({"id": 2, "name": "Migrated", "type": null, "settings": {}, "is_enabled": false,
            "pending_confirmation": false, "state": "disabled", "last_datetime": null, "datetime": null})
    );
    assert_eq!(
        (&all[2]["type"], &all[2]["state"], &all[2]["is_enabled"]),
        (
            &Value::from("whatsapp"),
            &Value::from("unknown (3)"),
            &Value::Null
        )
    );
    assert_eq!(
        all[3]["settings"],
        serde_json::json!({"email": "a@example.com"})
    );
    assert_eq!(
        (&all[4]["type"], &all[4]["settings"]),
        (&Value::from("slack"), &serde_json::json!({}))
    );
    for id in ids {
        let one = env.json(&["handlers", "get", &id.to_string()]);
        assert_eq!(one, all[id as usize - 1]);
    }
    let table = env.ok(&["handlers", "list"]);
    let row = table.lines().find(|l| l.starts_with("2 ")).unwrap();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["2", "Migrated", "?", "disabled", "?"]
    );
}

#[test]
fn export_names_what_it_cannot_express_and_apply_leaves_it_alone() {
    let env = env();
    env.server.seed_raw(odd_records());
    let out = env.cmd(&["handlers", "export"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "handlers:\n  Hook:\n    enabled: true\n    type: webhook\n    webhook: https://example.com/h\n  Keyed:\n    enabled: true\n    type: email\n    email: a@example.com\n"
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "bitpeak: export: skipping #2 \"Migrated\": the server stored it without a type\n\
         bitpeak: export: skipping #3 \"Later\": its state unknown (3) is not one bitpeak knows\n\
         bitpeak: export: skipping #5 \"Broken\": its slack settings could not be read\n"
    );

    let path = &file_with(
        "odd",
        "handlers:\n  Hook:\n    type: webhook\n    webhook: https://example.com/h\n  Keyed:\n    type: email\n    email: a@example.com\n  Broken:\n    type: slack\n    slack: https://hooks.slack.com/services/T/B/X\n",
    );
    let plan = env.ok(&["handlers", "apply", path, "--dry-run"]);
    assert_eq!(
        plan,
        "~ update Broken (#5) (replaces what bitpeak cannot express: its slack settings could not be read)\n\
         = unchanged Hook\n= unchanged Keyed\n\
         ! left alone Migrated (#2): bitpeak cannot express it (the server stored it without a type); name it in the file or use --prune to replace or delete it\n\
         ! left alone Later (#3): bitpeak cannot express it (its state unknown (3) is not one bitpeak knows); name it in the file or use --prune to replace or delete it\n\
         plan: 0 to create, 1 to update, 2 unchanged, 0 to delete\n"
    );
    let pruned = env.ok(&["handlers", "apply", path, "--dry-run", "--prune"]);
    assert!(
        pruned.contains("- delete Migrated (#2) (bitpeak cannot express it: the server stored it without a type)\n"),
        "{pruned}"
    );
    env.ok(&["handlers", "apply", path]);
    let after = env.json(&["handlers", "list", "--all"]);
    assert_eq!(
        ids_of(&after),
        [1, 2, 3, 4, 5],
        "nothing deleted without --prune"
    );
    assert_eq!(
        after[4]["settings"]["slack"],
        "https://hooks.slack.com/services/T/B/X"
    );
    assert_eq!(
        after[1]["type"],
        Value::Null,
        "the record not named is left as it was"
    );
}

#[test]
fn disabling_an_unconfirmed_email_on_a_2026_server_is_reported() {
    let env = env_with(FakeConfig::new().profile(Profile::V2026));
    env.ok(&[
        "handlers",
        "create",
        "--name",
        "Mail",
        "--type",
        "email",
        "--email",
        "a@example.com",
    ]);
    let out = env
        .cmd(&["--output", "json", "handlers", "update", "1", "--disable"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let updated: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(updated["state"], "pending");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "bitpeak: note: handler #1 \"Mail\" is still pending (--disable was not applied: the server keeps an email handler pending until its address is confirmed)\n"
    );
}

#[test]
fn a_record_without_a_readable_id_is_named_on_stderr_and_costs_no_other() {
    // Never behind Prism: an id that is no integer is off the spec, and Prism would (rightly)
    // refuse to pass it.
    let env = env_through(FakeConfig::new().profile(profile()), None);
    let mut records = odd_records();
    records.push(serde_json::json!({"id": "six", "type": "email", "name": "No id", "is_enabled": 1, "datetime": ""}));
    env.server.seed_raw(records);
    let out = env
        .cmd(&["--output", "json", "handlers", "list", "--all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids_of(&listed), [1, 2, 3, 4, 5]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "bitpeak: warn: skipped a record: it has no readable id (record \"{\\\"datetime\\\":\\\"\\\",\\\"id\\\":\\\"six\\\",\\\"is_enabled\\\":1,\\\"name\\\":\\\"No id\\\",\\\"type\\\":\\\"email\\\"}\") resource=\"notification handler\"\n"
    );
    let err = env.fails(&["handlers", "get", "6"], 1);
    assert!(err.contains("it has no readable id"), "{err}");
}

#[test]
fn a_closed_stdout_ends_the_listing_quietly() {
    let env = env();
    env.server.seed(3000);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bitpeak"))
        .args(["handlers", "list", "--all"])
        .env("BITPEAK_BASE_URL", env.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert!(first.starts_with("ID"), "{first}");
    drop(stdout); // `| head -1`
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no panic, no message"
    );
}

#[test]
fn an_apply_whose_stdout_closes_still_makes_every_change() {
    let env = env();
    let dir = temp_dir("closed");
    let file = dir.join("wanted.yaml");
    let mut yaml = String::from("handlers:\n");
    for i in 0..20 {
        yaml.push_str(&format!(
            "  Hook {i}:\n    type: webhook\n    webhook: https://example.com/{i}\n"
        ));
    }
    std::fs::write(&file, yaml).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bitpeak"))
        .args(["handlers", "apply", file.to_str().unwrap()])
        .env("BITPEAK_BASE_URL", env.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    drop(child.stdout.take()); // nobody reads the plan
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.server.handler_count(), 20);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bitpeak: stdout was closed; the apply went on and made all 20 changes\n"
    );
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let env = env();
    env.server.seed_raw(vec![serde_json::json!({
        "id": 1, "type": "\u{1b}[2J", "name": "Ops\u{1b}]0;pwned\u{7}\r\u{1b}[8mhidden",
        "settings": {"x": "\u{9b}31m"}, "is_enabled": 1, "datetime": "2026-01-15 09:30:00"
    })]);
    let table = env.ok(&["handlers", "list"]);
    let plan = {
        let dir = temp_dir("escapes");
        let file = dir.join("empty.yaml");
        std::fs::write(&file, "handlers: {}\n").unwrap();
        env.ok(&[
            "handlers",
            "apply",
            file.to_str().unwrap(),
            "--dry-run",
            "--prune",
        ])
    };
    for shown in [&table, &plan] {
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}']),
            "{shown:?}"
        );
    }
    assert!(
        table.contains("Ops\\u{1b}]0;pwned\\u{7}\\r\\u{1b}[8mhidden"),
        "{table}"
    );
    assert!(plan.contains("- delete Ops\\u{1b}]0;pwned"), "{plan}");
    // JSON stays exact JSON.
    let json = env.json(&["handlers", "get", "1"]);
    assert_eq!(json["name"], "Ops\u{1b}]0;pwned\u{7}\r\u{1b}[8mhidden");
}

#[test]
fn verbose_logs_have_no_colours_off_a_terminal() {
    let env = env();
    let out = env.cmd(&["-v", "handlers", "list"]).output().unwrap();
    assert!(out.status.success());
    let logs = String::from_utf8(out.stderr).unwrap();
    assert!(logs.contains("bitpeak.request"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "{logs:?}");
}

#[test]
fn apply_settles_on_names_the_server_changes() {
    let env = env();
    let path = &file_with(
        "settle",
        "handlers:\n  \" padded \":\n    type: webhook\n    webhook: \" https://example.com/p \"\n  \"<b>Ops</b>\":\n    type: webhook\n    webhook: https://example.com/o\n",
    );
    let first = env.ok(&["handlers", "apply", path, "--prune"]);
    assert!(
        first.contains("+ create <b>Ops</b> (webhook) (the server stores the name as \"Ops\")"),
        "{first}"
    );
    for _ in 0..2 {
        let again = env.ok(&["handlers", "apply", path, "--prune"]);
        assert!(
            again.ends_with("plan: 0 to create, 0 to update, 2 unchanged, 0 to delete\n"),
            "{again}"
        );
    }
    assert_eq!(env.server.handler_count(), 2);
    let names: Vec<String> = env
        .json(&["handlers", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["padded", "Ops"]);
}

#[test]
fn export_writes_privately_atomically_and_never_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let env = env();
    env.ok(&[
        "handlers",
        "create",
        "--name",
        "Bot",
        "--type",
        "telegram",
        "--telegram",
        "1:SECRET",
        "--telegram-chat-id",
        "-1",
    ]);
    let dir = temp_dir("export");
    let file = dir.join("out.yaml");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.ok(&["handlers", "export", "--file", file.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&file).unwrap().contains("1:SECRET"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("out.yaml")]);

    let target = dir.join("target.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.join("link.yaml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = env.fails(&["handlers", "export", "--file", link.to_str().unwrap()], 1);
    assert!(
        err.contains("is a symbolic link; not writing through it"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
}

#[test]
fn apply_files_too_large_or_too_deep_are_refused_at_once() {
    let env = env();
    let dir = temp_dir("limits");
    let deep = dir.join("deep.yaml");
    std::fs::write(
        &deep,
        format!("handlers: {}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let big = dir.join("big.yaml");
    std::fs::write(&big, format!("handlers: {{}}\n#{}\n", "x".repeat(2 << 20))).unwrap();
    for (file, why) in [
        (&deep, "nested deeper than 32 levels"),
        (&big, "larger than 1048576 bytes"),
    ] {
        let started = std::time::Instant::now();
        let err = env.fails(&["handlers", "apply", file.to_str().unwrap()], 2);
        assert!(err.contains(why), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    assert_eq!(env.server.requests(), 0);
}

/// A file holding `text` in a fresh directory named after the test; its path as text.
fn file_with(test: &str, text: &str) -> String {
    let file = temp_dir(test).join("wanted.yaml");
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bitpeak-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod numeric_arguments {
    use super::*;
    use proptest::prelude::*;

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "0",
                "1",
                "2",
                "25",
                "1000",
                "9223372036854775807",
                "9223372036854775808",
                "18446744073709551615",
                "18446744073709551616",
                "-1",
                "4294967295",
                "4294967296",
            ])
            .prop_map(str::to_owned),
            any::<u64>().prop_map(|n| n.to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Whatever numbers are given: a documented exit code and no panic.
        #[test]
        fn never_panic(page in number(), per_page in number(), concurrency in number(),
                       id in number(), timeout in number(), retries in number()) {
            // Never behind Prism: its JavaScript numbers cannot hold int64s past 2^53, which
            // the spec allows and this test sends.
            let env = env_through(FakeConfig::new().profile(profile()), None);
            env.server.seed(3);
            // Each number alone, so a refusal of one does not hide what another does.
            let runs: [Vec<&str>; 6] = [
                vec!["handlers", "list", "--all", "--page", &page],
                vec!["handlers", "list", "--all", "--concurrency", &concurrency],
                vec!["handlers", "list", "--per-page", &per_page],
                vec!["handlers", "get", &id],
                vec!["--timeout", &timeout, "handlers", "list"],
                vec!["--retries", &retries, "handlers", "list"],
            ];
            for args in runs {
                let out = env.cmd(&args).output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                prop_assert!(!stderr.contains("panicked"), "{:?}: {}", args, stderr);
                prop_assert!(matches!(out.status.code(), Some(0 | 2 | 4)), "{:?}: {:?} {}", args, out.status, stderr);
            }
        }
    }
}
