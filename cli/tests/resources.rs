//! Every resource's commands against the fake server under every profile, compared with the
//! golden transcripts in `tests/golden/<profile>/<resource>.txt` (the exact output, stderr
//! and exit code of each command; dates and the server's port normalised). The commands come
//! from the library's catalog, so a resource added to the spec is walked here too; set
//! `BITPEAK_BLESS=1` to write the transcripts after checking a change by hand.

use std::fmt::Write;
use std::path::PathBuf;

use assert_cmd::Command;
use bitpeak::catalog::{FieldInfo, FieldKind, Operation, ResourceInfo};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use serde_json::Value;

const KEY: &str = "golden-key";

/// A value for a required field the fake server checks the shape of.
fn sample(resource: &str, f: &FieldInfo) -> String {
    if let Some(first) = f.values.first() {
        return (*first).to_owned();
    }
    let special = match (resource, f.name) {
        (_, "target") => "https://example.com",
        (_, "host") => "example.com",
        (_, name) if name.ends_with("email") => "ops@example.com",
        (_, "domain" | "url") => "example.com",
        _ => "",
    };
    if !special.is_empty() {
        return special.to_owned();
    }
    match f.kind {
        FieldKind::Integer | FieldKind::Number => "1".to_owned(),
        FieldKind::Boolean => "true".to_owned(),
        _ => format!("Example {}", f.name.replace('_', " ")),
    }
}

/// `--field value` for every required field of a form.
fn required_args(resource: &str, fields: &[FieldInfo]) -> Vec<String> {
    let required: Vec<&FieldInfo> = fields.iter().filter(|f| f.required).collect();
    // And what the chosen value of a variant tag (a handler's type) needs.
    let chosen: Vec<String> = required.iter().map(|f| sample(resource, f)).collect();
    let needed = fields
        .iter()
        .filter(|f| f.required_for.iter().any(|v| chosen.iter().any(|c| c == v)));
    required
        .into_iter()
        .chain(needed)
        .flat_map(|f| {
            [
                format!("--{}", f.name.replace('_', "-")),
                sample(resource, f),
            ]
        })
        .collect()
}

/// One field an update changes: `name` where the form has it, else its first text field.
fn update_args(fields: &[FieldInfo]) -> Vec<String> {
    let f = fields
        .iter()
        .find(|f| f.name == "name")
        .or_else(|| {
            fields
                .iter()
                .find(|f| f.kind == FieldKind::Text && f.values.is_empty() && !f.list)
        })
        .or(fields.first());
    match f {
        Some(f) if f.name == "name" => vec!["--name".into(), "Renamed".into()],
        Some(f) => vec![format!("--{}", f.name.replace('_', "-")), sample("", f)],
        None => Vec::new(),
    }
}

struct Session {
    base_url: String,
    transcript: String,
}

impl Session {
    /// Runs `bitpeak <args>`, appends it to the transcript, returns its stdout.
    fn run(&mut self, args: &[String]) -> String {
        let output = Command::cargo_bin("bitpeak")
            .unwrap()
            .args(args)
            .env("BITPEAK_BASE_URL", &self.base_url)
            .env("BITPEAK_API_KEY", KEY)
            .env_remove("BITPEAK_PROFILE")
            .env_remove("BITPEAK_TEST_PRISM")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let _ = writeln!(self.transcript, "$ bitpeak {}", args.join(" "));
        self.transcript.push_str(&stdout);
        for line in stderr.lines() {
            let _ = writeln!(self.transcript, "stderr: {line}");
        }
        let _ = writeln!(
            self.transcript,
            "exit {}\n",
            output.status.code().unwrap_or(-1)
        );
        stdout
    }
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// Walks one resource's commands: list, create, get, update, the list as a table and as JSON
/// lines, delete, and the get that then fails.
fn walk(s: &mut Session, r: &ResourceInfo) {
    let path = r.path;
    if r.has(Operation::One) {
        s.run(&args(&[path]));
        s.run(&args(&[path, "--output", "json"]));
        return;
    }
    if r.has(Operation::ListIn) {
        s.run(&args(&[path, "list", "1", "--output", "json"]));
    }
    if r.has(Operation::List) {
        s.run(&args(&[path, "list", "--output", "json"]));
    }
    let mut id = "1".to_owned();
    let mut created = Value::Null;
    if let Some(fields) = r.create {
        let mut create = args(&[path, "create", "--output", "json"]);
        create.extend(required_args(path, fields));
        created = serde_json::from_str(&s.run(&create)).unwrap_or(Value::Null);
        if let Some(n) = created["id"].as_u64() {
            id = n.to_string();
        }
    }
    // The special operations.
    match path {
        "heartbeats" => {
            let code = created["code"].as_str().unwrap_or("none");
            s.run(&args(&[path, "ping", code]));
        }
        "incidents" => {
            s.run(&args(&[
                path,
                "comment",
                &id,
                "Looked into it",
                "--output",
                "json",
            ]));
        }
        "status-pages" => {
            s.run(&args(&["statistics", &id, "--output", "json"]));
            s.run(&args(&["statistics", &id, "--type", "country_code"]));
            s.run(&args(&[
                "statistics",
                &id,
                "--type",
                "city_name",
                "--country-code",
                "DE",
                "--start-date",
                "2026-01-01",
                "--end-date",
                "01/31/2026",
            ]));
            s.run(&args(&[
                "statistics",
                &id,
                "--type",
                "city_name",
                "--output",
                "json",
            ]));
        }
        _ => {}
    }
    if r.has(Operation::Get) {
        s.run(&args(&[path, "get", &id, "--output", "json"]));
    }
    if let Some(fields) = r.update {
        let mut update = args(&[path, "update", &id, "--output", "json"]);
        update.extend(update_args(fields));
        s.run(&update);
    }
    if r.has(Operation::List) {
        s.run(&args(&[path, "list"]));
        s.run(&args(&[path, "list", "--all", "--output", "jsonl"]));
    }
    if r.has(Operation::Delete) {
        s.run(&args(&[path, "delete", &id]));
        if r.has(Operation::Get) {
            s.run(&args(&[path, "get", &id]));
        }
    }
}

/// Dates (the fake stamps records with the time) and the server's port, made stable.
fn normalised(text: &str, base_url: &str) -> String {
    let mut out = text.replace(base_url, "<base-url>");
    let bytes: Vec<char> = out.chars().collect();
    let mut result = String::with_capacity(out.len());
    let mut i = 0;
    while i < bytes.len() {
        let window: String = bytes[i..bytes.len().min(i + 19)].iter().collect();
        if is_datetime(&window) {
            result.push_str("<datetime>");
            i += 19;
        } else {
            result.push(bytes[i]);
            i += 1;
        }
    }
    out = result;
    out
}

fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Every resource's transcript under `profile` (those of `only`, if given), with missing
/// routes answered by the site's HTML `404` or, with `missing_json`, the API's JSON one.
fn transcripts(
    profile: Profile,
    missing_json: bool,
    only: Option<&[&str]>,
) -> Vec<(&'static str, String)> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = FakeConfig::new()
        .profile(profile)
        .key(KEY)
        .missing_json(missing_json);
    let server = rt.block_on(FakeServer::start(config)).unwrap();
    // What the API cannot create: an incident (monitors open them) and a team to invite into.
    server.seed_records(
        "incidents",
        vec![serde_json::json!({"id": 1, "monitor_id": 1, "start_datetime": "2026-01-02 03:04:05", "failed_checks": 2, "comment": null})],
    );
    server.seed_records("teams", vec![serde_json::json!({"id": 1, "name": "Ops"})]);
    server.seed_records(
        "status-pages",
        vec![serde_json::json!({"id": 1, "name": "Status", "url": "status"})],
    );
    let mut out = Vec::new();
    for r in bitpeak::catalog::resources() {
        if only.is_some_and(|only| !only.contains(&r.path)) {
            continue;
        }
        let mut session = Session {
            base_url: server.base_url().to_owned(),
            transcript: String::new(),
        };
        walk(&mut session, r);
        out.push((r.path, normalised(&session.transcript, server.base_url())));
    }
    server.stop();
    out
}

/// Both ways a server may answer a resource its version lacks: the site's HTML `404` (the
/// transcripts `golden/<profile>/`), and the API's JSON `404` for the resources that lack
/// (`golden/<profile>/json-404/`): a list or create says the server has no such resource
/// either way.
#[test]
fn every_resource_under_every_profile_matches_its_golden_transcript() {
    let bless = std::env::var_os("BITPEAK_BLESS").is_some();
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut differences = Vec::new();
    let mut check = |file: PathBuf, text: &str| {
        if bless {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, text).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text) {
            differences.push(format!(
                "{} differs:\n{text}",
                file.strip_prefix(&golden).unwrap().display()
            ));
        }
    };
    for profile in Profile::ALL {
        let dir = golden.join(profile.name());
        let mut lacking = Vec::new();
        for (path, text) in transcripts(profile, false, None) {
            if text.contains("this server has no") {
                lacking.push(path);
            }
            check(dir.join(format!("{path}.txt")), &text);
        }
        for (path, text) in transcripts(profile, true, Some(&lacking)) {
            check(dir.join("json-404").join(format!("{path}.txt")), &text);
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

fn stdout_of(args: &[&str]) -> String {
    let output = Command::cargo_bin("bitpeak")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_account_file_schema_is_the_committed_one() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/account.schema.json"))
            .unwrap();
    assert_eq!(
        stdout_of(&["schema", "--account"]),
        committed,
        "run `bitpeak schema --account > cli/account.schema.json`"
    );
}

#[test]
fn completions_and_the_man_page_cover_every_resource() {
    let bash = stdout_of(&["completions", "bash"]);
    let man = stdout_of(&["man"]);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH bitpeak"),
        "{man}"
    );
    for r in bitpeak::catalog::resources() {
        assert!(bash.contains(r.path), "bash completions lack {}", r.path);
        let roff = r.path.replace('-', "\\-");
        assert!(man.contains(&roff), "the man page lacks {}", r.path);
    }
    for shell in ["zsh", "fish"] {
        assert!(stdout_of(&["completions", shell]).contains("domain-names"));
    }
}
