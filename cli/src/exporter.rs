//! `bitpeak exporter`: the account's state as Prometheus metrics. The account is read in the
//! background every `--interval` seconds (pages of 1,000, through the client's throttle and
//! retries), never per scrape; each read renders the exposition once (OpenMetrics text, by
//! `prometheus-client`) and every scrape of `/metrics` is answered with the latest rendering.
//! A resource whose read fails keeps its last good values (the success metric says 0); one
//! the server lacks or has switched off is left out, said once in the log; a record that
//! cannot be read is counted, never shown. Label values are made terminal-safe and cut to
//! [`MAX_LABEL_CHARS`]; the key appears nowhere.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use bitpeak::resource::List;
use bitpeak::resources::{
    DnsMonitor, DomainName, GameServer, Heartbeat, Incident, Monitor, Query, Resources,
    ServerMonitor,
};
use bitpeak::{Client, Error, PerPage};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use crate::{exit, note, Failure};

/// What `exporter` takes.
#[derive(clap::Args, Debug)]
pub struct ExporterArgs {
    /// Where to serve `/metrics` (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:9877")]
    listen: SocketAddr,
    /// Seconds between two reads of the account (at least 1; a read costs a request a
    /// resource and 1,000 records, within the client's throttle).
    #[arg(long, default_value_t = 60)]
    interval: u64,
}

/// The longest label value, in characters (longer ones are cut, saying how much more).
pub const MAX_LABEL_CHARS: usize = 120;
/// The most pages read of one resource in one refresh (1,000 records a page).
const MAX_PAGES: u64 = 1_000;
/// The exposition's media type (what `prometheus-client` writes).
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(&'static str, String)>;

/// One metric of a resource: its description (name after `bitpeak_<resource>_`) and its
/// value in a record (none: no sample for that record).
struct Metric<R> {
    desc: Desc,
    value: fn(&R) -> Option<f64>,
}

const fn gauge<R>(
    name: &'static str,
    help: &'static str,
    unit: Option<&'static str>,
    value: fn(&R) -> Option<f64>,
) -> Metric<R> {
    Metric {
        desc: Desc::gauge(name, help, unit),
        value,
    }
}

const fn counter<R>(
    name: &'static str,
    help: &'static str,
    value: fn(&R) -> Option<f64>,
) -> Metric<R> {
    Metric {
        desc: Desc::counter(name, help),
        value,
    }
}

/// A resource the exporter reads.
trait Exported: List + Send + Sync + 'static {
    /// The metrics' middle name (`monitor` in `bitpeak_monitor_up`).
    const NAME: &'static str;
    /// What a count of the kept records is called, if the resource has one
    /// (`incidents_open`), and its help.
    const COUNT: Option<(&'static str, &'static str)> = None;
    fn resources(client: &Client) -> Resources<'_, Self>;
    fn metrics() -> Vec<Metric<Self>>;
    /// The record's labels (`id`, `name`, `project`, and its own `type`/`target`).
    fn labels(&self, projects: &Projects) -> Labels;
    /// Whether the record has series (all do, but closed incidents).
    fn kept(&self) -> bool {
        true
    }
}

/// Project names by id.
type Projects = BTreeMap<i64, String>;

fn ratio(percent: Option<f64>) -> Option<f64> {
    percent.map(|p| p / 100.0)
}

fn flag(on: Option<bool>) -> Option<f64> {
    on.map(|on| f64::from(u8::from(on)))
}

fn count(n: Option<i64>) -> Option<f64> {
    n.map(|n| n as f64)
}

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> Option<f64> {
    at.map(|at| at.timestamp() as f64)
}

/// A label value: control characters made visible, cut to [`MAX_LABEL_CHARS`].
fn label(text: &str) -> String {
    bitpeak::text::cut(&bitpeak::text::visible(text), MAX_LABEL_CHARS).into_owned()
}

/// `id`, `name` and `project` labels, then `extra`.
fn labels(
    id: u64,
    name: Option<&str>,
    project: Option<i64>,
    projects: &Projects,
    extra: &[(&'static str, Option<&str>)],
) -> Labels {
    let project = project
        .filter(|p| *p > 0)
        .map(|p| projects.get(&p).cloned().unwrap_or_else(|| p.to_string()));
    let mut all = vec![
        ("id", id.to_string()),
        ("name", label(name.unwrap_or_default())),
        ("project", label(project.as_deref().unwrap_or_default())),
    ];
    all.extend(
        extra
            .iter()
            .map(|(k, v)| (*k, label(v.unwrap_or_default()))),
    );
    all
}

const UP: &str = "Whether the last check succeeded (1) or failed (0)";
const ENABLED: &str = "Whether it is checked (1) or paused (0)";
const UPTIME: &str = "The share of checks that succeeded";

impl Exported for Monitor {
    const NAME: &'static str = "monitor";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.monitors()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge("up", UP, None, |m| count(m.is_ok)),
            gauge("enabled", ENABLED, None, |m| flag(m.is_enabled)),
            gauge("uptime", UPTIME, Some("ratio"), |m| ratio(m.uptime)),
            gauge(
                "response_time",
                "The average response time",
                Some("seconds"),
                |m| m.average_response_time.map(|ms| ms / 1000.0),
            ),
            counter("checks", "Checks made", |m| count(m.total_checks)),
            gauge(
                "last_check_timestamp",
                "When it was last checked",
                Some("seconds"),
                |m| time(m.last_check_datetime),
            ),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        let kind = self.kind.as_ref().map(|k| k.as_str());
        let extra = [("type", kind), ("target", self.target.as_deref())];
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &extra,
        )
    }
}

impl Exported for Heartbeat {
    const NAME: &'static str = "heartbeat";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.heartbeats()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge(
                "up",
                "Whether the last run came in time (1) or not (0)",
                None,
                |h| count(h.is_ok),
            ),
            gauge("enabled", ENABLED, None, |h| flag(h.is_enabled)),
            gauge(
                "uptime",
                "The share of runs that came in time",
                Some("ratio"),
                |h| ratio(h.uptime),
            ),
            gauge(
                "last_run_timestamp",
                "When it last ran",
                Some("seconds"),
                |h| time(h.last_run_datetime),
            ),
            counter("missed_runs", "Runs that did not come in time", |h| {
                count(h.total_missed_runs)
            }),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &[],
        )
    }
}

impl Exported for DomainName {
    const NAME: &'static str = "domain_name";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.domain_names()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge("enabled", ENABLED, None, |d| flag(d.is_enabled)),
            gauge(
                "whois_expiry_timestamp",
                "When its registration expires",
                Some("seconds"),
                |d| time(d.whois.as_ref().and_then(|w| w.end_datetime)),
            ),
            gauge(
                "ssl_expiry_timestamp",
                "When its certificate expires",
                Some("seconds"),
                |d| time(d.ssl.as_ref().and_then(|s| s.end_datetime)),
            ),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        let extra = [("target", self.target.as_deref())];
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &extra,
        )
    }
}

impl Exported for DnsMonitor {
    const NAME: &'static str = "dns_monitor";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.dns_monitors()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge("enabled", ENABLED, None, |d| flag(d.is_enabled)),
            counter("checks", "Checks made", |d| count(d.total_checks)),
            counter("changes", "Changes of its records seen", |d| {
                count(d.total_changes)
            }),
            gauge(
                "last_check_timestamp",
                "When it was last checked",
                Some("seconds"),
                |d| time(d.last_check_datetime),
            ),
            gauge(
                "last_change_timestamp",
                "When its records last changed",
                Some("seconds"),
                |d| time(d.last_change_datetime),
            ),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        let extra = [("target", self.target.as_deref())];
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &extra,
        )
    }
}

impl Exported for ServerMonitor {
    const NAME: &'static str = "server_monitor";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.server_monitors()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge("enabled", ENABLED, None, |s| flag(s.is_enabled)),
            gauge(
                "cpu_usage",
                "CPU use in the last report",
                Some("ratio"),
                |s| ratio(s.cpu_usage),
            ),
            gauge(
                "ram_usage",
                "Memory use in the last report",
                Some("ratio"),
                |s| ratio(s.ram_usage),
            ),
            gauge(
                "disk_usage",
                "Disk use in the last report",
                Some("ratio"),
                |s| ratio(s.disk_usage),
            ),
            gauge("load1", "The 1-minute load average", None, |s| s.cpu_load_1),
            gauge("load5", "The 5-minute load average", None, |s| s.cpu_load_5),
            gauge("load15", "The 15-minute load average", None, |s| {
                s.cpu_load_15
            }),
            gauge(
                "last_report_timestamp",
                "When its agent last reported",
                Some("seconds"),
                |s| time(s.last_log_datetime),
            ),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        let extra = [("target", self.target.as_deref())];
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &extra,
        )
    }
}

impl Exported for GameServer {
    const NAME: &'static str = "game_server";
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.game_servers()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![
            gauge("enabled", ENABLED, None, |g| flag(g.is_enabled)),
            gauge("uptime", UPTIME, Some("ratio"), |g| ratio(g.uptime)),
            gauge(
                "response_time",
                "The average response time",
                Some("seconds"),
                |g| g.average_response_time.map(|ms| ms / 1000.0),
            ),
            gauge("players", "Players online at the last check", None, |g| {
                count(g.online_players)
            }),
            gauge("max_players", "The most players it takes", None, |g| {
                count(g.maximum_online_players)
            }),
            counter("checks", "Checks made", |g| count(g.total_checks)),
            gauge(
                "last_check_timestamp",
                "When it was last checked",
                Some("seconds"),
                |g| time(g.last_check_datetime),
            ),
        ]
    }
    fn labels(&self, projects: &Projects) -> Labels {
        let extra = [
            ("type", self.kind.as_deref()),
            ("target", self.target.as_deref()),
        ];
        labels(
            self.id,
            self.name.as_deref(),
            self.project_id,
            projects,
            &extra,
        )
    }
}

impl Exported for Incident {
    const NAME: &'static str = "incident";
    const COUNT: Option<(&'static str, &'static str)> =
        Some(("incidents_open", "Incidents not yet resolved"));
    fn resources(client: &Client) -> Resources<'_, Self> {
        client.incidents()
    }
    fn metrics() -> Vec<Metric<Self>> {
        vec![gauge(
            "start_timestamp",
            "When the open incident began",
            Some("seconds"),
            |i| time(i.start_datetime),
        )]
    }
    fn labels(&self, _: &Projects) -> Labels {
        let id = |n: Option<i64>| {
            n.filter(|n| *n > 0)
                .map(|n| n.to_string())
                .unwrap_or_default()
        };
        vec![
            ("id", self.id.to_string()),
            ("monitor_id", id(self.monitor_id)),
            ("heartbeat_id", id(self.heartbeat_id)),
        ]
    }
    fn kept(&self) -> bool {
        self.end_datetime.is_none()
    }
}

/// A metric's description, without its record type.
#[derive(Debug)]
struct Desc {
    name: &'static str,
    help: &'static str,
    unit: Option<&'static str>,
    counter: bool,
}

impl Desc {
    const fn gauge(name: &'static str, help: &'static str, unit: Option<&'static str>) -> Self {
        Desc {
            name,
            help,
            unit,
            counter: false,
        }
    }

    const fn counter(name: &'static str, help: &'static str) -> Self {
        Desc {
            name,
            help,
            unit: None,
            counter: true,
        }
    }
}

/// One resource's series as last read.
#[derive(Debug)]
struct Table {
    name: &'static str,
    count: Option<(&'static str, &'static str)>,
    metrics: Vec<Desc>,
    /// Each kept record's labels and values (in `metrics`' order).
    rows: Vec<(Labels, Vec<Option<f64>>)>,
}

/// What the exporter counts of itself.
#[derive(Clone, Debug, Default)]
struct Own {
    /// Refreshes done (0 before the first).
    refreshes: u64,
    success: bool,
    last_refresh: f64,
    duration: f64,
    /// API calls (pages) by outcome, since the start.
    requests: BTreeMap<&'static str, u64>,
    /// Records that could not be read in the last refresh, by resource.
    unreadable: BTreeMap<&'static str, u64>,
}

/// The exporter's state: the last good tables, what it counts of itself, and the rendering
/// scrapes are answered with.
#[derive(Default)]
struct State {
    tables: BTreeMap<&'static str, Arc<Table>>,
    /// Resources the server lacks (said once).
    lacking: BTreeSet<&'static str>,
    own: Own,
    /// The exposition scrapes get (shared, never copied).
    text: Bytes,
}

/// How an API call ended, as the `outcome` label says it.
fn outcome(result: &Result<(), &Error>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(Error::RateLimited { .. }) => "rate_limited",
        Err(Error::Unauthorized { .. }) => "unauthorized",
        Err(Error::Unavailable { .. }) => "unavailable",
        Err(Error::Api { status, .. } | Error::Decode { status, .. })
            if status.is_server_error() =>
        {
            "server_error"
        }
        Err(Error::Timeout(_) | Error::Transport(_)) => "network",
        Err(_) => "other",
    }
}

/// Calls `visit` with every record of `R`, page after page (1,000 a page, each record once);
/// counts each call by outcome, and the records that could not be read, in `own`.
async fn pages<'c, R: List + 'c>(
    resources: Resources<'c, R>,
    own: &Mutex<Own>,
    name: &'static str,
    mut visit: impl FnMut(&R),
) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    let mut unreadable = 0;
    let mut number = 1;
    let result = loop {
        let query = Query::new().per_page(PerPage::P1000).page(number);
        let page = resources.list(&query).await;
        let mut counts = own.lock().unwrap_or_else(PoisonError::into_inner);
        *counts
            .requests
            .entry(outcome(&page.as_ref().map(drop)))
            .or_default() += 1;
        drop(counts);
        let page = match page {
            Ok(page) => page,
            Err(e) => break Err(e),
        };
        unreadable += page.unreadable.len() as u64;
        for record in &page.items {
            if seen.insert(bitpeak::record::FromRecord::id(record)) {
                visit(record);
            }
        }
        if !page.has_next() || number >= MAX_PAGES {
            break Ok(());
        }
        number += 1;
    };
    own.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .unreadable
        .insert(name, unreadable);
    result
}

/// Every kept record of `R` as a table, beside the resource's name.
async fn read<R: Exported>(
    client: &Client,
    projects: &Projects,
    own: &Mutex<Own>,
) -> (&'static str, Result<Table, Error>) {
    (R::NAME, read_table::<R>(client, projects, own).await)
}

async fn read_table<R: Exported>(
    client: &Client,
    projects: &Projects,
    own: &Mutex<Own>,
) -> Result<Table, Error> {
    let metrics = R::metrics();
    let mut rows = Vec::new();
    pages(R::resources(client), own, R::NAME, |record: &R| {
        if record.kept() {
            let values = metrics.iter().map(|m| (m.value)(record)).collect();
            rows.push((record.labels(projects), values));
        }
    })
    .await?;
    let metrics = metrics.into_iter().map(|m| m.desc).collect();
    Ok(Table {
        name: R::NAME,
        count: R::COUNT,
        metrics,
        rows,
    })
}

/// Project names by id, for the `project` label (ids stand in when they cannot be read).
async fn projects(client: &Client, own: &Mutex<Own>) -> Projects {
    let mut names = Projects::new();
    let read = pages(client.projects(), own, "project", |project| {
        if let (Ok(id), Some(name)) = (i64::try_from(project.id), &project.name) {
            names.insert(id, label(name));
        }
    });
    if let Err(e) = read.await {
        tracing::warn!("projects could not be read; project ids stand in for names: {e}");
    }
    names
}

/// Reads the account once into `state`: each resource's table replaces its last one when it
/// was read; one that failed keeps its last values (success 0); one the server lacks goes.
async fn refresh(client: &Client, state: &Mutex<State>) {
    let started = Instant::now();
    let own = Mutex::new(std::mem::take(&mut lock(state).own));
    let projects = projects(client, &own).await;
    let reads = futures::future::join_all([
        Box::pin(read::<Monitor>(client, &projects, &own)) as TableRead<'_>,
        Box::pin(read::<Heartbeat>(client, &projects, &own)),
        Box::pin(read::<DomainName>(client, &projects, &own)),
        Box::pin(read::<DnsMonitor>(client, &projects, &own)),
        Box::pin(read::<ServerMonitor>(client, &projects, &own)),
        Box::pin(read::<GameServer>(client, &projects, &own)),
        Box::pin(read::<Incident>(client, &projects, &own)),
    ])
    .await;
    let mut state = lock(state);
    state.own = own.into_inner().unwrap_or_else(PoisonError::into_inner);
    let mut success = true;
    for (name, read) in reads {
        match read {
            Ok(table) => {
                state.tables.insert(name, Arc::new(table));
            }
            Err(Error::Unavailable { .. }) => {
                state.tables.remove(name);
                if state.lacking.insert(name) {
                    note(format_args!(
                        "exporter: {name}: not on this server (or switched off); left out"
                    ));
                }
            }
            Err(e) => {
                success = false;
                tracing::warn!("{name}: could not be read; its last values stay served: {e}");
            }
        }
    }
    state.own.refreshes += 1;
    state.own.success = success;
    state.own.duration = started.elapsed().as_secs_f64();
    state.own.last_refresh = unix_now();
    let size = state.text.len();
    state.text = Bytes::from(render(&state.tables, &state.own, size));
}

type TableRead<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = (&'static str, Result<Table, Error>)> + Send + 'a>,
>;

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

// ---------------------------------------------------------------------------------------
// Rendering

/// What one rendering writes: the tables as last read, and the exporter's own figures.
#[derive(Debug)]
struct Exposition {
    tables: Vec<Arc<Table>>,
    own: Own,
}

impl Collector for Exposition {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        for table in &self.tables {
            for (i, desc) in table.metrics.iter().enumerate() {
                let name = format!("{}_{}", table.name, desc.name);
                let samples = table
                    .rows
                    .iter()
                    .filter_map(|(labels, values)| Some((labels, values.get(i).copied()??)));
                family(&mut encoder, &name, desc, samples)?;
            }
            if let Some((name, help)) = table.count {
                let desc = Desc::gauge(name, help, None);
                let count = table.rows.len() as f64;
                family(
                    &mut encoder,
                    name,
                    &desc,
                    std::iter::once((&Labels::new(), count)),
                )?;
            }
        }
        own(&mut encoder, &self.own)
    }
}

/// Writes one family: its descriptor, then a sample a row with a value that is finite and, for
/// a counter, not negative (what a server sent otherwise is left out); nothing without one.
fn family<'l>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    desc: &Desc,
    samples: impl Iterator<Item = (&'l Labels, f64)>,
) -> std::fmt::Result {
    let unit = desc.unit.map(|u| match u {
        "seconds" => Unit::Seconds,
        other => Unit::Other(other.to_owned()),
    });
    let kind = if desc.counter {
        MetricType::Counter
    } else {
        MetricType::Gauge
    };
    let mut samples = samples
        .filter(|(_, v)| v.is_finite() && !(desc.counter && *v < 0.0))
        .peekable();
    if samples.peek().is_none() {
        return Ok(());
    }
    let mut metric = encoder.encode_descriptor(name, desc.help, unit.as_ref(), kind)?;
    for (labels, value) in samples {
        let mut sample = metric.encode_family(labels)?;
        if desc.counter {
            sample.encode_counter::<NoLabelSet, _, f64>(&value, None)?;
        } else {
            sample.encode_gauge(&value)?;
        }
    }
    Ok(())
}

/// The exporter's own metrics (after the first refresh; before it, only the refresh count).
fn own(encoder: &mut DescriptorEncoder, own: &Own) -> std::fmt::Result {
    let none = Labels::new();
    let one = |value: f64| std::iter::once((&none, value));
    let refreshes = Desc::counter("exporter_refreshes", "Reads of the account done");
    family(
        encoder,
        refreshes.name,
        &refreshes,
        one(own.refreshes as f64),
    )?;
    if own.refreshes == 0 {
        return Ok(());
    }
    let figures = [
        (
            Desc::gauge(
                "exporter_last_refresh_success",
                "Whether the last read of the account read every resource it has (1) or not (0)",
                None,
            ),
            f64::from(u8::from(own.success)),
        ),
        (
            Desc::gauge(
                "exporter_last_refresh_timestamp",
                "When the last read of the account ended",
                Some("seconds"),
            ),
            own.last_refresh,
        ),
        (
            Desc::gauge(
                "exporter_refresh_duration",
                "How long the last read of the account took",
                Some("seconds"),
            ),
            own.duration,
        ),
    ];
    for (d, value) in figures {
        family(encoder, d.name, &d, one(value))?;
    }
    let labelled =
        |key: &'static str, counts: &BTreeMap<&'static str, u64>| -> Vec<(Labels, f64)> {
            counts
                .iter()
                .map(|(k, n)| (vec![(key, (*k).to_owned())], *n as f64))
                .collect()
        };
    let requests = Desc::counter("exporter_api_requests", "API calls (pages read) by outcome");
    let rows = labelled("outcome", &own.requests);
    family(
        encoder,
        requests.name,
        &requests,
        rows.iter().map(|(l, v)| (l, *v)),
    )?;
    let skipped = Desc::gauge(
        "exporter_unreadable_records",
        "Records the last read skipped because they could not be read, by resource",
        None,
    );
    let rows = labelled("resource", &own.unreadable);
    family(
        encoder,
        skipped.name,
        &skipped,
        rows.iter().map(|(l, v)| (l, *v)),
    )
}

/// The exposition of `tables` and the exporter's own metrics, OpenMetrics text.
/// `size` is the last rendering's, so the text is written without growing as it goes.
fn render(tables: &BTreeMap<&'static str, Arc<Table>>, own: &Own, size: usize) -> String {
    let mut registry = Registry::with_prefix("bitpeak");
    registry.register_collector(Box::new(Exposition {
        tables: tables.values().cloned().collect(),
        own: own.clone(),
    }));
    let mut text = String::with_capacity(size + size / 8);
    match prometheus_client::encoding::text::encode(&mut text, &registry) {
        Ok(()) => text,
        Err(_) => "# EOF\n".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Serving

const PAGE: &str = "<!doctype html>\n<html><head><title>bitpeak exporter</title></head><body>\n\
<h1>bitpeak exporter</h1>\n<p>The BitPeak account as Prometheus metrics: <a href=\"metrics\">/metrics</a>.</p>\n\
</body></html>\n";

/// `bitpeak exporter`: reads the account every interval in the background and serves the
/// latest reading until interrupted.
pub async fn run(client: Client, args: &ExporterArgs) -> Result<(), Failure> {
    let state = Arc::new(Mutex::new(State::default()));
    lock(&state).text = Bytes::from(render(&BTreeMap::new(), &Own::default(), 0));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            Failure(
                format!("cannot listen on {}: {e}", args.listen),
                exit::OTHER,
            )
        })?;
    if !args.listen.ip().is_loopback() {
        note(format_args!(
            "serving on {} beyond this machine: anyone who reaches it can read the account's \
             names and targets",
            args.listen
        ));
    }
    let interval = Duration::from_secs(args.interval.max(1));
    let refresher = {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                refresh(&client, &state).await;
            }
        })
    };
    let metrics = {
        let state = Arc::clone(&state);
        move || {
            let text = lock(&state).text.clone();
            async move { ([(CONTENT_TYPE, OPENMETRICS)], text) }
        }
    };
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .route(
            "/",
            axum::routing::get(|| async { axum::response::Html(PAGE) }),
        );
    crate::out(format_args!(
        "serving http://{}/metrics",
        listener.local_addr().map_or(args.listen, |a| a)
    ))?;
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    refresher.abort();
    served.map_err(|e| Failure(format!("serving stopped: {e}"), exit::OTHER))
}
