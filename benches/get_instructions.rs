//! One `get`, bitpeak vs raw reqwest + serde, outside criterion: instruction counts under
//! callgrind (deterministic, unlike wall time) and an interleaved wall-time probe.
//! `scripts/profile-get` runs the first:
//!
//! ```text
//! get_instructions raw|bitpeak N   # N gets of handler 1 from the in-process fake server,
//!                                  # on a current-thread runtime (for callgrind)
//! get_instructions wall N          # N rounds of 100 raw then 100 bitpeak gets on a
//!                                  # 2-worker runtime; median per-get times and their ratio
//! ```
//!
//! With `MULTI_THREAD=1`, `raw` and `bitpeak` run on the 2-worker runtime too (e.g. to count
//! syscalls per get with `strace -f -c`).
//!
//! Under callgrind, the difference between two runs with different N, divided by the
//! difference in N, is the cost of one get (client and server; the server's share is the
//! same on both sides).

use std::time::{Duration, Instant};

use bitpeak::{Client, RetryPolicy};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};

mod plain;

const KEY: &str = "bench-key";

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (mode, n) = match args.as_slice() {
        [mode, n] => (mode.clone(), n.parse::<u32>().expect("N")),
        _ => {
            eprintln!("usage: get_instructions raw|bitpeak|wall N");
            return;
        }
    };
    let rt = if mode == "wall" || std::env::var_os("MULTI_THREAD").is_some() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("runtime");
    rt.block_on(async {
        let server = FakeServer::start(FakeConfig::new().profile(Profile::V2026).key(KEY))
            .await
            .expect("server");
        server.seed(1);
        let url = format!("{}/notification-handlers/1", server.base_url());
        let http = reqwest::Client::new();
        let client = Client::builder()
            .base_url(server.base_url())
            .api_key(KEY)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        let raw = || async {
            std::hint::black_box(plain::raw_get(&http, &url, KEY).await);
        };
        let ours = || async {
            std::hint::black_box(client.notification_handlers().get(1).await.expect("get"));
        };
        match mode.as_str() {
            "raw" => {
                for _ in 0..n {
                    raw().await;
                }
            }
            "bitpeak" => {
                for _ in 0..n {
                    ours().await;
                }
            }
            "wall" => {
                let (mut raw_times, mut our_times) = (Vec::new(), Vec::new());
                for round in 0..=n {
                    let started = Instant::now();
                    for _ in 0..100 {
                        raw().await;
                    }
                    let raw_time = started.elapsed() / 100;
                    let started = Instant::now();
                    for _ in 0..100 {
                        ours().await;
                    }
                    let our_time = started.elapsed() / 100;
                    if round > 0 {
                        // Round 0 warms both up.
                        raw_times.push(raw_time);
                        our_times.push(our_time);
                    }
                }
                let (r, b) = (median(raw_times), median(our_times));
                println!(
                    "median per get: raw {r:?}, bitpeak {b:?}, ratio {:.3}",
                    b.as_secs_f64() / r.as_secs_f64()
                );
            }
            other => eprintln!("unknown mode {other}"),
        }
    });
}
