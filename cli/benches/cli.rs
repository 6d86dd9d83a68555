//! The command line's figures (`cargo bench -p bitpeak-cli --bench cli`), against the fake
//! server in this process:
//!
//! - peak RSS of `--output json <resource> list --all --per-page 1000` at 10 000 and 100 000
//!   real-sized records (notification handlers and monitors), read from `/usr/bin/time -v`,
//!   beside `curl` fetching one page of 1000 monitors;
//! - peak RSS of `exporter` holding 10 000 real-sized monitors (after its first read and one
//!   scrape), beside `monitors list --all` of the same monitors;
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
    // `cargo bench -p bitpeak-cli --bench cli -- exporter` runs only the figures named.
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    type Figure = fn(&tokio::runtime::Runtime);
    let figures: [(&str, Figure); 3] = [("rss", rss), ("exporter", exporter), ("apply", apply)];
    for (name, figure) in figures {
        if named.is_empty() || named.iter().any(|n| n == name) {
            figure(&rt);
        }
    }
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

/// Peak RSS in KiB of `program <args>` (`/usr/bin/time -v`), its stdout thrown away.
fn peak_rss(server: &FakeServer, program: &str, args: &[&str]) -> u64 {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
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

fn mib(kib: &[u64]) -> String {
    let mut kib = kib.to_vec();
    kib.sort_unstable();
    format!("{:.1} MiB", kib[kib.len() / 2] as f64 / 1024.0)
}

/// Peak RSS of `list --all --per-page 1000` over real-sized records
/// (`FakeServer::seed_real`), beside `curl` fetching one page of 1000 monitors from the same
/// server; medians of `RUNS`.
fn rss(rt: &tokio::runtime::Runtime) {
    const RUNS: usize = 5;
    println!("peak RSS of `--output json <resource> list --all --per-page 1000`, real-sized records (median of {RUNS}):");
    for n in [10_000usize, 100_000] {
        let server = start(rt, Duration::ZERO);
        server.seed_real("notification-handlers", n);
        server.seed_real("monitors", n);
        let list = |resource: &str| {
            let args = [
                "--output",
                "json",
                resource,
                "list",
                "--all",
                "--per-page",
                "1000",
            ];
            (0..RUNS)
                .map(|_| peak_rss(&server, BIN, &args))
                .collect::<Vec<_>>()
        };
        let page = format!(
            "{}/monitors?page=1&results_per_page=1000",
            server.base_url()
        );
        let auth = format!("Authorization: Bearer {KEY}");
        let curl: Vec<u64> = (0..RUNS)
            .map(|_| peak_rss(&server, "curl", &["-sfH", &auth, &page]))
            .collect();
        let (handlers, monitors) = (list("handlers"), list("monitors"));
        println!(
            "  {n:>7} records: handlers {}, monitors {}; curl one page of 1000 monitors {}",
            mib(&handlers),
            mib(&monitors),
            mib(&curl)
        );
        server.stop();
    }
}

/// Peak RSS in KiB of a running exporter after its first read of `server` and one scrape
/// (`VmHWM`), and the size of that scrape.
fn exporter_rss(server: &FakeServer) -> (u64, usize) {
    use std::io::{BufRead, Read, Write};
    let mut child = Command::new(BIN)
        .args(["exporter", "--listen", "127.0.0.1:0", "--interval", "3600"])
        .env("BITPEAK_BASE_URL", server.base_url())
        .env("BITPEAK_API_KEY", KEY)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("exporter");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .trim_start_matches("serving http://")
        .trim_end_matches("/metrics")
        .to_owned();
    let scrape = || {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    };
    let text = loop {
        let text = scrape();
        if text.contains("bitpeak_exporter_last_refresh_success 1") {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).expect("status");
    let _ = child.kill();
    let _ = child.wait();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    (kib, text.len())
}

/// The exporter's peak RSS with 10 000 real-sized monitors, beside listing them; medians.
fn exporter(rt: &tokio::runtime::Runtime) {
    const RUNS: usize = 5;
    let server = start(rt, Duration::ZERO);
    server.seed_real("monitors", 10_000);
    let runs: Vec<(u64, usize)> = (0..RUNS).map(|_| exporter_rss(&server)).collect();
    let args = [
        "--output",
        "json",
        "monitors",
        "list",
        "--all",
        "--per-page",
        "1000",
    ];
    let list: Vec<u64> = (0..RUNS).map(|_| peak_rss(&server, BIN, &args)).collect();
    let exporter: Vec<u64> = runs.iter().map(|(kib, _)| *kib).collect();
    println!(
        "exporter, 10 000 real-sized monitors (median of {RUNS}): peak RSS {} after a read and a \
         scrape of {} bytes; `monitors list --all` of the same {}",
        mib(&exporter),
        runs[0].1,
        mib(&list)
    );
    server.stop();
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
