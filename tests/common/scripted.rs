//! A small TCP server for fault tests: each request is answered by a closure that may reply,
//! drop the connection, stall, or send garbage. It records every request it reads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
}

impl Seen {
    /// The `page` query parameter (1 when absent or not a number).
    pub fn page(&self) -> u64 {
        self.path
            .split("page=")
            .nth(1)
            .and_then(|p| p.split('&').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
    }
}

/// What to do with a request.
pub enum Action {
    /// Answer with this status, these headers and this body.
    Reply(u16, Vec<(&'static str, String)>, String),
    /// Close the connection without answering.
    Drop,
    /// Say nothing for this long, then close.
    Stall(Duration),
    /// Write bytes that are not HTTP, then close.
    Garbage,
    /// Send a `200` head promising a longer body, part of the body, then close.
    CutMidBody,
    /// Wait, then do the other action.
    After(Duration, Box<Action>),
    /// A `200` head declaring this `Content-Length`, then a few bytes, then close.
    Declares(u64),
    /// A chunked `200` answer that never ends (until the client hangs up).
    Endless,
}

pub fn json(status: u16, body: serde_json::Value) -> Action {
    Action::Reply(
        status,
        vec![("content-type", "application/json".into())],
        body.to_string(),
    )
}

pub fn html(status: u16, body: &str) -> Action {
    Action::Reply(
        status,
        vec![("content-type", "text/html".into())],
        body.into(),
    )
}

/// Decides what to do with the `usize`-th request.
type Answer = dyn Fn(&Seen, usize) -> Action + Send + Sync;

pub struct Scripted {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    load: Arc<Mutex<(usize, usize)>>,
}

impl Scripted {
    /// Serves on 127.0.0.1 until the test ends; `answer` gets each request and its index.
    pub async fn start(answer: impl Fn(&Seen, usize) -> Action + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let log = Arc::clone(&seen);
        let load = Arc::new(Mutex::new((0, 0)));
        let gauge = Arc::clone(&load);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let answer = Arc::clone(&answer);
                let log = Arc::clone(&log);
                let gauge = Arc::clone(&gauge);
                tokio::spawn(async move { serve(stream, answer, log, gauge).await });
            }
        });
        Scripted {
            base_url,
            seen,
            load,
        }
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The most requests that were being answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.load.lock().unwrap().1
    }

    /// How many requests had this method.
    pub fn count(&self, method: &str) -> usize {
        self.seen().iter().filter(|s| s.method == method).count()
    }
}

/// Answers the requests of one connection (keep-alive) until the client closes it.
async fn serve(
    mut stream: TcpStream,
    answer: Arc<Answer>,
    log: Arc<Mutex<Vec<Seen>>>,
    gauge: Arc<Mutex<(usize, usize)>>,
) {
    let mut buf = Vec::new();
    loop {
        // Read the head.
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut first = head.lines().next().unwrap_or_default().split(' ');
        let seen = Seen {
            method: first.next().unwrap_or_default().to_string(),
            path: first.next().unwrap_or_default().to_string(),
        };
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let index = {
            let mut log = log.lock().unwrap();
            log.push(seen.clone());
            log.len() - 1
        };
        let mut action = answer(&seen, index);
        {
            let mut g = gauge.lock().unwrap();
            g.0 += 1;
            g.1 = g.1.max(g.0);
        }
        while let Action::After(delay, then) = action {
            tokio::time::sleep(delay).await;
            action = *then;
        }
        let finished = FinishGuard(Arc::clone(&gauge));
        if let Action::Drop = action {
            // Close mid-request: the body (if any) is never read.
            return;
        }
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let _finished = finished;
        match action {
            Action::Reply(status, headers, body) => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                if stream.write_all(out.as_bytes()).await.is_err() {
                    return;
                }
            }
            Action::Stall(d) => {
                tokio::time::sleep(d).await;
                return;
            }
            Action::Garbage => {
                let _ = stream
                    .write_all(b"\x00\x01garbage\xff\xfe not http at all\r\n\r\n")
                    .await;
                return;
            }
            Action::CutMidBody => {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"data\": {\"id\"")
                    .await;
                return;
            }
            Action::Declares(length) => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n{{\"data\": [");
                let _ = stream.write_all(head.as_bytes()).await;
                return;
            }
            Action::Endless => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 8192, "[".repeat(8192));
                // Bounded only by the client hanging up (and, as a backstop, 4 GiB).
                for _ in 0..(1u64 << 19) {
                    if stream.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                return;
            }
            Action::Drop | Action::After(..) => return,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Counts a request as answered when dropped.
struct FinishGuard(Arc<Mutex<(usize, usize)>>);

impl Drop for FinishGuard {
    fn drop(&mut self) {
        self.0.lock().unwrap().0 -= 1;
    }
}
