//! The command line's figures (`cargo bench -p bitpeak-cli --bench cli`), against the fake
//! server in this process:
//!
//! - peak RSS of `--output json <resource> list --all` at 10 000 and 100 000 records
//!   (notification handlers and monitors), read from `/usr/bin/time -v`;
//! - an apply of 3 projects, 5 handlers, 20 monitors, 10 heartbeats and 5 domain names that
//!   reference each other by name, at 20 ms latency: plan (dry run), apply, re-apply, prune;
//!   the requests each sent and its wall time (median of 3 runs).

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use bitpeak_fake::{FakeConfig, FakeServer, Profile};

const KEY: &str = "bench-key";
const BIN: &str = env!("CARGO_BIN_EXE_bitpeak");

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rss(&rt);
    apply(&rt);
}

fn start(rt: &tokio::runtime::Runtime, latency: Duration) -> FakeServer {
    rt.block_on(FakeServer::start(
        FakeConfig::new()
            .profile(Profile::V2026)
            .key(KEY)
            .latency(latency),
    ))
    .expect("fake server")
}

/// Peak RSS in KiB of `bitpeak <args>`, its stdout thrown away.
fn peak_rss(server: &FakeServer, args: &[&str]) -> u64 {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(BIN)
        .args(args)
        .env("BITPEAK_BASE_URL", server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .stdout(std::process::Stdio::null())
        .output()
        .expect("/usr/bin/time");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|n| n.parse().ok())
        .expect("time -v reports the peak RSS")
}

fn monitor(id: usize) -> serde_json::Value {
    serde_json::json!({
        "id": id, "user_id": 1, "project_id": 0, "name": format!("monitor {id}"),
        "type": "website", "target": format!("https://example.com/{id}"), "port": 0,
        "settings": {"check_interval_seconds": 300, "timeout_seconds": 5},
        "ping_servers_ids": [1], "is_ok": 1, "uptime": 99.9, "downtime": 0.1,
        "average_response_time": 120.5, "total_checks": 100, "total_ok_checks": 99,
        "total_not_ok_checks": 1, "last_check_datetime": "2026-01-01 00:00:00",
        "notifications": {"is_ok": [1]}, "is_enabled": 1,
        "datetime": "2025-12-05 14:29:14"
    })
}

fn rss(rt: &tokio::runtime::Runtime) {
    println!("peak RSS of `--output json <resource> list --all --per-page 1000`:");
    for n in [10_000usize, 100_000] {
        let server = start(rt, Duration::ZERO);
        server.seed(n);
        server.seed_records("monitors", (1..=n).map(monitor).collect());
        let list = |resource: &str| {
            peak_rss(
                &server,
                &[
                    "--output",
                    "json",
                    resource,
                    "list",
                    "--all",
                    "--per-page",
                    "1000",
                ],
            )
        };
        let handlers = list("handlers");
        let monitors = list("monitors");
        println!(
            "  {n:>7} records: handlers {:.1} MiB, monitors {:.1} MiB",
            handlers as f64 / 1024.0,
            monitors as f64 / 1024.0
        );
        server.stop();
    }
}

/// The account file of the apply figure: every monitor, heartbeat and domain name in a
/// project, each monitor and heartbeat notifying two handlers.
fn account_file(monitors: usize) -> String {
    let mut f = String::from("projects:\n");
    for p in 0..3 {
        let _ = writeln!(f, "  Project {p}:\n    color: \"#00000{p}\"");
    }
    f.push_str("notification_handlers:\n");
    for h in 0..5 {
        let _ = writeln!(
            f,
            "  Handler {h}:\n    type: email\n    email: ops{h}@example.com"
        );
    }
    f.push_str("monitors:\n");
    for m in 0..monitors {
        let _ = writeln!(
            f,
            "  Monitor {m}:\n    type: website\n    target: https://example.com/{m}\n    project: Project {}\n    is_ok_notifications: [Handler {}, Handler {}]",
            m % 3,
            m % 5,
            (m + 1) % 5
        );
    }
    f.push_str("heartbeats:\n");
    for b in 0..10 {
        let _ = writeln!(
            f,
            "  Heartbeat {b}:\n    run_interval: 1\n    run_interval_type: hours\n    project: Project {}\n    is_ok_notifications: [Handler {}]",
            b % 3,
            b % 5
        );
    }
    f.push_str("domain_names:\n");
    for d in 0..5 {
        let _ = writeln!(
            f,
            "  example{d}.com:\n    target: example{d}.com\n    project: Project {}",
            d % 3
        );
    }
    f
}

/// Runs `bitpeak <args>`: (requests the server received, wall time).
fn timed(server: &FakeServer, args: &[&str]) -> (usize, Duration) {
    let before = server.requests();
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(args)
        .env("BITPEAK_BASE_URL", server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .output()
        .expect("bitpeak");
    let took = started.elapsed();
    assert!(output.status.success(), "{args:?}: {output:?}");
    (server.requests() - before, took)
}

fn apply(rt: &tokio::runtime::Runtime) {
    let dir = std::env::temp_dir().join(format!("bitpeak-apply-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let full = dir.join("account.yaml");
    let smaller = dir.join("smaller.yaml");
    std::fs::write(&full, account_file(20)).expect("write");
    std::fs::write(&smaller, account_file(15)).expect("write");
    let (full, smaller) = (full.to_string_lossy(), smaller.to_string_lossy());
    let steps: [(&str, Vec<&str>); 4] = [
        ("plan (dry run)", vec!["apply", &full, "--dry-run"]),
        ("apply (43 creates)", vec!["apply", &full]),
        ("re-apply (0 changes)", vec!["apply", &full]),
        ("prune (5 deletes)", vec!["apply", &smaller, "--prune"]),
    ];
    let mut runs: Vec<Vec<(usize, Duration)>> = vec![Vec::new(); steps.len()];
    for _ in 0..3 {
        let server = start(rt, Duration::from_millis(20));
        for (i, (_, args)) in steps.iter().enumerate() {
            runs[i].push(timed(&server, args));
        }
        server.stop();
    }
    println!("apply at 20 ms latency (3 projects, 5 handlers, 20 monitors, 10 heartbeats, 5 domain names; median of 3):");
    for ((what, _), mut times) in steps.iter().zip(runs) {
        times.sort_by_key(|(_, t)| *t);
        let (requests, took) = times[1];
        println!(
            "  {what:<22} {requests:>3} requests  {:>6.2} s",
            took.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
