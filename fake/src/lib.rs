//! An in-memory fake BitPeak server, to test against without the network. It depends on
//! nothing of the client (`bitpeak`): its tables come from the servers' source as
//! API-SURFACE describes it, so it judges the client instead of mirroring it.
//!
//! It behaves like the real servers as SERVER-BEHAVIOUR describes them: bearer keys, `401`
//! for validation failures, JSON `404`s for unknown ids and HTML for unknown routes,
//! `results_per_page` falling back to 25, `DELETE` answering `200` with an empty body, the
//! `X-RateLimit-*` headers and `429`s, and the answer shapes of each server version
//! ([`Profile`]). Latency and faults can be injected for resilience tests.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bitpeak_fake::{FakeConfig, FakeServer, Profile};
//! let server = FakeServer::start(FakeConfig::new().profile(Profile::V2025).key("test-key")).await?;
//! let client = bitpeak::Client::builder().base_url(server.base_url()).api_key("test-key").build()?;
//! let page = client.notification_handlers().list(&bitpeak::resources::Query::new()).await?;
//! assert_eq!(page.total_pages, 0);
//! # Ok(())
//! # }
//! ```

mod generic;
mod server;
mod table;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// Which server version's answer shapes the fake server uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// The original document: `total`, boolean `is_enabled`, create answers `{id}`.
    Document,
    /// 2023 servers: `total_results`, `page` echoed as a string, boolean `is_enabled`,
    /// create/update answer `{id}`; an update that omits `type` or `is_enabled` resets them.
    V2023,
    /// 2025 servers: integer `is_enabled`, whole-handler answers with `settings` as a
    /// JSON-encoded string, `user_id`, the list filters.
    V2025,
    /// 2026 servers: integer `is_enabled` with `2` for an unconfirmed email, whole-handler
    /// answers, `user_id`, the list filters.
    #[default]
    V2026,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::Document,
        Profile::V2023,
        Profile::V2025,
        Profile::V2026,
    ];

    /// The name used by the CLI (`document`, `2023`, `2025`, `2026`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Document => "document",
            Profile::V2023 => "2023",
            Profile::V2025 => "2025",
            Profile::V2026 => "2026",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown profile {s:?}: use document, 2023, 2025 or 2026"))
    }
}

/// A rate limit: `limit` requests per `window` per key, in fixed windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window's length.
    pub window: Duration,
}

/// A fault to inject into the next answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and an HTML body.
    Status(u16),
    /// Answer `404` with the site's HTML page (the API switched off by the admin).
    Html404,
    /// Break the connection without a complete answer.
    Drop,
}

/// Settings for a [`FakeServer`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FakeConfig {
    /// The answer shapes (default [`Profile::V2026`]).
    pub profile: Profile,
    /// Accepted API keys (default `fake-key`).
    pub keys: Vec<String>,
    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub addr: SocketAddr,
    /// A rate limit, if any (default none).
    pub rate_limit: Option<RateLimit>,
    /// Delay before every answer (default none).
    pub latency: Duration,
    /// How far each answer's delay may stray from `latency`, either way, uniformly (default
    /// none): `latency(20 ms)` with `latency_jitter(10 ms)` answers in 10–30 ms.
    pub latency_jitter: Duration,
    /// Whether `DELETE`'s empty answer is labelled `application/json`, as real servers do
    /// (default `true`; validating proxies such as Prism choke on it).
    pub delete_content_type: bool,
    /// Plan limits: how many records of a resource (by path) a create may reach before the
    /// server refuses it with `401` (default: unlimited).
    pub plan_limits: std::collections::HashMap<String, usize>,
    /// Resources (by path) the instance's administrator switched off: from 2025 they answer a
    /// `302` to the site's not-found page, from 2026 its HTML `404`, before authentication.
    pub switched_off: Vec<String>,
    /// Whether a route under the API that the server lacks (a resource of another version)
    /// answers the API's JSON `404` instead of the site's HTML one (default `false`); the
    /// servers' source does not settle which they send.
    pub missing_json: bool,
    /// Whether a list whose `page` is not a whole number fails as PHP does with a fatal error:
    /// `500` with an empty body labelled `application/json` (default `false`).
    pub fatal_errors: bool,
    /// Whether id lists are answered as PHP writes an array with gaps: an object of the values
    /// by index, `{"1": 3, "3": 4}` (default `false`).
    pub gapped_arrays: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            profile: Profile::default(),
            keys: Vec::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            rate_limit: None,
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            delete_content_type: true,
            plan_limits: Default::default(),
            switched_off: Vec::new(),
            missing_json: false,
            fatal_errors: false,
            gapped_arrays: false,
        }
    }
}

impl FakeConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }
    /// Accepts one more key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }
    /// Sets the address.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
    /// Sets a rate limit.
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.rate_limit = Some(RateLimit { limit, window });
        self
    }
    /// Sets the latency.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
    /// Makes each answer's delay `latency` ± up to `jitter`, uniformly.
    pub fn latency_jitter(mut self, jitter: Duration) -> Self {
        self.latency_jitter = jitter;
        self
    }
    /// Sets whether `DELETE` answers carry `Content-Type: application/json`.
    pub fn delete_content_type(mut self, on: bool) -> Self {
        self.delete_content_type = on;
        self
    }

    /// Limits the records of the resource at `path` (`monitors`) to `count`.
    pub fn plan_limit(mut self, path: impl Into<String>, count: usize) -> Self {
        self.plan_limits.insert(path.into(), count);
        self
    }
    /// Switches the resource at `path` off, as an administrator can (2025 and 2026 servers).
    pub fn switch_off(mut self, path: impl Into<String>) -> Self {
        self.switched_off.push(path.into());
        self
    }

    /// Sets [`FakeConfig::missing_json`].
    pub fn missing_json(mut self, on: bool) -> Self {
        self.missing_json = on;
        self
    }

    /// Sets [`FakeConfig::fatal_errors`].
    pub fn fatal_errors(mut self, on: bool) -> Self {
        self.fatal_errors = on;
        self
    }

    /// Sets [`FakeConfig::gapped_arrays`].
    pub fn gapped_arrays(mut self, on: bool) -> Self {
        self.gapped_arrays = on;
        self
    }

    /// The accepted keys: the configured ones, or `fake-key`.
    fn effective_keys(&self) -> Vec<String> {
        if self.keys.is_empty() {
            vec![DEFAULT_KEY.to_owned()]
        } else {
            self.keys.clone()
        }
    }
}

/// The key a [`FakeServer`] accepts when none was configured.
pub const DEFAULT_KEY: &str = "fake-key";

/// A running fake server; it stops when dropped.
pub struct FakeServer {
    base_url: String,
    state: Arc<server::State>,
    /// Dropped with the server, it ends the serving (gracefully).
    _shutdown: oneshot::Sender<()>,
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeServer> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}/api");
        let state = Arc::new(server::State::new(config, base_url.clone()));
        let (shutdown, stopped) = oneshot::channel();
        let app = server::router(Arc::clone(&state));
        tokio::spawn(async move {
            // Until the sender is dropped.
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "fake server stopped");
            }
        });
        Ok(FakeServer {
            base_url,
            state,
            _shutdown: shutdown,
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234/api`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The next `count` requests meet `fault` (before authentication).
    pub fn inject(&self, fault: Fault, count: usize) {
        server::lock(&self.state.faults).extend(std::iter::repeat_n(fault, count));
    }

    /// How many requests the server has received.
    pub fn requests(&self) -> usize {
        self.state
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many handlers are stored.
    pub fn handler_count(&self) -> usize {
        self.state.count(server::HANDLERS)
    }

    /// Stores `count` webhook handlers named `seed N` directly, without requests (test data).
    pub fn seed(&self, count: usize) {
        self.state.seed(count);
    }

    /// Stores handler records exactly as given, answered as they are whatever the profile:
    /// the odd shapes real databases hold (`"type": null`, `"settings": []`, zero dates, ids
    /// as strings, states from later versions, …), to reproduce them in tests.
    ///
    /// A record's `id` (an integer or a numeric string) is where it is stored; one without a
    /// usable id is stored under the next free id, and still answered as seeded.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bitpeak_fake::{FakeConfig, FakeServer};
    /// let server = FakeServer::start(FakeConfig::new()).await?;
    /// server.seed_raw(vec![serde_json::json!({"id": 5, "type": null, "name": "Odd", "settings": []})]);
    /// let client = bitpeak::Client::builder().base_url(server.base_url()).api_key("fake-key").build()?;
    /// let odd = client.notification_handlers().get(5).await?;
    /// assert_eq!(odd.channel.kind(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed_raw(&self, records: Vec<serde_json::Value>) {
        self.state.seed_records(server::HANDLERS, records);
    }

    /// Stores records of the resource at `path` (`monitors`, `incidents`, …) exactly as given,
    /// answered as they are (test data, and the only way to have incidents, which servers open
    /// themselves). Ids as in [`FakeServer::seed_raw`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bitpeak_fake::{FakeConfig, FakeServer};
    /// let server = FakeServer::start(FakeConfig::new()).await?;
    /// server.seed_records("projects", vec![serde_json::json!({"id": 3, "name": "Web", "color": "#fff"})]);
    /// let client = bitpeak::Client::builder().base_url(server.base_url()).api_key("fake-key").build()?;
    /// assert_eq!(client.projects().get(3).await?.name.as_deref(), Some("Web"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed_records(&self, path: &str, records: Vec<serde_json::Value>) {
        self.state.seed_records(path, records);
    }

    /// Stores `count` records of the resource at `path` (`monitors`, `heartbeats`,
    /// `domain-names`, `notification-handlers`), ids from 1, as real 2026 servers hold them
    /// and at their size: a monitor with request and response headers, several status codes,
    /// basic auth, ping servers and notifications (about 870 bytes of JSON), a domain name
    /// with its whois and ssl objects, handlers of several types. Other paths: nothing.
    pub fn seed_real(&self, path: &str, count: usize) {
        let records = (1..=count as u64).map_while(|id| real_record(path, id));
        self.state.seed_records(path, records.collect());
    }

    /// How many records of the resource at `path` are stored.
    pub fn count(&self, path: &str) -> usize {
        self.state.count(path)
    }

    /// Stops serving (as dropping it does).
    pub fn stop(self) {}
}

/// Record `id` of the resource at `path` as [`FakeServer::seed_real`] stores it (`None` for
/// other paths): to generate real-sized answers elsewhere.
pub fn real_record(path: &str, id: u64) -> Option<serde_json::Value> {
    let (_, templates) = REAL.iter().find(|(p, _)| *p == path)?;
    let text = templates[id as usize % templates.len()].replace("{id}", &id.to_string());
    serde_json::from_str(&text).ok()
}

/// [`FakeServer::seed_real`]'s records by path, `{id}` standing for the id; record `id` is
/// `templates[id % templates.len()]`.
const REAL: &[(&str, &[&str])] = &[
    (
        "monitors",
        &[
            r#"{"id":{id},"user_id":1,"project_id":2,"name":"Checkout {id}","type":"website","target":"https://shop{id}.example.com/","port":0,"settings":{"check_interval_seconds":60,"timeout_seconds":5,"request_method":"GET","request_body":"","request_basic_auth_username":"bot","request_basic_auth_password":"s3cr3t","request_headers":[{"name":"Accept","value":"application/json"},{"name":"X-Token","value":"3f9a2c"}],"response_status_code":[200,201,204],"response_body":"ok","response_headers":[{"name":"Content-Type","value":"application/json"}],"ping_ipv":"ipv4","follow_redirects":1},"ping_servers_ids":[1,2,3],"is_ok":1,"uptime":99.97,"downtime":0.03,"average_response_time":231.5,"total_checks":14421,"total_ok_checks":14382,"total_not_ok_checks":39,"last_check_datetime":"2026-06-01 12:00:00","notifications":{"is_ok":[1,2,3]},"is_enabled":1,"datetime":"2025-11-03 09:14:27","last_datetime":"2026-05-20 10:00:00"}"#,
        ],
    ),
    (
        "heartbeats",
        &[
            r#"{"id":{id},"user_id":1,"project_id":2,"name":"Nightly backup {id}","code":"9b1c6f2e4a7d3e8f0c5b2a1d6e9f4c{id}","settings":{"run_interval":1,"run_interval_type":"days","run_interval_grace":30,"run_interval_grace_type":"minutes"},"is_ok":1,"uptime":99.86,"downtime":0.14,"total_runs":712,"total_missed_runs":1,"last_run_datetime":"2026-06-01 03:00:12","notifications":{"is_ok":[1,2]},"is_enabled":1,"datetime":"2024-05-17 08:41:09","last_datetime":"2026-02-11 16:20:45"}"#,
        ],
    ),
    (
        "domain-names",
        &[
            r#"{"id":{id},"project_id":2,"name":"Shop {id}","target":"shop{id}.example.com","whois":{"start_datetime":"2014-03-09 17:22:31","updated_datetime":"2025-02-08 10:13:04","end_datetime":"2027-03-09 17:22:31","registrar":"Example Registrar, Inc.","nameservers":["ns1.example-dns.net","ns2.example-dns.net","ns3.example-dns.org"]},"whois_notifications":{"whois_notifications":[1,2],"whois_notifications_timing":"30"},"ssl":{"issuer_name":"Let's Encrypt","issuer_full":"C=US, O=Let's Encrypt, CN=R11","start_datetime":"2026-04-12 06:10:44","end_datetime":"2026-07-11 06:10:43"},"ssl_notifications":{"ssl_notifications":[1],"ssl_notifications_timing":7},"total_checks":523,"last_check_datetime":"2026-06-01 00:05:00","next_check_datetime":"2026-06-02 00:05:00","is_enabled":1,"last_datetime":"2025-08-30 14:02:11","datetime":"2023-10-05 12:44:50"}"#,
        ],
    ),
    (
        "notification-handlers",
        &[
            r#"{"id":{id},"user_id":1,"type":"webhook","name":"Ops webhook {id}","settings":{"webhook":"https://hooks.example.com/services/bitpeak/{id}/T0A1B2C3D4E5F6"},"is_enabled":1,"last_datetime":"2026-01-20 11:02:33","datetime":"2025-09-14 08:15:00"}"#,
            r#"{"id":{id},"user_id":1,"type":"email","name":"On-call email {id}","settings":{"email":"oncall-{id}@example.com","email_is_confirmed":1},"is_enabled":1,"last_datetime":null,"datetime":"2025-09-14 08:16:41"}"#,
            r#"{"id":{id},"user_id":1,"type":"slack","name":"Slack #alerts {id}","settings":{"slack":"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/{id}xYzAbCdEfGhIjKlMnOpQr"},"is_enabled":1,"last_datetime":"2026-03-02 17:45:10","datetime":"2025-10-01 10:00:00"}"#,
            r#"{"id":{id},"user_id":1,"type":"telegram","name":"Telegram ops {id}","settings":{"telegram":"7123456789:AAF1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW","telegram_chat_id":"-100{id}"},"is_enabled":0,"last_datetime":null,"datetime":"2025-11-23 21:37:02"}"#,
        ],
    ),
];

pub(crate) type FaultQueue = Mutex<VecDeque<Fault>>;
