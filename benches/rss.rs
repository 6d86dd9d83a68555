//! Peak memory while streaming handlers, then monitors, through `list_all`: prints the
//! process's peak RSS (VmHWM) after 10 000 and after 100 000 of each (target ≤ 32 MiB, and
//! flat between them). The records are real-sized (`bitpeak_fake::real_record`).
//!
//! The server is a small generator on a thread of its own that builds each page on demand, so
//! the measured memory is the client's. Run with `cargo bench --bench rss`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use bitpeak::resources::Query;
use bitpeak::{Client, PerPage, RetryPolicy};
use futures::TryStreamExt;

const PER_PAGE: u64 = 100;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Answers list requests for `total` generated handlers, `PER_PAGE` a page.
fn serve(listener: TcpListener, total: u64) {
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            loop {
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let page: u64 = head
                    .split("page=")
                    .nth(1)
                    .and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
                    .unwrap_or(1);
                let pages = total.div_ceil(PER_PAGE);
                let first = (page - 1) * PER_PAGE + 1;
                let path = if head.contains("/monitors") {
                    "monitors"
                } else {
                    "notification-handlers"
                };
                let items: Vec<String> = (first..=(page * PER_PAGE).min(total))
                    .filter_map(|id| bitpeak_fake::real_record(path, id))
                    .map(|record| record.to_string())
                    .collect();
                let body = format!(
                    r#"{{"data":[{}],"meta":{{"page":{page},"results_per_page":{PER_PAGE},"total_results":{total},"total_pages":{pages}}}}}"#,
                    items.join(",")
                );
                let out = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                if reader.get_mut().write_all(out.as_bytes()).is_err() {
                    return;
                }
                let _ = reader.get_mut().read(&mut []);
            }
        });
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "peak RSS at start: {:.1} MiB",
        peak_rss_kib() as f64 / 1024.0
    );
    for total in [10_000u64, 100_000] {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}/api", listener.local_addr().expect("addr"));
        std::thread::spawn(move || serve(listener, total));
        let client = Client::builder()
            .base_url(base)
            .api_key("k")
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        let query = Query::new().per_page(PerPage::P100);
        let count = rt.block_on(async {
            let handlers = client.notification_handlers().list_all(&query);
            let handlers = handlers.try_fold(0u64, |n, _| async move { Ok(n + 1) });
            let monitors = client.monitors().list_all(&query);
            let monitors = monitors.try_fold(0u64, |n, _| async move { Ok(n + 1) });
            handlers.await.expect("list") + monitors.await.expect("list")
        });
        assert_eq!(count, 2 * total);
        println!(
            "streamed {total} handlers, then {total} monitors: peak RSS {:.1} MiB",
            peak_rss_kib() as f64 / 1024.0
        );
    }
}
