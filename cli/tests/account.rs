//! `bitpeak export` / `bitpeak apply`: the account as one file, references by name, secrets as
//! placeholders; plan, apply, re-apply (nothing to do), export → apply on an empty account
//! reproduces it, prune; everything wrong in a file refused before any request.

use assert_cmd::Command;
use bitpeak_fake::{FakeConfig, FakeServer, Profile};

const KEY: &str = "account-key";

const FILE: &str = r##"
projects:
  Production:
    color: "#ff0000"
  Staging:
    color: "#00ff00"
notification_handlers:
  On-call:
    type: email
    email: oncall@example.com
  Ops hook:
    type: webhook
    webhook: ${OPS_HOOK_URL}
monitors:
  Home page:
    type: website
    target: https://example.com
    project: Production
    is_ok_notifications: [On-call, Ops hook]
  API:
    type: website
    target: https://api.example.com
    project: Staging
    check_interval_seconds: 300
    request_basic_auth_password: ${API_PASSWORD}
heartbeats:
  Nightly backup:
    run_interval: 1
    run_interval_type: days
    project: Production
    is_ok_notifications: [On-call]
domain_names:
  example.com:
    target: example.com
    project: Production
"##;

struct Fake {
    _rt: tokio::runtime::Runtime,
    server: FakeServer,
}

fn fake(profile: Profile) -> Fake {
    fake_with(profile, false)
}

/// A fake server of `profile`; with `missing_json`, a route the version lacks answers the
/// API's JSON `404`.
fn fake_with(profile: Profile, missing_json: bool) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = FakeConfig::new()
        .profile(profile)
        .key(KEY)
        .missing_json(missing_json);
    let server = rt.block_on(FakeServer::start(config)).unwrap();
    Fake { _rt: rt, server }
}

/// `bitpeak <args>` against `fake`, with the secrets of [`FILE`] (and of its export) in the
/// environment: (stdout, stderr, exit code).
fn run(fake: &Fake, args: &[&str]) -> (String, String, i32) {
    run_with_input(fake, args, "")
}

/// [`run`] with `input` on standard input.
fn run_with_input(fake: &Fake, args: &[&str], input: &str) -> (String, String, i32) {
    let hook = "https://hooks.example.com/ops?key=s3cr3t";
    let output = Command::cargo_bin("bitpeak")
        .unwrap()
        .args(args)
        .env("BITPEAK_BASE_URL", fake.server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .env("OPS_HOOK_URL", hook)
        .env("API_PASSWORD", "pa55word")
        .env("BITPEAK_NOTIFICATION_HANDLERS_OPS_HOOK_WEBHOOK", hook)
        .env(
            "BITPEAK_MONITORS_API_REQUEST_BASIC_AUTH_PASSWORD",
            "pa55word",
        )
        .write_stdin(input)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bitpeak-account-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn apply_plans_creates_then_settles_and_export_reproduces_the_account() {
    let dir = temp_dir("roundtrip");
    let file = write(&dir, "account.yaml", FILE);
    let a = fake(Profile::V2026);

    let (plan, err, code) = run(&a, &["apply", &file, "--dry-run"]);
    assert_eq!((code, err.as_str()), (0, ""), "{plan}");
    assert_eq!(
        plan,
        "projects:\n\
         + create Production\n\
         + create Staging\n\
         plan: 2 to create, 0 to update, 0 unchanged, 0 to delete\n\
         notification_handlers:\n\
         + create On-call\n\
         + create Ops hook\n\
         plan: 2 to create, 0 to update, 0 unchanged, 0 to delete\n\
         monitors:\n\
         + create Home page\n\
         + create API\n\
         plan: 2 to create, 0 to update, 0 unchanged, 0 to delete\n\
         heartbeats:\n\
         + create Nightly backup\n\
         plan: 1 to create, 0 to update, 0 unchanged, 0 to delete\n\
         domain_names:\n\
         + create example.com\n\
         plan: 1 to create, 0 to update, 0 unchanged, 0 to delete\n"
    );
    assert_eq!(a.server.count("projects"), 0, "a dry run sends no change");

    let (out, err, code) = run(&a, &["apply", &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(a.server.count("projects"), 2);
    assert_eq!(a.server.count("monitors"), 2);
    assert_eq!(a.server.count("heartbeats"), 1);
    assert_eq!(a.server.count("domain-names"), 1);
    assert_eq!(a.server.handler_count(), 2);

    // References went out as the ids the server gave.
    let (monitors, _, _) = run(&a, &["--output", "json", "monitors", "list"]);
    let monitors: serde_json::Value = serde_json::from_str(&monitors).unwrap();
    let home = monitors
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Home page")
        .unwrap();
    let (projects, _, _) = run(&a, &["--output", "json", "projects", "list"]);
    let projects: serde_json::Value = serde_json::from_str(&projects).unwrap();
    let production = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Production")
        .unwrap();
    assert_eq!(home["project_id"], production["id"]);
    assert_eq!(home["notifications"]["is_ok"].as_array().unwrap().len(), 2);

    // A second apply has nothing to do.
    let (again, _, code) = run(&a, &["apply", &file]);
    assert_eq!(code, 0);
    assert!(!again.contains('+') && !again.contains('~'), "{again}");
    assert_eq!(
        again.matches("to create, 0 to update").count(),
        5,
        "{again}"
    );

    // Export: names, references by name, the secret as a placeholder.
    let exported = dir.join("exported.yaml");
    let (_, err, code) = run(&a, &["export", "--file", exported.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("project: Production"), "{text}");
    assert!(text.contains("- On-call"), "{text}");
    assert!(
        text.contains("${BITPEAK_NOTIFICATION_HANDLERS_OPS_HOOK_WEBHOOK}"),
        "{text}"
    );
    assert!(
        !text.contains("s3cr3t") && !text.contains("pa55word"),
        "{text}"
    );
    assert!(
        text.contains(
            "request_basic_auth_password: ${BITPEAK_MONITORS_API_REQUEST_BASIC_AUTH_PASSWORD}"
        ),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // … applied on an empty account, it reproduces the account.
    let b = fake(Profile::V2026);
    let output = Command::cargo_bin("bitpeak")
        .unwrap()
        .args(["apply", exported.to_str().unwrap()])
        .env("BITPEAK_BASE_URL", b.server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .env(
            "BITPEAK_NOTIFICATION_HANDLERS_OPS_HOOK_WEBHOOK",
            "https://hooks.example.com/ops?key=s3cr3t",
        )
        .env(
            "BITPEAK_MONITORS_API_REQUEST_BASIC_AUTH_PASSWORD",
            "pa55word",
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let again = dir.join("again.yaml");
    let (_, _, code) = run(&b, &["export", "--file", again.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);

    // Prune: what the file no longer names goes, dependents first.
    let smaller = FILE.replace(
        "  API:\n    type: website\n    target: https://api.example.com\n    project: Staging\n    check_interval_seconds: 300\n    request_basic_auth_password: ${API_PASSWORD}\n",
        "",
    );
    let smaller = write(&dir, "smaller.yaml", &smaller);
    let (out, _, code) = run(&a, &["apply", &smaller, "--prune"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- delete API (#"), "{out}");
    assert_eq!(a.server.count("monitors"), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_change_is_planned_as_an_update_of_the_fields_that_differ() {
    let dir = temp_dir("update");
    let a = fake(Profile::V2025);
    let file = write(&dir, "a.yaml", FILE);
    assert_eq!(run(&a, &["apply", &file]).2, 0);
    let changed = FILE.replace("check_interval_seconds: 300", "check_interval_seconds: 600");
    let changed = write(&dir, "b.yaml", &changed);
    let (out, err, code) = run(&a, &["apply", &changed]);
    assert_eq!(code, 0, "{out}{err}");
    // (Creates run concurrently: which id API got varies.)
    let update = out.lines().find(|l| l.starts_with("~ update API (#"));
    assert!(
        update.is_some_and(|l| l.ends_with("): check_interval_seconds")),
        "{out}"
    );
    assert!(out.contains("= unchanged Home page\n"), "{out}");
    let (again, _, _) = run(&a, &["apply", &changed]);
    assert!(!again.contains("~ update"), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_file_is_refused_before_any_request_naming_its_line() {
    let dir = temp_dir("refused");
    let a = fake(Profile::V2026);
    let cases = [
        (
            FILE.replace("    check_interval_seconds: 300", "    colour: red"),
            "line 24: monitors \"API\": unknown field \"colour\"",
        ),
        (
            FILE.replace("project: Staging", "project: Nowhere"),
            "line 23: monitors \"API\": project names \"Nowhere\", which is not among the file's projects",
        ),
        (
            FILE.replace("${OPS_HOOK_URL}", "${NOT_SET_ANYWHERE}"),
            "line 13: the placeholder ${NOT_SET_ANYWHERE} is not set in the environment",
        ),
        (
            FILE.replace("domain_names:", "widgets:"),
            "unknown section \"widgets\"",
        ),
        (
            FILE.replace("run_interval_type: days", "run_interval_type: fortnights"),
            "heartbeats \"Nightly backup\"",
        ),
        (
            FILE.replace("  Staging:\n", "  Production:\n"),
            "duplicate",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = write(&dir, &format!("bad{i}.yaml"), text);
        let (out, err, code) = run(&a, &["apply", &path]);
        assert_eq!(code, 2, "case {i}: {out}{err}");
        assert!(err.contains(expected), "case {i}: {err}");
        assert!(out.is_empty(), "case {i}: {out}");
    }
    assert_eq!(a.server.count("projects"), 0);
    assert_eq!(a.server.handler_count(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// What newer versions add to [`FILE`]: one entry of each section a 2023 server lacks.
const NEWER: &str = r##"dns_monitors:
  Zone:
    target: example.com
    dns_types: [A, MX]
    project: Production
server_monitors:
  Web 1:
    target: 203.0.113.20
    server_check_interval_seconds: 60
    alert_metric: [cpu_usage]
    alert_rule: [is_higher]
    alert_value: [90]
    alert_trigger: [3]
game_servers:
  Lobby:
    target: 203.0.113.9
    port: 27015
    type: minecraft_java
"##;

/// On every profile, whichever 404 its server gives for a resource its version lacks: a file
/// with sections the server lacks is refused, naming them all, before any change; without
/// them it applies; export, then apply to an empty account of the same version, reproduces
/// the account (the same export), and a second apply plans nothing.
#[test]
fn export_then_apply_reproduces_the_account_under_every_profile_both_ways() {
    let dir = temp_dir("every-profile");
    for profile in Profile::ALL {
        for missing_json in [false, true] {
            let at = format!("{profile:?} json-404 {missing_json}");
            let a = fake_with(profile, missing_json);
            let full = write(&dir, "full.yaml", &format!("{FILE}{NEWER}"));
            let lacks: &[&str] = match profile {
                Profile::V2026 => &[],
                Profile::V2025 => &["game_servers"],
                _ => &["dns_monitors", "server_monitors", "game_servers"],
            };
            let (out, err, code) = run(&a, &["apply", &full]);
            if lacks.is_empty() {
                assert_eq!(code, 0, "{at}: {out}{err}");
            } else {
                assert_eq!((code, out.as_str()), (2, ""), "{at}: {err}");
                let paths: Vec<String> = lacks.iter().map(|k| k.replace('_', "-")).collect();
                assert_eq!(
                    err,
                    format!(
                        "bitpeak: this server has no {} (its version, or its administrator): \
                         nothing was changed; remove the file's {} section(s), or apply it to a \
                         server that has them\n",
                        paths.join(", "),
                        lacks.join(", ")
                    ),
                    "{at}"
                );
                assert_eq!(a.server.count("projects"), 0, "{at}: nothing sent");
                // Without them (an empty section of one is only noted), it applies.
                let mut text = format!("{FILE}{NEWER}");
                for section in lacks {
                    let start = text.find(&format!("{section}:\n")).unwrap();
                    let len = text[start..]
                        .lines()
                        .skip(1)
                        .take_while(|l| l.starts_with(' '))
                        .map(|l| l.len() + 1)
                        .sum::<usize>();
                    text.replace_range(start..start + section.len() + 2 + len, "");
                }
                text.push_str(&format!("{}: {{}}\n", lacks[0]));
                let fitting = write(&dir, "fitting.yaml", &text);
                let (out, err, code) = run(&a, &["apply", &fitting]);
                assert_eq!(code, 0, "{at}: {out}{err}");
                assert!(
                    err.contains(&format!(
                        "{}: not on this server; nothing to apply",
                        lacks[0]
                    )),
                    "{at}: {err}"
                );
            }
            let exported = dir.join("exported.yaml");
            let (_, err, code) = run(&a, &["export", "--file", exported.to_str().unwrap()]);
            assert_eq!(code, 0, "{at}: {err}");
            for section in lacks {
                assert!(
                    err.contains(&format!("export: {section}: not on this server; left out")),
                    "{at}: {err}"
                );
            }
            let text = std::fs::read_to_string(&exported).unwrap();
            let b = fake_with(profile, missing_json);
            let (out, err, code) = run(&b, &["apply", exported.to_str().unwrap()]);
            assert_eq!(code, 0, "{at}: {out}{err}");
            let again = dir.join("again.yaml");
            let (_, _, code) = run(&b, &["export", "--file", again.to_str().unwrap()]);
            assert_eq!(code, 0, "{at}");
            assert_eq!(std::fs::read_to_string(&again).unwrap(), text, "{at}");
            let (plan, err, code) = run(&b, &["apply", exported.to_str().unwrap(), "--dry-run"]);
            assert_eq!(code, 0, "{at}: {err}");
            assert!(
                !plan.contains("+ create")
                    && !plan.contains("~ update")
                    && !plan.contains("- delete"),
                "{at}:\n{plan}"
            );
            for section in [
                "projects",
                "monitors",
                "heartbeats",
                "domain-names",
                "dns-monitors",
                "server-monitors",
                "game-servers",
            ] {
                assert_eq!(
                    a.server.count(section),
                    b.server.count(section),
                    "{at}: {section}"
                );
            }
            assert_eq!(a.server.handler_count(), b.server.handler_count(), "{at}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_placeholder_value_is_taken_as_it_is_never_expanded_again() {
    let dir = temp_dir("literal");
    let a = fake(Profile::V2026);
    let file = write(
        &dir,
        "a.yaml",
        "notification_handlers:\n  Ops hook:\n    type: webhook\n    webhook: ${OPS_HOOK_URL}\n",
    );
    // A value that names itself would loop forever if it were read for placeholders again.
    let output = Command::cargo_bin("bitpeak")
        .unwrap()
        .args(["apply", &file])
        .env("BITPEAK_BASE_URL", a.server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .env("OPS_HOOK_URL", "https://hooks.example.com/${OPS_HOOK_URL}")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (handlers, _, _) = run(&a, &["--output", "json", "handlers", "list"]);
    let handlers: serde_json::Value = serde_json::from_str(&handlers).unwrap();
    assert_eq!(
        handlers[0]["settings"]["webhook"],
        "https://hooks.example.com/${OPS_HOOK_URL}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_keeps_lists_that_php_wrote_as_objects_with_gaps() {
    let dir = temp_dir("gaps");
    let file = write(
        &dir,
        "handlers.yaml",
        "notification_handlers:\n  On-call:\n    type: email\n    email: oncall@example.com\n",
    );
    let a = fake(Profile::V2025);
    let (out, err, code) = run(&a, &["apply", &file]);
    assert_eq!(code, 0, "{out}{err}");
    let (listed, _, _) = run(&a, &["handlers", "list", "--output", "json"]);
    let handlers: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let handler = handlers[0]["id"].as_u64().unwrap();
    a.server.seed_records(
        "monitors",
        vec![serde_json::json!({
            "id": 40, "name": "Gapped", "type": "website", "target": "https://gaps.example.com",
            "ping_servers_ids": {"1": 1, "3": 4},
            "notifications": {"is_ok": {"2": handler}},
        })],
    );
    let exported = dir.join("exported.yaml");
    let (out, err, code) = run(&a, &["export", "--file", exported.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&exported).unwrap();
    let account: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let monitor = &account["monitors"]["Gapped"];
    assert_eq!(
        monitor["ping_servers_ids"],
        serde_yaml::from_str::<serde_yaml::Value>("[1, 4]").unwrap(),
        "{text}"
    );
    assert_eq!(
        monitor["is_ok_notifications"],
        serde_yaml::from_str::<serde_yaml::Value>("[On-call]").unwrap(),
        "{text}"
    );
}

/// What `bitpeak export` of the previous release (0.1.0, with its own handler entries) wrote.
const EXPORTED_BY_0_1_0: &str = include_str!("data/exported-by-0.1.0.yaml");

#[test]
fn a_file_the_previous_release_exported_still_applies() {
    let dir = temp_dir("previous");
    let file = write(&dir, "account.yaml", EXPORTED_BY_0_1_0);
    let a = fake(Profile::V2025);
    let with_secrets = |args: &[&str]| {
        let output = Command::cargo_bin("bitpeak")
            .unwrap()
            .args(args)
            .env("BITPEAK_BASE_URL", a.server.base_url())
            .env("BITPEAK_API_KEY", KEY)
            .env_remove("BITPEAK_PROFILE")
            .env("BITPEAK_NOTIFICATION_HANDLERS_CHAT_TELEGRAM", "123456:ABC")
            .env(
                "BITPEAK_NOTIFICATION_HANDLERS_OPS_HOOK_WEBHOOK",
                "https://hooks.example.com/ops?key=s3cr3t",
            )
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            output.status.code().unwrap_or(-1),
        )
    };
    let (out, err, code) = with_secrets(&["apply", &file]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let (listed, _, _) = run(&a, &["handlers", "list", "--output", "json"]);
    let handlers: serde_json::Value = serde_json::from_str(&listed).unwrap();
    // Created concurrently: in name order.
    let mut shape: Vec<_> = handlers
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["type"].as_str().unwrap().to_owned(),
                h["settings"].clone(),
                h["is_enabled"].clone(),
            )
        })
        .collect();
    shape.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        shape,
        [
            (
                "Chat".to_owned(),
                "telegram".to_owned(),
                serde_json::json!({"telegram": "123456:ABC", "telegram_chat_id": "-1001234567890"}),
                serde_json::json!(false)
            ),
            (
                "On-call".to_owned(),
                "email".to_owned(),
                serde_json::json!({"email": "oncall@example.com"}),
                serde_json::json!(true)
            ),
            (
                "Ops hook".to_owned(),
                "webhook".to_owned(),
                serde_json::json!({"webhook": "https://hooks.example.com/ops?key=s3cr3t"}),
                serde_json::json!(true)
            ),
        ]
    );
    let (listed, _, _) = run(&a, &["monitors", "list", "--output", "json"]);
    let monitors: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let notified = &monitors[0]["notifications"]["is_ok"];
    let ids: Vec<u64> = ["On-call", "Ops hook"]
        .iter()
        .map(|name| {
            handlers
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["name"] == *name)
                .unwrap()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(notified, &serde_json::json!(ids));
    // Applied again, nothing changes.
    let (out, err, code) = with_secrets(&["apply", &file, "--dry-run"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.lines()
            .filter(|l| l.starts_with("plan:"))
            .all(|l| l.starts_with("plan: 0 to create, 0 to update")),
        "{out}"
    );
}

/// `bitpeak plan`: the dry run's plan, no change sent; with `--detailed-exitcode` 2 while the
/// account differs from the file, 0 once it matches, 1 on any error (a usage error too).
#[test]
fn plan_prints_the_plan_and_its_detailed_exit_code_says_whether_anything_differs() {
    let dir = temp_dir("plan");
    let file = write(&dir, "account.yaml", FILE);
    let a = fake(Profile::V2026);
    let (dry, _, code) = run(&a, &["apply", &file, "--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(run(&a, &["plan", &file]), (dry.clone(), String::new(), 0));
    assert_eq!(
        run(&a, &["plan", &file, "--detailed-exitcode"]),
        (dry, String::new(), 2)
    );
    assert_eq!(a.server.count("projects"), 0, "a plan sends no change");
    assert_eq!(run(&a, &["apply", &file]).2, 0);
    let (again, err, code) = run(&a, &["plan", &file, "--detailed-exitcode"]);
    assert_eq!((code, err.as_str()), (0, ""), "{again}");
    assert!(again.contains("plan: 0 to create, 0 to update, 2 unchanged, 0 to delete"));
    let bad = write(&dir, "bad.yaml", "nope: {}\n");
    let (_, err, code) = run(&a, &["plan", &bad, "--detailed-exitcode"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown section \"nope\""), "{err}");
    assert_eq!(
        run(&a, &["plan", &bad]).2,
        2,
        "without the flag, a usage error is 2"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_and_apply_read_stdin_and_export_writes_stdout() {
    let dir = temp_dir("stdin");
    let file = write(&dir, "account.yaml", FILE);
    let a = fake(Profile::V2026);
    let from_file = run(&a, &["plan", &file]);
    assert_eq!(run_with_input(&a, &["plan", "-"], FILE), from_file);
    // Line numbers count from the first line read.
    let bad = "projects:\n  Production:\n    colour: red\n";
    let (_, err, code) = run_with_input(&a, &["plan", "-"], bad);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "bitpeak: <stdin>: line 3: projects \"Production\": unknown field \"colour\""
        ),
        "{err}"
    );
    assert_eq!(a.server.count("projects"), 0, "a plan sends no change");
    assert_eq!(run_with_input(&a, &["apply", "-"], FILE).2, 0);
    // Export without --file writes to stdout; piped into another server's apply, it
    // reproduces the account there.
    let (exported, err, code) = run(&a, &["export"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let b = fake(Profile::V2026);
    let (_, err, code) = run_with_input(&b, &["apply", "-"], &exported);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(run(&b, &["export"]).0, exported);
    let (again, _, code) = run_with_input(&b, &["plan", "-", "--detailed-exitcode"], &exported);
    assert_eq!(code, 0, "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The id of the live `section` record named `name`.
fn live_id(fake: &Fake, section: &str, name: &str) -> u64 {
    let (out, _, code) = run(fake, &[section, "list", "--all", "--output", "json"]);
    assert_eq!(code, 0);
    let records: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let record = records.iter().find(|r| r["name"] == name);
    record.unwrap_or_else(|| panic!("no {section} {name:?} in {out}"))["id"]
        .as_u64()
        .unwrap()
}

#[test]
fn the_json_plan_names_each_change_with_old_and_new_values_and_hides_secrets() {
    let dir = temp_dir("json-plan");
    let a = fake(Profile::V2026);
    let file = write(&dir, "a.yaml", FILE);
    let (first, err, code) = run(&a, &["plan", &file, "--output", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        first["summary"],
        serde_json::json!({"create": 8, "update": 0, "rename": 0, "unchanged": 0, "delete": 0})
    );
    let hook = &first["changes"][3];
    assert_eq!(
        hook,
        &serde_json::json!({
            "section": "notification_handlers", "name": "Ops hook", "action": "create",
            "fields": {"type": {"old": null, "new": "webhook"}, "webhook": {"secret": true}},
        })
    );
    assert_eq!(a.server.count("projects"), 0, "a plan sends no change");
    assert_eq!(run(&a, &["apply", &file]).2, 0);
    let changed = FILE
        .replace("check_interval_seconds: 300", "check_interval_seconds: 600")
        .replace("project: Staging", "project: Production")
        .replace("${API_PASSWORD}", "n3w-pa55word")
        .replace("  Staging:\n    color: \"#00ff00\"\n", "");
    let changed = write(&dir, "b.yaml", &changed);
    let (plan, err, code) = run(
        &a,
        &[
            "plan",
            &changed,
            "--prune",
            "--output",
            "json",
            "--detailed-exitcode",
        ],
    );
    assert_eq!((code, err.as_str()), (2, ""), "{plan}");
    assert!(
        !plan.contains("pa55word") && !plan.contains("s3cr3t"),
        "{plan}"
    );
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(
        plan["summary"],
        serde_json::json!({"create": 0, "update": 1, "rename": 0, "unchanged": 6, "delete": 1})
    );
    let api = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "API")
        .unwrap();
    assert_eq!(
        api,
        &serde_json::json!({
            "section": "monitors", "name": "API", "action": "update",
            "id": live_id(&a, "monitors", "API"),
            "fields": {
                "project": {"old": "Staging", "new": "Production"},
                "check_interval_seconds": {"old": 300, "new": 600},
                "request_basic_auth_password": {"secret": true},
            },
        })
    );
    let deleted = &plan["changes"][1];
    assert_eq!(
        deleted,
        &serde_json::json!({
            "section": "projects", "name": "Staging", "action": "delete",
            "id": live_id(&a, "projects", "Staging"), "fields": {},
        })
    );
    // `--output text` is the plan apply --dry-run prints.
    let (text, _, _) = run(&a, &["plan", &changed, "--output", "text"]);
    assert_eq!(text, run(&a, &["apply", &changed, "--dry-run"]).0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_renamed_entry_keeps_its_record_and_references_follow_the_new_name() {
    let dir = temp_dir("rename");
    let a = fake(Profile::V2026);
    let file = write(&dir, "a.yaml", FILE);
    assert_eq!(run(&a, &["apply", &file]).2, 0);
    let (monitor, project) = (
        live_id(&a, "monitors", "Home page"),
        live_id(&a, "projects", "Production"),
    );
    let renamed = FILE
        .replace("  Production:\n", "  Prod:\n    renamed_from: Production\n")
        .replace("project: Production", "project: Prod")
        .replace(
            "  Home page:\n    type: website\n    target: https://example.com\n",
            "  Homepage:\n    renamed_from: Home page\n    type: website\n    target: https://example.org\n",
        );
    let renamed = write(&dir, "b.yaml", &renamed);
    let (plan, err, code) = run(&a, &["plan", &renamed, "--prune", "--detailed-exitcode"]);
    assert_eq!((code, err.as_str()), (2, ""), "{plan}");
    assert!(
        plan.contains(&format!("> rename Production -> Prod (#{project})\n")),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "> rename Home page -> Homepage (#{monitor}): target\n"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("plan: 0 to create, 0 to update, 1 to rename, 1 unchanged, 0 to delete"),
        "{plan}"
    );
    let (json, _, _) = run(&a, &["plan", &renamed, "--output", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json["changes"][0],
        serde_json::json!({
            "section": "projects", "name": "Prod", "action": "rename", "id": project,
            "renamed_from": "Production",
            "fields": {"name": {"old": "Production", "new": "Prod"}},
        })
    );
    let (out, err, code) = run(&a, &["apply", &renamed, "--prune"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.contains(&format!("renamed Home page -> Homepage (#{monitor})")),
        "{out}"
    );
    // Same records, new names; nothing created or deleted.
    assert_eq!(live_id(&a, "monitors", "Homepage"), monitor);
    assert_eq!(live_id(&a, "projects", "Prod"), project);
    assert_eq!(
        (a.server.count("monitors"), a.server.count("projects")),
        (2, 2)
    );
    let (again, _, code) = run(&a, &["plan", &renamed, "--prune", "--detailed-exitcode"]);
    assert_eq!(code, 0, "renamed_from may stay once applied: {again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rename_that_cannot_be_carried_out_is_refused_naming_both_names() {
    let dir = temp_dir("rename-refused");
    let a = fake(Profile::V2026);
    let old_reference = FILE.replace("  Production:\n", "  Prod:\n    renamed_from: Production\n");
    let file = write(&dir, "a.yaml", &old_reference);
    let (_, err, code) = run(&a, &["plan", &file]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "bitpeak: line 19: monitors \"Home page\": project names \"Production\", the old name of \
         \"Prod\" (renamed_from); refer to it as \"Prod\"\n"
            .replace("line 19", &format!("{file}: line 19"))
    );
    let twice = FILE.replace("  Staging:\n", "  Staging:\n    renamed_from: Production\n");
    let file = write(&dir, "b.yaml", &twice);
    let (_, err, code) = run(&a, &["plan", &file]);
    assert_eq!(code, 2);
    assert!(
        err.contains("projects \"Staging\": renamed_from \"Production\" is claimed by the entry \"Production\" too"),
        "{err}"
    );
    assert_eq!(a.server.count("projects"), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
