//! The `bitpeak` command line against the fake server, through notification handlers (`bitpeak
//! handlers …`, the catalog's `notification-handlers` command, and their section of the account
//! file): every command, both output formats, every error class and exit code, and apply's
//! plan, dry run, idempotence and prune. Outputs are compared whole.

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
        // listing of the routes at start-up (`[CLI]`, with made-up path values) is not, nor
        // is a request the CLI abandoned (it stopped listing: its stdout closed), which Prism
        // logs as its upstream connection hanging up; a command that meets a hang-up fails.
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("[CLI]"))
            .filter(|l| !l.contains("reason: socket hang up"))
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
            .env_remove("BITPEAK_PROFILE")
            .env_remove("RUST_LOG")
            .args(args);
        cmd
    }

    /// Runs: `(exit code, stdout, stderr)`.
    fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = self.cmd(args);
        for (name, value) in vars {
            cmd.env(name, value);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// Runs, expects success and nothing on stderr, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args, &[]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        stdout
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

/// Whether the profile's servers have the 2025 additions (`user_id`, the list filters).
fn since_2025() -> bool {
    matches!(profile(), Profile::V2025 | Profile::V2026)
}

/// `user_id` as printed: servers before 2025 do not send it.
fn user_id() -> &'static str {
    if since_2025() {
        "1"
    } else {
        "null"
    }
}

/// A handler as `--output json` prints it (the API's names, keys sorted), `settings` given as
/// JSON.
fn handler(
    id: u64,
    name: &str,
    kind: &str,
    settings: &str,
    enabled: bool,
    datetime: &str,
) -> String {
    format!(
        "{{\"datetime\":\"{datetime}\",\"id\":{id},\"is_enabled\":{enabled},\"last_datetime\":null,\
         \"name\":\"{name}\",\"settings\":{settings},\"type\":\"{kind}\",\"user_id\":{}}}",
        user_id()
    )
}

/// A server date and time, `YYYY-MM-DD HH:MM:SS`.
fn is_datetime(s: &str) -> bool {
    s.len() == 19
        && s.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
}

/// The `datetime` of one record printed as JSON (checked to be one).
fn datetime_in(json: &str) -> String {
    let record: Value = serde_json::from_str(json).unwrap();
    let datetime = record["datetime"].as_str().unwrap_or_default().to_owned();
    assert!(is_datetime(&datetime), "{json}");
    datetime
}

/// The account file's sections this profile's servers have, in the file's order.
fn sections() -> Vec<&'static str> {
    let mut sections = vec![
        "projects",
        "notification_handlers",
        "monitors",
        "heartbeats",
        "domain_names",
    ];
    if since_2025() {
        sections.extend(["dns_monitors", "server_monitors"]);
    }
    if profile() == Profile::V2026 {
        sections.push("game_servers");
    }
    sections
}

/// What `bitpeak export` writes for an account whose only records are notification handlers
/// (`handlers`: the section's lines, empty for none).
fn export_text(handlers: &str) -> String {
    sections()
        .into_iter()
        .map(|s| match s {
            "notification_handlers" if !handlers.is_empty() => {
                format!("notification_handlers:\n{handlers}")
            }
            s => format!("{s}: {{}}\n"),
        })
        .collect()
}

/// What `bitpeak export` says on stderr of the sections this profile's servers lack.
fn export_notes() -> String {
    ["dns_monitors", "server_monitors", "game_servers"]
        .into_iter()
        .filter(|s| !sections().contains(s))
        .map(|s| format!("bitpeak: export: {s}: not on this server; left out\n"))
        .collect()
}

/// The plan `bitpeak apply` prints for an exported account file: every section, `handlers`
/// (the notification handlers' plan lines, then their summary) in its place.
fn account_plan(handlers: &str) -> String {
    sections()
        .into_iter()
        .map(|s| match s {
            "notification_handlers" => format!("notification_handlers:\n{handlers}"),
            s => format!("{s}:\nplan: 0 to create, 0 to update, 0 unchanged, 0 to delete\n"),
        })
        .collect()
}

/// An apply's output: its plan (up to the last summary line) as printed, and the lines of the
/// changes made, sorted (the changes of one section run concurrently and are printed as they
/// finish).
fn plan_and_changes(out: &str) -> (String, Vec<String>) {
    let end = out.rfind("\nplan: ").map_or(0, |i| {
        i + 1 + out[i + 1..].find('\n').map_or(out.len() - i - 1, |j| j + 1)
    });
    let mut changes: Vec<String> = out[end..].lines().map(str::to_owned).collect();
    changes.sort();
    (out[..end].to_owned(), changes)
}

/// The lines given, sorted (what [`plan_and_changes`] compares with).
fn sorted(lines: &[String]) -> Vec<String> {
    let mut lines = lines.to_vec();
    lines.sort();
    lines
}

/// The listed handlers' ids by name.
fn ids_by_name(list: &Value) -> std::collections::BTreeMap<String, u64> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["id"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn create_get_list_update_delete_in_both_formats() {
    let env = env();
    // A negative chat id (a Telegram group's) is written `--telegram-chat-id=-100…`: see
    // a_negative_chat_id_is_taken_as_the_value_of_its_flag.
    let created = env.ok(&[
        "--output",
        "json",
        "handlers",
        "create",
        "--name",
        "On-call",
        "--type",
        "telegram",
        "--telegram",
        "123456:ABCDEF",
        "--telegram-chat-id=-1001234567890",
    ]);
    let at1 = datetime_in(&created);
    let bot = |name: &str, kind: &str, settings: &str, enabled: bool| {
        handler(1, name, kind, settings, enabled, &at1)
    };
    let telegram =
        |chat: &str| format!("{{\"telegram\":\"123456:ABCDEF\",\"telegram_chat_id\":\"{chat}\"}}");
    assert_eq!(
        created,
        format!(
            "{}\n",
            bot("On-call", "telegram", &telegram("-1001234567890"), true)
        )
    );

    // The table: the generic columns. An email handler waiting for its address to be
    // confirmed (2026 servers) shows as enabled.
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
    let ops_json = env.ok(&["--output", "json", "handlers", "get", "2"]);
    let at2 = datetime_in(&ops_json);
    let ops = handler(
        2,
        "Ops",
        "email",
        "{\"email\":\"ops@example.com\"}",
        true,
        &at2,
    );
    assert_eq!(ops_json, format!("{ops}\n"));
    assert_eq!(
        table,
        format!("ID  NAME  TYPE   IS_ENABLED  DATETIME\n2   Ops   email  yes         {at2}\n")
    );

    // Tables show no settings, so no secret.
    let listed = env.ok(&["handlers", "list"]);
    assert_eq!(
        listed,
        format!(
            "ID  NAME     TYPE      IS_ENABLED  DATETIME\n\
             1   On-call  telegram  yes         {at1}\n\
             2   Ops      email     yes         {at2}\n"
        )
    );
    let on_call = bot("On-call", "telegram", &telegram("-1001234567890"), true);
    assert_eq!(
        env.ok(&["--output", "json", "handlers", "list", "--per-page", "10"]),
        format!("[{on_call},{ops}]\n")
    );
    assert_eq!(
        env.ok(&["--output", "jsonl", "handlers", "list"]),
        format!("{on_call}\n{ops}\n")
    );
    // `handlers` is the short name of `notification-handlers`.
    assert_eq!(env.ok(&["notification-handlers", "list"]), listed);
    assert_eq!(
        env.ok(&["--output", "json", "handlers", "get", "1"]),
        created
    );
    assert_eq!(
        env.ok(&["handlers", "get", "1"]),
        format!(
            "ID  NAME     TYPE      IS_ENABLED  DATETIME\n1   On-call  telegram  yes         {at1}\n"
        )
    );

    // Updates: the fields given; the others, settings too, are kept.
    assert_eq!(
        env.ok(&[
            "--output",
            "json",
            "handlers",
            "update",
            "1",
            "--is-enabled",
            "false",
            "--name",
            "Night",
        ]),
        format!(
            "{}\n",
            bot("Night", "telegram", &telegram("-1001234567890"), false)
        )
    );
    assert_eq!(
        env.ok(&[
            "--output",
            "jsonl",
            "handlers",
            "update",
            "1",
            "--telegram-chat-id=-42",
            "--is-enabled",
            "true",
        ]),
        format!("{}\n", bot("Night", "telegram", &telegram("-42"), true))
    );
    assert_eq!(
        env.ok(&[
            "handlers",
            "update",
            "1",
            "--type",
            "slack",
            "--slack",
            "https://hooks.slack.com/x",
        ]),
        format!("ID  NAME   TYPE   IS_ENABLED  DATETIME\n1   Night  slack  yes         {at1}\n")
    );
    assert_eq!(
        env.ok(&["--output", "json", "handlers", "get", "1"]),
        format!(
            "{}\n",
            bot(
                "Night",
                "slack",
                "{\"slack\":\"https://hooks.slack.com/x\"}",
                true
            )
        )
    );
    assert_eq!(
        env.fails(&["handlers", "update", "1"], 2),
        "bitpeak: update: nothing to change\n"
    );

    assert_eq!(
        env.ok(&["handlers", "delete", "1"]),
        "",
        "delete prints nothing"
    );
    assert_eq!(env.server.handler_count(), 1);
    env.fails(&["handlers", "get", "1"], 4);
}

#[test]
fn the_previous_release_s_handler_commands_say_what_replaced_them() {
    let env = env();
    let retired = "bitpeak: handlers export and apply are now the account file's: `bitpeak \
        export` writes the notification_handlers section with the rest of the account, and \
        `bitpeak apply FILE` applies it (a handlers file written by `bitpeak handlers export` \
        applies as it is: its `handlers:` is read as `notification_handlers:`)\n";
    let file = file_with("retired", "handlers: {}\n");
    for args in [
        vec!["handlers", "export"],
        vec!["handlers", "export", "--file", "out.yaml"],
        vec!["handlers", "apply", &file],
        vec![
            "notification-handlers",
            "apply",
            &file,
            "--dry-run",
            "--prune",
        ],
    ] {
        assert_eq!(env.fails(&args, 2), retired, "{args:?}");
    }
    // `--enable` / `--disable` are `--is-enabled true|false`.
    for flag in ["--enable", "--disable"] {
        assert_eq!(
            env.fails(&["handlers", "update", "1", flag], 2),
            format!(
                "error: unexpected argument '{flag}' found\n\n  \
                 tip: a similar argument exists: '--is-enabled'\n\n\
                 Usage: bitpeak notification-handlers update --is-enabled <true|false> <ID>\n\n\
                 For more information, try '--help'.\n"
            )
        );
    }
    assert_eq!(env.server.requests(), 0);
}

#[test]
fn a_negative_chat_id_is_taken_as_the_value_of_its_flag() {
    let env = env();
    let created = env.ok(&[
        "--output",
        "json",
        "handlers",
        "create",
        "--name",
        "Group",
        "--type",
        "telegram",
        "--telegram",
        "123456:ABCDEF",
        "--telegram-chat-id",
        "-1001234567890",
    ]);
    let settings = "{\"telegram\":\"123456:ABCDEF\",\"telegram_chat_id\":\"-1001234567890\"}";
    let at = datetime_in(&created);
    assert_eq!(
        created,
        format!("{}\n", handler(1, "Group", "telegram", settings, true, &at))
    );
    let updated = env.ok(&[
        "--output",
        "json",
        "handlers",
        "update",
        "1",
        "--telegram-chat-id",
        "-42",
    ]);
    let settings = "{\"telegram\":\"123456:ABCDEF\",\"telegram_chat_id\":\"-42\"}";
    assert_eq!(
        updated,
        format!("{}\n", handler(1, "Group", "telegram", settings, true, &at))
    );
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
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let page = env.json(&["handlers", "list", "--per-page", "10"]);
    assert_eq!(ids_of(&page), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        names(&env.json(&["handlers", "list", "--per-page", "10", "--page", "3"])),
        ["n20", "n21", "n22"]
    );
    let all = env.json(&["handlers", "list", "--all", "--per-page", "10"]);
    assert_eq!(ids_of(&all), (1..=23).collect::<Vec<_>>());
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
    let lines = env.ok(&[
        "--output",
        "jsonl",
        "handlers",
        "list",
        "--all",
        "--per-page",
        "10",
    ]);
    let records: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(Value::from(records), all);
    // A table of every page: one header, then a row a record.
    let table = env.ok(&["handlers", "list", "--all", "--per-page", "10"]);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 24, "{table}");
    assert_eq!(rows[0], "ID  NAME  TYPE     IS_ENABLED  DATETIME");
    assert!(
        rows[23].starts_with("23  n22   webhook  yes         "),
        "{table}"
    );
    // Servers before 2025 ignore the filters and answer the first page of everything.
    let filters = since_2025();
    let found = env.json(&["handlers", "list", "--search", "n1", "--search-by", "name"]);
    if filters {
        assert_eq!(
            names(&found),
            ["n10", "n11", "n12", "n13", "n14", "n15", "n16", "n17", "n18", "n19"]
        );
    } else {
        assert_eq!(found, env.json(&["handlers", "list"]));
    }
    assert_eq!(
        ids_of(&env.json(&["handlers", "list", "--type", "email"])).len(),
        if filters { 0 } else { 23 }
    );
    assert_eq!(
        ids_of(&env.json(&[
            "handlers",
            "list",
            "--per-page",
            "10",
            "--order-by",
            "notification_handler_id",
            "--order-type",
            "DESC",
        ])),
        if filters {
            (14..=23).rev().collect::<Vec<_>>()
        } else {
            (1..=10).collect()
        }
    );
    // The filters' allowed values are clap's.
    assert_eq!(
        env.fails(&["handlers", "list", "--order-type", "UP"], 2),
        "error: invalid value 'UP' for '--order-type <order_type>'\n  \
         [possible values: ASC, DESC]\n\nFor more information, try '--help'.\n"
    );
}

#[test]
fn errors_have_one_line_and_documented_exit_codes() {
    let env = env();
    // not found: 4
    assert_eq!(
        env.fails(&["handlers", "get", "99"], 4),
        "bitpeak: HTTP 404 Not Found: The requested resource was not found.\n"
    );
    assert_eq!(
        env.fails(&["handlers", "delete", "99"], 4),
        "bitpeak: HTTP 404 Not Found: The requested resource was not found.\n"
    );
    // auth: 3
    assert_eq!(
        env.fails(&["--api-key", "wrong", "handlers", "list"], 3),
        "bitpeak: HTTP 401 Unauthorized: You do not have access to the API. (the API key was \
         refused, or the server rejected the request's fields; these servers answer both with \
         401)\n"
    );
    // usage: 2
    let out = Command::cargo_bin("bitpeak")
        .unwrap()
        .env_remove("BITPEAK_API_KEY")
        .env_remove("BITPEAK_PROFILE")
        .env(
            "BITPEAK_CONFIG",
            std::env::temp_dir().join("bitpeak-cli-no-such-config.toml"),
        )
        .args(["handlers", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bitpeak: no API key: pass --api-key, set BITPEAK_API_KEY, or use a profile with a key \
         (bitpeak profiles)\n"
    );
    assert_eq!(
        env.fails(&["handlers", "list", "--per-page", "30"], 2),
        "error: invalid value '30' for '--per-page <per_page>': invalid results_per_page: 30 is \
         not one of 10, 25, 50, 100, 250, 500, 1000\n\nFor more information, try '--help'.\n"
    );
    assert_eq!(
        env.fails(&["handlers", "create", "--name", "x", "--type", "sms"], 2),
        "error: invalid value 'sms' for '--type <TEXT>'\n  [possible values: email, webhook, \
         slack, discord, telegram, microsoft_teams, x, google_chat, internal_notification]\n\n\
         For more information, try '--help'.\n"
    );
    let refused = [
        (
            vec!["--type", "telegram", "--telegram", "t"],
            "bitpeak: invalid telegram_chat_id: is required for type telegram\n",
        ),
        (
            vec!["--type", "email", "--email", "nope"],
            "bitpeak: invalid email: \"nope\" is not an email address\n",
        ),
        (
            vec!["--type", "webhook", "--webhook", "ftp://x"],
            "bitpeak: invalid webhook: \"ftp://x\" is not an http(s) URL: the scheme must be \
             http or https\n",
        ),
        (
            vec!["--type", "slack"],
            "bitpeak: invalid slack: is required for type slack\n",
        ),
    ];
    for (fields, expected) in refused {
        let mut args = vec!["handlers", "create", "--name", "x"];
        args.extend(fields);
        assert_eq!(env.fails(&args, 2), expected, "{args:?}");
    }
    assert_eq!(
        env.fails(
            &["handlers", "create", "--type", "email", "--email", "a@b.co"],
            2
        ),
        "bitpeak: invalid name: is required\n"
    );
    assert_eq!(
        env.fails(&["handlers", "update", "1", "--is-enabled", "maybe"], 2),
        "bitpeak: invalid is_enabled: must be true or false, not \"maybe\"\n"
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
        .env_remove("BITPEAK_PROFILE")
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
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "bitpeak: network error: error sending request for url \
             ({dead}/notification-handlers?page=1&results_per_page=25)\n"
        )
    );
}

#[test]
fn a_setting_of_another_type_is_refused() {
    let env = env();
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
            "https://hooks.slack.com/x",
        ],
        2,
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("bitpeak: ") && err.contains("slack"),
        "{err}"
    );
    assert_eq!(env.server.handler_count(), 0, "nothing was created");
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
    let seconds = err
        .strip_prefix(
            "bitpeak: HTTP 429 Too Many Requests: You have exceeded the rate limit.; the limit \
             resets in ",
        )
        .and_then(|rest| rest.strip_suffix(" s\n"))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(seconds.is_some_and(|s| s <= 60), "{err}");
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
    let exported = exported.to_str().unwrap();
    // Secrets (every setting but an email address) as placeholders, unless asked for.
    assert_eq!(
        env.run(&["export", "--file", exported], &[]),
        (0, String::new(), export_notes())
    );
    assert_eq!(
        std::fs::read_to_string(exported).unwrap(),
        export_text(
            "  Old:\n    type: discord\n    discord: ${BITPEAK_NOTIFICATION_HANDLERS_OLD_DISCORD}\n    is_enabled: true\n  \
             Ops:\n    type: webhook\n    webhook: ${BITPEAK_NOTIFICATION_HANDLERS_OPS_WEBHOOK}\n    is_enabled: true\n"
        )
    );
    let with_secrets = export_text(
        "  Old:\n    type: discord\n    discord: https://discord.com/api/webhooks/1/a\n    is_enabled: true\n  \
         Ops:\n    type: webhook\n    webhook: https://example.com/ops\n    is_enabled: true\n",
    );
    assert_eq!(
        env.run(&["export", "--include-secrets"], &[]),
        (0, with_secrets, export_notes())
    );
    // The placeholders are read from the environment; an unset one is refused, naming its line.
    assert_eq!(
        env.fails(&["apply", exported], 2),
        format!(
            "bitpeak: {exported}: line 5: the placeholder \
             ${{BITPEAK_NOTIFICATION_HANDLERS_OLD_DISCORD}} is not set in the environment\n"
        )
    );
    // Applying the export changes nothing.
    let secrets = [
        (
            "BITPEAK_NOTIFICATION_HANDLERS_OLD_DISCORD",
            "https://discord.com/api/webhooks/1/a",
        ),
        (
            "BITPEAK_NOTIFICATION_HANDLERS_OPS_WEBHOOK",
            "https://example.com/ops",
        ),
    ];
    assert_eq!(
        env.run(&["apply", exported], &secrets),
        (
            0,
            account_plan(
                "= unchanged Old\n= unchanged Ops\nplan: 0 to create, 0 to update, 2 unchanged, 0 to delete\n"
            ),
            String::new()
        )
    );

    let path = &file_with(
        "export-apply-wanted",
        "notification_handlers:\n  \
           Ops:\n    type: webhook\n    webhook: https://example.com/ops\n    is_enabled: false\n  \
           Hook:\n    type: webhook\n    webhook: https://example.com/h\n  \
           Muted:\n    type: discord\n    discord: https://discord.com/api/webhooks/2/b\n    is_enabled: false\n",
    );
    let plan = "notification_handlers:\n~ update Ops (#1): is_enabled\n+ create Hook\n\
                + create Muted\n- delete Old (#2)\n\
                plan: 2 to create, 1 to update, 0 unchanged, 1 to delete\n";
    let before = env.server.requests();
    assert_eq!(env.ok(&["apply", path, "--dry-run", "--prune"]), plan);
    assert_eq!(env.server.requests() - before, 1, "a dry run only lists");
    assert_eq!(env.server.handler_count(), 2, "a dry run changes nothing");
    let done = env.ok(&["apply", path, "--prune"]);
    // The two creates run at once: either may have id 3.
    let ids = ids_by_name(&env.json(&["handlers", "list"]));
    assert_eq!(
        plan_and_changes(&done),
        (
            plan.to_owned(),
            sorted(&[
                "updated Ops (#1)".to_owned(),
                format!("created Hook (#{})", ids["Hook"]),
                format!("created Muted (#{})", ids["Muted"]),
                "deleted Old (#2)".to_owned(),
            ])
        )
    );
    assert!(
        done.ends_with("deleted Old (#2)\n"),
        "deletes come last: {done}"
    );
    assert_eq!(
        env.ok(&["apply", path, "--prune"]),
        "notification_handlers:\n= unchanged Ops\n= unchanged Hook\n= unchanged Muted\n\
         plan: 0 to create, 0 to update, 3 unchanged, 0 to delete\n"
    );
    // An entry with `is_enabled: false` is created, then disabled.
    let list = env.json(&["handlers", "list"]);
    let enabled: Vec<(&str, &Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), &h["is_enabled"]))
        .collect();
    let (no, yes) = (&Value::from(false), &Value::from(true));
    let mut expected = vec![("Ops", no), ("Hook", yes), ("Muted", no)];
    expected[1..].sort_by_key(|(name, _)| ids[*name]);
    assert_eq!(enabled, expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_handlers_file_of_the_previous_release_still_applies() {
    let env = env();
    // As `bitpeak handlers export` wrote it (`handlers:`, `enabled:` first), a token made a
    // placeholder by hand.
    let path = &file_with(
        "previous-release",
        "handlers:\n  \
           Bot:\n    enabled: false\n    type: telegram\n    telegram: ${BITPEAK_TEST_BOT_TOKEN}\n    telegram_chat_id: '-1001234567890'\n  \
           Mail:\n    enabled: true\n    type: email\n    email: oncall@example.com\n  \
           Hook:\n    enabled: true\n    type: webhook\n    webhook: https://example.com/h\n",
    );
    assert_eq!(
        env.fails(&["apply", path], 2),
        format!(
            "bitpeak: {path}: line 5: the placeholder ${{BITPEAK_TEST_BOT_TOKEN}} is not set in \
             the environment\n"
        )
    );
    assert_eq!(env.server.requests(), 0, "refused before any request");
    let token = [("BITPEAK_TEST_BOT_TOKEN", "123456:ABCDEF")];
    let plan = "notification_handlers:\n+ create Bot\n+ create Mail\n+ create Hook\n\
                plan: 3 to create, 0 to update, 0 unchanged, 0 to delete\n";
    assert_eq!(
        env.run(&["apply", path, "--dry-run"], &token),
        (0, plan.to_owned(), String::new())
    );
    let (code, done, err) = env.run(&["apply", path], &token);
    assert_eq!((code, err.as_str()), (0, ""));
    // The creates run at once: the ids follow the order they are answered in.
    let lines = env.ok(&["--output", "jsonl", "handlers", "list"]);
    let mut names = Vec::new();
    for line in lines.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let (id, at) = (record["id"].as_u64().unwrap(), datetime_in(line));
        let name = record["name"].as_str().unwrap().to_owned();
        let expected = match name.as_str() {
            "Bot" => handler(
                id,
                "Bot",
                "telegram",
                "{\"telegram\":\"123456:ABCDEF\",\"telegram_chat_id\":\"-1001234567890\"}",
                false,
                &at,
            ),
            "Mail" => handler(
                id,
                "Mail",
                "email",
                "{\"email\":\"oncall@example.com\"}",
                true,
                &at,
            ),
            "Hook" => handler(
                id,
                "Hook",
                "webhook",
                "{\"webhook\":\"https://example.com/h\"}",
                true,
                &at,
            ),
            other => panic!("{other:?} was not in the file"),
        };
        assert_eq!(line, expected);
        names.push((id, name));
    }
    assert_eq!(
        names.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let created: Vec<String> = names
        .iter()
        .map(|(id, name)| format!("created {name} (#{id})"))
        .collect();
    assert_eq!(plan_and_changes(&done), (plan.to_owned(), sorted(&created)));
    assert_eq!(
        env.run(&["apply", path, "--prune"], &token),
        (
            0,
            "notification_handlers:\n= unchanged Bot\n= unchanged Mail\n= unchanged Hook\n\
             plan: 0 to create, 0 to update, 3 unchanged, 0 to delete\n"
                .to_owned(),
            String::new()
        )
    );
}

#[test]
fn apply_rejects_bad_files_before_any_request_naming_the_line() {
    let env = env();
    let dir = temp_dir("bad");
    let fields = "type, email, webhook, slack, discord, telegram, telegram_chat_id, \
                  microsoft_teams, google_chat, x_consumer_key, x_consumer_secret, \
                  x_access_token, x_access_token_secret, is_enabled";
    let cases = [
        (
            "handlers:\n  a:\n    type: email\n    email: a@b.co\n  a:\n    type: email\n    email: a@b.co\n",
            "handlers: duplicate entry with key \"a\" at line 2 column 3".to_owned(),
        ),
        (
            "handlers:\n  a:\n    type: sms\n",
            "line 2: notification-handlers \"a\": invalid type: must be one of: email, webhook, \
             slack, discord, telegram, microsoft_teams, x, google_chat, internal_notification"
                .to_owned(),
        ),
        (
            "handlers:\n  a:\n    type: email\n    email: a@b.co\n  b:\n    type: telegram\n    telegram: t\n",
            "line 5: notification-handlers \"b\": invalid telegram_chat_id: is required for type \
             telegram"
                .to_owned(),
        ),
        (
            "handlers:\n  a:\n    type: email\n    email: a@b.co\n  b:\n    type: webhook\n    webhook: ftp://x\n",
            "line 5: notification-handlers \"b\": invalid webhook: \"ftp://x\" is not an http(s) \
             URL: the scheme must be http or https"
                .to_owned(),
        ),
        (
            "notification_handlers:\n  a:\n    email: a@b.co\n",
            "line 2: notification-handlers \"a\": invalid type: is required".to_owned(),
        ),
        (
            "notification_handlers:\n  a:\n    type: email\n    email: a@b.co\n    state: pending\n",
            format!("line 5: notification-handlers \"a\": unknown field \"state\" (fields: {fields})"),
        ),
        (
            "alerts:\n  a:\n    type: email\n",
            "line 1: unknown section \"alerts\" (sections: projects, notification_handlers, \
             monitors, heartbeats, domain_names, dns_monitors, server_monitors, game_servers)"
                .to_owned(),
        ),
        (
            "notification_handlers:\n  a: email\n",
            "line 2: notification-handlers \"a\": must be a mapping of fields".to_owned(),
        ),
        ("- a\n", "not a mapping of sections".to_owned()),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        assert_eq!(
            env.fails(&["apply", path], 2),
            format!("bitpeak: {path}: {expected}\n"),
            "case {i}"
        );
    }
    assert_eq!(env.server.requests(), 0, "no request was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_name_given_twice_once_trimmed_is_refused_naming_its_line() {
    let env = env();
    let path = &file_with(
        "twice-trimmed",
        "notification_handlers:\n  a:\n    type: email\n    email: a@b.co\n  \" a \":\n    type: email\n    email: a@b.co\n",
    );
    assert_eq!(
        env.fails(&["apply", path], 2),
        format!(
            "bitpeak: {path}: line 5: notification-handlers \" a \": the name is given twice\n"
        )
    );
    assert_eq!(env.server.requests(), 0);
}

#[test]
fn a_wrong_is_enabled_is_refused_before_any_request() {
    let env = env();
    let path = &file_with(
        "wrong-is-enabled",
        "notification_handlers:\n  a:\n    type: email\n    email: a@b.co\n    is_enabled: maybe\n",
    );
    let err = env.fails(&["apply", path], 2);
    assert!(
        err.starts_with(&format!("bitpeak: {path}: line 5: ")) && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(env.server.requests(), 0, "no request was sent");
    assert_eq!(env.server.handler_count(), 0, "nothing was created");
}

#[test]
fn a_file_naming_the_handlers_section_twice_is_refused() {
    let env = env();
    env.server.seed(1);
    let path = &file_with(
        "section-twice",
        "handlers:\n  a:\n    type: email\n    email: a@b.co\nnotification_handlers:\n  b:\n    type: email\n    email: b@b.co\n",
    );
    let err = env.fails(&["apply", path, "--prune"], 2);
    assert!(
        err.starts_with(&format!("bitpeak: {path}: line 5: ")) && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(env.server.requests(), 0, "no request was sent");
}

#[test]
fn the_committed_schema_is_the_account_file_s() {
    let out = Command::cargo_bin("bitpeak")
        .unwrap()
        .env_remove("BITPEAK_PROFILE")
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/account.schema.json"))
            .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        committed,
        "run `bitpeak schema > cli/account.schema.json`"
    );
    // The handlers' entries have the forms' fields, and the previous release's `enabled`
    // (deprecated); its handlers file's `handlers:` has the same entries.
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let entry = &schema["properties"]["notification_handlers"]["additionalProperties"];
    let mut fields: Vec<&str> = entry["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "discord",
            "email",
            "enabled",
            "google_chat",
            "is_enabled",
            "microsoft_teams",
            "renamed_from",
            "slack",
            "telegram",
            "telegram_chat_id",
            "type",
            "webhook",
            "x_access_token",
            "x_access_token_secret",
            "x_consumer_key",
            "x_consumer_secret",
        ]
    );
    assert_eq!(entry["properties"]["enabled"]["deprecated"], true);
    assert_eq!(
        &schema["properties"]["handlers"]["additionalProperties"],
        entry
    );
}

#[test]
fn fake_server_command_prints_its_url_and_serves() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let bin = assert_cmd::cargo::cargo_bin("bitpeak");
    let mut child = std::process::Command::new(bin)
        .env_remove("BITPEAK_PROFILE")
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
        .env_remove("BITPEAK_PROFILE")
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

/// [`odd_records`] as `--output json` prints them, one a line. A state from a later version
/// (`is_enabled: 3`) is printed `true`, settings that cannot be read (`"{not json"`, `"[]"`)
/// `{}`, zero and empty dates `null`.
const ODD: [&str; 5] = [
    r#"{"datetime":null,"id":1,"is_enabled":true,"last_datetime":null,"name":"Hook","settings":{"webhook":"https://example.com/h"},"type":"webhook","user_id":null}"#,
    r#"{"datetime":null,"id":2,"is_enabled":false,"last_datetime":null,"name":"Migrated","settings":{},"type":null,"user_id":null}"#,
    r#"{"datetime":null,"id":3,"is_enabled":true,"last_datetime":null,"name":"Later","settings":{},"type":"whatsapp","user_id":null}"#,
    r#"{"datetime":null,"id":4,"is_enabled":true,"last_datetime":null,"name":"Keyed","settings":{"email":"a@example.com"},"type":"email","user_id":null}"#,
    r#"{"datetime":null,"id":5,"is_enabled":true,"last_datetime":null,"name":"Broken","settings":{},"type":"slack","user_id":null}"#,
];

/// [`odd_records`] as a table.
const ODD_TABLE: &str = "ID  NAME      TYPE      IS_ENABLED  DATETIME\n\
                         1   Hook      webhook   yes         -\n\
                         2   Migrated  -         no          -\n\
                         3   Later     whatsapp  yes         -\n\
                         4   Keyed     email     yes         -\n\
                         5   Broken    slack     yes         -\n";

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
    assert_eq!(
        env.ok(&["--output", "json", "handlers", "list", "--all"]),
        format!("[\n{}\n]\n", ODD.join(",\n"))
    );
    assert_eq!(
        env.ok(&["--output", "json", "handlers", "list"]),
        format!("[{}]\n", ODD.join(","))
    );
    assert_eq!(
        env.ok(&["--output", "jsonl", "handlers", "list", "--all"]),
        format!("{}\n", ODD.join("\n"))
    );
    for (id, record) in (1..).zip(ODD) {
        assert_eq!(
            env.ok(&["--output", "json", "handlers", "get", &id.to_string()]),
            format!("{record}\n")
        );
    }
    assert_eq!(env.ok(&["handlers", "list"]), ODD_TABLE);
    assert_eq!(
        env.ok(&["handlers", "get", "2"]),
        "ID  NAME      TYPE  IS_ENABLED  DATETIME\n2   Migrated  -     no          -\n"
    );
}

#[test]
fn export_writes_odd_records_as_read_and_apply_leaves_unnamed_ones_alone() {
    let env = env();
    env.server.seed_raw(odd_records());
    assert_eq!(
        env.run(&["export"], &[]),
        (
            0,
            export_text(
                "  Hook:\n    type: webhook\n    webhook: ${BITPEAK_NOTIFICATION_HANDLERS_HOOK_WEBHOOK}\n    is_enabled: true\n  \
                 Keyed:\n    type: email\n    email: a@example.com\n    is_enabled: true\n"
            ),
            format!("{ODD_SKIPPED}{}", export_notes())
        )
    );

    let path = &file_with(
        "odd",
        "notification_handlers:\n  Hook:\n    type: webhook\n    webhook: https://example.com/h\n  \
           Keyed:\n    type: email\n    email: a@example.com\n  \
           Broken:\n    type: slack\n    slack: https://hooks.slack.com/services/T/B/X\n",
    );
    let plan = "notification_handlers:\n= unchanged Hook\n= unchanged Keyed\n\
                ~ update Broken (#5): slack\n\
                plan: 0 to create, 1 to update, 2 unchanged, 0 to delete\n";
    assert_eq!(env.ok(&["apply", path, "--dry-run"]), plan);
    assert_eq!(
        env.ok(&["apply", path, "--dry-run", "--prune"]),
        "notification_handlers:\n= unchanged Hook\n= unchanged Keyed\n\
         ~ update Broken (#5): slack\n- delete Migrated (#2)\n- delete Later (#3)\n\
         plan: 0 to create, 1 to update, 2 unchanged, 2 to delete\n"
    );
    assert_eq!(
        env.ok(&["apply", path]),
        format!("{plan}updated Broken (#5)\n")
    );
    let mut after = ODD.map(str::to_owned);
    after[4] = after[4].replace(
        "\"settings\":{}",
        "\"settings\":{\"slack\":\"https://hooks.slack.com/services/T/B/X\"}",
    );
    assert_eq!(
        env.ok(&["--output", "jsonl", "handlers", "list", "--all"]),
        format!("{}\n", after.join("\n")),
        "nothing deleted without --prune; the records not named left as they were"
    );
    assert_eq!(
        env.ok(&["apply", path]),
        "notification_handlers:\n= unchanged Hook\n= unchanged Keyed\n= unchanged Broken\n\
         plan: 0 to create, 0 to update, 3 unchanged, 0 to delete\n"
    );
}

/// What `bitpeak export` says of the odd records it cannot write as entries that apply.
const ODD_SKIPPED: &str = "bitpeak: export: skipping notification-handlers #2 \"Migrated\": it cannot be created as it stands (invalid type: is required)\n\
    bitpeak: export: skipping notification-handlers #3 \"Later\": it cannot be created as it stands (invalid type: must be one of: email, webhook, slack, discord, telegram, microsoft_teams, x, google_chat, internal_notification)\n\
    bitpeak: export: skipping notification-handlers #5 \"Broken\": it cannot be created as it stands (invalid slack: is required for type slack)\n";

#[test]
fn an_export_of_odd_records_applies() {
    let env = env();
    env.server.seed_raw(odd_records());
    let dir = temp_dir("odd-export");
    let file = dir.join("account.yaml");
    let file = file.to_str().unwrap();
    let (code, _, _) = env.run(&["export", "--include-secrets", "--file", file], &[]);
    assert_eq!(code, 0);
    let (code, plan, err) = env.run(&["apply", file, "--dry-run"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !plan.contains("+ create") && !plan.contains("~ update") && !plan.contains("- delete"),
        "{plan}"
    );
}

#[test]
fn export_skips_a_handler_without_a_name_or_with_a_taken_one() {
    let env = env();
    let record = |id: u64, name: &str, email: &str| {
        serde_json::json!({"id": id, "type": "email", "name": name, "settings": {"email": email},
            "is_enabled": 1, "last_datetime": null, "datetime": "2026-01-15 09:30:00"})
    };
    env.server.seed_raw(vec![
        record(1, "", "a@example.com"),
        record(2, "Twin", "b@example.com"),
        record(3, " Twin ", "c@example.com"),
        record(4, "   ", "d@example.com"),
    ]);
    assert_eq!(
        env.run(&["export"], &[]),
        (
            0,
            export_text("  Twin:\n    type: email\n    email: b@example.com\n    is_enabled: true\n"),
            format!(
                "bitpeak: export: skipping notification-handlers #1: it has no name\n\
                 bitpeak: export: skipping notification-handlers #3 \"Twin\": another is already named so\n\
                 bitpeak: export: skipping notification-handlers #4: it has no name\n{}",
                export_notes()
            )
        )
    );
}

#[test]
fn disabling_an_unconfirmed_email_on_a_2026_server_prints_it_still_enabled() {
    // The server keeps an email handler pending until its address is confirmed: the record
    // printed shows it enabled, and a note says the update did not take (the previous release's
    // note named the pending state).
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
    let (code, stdout, stderr) = env.run(
        &[
            "--output",
            "json",
            "handlers",
            "update",
            "1",
            "--is-enabled",
            "false",
        ],
        &[],
    );
    let at = datetime_in(&stdout);
    assert_eq!(
        (code, stdout, stderr),
        (
            0,
            format!(
                "{{\"datetime\":\"{at}\",\"id\":1,\"is_enabled\":true,\"last_datetime\":null,\
                 \"name\":\"Mail\",\"settings\":{{\"email\":\"a@example.com\"}},\"type\":\"email\",\
                 \"user_id\":1}}\n"
            ),
            "bitpeak: note: notification-handlers #1 holds is_enabled = 1 after the update, not \
             false\n"
                .to_owned()
        )
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
    let raw = r#"{\"datetime\":\"\",\"id\":\"six\",\"is_enabled\":1,\"name\":\"No id\",\"type\":\"email\"}"#;
    let skipped = format!(
        "bitpeak: warn: skipped a record: it has no readable id (record \"{raw}\") \
         resource=\"notification handler\"\n"
    );
    assert_eq!(
        env.run(&["--output", "json", "handlers", "list", "--all"], &[]),
        (0, format!("[\n{}\n]\n", ODD.join(",\n")), skipped.clone())
    );
    assert_eq!(
        env.fails(&["handlers", "get", "6"], 1),
        format!(
            "bitpeak: HTTP 200 OK: the body is not the API's JSON (the notification handler it \
             holds cannot be read: it has no readable id); it begins: \"{raw}\"\n"
        )
    );
    let (code, _, stderr) = env.run(&["export"], &[]);
    assert_eq!(
        (code, stderr),
        (0, format!("{skipped}{ODD_SKIPPED}{}", export_notes()))
    );
}

#[test]
fn a_listed_page_names_a_record_without_a_readable_id_once() {
    let env = env_through(FakeConfig::new().profile(profile()), None);
    let mut records = odd_records();
    records.push(serde_json::json!({"id": "six", "type": "email", "name": "No id", "is_enabled": 1, "datetime": ""}));
    env.server.seed_raw(records);
    let raw = r#"{\"datetime\":\"\",\"id\":\"six\",\"is_enabled\":1,\"name\":\"No id\",\"type\":\"email\"}"#;
    assert_eq!(
        env.run(&["handlers", "list"], &[]),
        (
            0,
            ODD_TABLE.to_owned(),
            format!(
                "bitpeak: warn: skipped a record: it has no readable id (record \"{raw}\") \
                 resource=\"notification handler\"\n"
            )
        )
    );
}

#[test]
fn a_closed_stdout_ends_the_listing_quietly() {
    let env = env();
    env.server.seed(3000);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bitpeak"))
        .args(["handlers", "list", "--all"])
        .env("BITPEAK_BASE_URL", env.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert_eq!(first, "ID  NAME     TYPE     IS_ENABLED  DATETIME\n");
    drop(stdout); // `| head -1`
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no panic, no message"
    );
}

/// `bitpeak apply` of 20 new handlers with nobody reading its stdout: (exit code, stderr).
fn apply_unread(env: &Env, test: &str) -> (Option<i32>, String) {
    let mut yaml = String::from("notification_handlers:\n");
    for i in 0..20 {
        yaml.push_str(&format!(
            "  Hook {i}:\n    type: webhook\n    webhook: https://example.com/{i}\n"
        ));
    }
    let file = file_with(test, &yaml);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bitpeak"))
        .args(["apply", &file])
        .env("BITPEAK_BASE_URL", env.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .env_remove("BITPEAK_PROFILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // nobody reads the plan
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_apply_whose_stdout_closes_still_makes_every_change() {
    let env = env();
    let (code, stderr) = apply_unread(&env, "closed");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(env.server.handler_count(), 20);
}

#[test]
fn an_apply_whose_stdout_closes_says_so_at_the_end() {
    let env = env();
    let (code, stderr) = apply_unread(&env, "closed-note");
    assert_eq!(
        (code, stderr.as_str()),
        (
            Some(0),
            "bitpeak: stdout was closed; the apply went on and made all 20 changes\n"
        )
    );
    assert_eq!(env.server.handler_count(), 20);
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let env = env();
    env.server.seed_raw(vec![serde_json::json!({
        "id": 1, "type": "\u{1b}[2J", "name": "Ops\u{1b}]0;pwned\u{7}\r\u{1b}[8mhidden",
        "settings": {"x": "\u{9b}31m"}, "is_enabled": 1, "datetime": "2026-01-15 09:30:00"
    })]);
    let table = env.ok(&["handlers", "list"]);
    let plan = env.ok(&[
        "apply",
        &file_with("escapes", "notification_handlers: {}\n"),
        "--dry-run",
        "--prune",
    ]);
    let (code, export, notes) = env.run(&["export"], &[]);
    // Its type is no type: the record is named (made visible) and left out.
    let skipped = "bitpeak: export: skipping notification-handlers #1 \"Ops\\u{1b}]0;pwned\\u{7}\\r\\u{1b}[8mhidden\": it cannot be created as it stands (invalid type: must be one of: email, webhook, slack, discord, telegram, microsoft_teams, x, google_chat, internal_notification)\n";
    assert_eq!((code, notes), (0, format!("{skipped}{}", export_notes())));
    for shown in [&table, &plan, &export] {
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}']),
            "{shown:?}"
        );
    }
    assert_eq!(
        table,
        "ID  NAME                                     TYPE       IS_ENABLED  DATETIME\n\
         1   Ops\\u{1b}]0;pwned\\u{7}\\r\\u{1b}[8mhidden  \\u{1b}[2J  yes         2026-01-15 09:30:00\n"
    );
    assert_eq!(
        plan,
        "notification_handlers:\n- delete Ops\\u{1b}]0;pwned\\u{7}\\r\\u{1b}[8mhidden (#1)\n\
         plan: 0 to create, 0 to update, 0 unchanged, 1 to delete\n"
    );
    // The record is not exported (its type is none the API takes): said, made visible.
    assert!(export.contains("notification_handlers: {}\n"), "{export}");
    // JSON stays exact JSON, its control characters written as JSON escapes.
    for args in [
        &["handlers", "get", "1"][..],
        &["handlers", "list", "--all"],
    ] {
        for output in ["json", "jsonl"] {
            let printed = env.ok(&[&["--output", output][..], args].concat());
            assert!(
                !printed.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}']),
                "{printed:?}"
            );
        }
    }
    let json = env.json(&["handlers", "get", "1"]);
    assert_eq!(json["name"], "Ops\u{1b}]0;pwned\u{7}\r\u{1b}[8mhidden");
    assert_eq!(json["type"], "\u{1b}[2J");
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
    env.ok(&["apply", path, "--prune"]);
    for _ in 0..2 {
        let again = env.ok(&["apply", path, "--prune"]);
        assert!(
            again.ends_with("plan: 0 to create, 0 to update, 2 unchanged, 0 to delete\n"),
            "{again}"
        );
    }
    assert_eq!(env.server.handler_count(), 2);
    // Created concurrently: in name order.
    let mut names: Vec<String> = env
        .json(&["handlers", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Ops", "padded"]);
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
        "--telegram-chat-id=-1",
    ]);
    let dir = temp_dir("export");
    let file = dir.join("out.yaml");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        env.run(
            &[
                "export",
                "--include-secrets",
                "--file",
                file.to_str().unwrap()
            ],
            &[]
        ),
        (0, String::new(), export_notes())
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        export_text(
            "  Bot:\n    type: telegram\n    telegram: 1:SECRET\n    telegram_chat_id: '-1'\n    is_enabled: true\n"
        )
    );
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
    let link = link.to_str().unwrap();
    let (code, stdout, stderr) = env.run(&["export", "--include-secrets", "--file", link], &[]);
    assert_eq!(
        (code, stdout, stderr),
        (
            1,
            String::new(),
            format!(
                "{}bitpeak: {link}: is a symbolic link; not writing through it\n",
                export_notes()
            )
        )
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
        format!(
            "notification_handlers: {}{}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .unwrap();
    let big = dir.join("big.yaml");
    std::fs::write(
        &big,
        format!("notification_handlers: {{}}\n#{}\n", "x".repeat(2 << 20)),
    )
    .unwrap();
    for (file, why) in [
        (&deep, "nested deeper than 32 levels"),
        (&big, "larger than 1048576 bytes"),
    ] {
        let file = file.to_str().unwrap();
        let started = std::time::Instant::now();
        assert_eq!(
            env.fails(&["apply", file], 2),
            format!("bitpeak: {file}: {why}\n")
        );
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
