//! `bitpeak`: the command line for BitPeak notification handlers (the `bitpeak-cli` crate).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bitpeak::{
    Channel, Client, Error, HandlerState, HandlerUpdate, ListParams, NewNotificationHandler,
    NotificationHandler, PerPage,
};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::TryStreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod account;
mod resources;

/// Exit codes, by error class.
mod exit {
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const RATE_LIMITED: u8 = 5;
    pub const NETWORK: u8 = 6;
}

/// Manage a BitPeak account: every resource of the API (monitors, heartbeats, domain names,
/// status pages, notification handlers, …), from the command line.
///
/// Exit codes: 0 success, 1 other error, 2 usage or invalid input, 3 unauthorized (key
/// refused or validation failed), 4 not found, 5 rate limited, 6 network.
#[derive(Parser, Debug)]
#[command(name = "bitpeak", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

/// The options every command takes.
#[derive(Args, Debug)]
struct Globals {
    /// The API's base URL.
    #[arg(long, env = "BITPEAK_BASE_URL", default_value = bitpeak::DEFAULT_BASE_URL, global = true)]
    base_url: String,
    /// The API key.
    #[arg(long, env = "BITPEAK_API_KEY", hide_env_values = true, global = true)]
    api_key: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    output: Output,
    /// Time limit for each request, in seconds.
    #[arg(long, default_value_t = 30, global = true)]
    timeout: u64,
    /// Retries for a failed request (see the README's Reliability section).
    #[arg(long, default_value_t = 3, global = true)]
    retries: u32,
    /// The largest answer read, in bytes; a larger one is refused (exit 1).
    #[arg(long, default_value_t = bitpeak::DEFAULT_MAX_ANSWER_BYTES, global = true)]
    max_answer_bytes: u64,
    /// Log requests to stderr (-vv for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    Table,
    /// One JSON value: an object, or an array for lists.
    Json,
    /// One JSON object a line.
    Jsonl,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Notification handlers.
    #[command(subcommand, visible_alias = "notification-handlers")]
    Handlers(Box<Handlers>),
    /// Write the account (projects, notification handlers, monitors, heartbeats, domain names,
    /// DNS monitors, server monitors, game servers) as one YAML file keyed by name.
    Export {
        /// Write here (0600, atomically) instead of stdout.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Write secrets (tokens, passwords, URLs with keys) instead of `${VAR}` placeholders.
        #[arg(long)]
        include_secrets: bool,
    },
    /// Make the account match a file: plan (+ create, ~ update, = unchanged, - delete), then
    /// carry the plan out.
    Apply(ApplyArgs),
    /// Print the JSON Schema of the handlers export/apply file (or, with --account, of the
    /// account file).
    Schema {
        #[arg(long)]
        account: bool,
    },
    /// Serve an in-memory fake BitPeak API until interrupted.
    FakeServer(FakeServerArgs),
    /// Print the shell completion script (e.g. `bitpeak completions bash > /etc/bash_completion.d/bitpeak`).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), from the same definitions as --help.
    Man,
}

#[derive(Subcommand, Debug)]
enum Handlers {
    /// List handlers (one page, or every page with --all).
    List {
        #[arg(long, default_value_t = 1)]
        page: u64,
        /// Page size: 10, 25, 50, 100, 250, 500 or 1000.
        #[arg(long, default_value_t = 25, value_parser = parse_per_page)]
        per_page: u64,
        /// Every page.
        #[arg(long)]
        all: bool,
        /// With --all: pages in flight at once.
        #[arg(long, default_value_t = bitpeak::notification_handlers::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// Only this type.
        #[arg(long = "type")]
        kind: Option<String>,
        /// Only names containing this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one handler.
    Get { id: u64 },
    /// Create a handler.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long = "type")]
        kind: String,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Change a handler; what is not given stays as it is.
    Update {
        id: u64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        /// A new type (give its settings too).
        #[arg(long = "type")]
        kind: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Delete a handler.
    Delete { id: u64 },
    /// Write every handler to a YAML file (or stdout).
    Export {
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Make the server match a YAML file: create, update (and with --prune delete).
    Apply(ApplyArgs),
}

/// What `apply` takes.
#[derive(Args, Debug)]
struct ApplyArgs {
    /// The file.
    path: PathBuf,
    /// Print the plan and stop.
    #[arg(long)]
    dry_run: bool,
    /// Also delete what the file does not name (in the sections it has).
    #[arg(long)]
    prune: bool,
}

#[derive(Args, Debug, Default)]
struct SettingsArgs {
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    webhook: Option<String>,
    #[arg(long)]
    slack: Option<String>,
    #[arg(long)]
    discord: Option<String>,
    /// Telegram bot token.
    #[arg(long)]
    telegram: Option<String>,
    /// Telegram chat id (group ids are negative, e.g. -1001234567890).
    #[arg(long, allow_hyphen_values = true)]
    telegram_chat_id: Option<String>,
    #[arg(long)]
    microsoft_teams: Option<String>,
    #[arg(long)]
    google_chat: Option<String>,
    #[arg(long)]
    x_consumer_key: Option<String>,
    #[arg(long)]
    x_consumer_secret: Option<String>,
    #[arg(long)]
    x_access_token: Option<String>,
    #[arg(long)]
    x_access_token_secret: Option<String>,
}

#[derive(Args, Debug)]
struct FakeServerArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// document, 2023, 2025 or 2026.
    #[arg(long, default_value = "2026")]
    profile: Profile,
    /// An accepted API key (repeatable; default `fake-key`).
    #[arg(long = "key")]
    keys: Vec<String>,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Requests allowed per window and key (no limit by default).
    #[arg(long)]
    rate_limit: Option<u32>,
    /// The rate-limit window in seconds.
    #[arg(long, default_value_t = 60)]
    rate_window_secs: u64,
    /// Answer DELETE without a Content-Type (for validating proxies such as Prism).
    #[arg(long)]
    no_delete_content_type: bool,
    /// Store the handler records of this JSON file (an array of objects) exactly as written,
    /// e.g. the odd shapes real databases hold.
    #[arg(long)]
    seed_file: Option<PathBuf>,
}

fn parse_per_page(s: &str) -> Result<u64, String> {
    let n: u64 = s.parse().map_err(|e| format!("{e}"))?;
    PerPage::try_from(n)
        .map(PerPage::get)
        .map_err(|e| e.to_string())
}

/// The export/apply file: handlers keyed by name.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "bitpeak handlers file",
    description = "BitPeak notification handlers, keyed by name (`bitpeak handlers export` / `apply`)."
)]
struct HandlersFile {
    /// Handlers by name.
    #[serde(deserialize_with = "unique_names")]
    handlers: BTreeMap<String, FileEntry>,
}

/// A map that refuses a name given twice (the YAML parser would keep the last silently).
fn unique_names<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, FileEntry>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = BTreeMap<String, FileEntry>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("handlers keyed by name")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key::<String>()? {
                if out.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "the name {name:?} is given twice"
                    )));
                }
                let entry = map.next_value()?;
                out.insert(name, entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Visitor)
}

/// One handler: its type, that type's settings, and whether it is enabled.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
struct FileEntry {
    /// Whether the handler delivers alerts (default true).
    #[serde(default = "enabled_default")]
    enabled: bool,
    #[serde(flatten)]
    channel: FileChannel,
}

fn enabled_default() -> bool {
    true
}

/// The type and its settings, with the API's field names.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FileChannel {
    Email {
        email: String,
    },
    Webhook {
        webhook: String,
    },
    Slack {
        slack: String,
    },
    Discord {
        discord: String,
    },
    Telegram {
        telegram: String,
        telegram_chat_id: String,
    },
    MicrosoftTeams {
        microsoft_teams: String,
    },
    X {
        x_consumer_key: String,
        x_consumer_secret: String,
        x_access_token: String,
        x_access_token_secret: String,
    },
    GoogleChat {
        google_chat: String,
    },
    InternalNotification {},
}

impl From<FileChannel> for Channel {
    fn from(c: FileChannel) -> Channel {
        match c {
            FileChannel::Email { email } => Channel::email(email),
            FileChannel::Webhook { webhook } => Channel::webhook(webhook),
            FileChannel::Slack { slack } => Channel::slack(slack),
            FileChannel::Discord { discord } => Channel::discord(discord),
            FileChannel::Telegram {
                telegram,
                telegram_chat_id,
            } => Channel::telegram(telegram, telegram_chat_id),
            FileChannel::MicrosoftTeams { microsoft_teams } => {
                Channel::microsoft_teams(microsoft_teams)
            }
            FileChannel::X {
                x_consumer_key,
                x_consumer_secret,
                x_access_token,
                x_access_token_secret,
            } => Channel::x(
                x_consumer_key,
                x_consumer_secret,
                x_access_token,
                x_access_token_secret,
            ),
            FileChannel::GoogleChat { google_chat } => Channel::google_chat(google_chat),
            FileChannel::InternalNotification {} => Channel::InternalNotification,
        }
    }
}

/// The file form of a handler, or why the file format cannot express it.
fn file_entry(h: &NotificationHandler) -> Result<FileEntry, String> {
    let enabled = h
        .state
        .is_on()
        .ok_or_else(|| format!("its state {} is not one bitpeak knows", state_word(h.state)))?;
    let channel = match (&h.channel, h.channel.unsendable_reason()) {
        (_, Some(why)) => return Err(why),
        (Channel::Unknown { kind, .. }, None) => {
            return Err(format!(
                "type {:?} is not in the file format",
                kind.as_deref().unwrap_or_default()
            ))
        }
        (c, None) => c,
    };
    let mut flat: serde_json::Map<String, Value> = channel
        .fields()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
    flat.insert("type".into(), Value::from(channel.kind()));
    let channel = serde_json::from_value(Value::Object(flat)).map_err(|e| e.to_string())?;
    Ok(FileEntry { enabled, channel })
}

/// What the server did not apply of `changes`, read back in `updated`.
fn unapplied(changes: &HandlerUpdate, updated: &NotificationHandler) -> Vec<String> {
    let mut notes = Vec::new();
    let who = format!("handler #{} {:?}", updated.id, updated.name);
    if let Some(wanted) = changes.enabled {
        if updated.state.is_on() != Some(wanted) {
            let why = if updated.state == HandlerState::PendingConfirmation {
                ": the server keeps an email handler pending until its address is confirmed"
            } else {
                ""
            };
            notes.push(format!(
                "{who} is still {} ({} was not applied{why})",
                state_word(updated.state),
                if wanted { "--enable" } else { "--disable" }
            ));
        }
    }
    if let Some(name) = &changes.name {
        if name.trim() != updated.name {
            notes.push(format!(
                "the server stored {who}'s name as {:?}",
                updated.name
            ));
        }
    }
    notes
}

/// Warnings as one line each, like the CLI's own messages: `bitpeak: warn: …`.
struct Plain;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = event.metadata().level().as_str().to_lowercase();
        write!(writer, "bitpeak: {level}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// A CLI failure: the message and the exit code.
struct Failure(String, u8);

impl Failure {
    /// Stdout was closed (`… | head -1`): end quietly and successfully, like other tools.
    fn closed() -> Self {
        Failure(String::new(), 0)
    }
}

/// Set once a write to stdout found it closed.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `text` and a newline to stdout; a closed stdout is [`Failure::closed`].
fn out(text: impl std::fmt::Display) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
            Err(Failure::closed())
        }
        Err(e) => Err(Failure(format!("cannot write to stdout: {e}"), exit::OTHER)),
    }
}

/// Writes a line to stderr; nothing more can be done if that fails.
fn note(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "bitpeak: {text}");
}

/// Server-supplied text as a person may see it (control characters made visible).
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    bitpeak::text::visible(text)
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Unauthorized { .. } => exit::AUTH,
            Error::NotFound { .. } => exit::NOT_FOUND,
            Error::RateLimited { .. } => exit::RATE_LIMITED,
            Error::Timeout(_) | Error::Transport(_) | Error::OutcomeUnknown(_) => exit::NETWORK,
            Error::InvalidInput { .. } => exit::USAGE,
            _ => exit::OTHER,
        };
        Failure(e.to_string(), code)
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure(message.into(), exit::USAGE)
}

/// Every command: the derived ones and those built from the catalog.
fn full_command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().subcommands(resources::commands())
}

fn main() -> ExitCode {
    use clap::FromArgMatches;
    let matches = full_command().get_matches();
    let globals = match Globals::from_arg_matches(&matches) {
        Ok(globals) => globals,
        Err(e) => e.exit(),
    };
    let run = async {
        match matches.subcommand() {
            Some((name, sub)) if resources::owns(name) => {
                resources::run(&client(&globals)?, globals.output, name, sub).await
            }
            _ => match Cli::from_arg_matches(&matches) {
                Ok(cli) => run(cli).await,
                Err(e) => e.exit(),
            },
        }
    };
    // Warnings (e.g. a record the server sent that cannot be read) always reach stderr.
    let level = match globals.verbose {
        0 => "bitpeak=warn",
        1 => "bitpeak=debug",
        _ => "bitpeak=trace",
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if globals.verbose == 0 {
        logs.event_format(Plain).init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            note(format_args!("cannot start: {e}"));
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            if !message.is_empty() {
                note(message);
            }
            ExitCode::from(code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut full_command(), "bitpeak", &mut text);
            out(String::from_utf8_lossy(&text).trim_end())
        }
        Command::Man => {
            let mut text = Vec::new();
            clap_mangen::Man::new(full_command())
                .render(&mut text)
                .map_err(|e| Failure(e.to_string(), exit::OTHER))?;
            out(String::from_utf8_lossy(&text).trim_end())
        }
        Command::Schema { account: false } => out(schema_json()),
        Command::Schema { account: true } => {
            out(serde_json::to_string_pretty(&account::schema()).unwrap_or_default())
        }
        Command::Export {
            file,
            include_secrets,
        } => account::export(&client(&cli.globals)?, file.as_deref(), include_secrets).await,
        Command::Apply(args) => account::apply(&client(&cli.globals)?, &args).await,
        Command::FakeServer(args) => fake_server(args).await,
        Command::Handlers(command) => {
            handlers(&client(&cli.globals)?, cli.globals.output, *command).await
        }
    }
}

/// The client the options describe.
fn client(globals: &Globals) -> Result<Client, Failure> {
    let key = globals
        .api_key
        .clone()
        .ok_or_else(|| usage("no API key: pass --api-key or set BITPEAK_API_KEY"))?;
    Ok(Client::builder()
        .base_url(&globals.base_url)
        .api_key(key)
        .timeout(Duration::from_secs(globals.timeout.max(1)))
        .retry_policy(bitpeak::RetryPolicy::default().max_retries(globals.retries))
        .max_answer_bytes(globals.max_answer_bytes)
        .build()?)
}

fn schema_json() -> String {
    let schema = schemars::schema_for!(HandlersFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

async fn fake_server(args: FakeServerArgs) -> Result<(), Failure> {
    let mut config = FakeConfig::new()
        .addr(args.addr)
        .profile(args.profile)
        .latency(Duration::from_millis(args.latency_ms))
        .delete_content_type(!args.no_delete_content_type);
    for key in args.keys {
        config = config.key(key);
    }
    if let Some(limit) = args.rate_limit {
        config = config.rate_limit(limit, Duration::from_secs(args.rate_window_secs.max(1)));
    }
    let seeds: Vec<Value> = match &args.seed_file {
        None => Vec::new(),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
            .map_err(|e| usage(format!("{}: {e}", path.display())))?,
    };
    let server = FakeServer::start(config)
        .await
        .map_err(|e| Failure(format!("cannot listen on {}: {e}", args.addr), exit::OTHER))?;
    server.seed_raw(seeds);
    out(server.base_url())?;
    let _ = tokio::signal::ctrl_c().await;
    server.stop();
    Ok(())
}

fn progress(len: Option<u64>, message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_message(message);
    bar
}

async fn handlers(client: &Client, output: Output, command: Handlers) -> Result<(), Failure> {
    let api = client.notification_handlers();
    match command {
        Handlers::List {
            page,
            per_page,
            all,
            concurrency,
            kind,
            search,
        } => {
            let mut params = ListParams::new()
                .page(page)
                .per_page(PerPage::try_from(per_page)?)
                .concurrency(concurrency);
            params.kind = kind;
            params.search = search;
            if !all {
                print_many(output, &api.list(params).await?.items)?;
                return Ok(());
            }
            // Every page, printed as it comes: memory stays flat however many handlers.
            let bar = progress(None, "listing");
            let table = |rows: &[NotificationHandler], header: bool| print_table(rows, header);
            let rows = usize::try_from(per_page).unwrap_or(25);
            let mut printer = resources::Printer::new(output, rows, &handler_json, &table);
            let mut stream = std::pin::pin!(api.list_all(params));
            while let Some(handler) = stream.try_next().await? {
                bar.inc(1);
                printer.push(handler)?;
            }
            bar.finish_and_clear();
            printer.finish()?;
        }
        Handlers::Get { id } => print_one(output, &api.get(id).await?)?,
        Handlers::Create {
            name,
            kind,
            settings,
        } => {
            let channel = channel_from_args(&kind, settings, None)?;
            print_one(
                output,
                &api.create(&NewNotificationHandler::new(name, channel))
                    .await?,
            )?;
        }
        Handlers::Update {
            id,
            name,
            enable,
            disable,
            kind,
            settings,
        } => {
            let mut changes = HandlerUpdate::new();
            changes.name = name;
            changes.enabled = if enable {
                Some(true)
            } else if disable {
                Some(false)
            } else {
                None
            };
            if kind.is_some() || settings.any() {
                let current = api.get(id).await?;
                let kind = kind
                    .or_else(|| current.channel.kind().map(str::to_owned))
                    .ok_or_else(|| usage(format!("handler #{id} has no type: give --type")))?;
                changes.channel = Some(channel_from_args(&kind, settings, Some(&current.channel))?);
            }
            let updated = api.update(id, &changes).await?;
            for text in unapplied(&changes, &updated) {
                note(format_args!("note: {text}"));
            }
            print_one(output, &updated)?;
        }
        Handlers::Delete { id } => api.delete(id).await?,
        Handlers::Export { file } => {
            let (entries, _) = export_handlers(client, true).await?;
            let exported = serde_yaml::Mapping::from_iter([(
                serde_yaml::Value::from("handlers"),
                serde_yaml::Value::Mapping(entries),
            )]);
            let text = serde_yaml::to_string(&exported)
                .map_err(|e| Failure(e.to_string(), exit::OTHER))?;
            match file {
                Some(path) => write_private(&path, &text)?,
                None => out(text.trim_end())?,
            }
        }
        Handlers::Apply(args) => apply(client, &args).await?,
    }
    Ok(())
}

/// Every handler as a file entry keyed by name (those the format cannot express are named
/// on stderr and left out), and the `id → name` of those exported. Without `include_secrets`,
/// tokens, secrets and URLs that carry keys are `${VAR}` placeholders.
async fn export_handlers(
    client: &Client,
    include_secrets: bool,
) -> Result<(serde_yaml::Mapping, BTreeMap<String, String>), Failure> {
    let all: Vec<_> = client
        .notification_handlers()
        .list_all(ListParams::new().per_page(PerPage::P100))
        .try_collect()
        .await?;
    let mut entries = BTreeMap::new();
    let mut ids = BTreeMap::new();
    for h in all {
        let entry = match file_entry(&h) {
            Ok(_) if entries.contains_key(&h.name) => {
                Err("another handler is already named so".to_owned())
            }
            other => other,
        };
        match entry {
            Ok(entry) => {
                ids.insert(h.id.to_string(), h.name.clone());
                entries.insert(h.name.clone(), entry);
            }
            Err(why) => note(format_args!(
                "export: skipping #{} \"{}\": {}",
                h.id,
                shown(&h.name),
                shown(&why)
            )),
        }
    }
    let mut mapping = serde_yaml::Mapping::new();
    for (name, entry) in entries {
        let mut value =
            serde_yaml::to_value(&entry).map_err(|e| Failure(e.to_string(), exit::OTHER))?;
        if let (false, serde_yaml::Value::Mapping(fields)) = (include_secrets, &mut value) {
            for (field, v) in fields.iter_mut() {
                let field = field.as_str().unwrap_or_default();
                if HANDLER_SECRETS.contains(&field) {
                    *v = serde_yaml::Value::from(account::placeholder(
                        "notification-handlers",
                        &name,
                        field,
                    ));
                }
            }
        }
        mapping.insert(serde_yaml::Value::from(name), value);
    }
    Ok((mapping, ids))
}

/// The handler settings that are secrets, or URLs that carry one.
const HANDLER_SECRETS: &[&str] = &[
    "webhook",
    "slack",
    "discord",
    "telegram",
    "microsoft_teams",
    "google_chat",
    "x_consumer_key",
    "x_consumer_secret",
    "x_access_token",
    "x_access_token_secret",
];

/// The JSON Schema of one handler entry.
fn handler_entry_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(FileEntry)).unwrap_or_default()
}

impl SettingsArgs {
    fn any(&self) -> bool {
        self.values().iter().any(|(_, v)| v.is_some())
    }

    fn values(&self) -> [(&'static str, &Option<String>); 12] {
        [
            ("email", &self.email),
            ("webhook", &self.webhook),
            ("slack", &self.slack),
            ("discord", &self.discord),
            ("telegram", &self.telegram),
            ("telegram_chat_id", &self.telegram_chat_id),
            ("microsoft_teams", &self.microsoft_teams),
            ("google_chat", &self.google_chat),
            ("x_consumer_key", &self.x_consumer_key),
            ("x_consumer_secret", &self.x_consumer_secret),
            ("x_access_token", &self.x_access_token),
            ("x_access_token_secret", &self.x_access_token_secret),
        ]
    }
}

/// Builds a channel of `kind` from the flags, falling back to `current`'s values of the same
/// type; refuses flags of another type.
fn channel_from_args(
    kind: &str,
    settings: SettingsArgs,
    current: Option<&Channel>,
) -> Result<Channel, Failure> {
    if !bitpeak::notification_handlers::KINDS.contains(&kind) {
        return Err(usage(format!(
            "unknown type {kind:?}: use one of {}",
            bitpeak::notification_handlers::KINDS.join(", ")
        )));
    }
    let mut fields: serde_json::Map<String, Value> = current
        .filter(|c| c.kind() == Some(kind) && c.unsendable_reason().is_none())
        .map(|c| {
            c.fields()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::from(v)))
                .collect()
        })
        .unwrap_or_default();
    for (name, value) in settings.values() {
        if let Some(value) = value {
            fields.insert(name.to_owned(), Value::from(value.as_str()));
        }
    }
    fields.insert("type".into(), Value::from(kind));
    let file: FileChannel = serde_json::from_value(Value::Object(fields.clone())).map_err(|e| {
        let text = e.to_string();
        match text.split('`').nth(1) {
            Some(field) if text.starts_with("missing field") => {
                usage(format!("type {kind} needs --{}", field.replace('_', "-")))
            }
            _ => usage(format!("type {kind}: {text}")),
        }
    })?;
    let channel = Channel::from(file);
    let known: Vec<&str> = channel.fields().into_iter().map(|(k, _)| k).collect();
    if let Some(extra) = fields
        .keys()
        .find(|k| *k != "type" && !known.contains(&k.as_str()))
    {
        return Err(usage(format!(
            "--{} does not belong to type {kind}",
            extra.replace('_', "-")
        )));
    }
    channel.validate()?;
    Ok(channel)
}

/// A handler as JSON, normalised; what could not be read is `null` (`type`, `is_enabled`,
/// dates) or kept as received (an unknown channel's settings).
fn handler_json(h: &NotificationHandler) -> Value {
    let settings: serde_json::Map<String, Value> = match &h.channel {
        Channel::Unknown { settings, .. } => settings.clone(),
        channel => channel
            .fields()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::from(v)))
            .collect(),
    };
    let date =
        |d: &Option<chrono::DateTime<chrono::Utc>>| d.as_ref().map(bitpeak::wire::format_datetime);
    json!({
        "id": h.id,
        "name": h.name,
        "type": h.channel.kind(),
        "settings": settings,
        "is_enabled": h.state.is_on(),
        "pending_confirmation": h.state == HandlerState::PendingConfirmation,
        "state": state_word(h.state),
        "last_datetime": date(&h.last_fired_at),
        "datetime": date(&h.created_at),
    })
}

fn print_one(output: Output, h: &NotificationHandler) -> Result<(), Failure> {
    match output {
        Output::Json | Output::Jsonl => out(handler_json(h)),
        Output::Table => print_table(std::slice::from_ref(h), true),
    }
}

fn print_many(output: Output, items: &[NotificationHandler]) -> Result<(), Failure> {
    match output {
        Output::Json => out(Value::from(
            items.iter().map(handler_json).collect::<Vec<_>>(),
        )),
        Output::Jsonl => items.iter().try_for_each(|h| out(handler_json(h))),
        Output::Table => print_table(items, true),
    }
}

/// Writes `text` to `path` safely: never through a symbolic link (refused, naming it), into a
/// temporary file beside it created readable by its owner only (`0600`: exports hold tokens),
/// then renamed over it, so a failed write never leaves a damaged file where a good one was.
fn write_private(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| Failure(format!("{}: {e}", path.display()), exit::OTHER);
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(fail(&"is a symbolic link; not writing through it"));
    }
    let name = path.file_name().ok_or_else(|| fail(&"not a file name"))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(fail(&e))
        }
    }
}

/// Secrets (tokens, X credentials) are masked; addresses and URLs are shown.
fn target(c: &Channel) -> String {
    let mask = |s: &str| {
        if s.chars().count() > 4 {
            format!(
                "****{}",
                s.chars().skip(s.chars().count() - 4).collect::<String>()
            )
        } else {
            "****".to_owned()
        }
    };
    match c {
        Channel::Telegram { bot_token, chat_id } => {
            format!("chat {chat_id}, token {}", mask(bot_token))
        }
        Channel::X { consumer_key, .. } => {
            format!("consumer key {}, secrets ****", mask(consumer_key))
        }
        Channel::InternalNotification => "in-app".to_owned(),
        Channel::Unknown { settings, .. } if settings.is_empty() => "?".to_owned(),
        Channel::Unknown { settings, .. } => {
            let names: Vec<&str> = settings.keys().map(String::as_str).collect();
            format!("settings {} (values hidden)", names.join(", "))
        }
        other => other
            .fields()
            .into_iter()
            .map(|(_, v)| v.to_owned())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn state_word(s: HandlerState) -> String {
    match s {
        HandlerState::Enabled => "enabled".into(),
        HandlerState::Disabled => "disabled".into(),
        HandlerState::PendingConfirmation => "pending".into(),
        HandlerState::Unknown(Some(n)) => format!("unknown ({n})"),
        _ => "unknown".into(),
    }
}

fn print_table(items: &[NotificationHandler], header: bool) -> Result<(), Failure> {
    let rows: Vec<[String; 5]> = items
        .iter()
        .map(|h| {
            [
                h.id.to_string(),
                shown(&h.name).into_owned(),
                shown(h.channel.kind().unwrap_or("?")).into_owned(),
                state_word(h.state),
                shown(&target(&h.channel)).into_owned(),
            ]
        })
        .collect();
    let head = ["ID", "NAME", "TYPE", "STATE", "TARGET"].map(str::to_owned);
    resources::print_rows(&head, &rows, header)
}

/// The largest apply file read.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// The deepest nesting of `[` / `{` an apply file may have (the format needs two).
const MAX_FILE_DEPTH: usize = 32;

/// An apply file's text, refused at once when it is over [`MAX_FILE_BYTES`] or nested deeper
/// than [`MAX_FILE_DEPTH`] (a YAML parser takes minutes on 100 000 levels).
fn read_text(path: &Path) -> Result<String, Failure> {
    use std::io::Read;
    let fail = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(&e))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(&format_args!("larger than {MAX_FILE_BYTES} bytes")));
    }
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > MAX_FILE_DEPTH {
            return Err(fail(&format_args!(
                "nested deeper than {MAX_FILE_DEPTH} levels"
            )));
        }
    }
    Ok(text)
}

/// One handler the file wants, with its name as the server will store it.
struct Wanted {
    /// As written.
    name: String,
    /// As the server stores it (tags stripped, trimmed, cut): what live names are matched to.
    stored: String,
    entry: FileEntry,
}

/// Reads and checks an apply file before anything is sent.
fn read_file(path: &Path) -> Result<Vec<Wanted>, Failure> {
    let text = read_text(path)?;
    let file: HandlersFile =
        serde_yaml::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    wanted_handlers(file, &text, path)
}

/// The handlers of a file (read from `text`, at `path`), checked: names, channels.
fn wanted_handlers(file: HandlersFile, text: &str, path: &Path) -> Result<Vec<Wanted>, Failure> {
    let line_of = |name: &str| {
        text.lines()
            .position(|l| {
                let t = l.trim_start().trim_start_matches(['"', '\'']);
                t.starts_with(name)
                    && t[name.len()..]
                        .trim_start_matches(['"', '\''])
                        .starts_with(':')
            })
            .map_or(0, |i| i + 1)
    };
    let refuse = |name: &str, why: String| {
        usage(format!("{}: line {}: {why}", path.display(), line_of(name)))
    };
    let max = bitpeak::notification_handlers::MAX_NAME_CHARS;
    let mut entries: Vec<Wanted> = Vec::new();
    for (name, entry) in file.handlers {
        if name.trim().is_empty() || name.chars().count() > max {
            return Err(refuse(
                &name,
                format!("the name {name:?} must be 1 to {max} characters"),
            ));
        }
        let stored = bitpeak::notification_handlers::stored_text(&name, max);
        if stored.is_empty() {
            return Err(refuse(
                &name,
                format!("the name {name:?} is empty once the server strips its tags"),
            ));
        }
        if let Some(other) = entries.iter().find(|w| w.stored == stored) {
            return Err(refuse(
                &name,
                format!(
                    "the names {:?} and {name:?} are both stored as {stored:?}",
                    other.name
                ),
            ));
        }
        if let Err(e) = Channel::from(entry.channel.clone()).validate() {
            return Err(refuse(&name, format!("handler {name:?}: {e}")));
        }
        entries.push(Wanted {
            name,
            stored,
            entry,
        });
    }
    Ok(entries)
}

/// Whether a live handler already matches the file (`Ok`, with a note for the plan) or needs
/// an update (`Err`, with a note when the update replaces what bitpeak cannot express).
fn plan_update(
    h: &NotificationHandler,
    channel: &Channel,
    enabled: bool,
) -> Result<String, String> {
    if let Err(why) = file_entry(h) {
        return Err(format!(" (replaces what bitpeak cannot express: {why})"));
    }
    if h.channel != *channel {
        return Err(String::new());
    }
    match (h.state, enabled) {
        // A 2026 server keeps it pending whatever is sent: an update would change nothing.
        (HandlerState::PendingConfirmation, false) => Ok(
            " (wanted disabled, but the server keeps it pending until its address is confirmed)"
                .to_owned(),
        ),
        (state, enabled) if state.is_on() == Some(enabled) => Ok(String::new()),
        _ => Err(String::new()),
    }
}

enum Step {
    Create(String, FileEntry),
    Update(u64, String, FileEntry),
    Delete(u64, String),
}

impl Step {
    /// The handler's name, as shown.
    fn name(&self) -> &str {
        match self {
            Step::Create(name, _) | Step::Update(_, name, _) | Step::Delete(_, name) => name,
        }
    }
}

/// A plan or progress line: printed while stdout is open; once it is closed the apply goes
/// on (a change is never left half-made for want of a reader), and says so on stderr at the end.
fn progress_line(text: impl std::fmt::Display) {
    if !STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = out(text);
    }
}

async fn apply(client: &Client, args: &ApplyArgs) -> Result<(), Failure> {
    let wanted = read_file(&args.path)?;
    let (steps, _) = plan_handlers(client, &wanted, args.prune).await?;
    if !args.dry_run {
        run_handler_steps(client, steps).await?;
    }
    Ok(())
}

/// Plans the handlers against the live ones (printing the plan): the steps, and the live
/// handlers' `name → id`.
async fn plan_handlers(
    client: &Client,
    wanted: &[Wanted],
    prune: bool,
) -> Result<(Vec<Step>, BTreeMap<String, u64>), Failure> {
    let live: Vec<_> = client
        .notification_handlers()
        .list_all(ListParams::new().per_page(PerPage::P100))
        .try_collect()
        .await?;
    let mut ids = BTreeMap::new();
    for h in &live {
        ids.entry(h.name.clone()).or_insert(h.id);
    }
    Ok((plan(wanted, &live, prune), ids))
}

/// Carries out the handlers' steps in order; the `name → id` of those created.
async fn run_handler_steps(
    client: &Client,
    steps: Vec<Step>,
) -> Result<BTreeMap<String, u64>, Failure> {
    let api = client.notification_handlers();
    let mut created = BTreeMap::new();
    let total = steps.len();
    if total == 0 {
        return Ok(created);
    }
    let bar = progress(Some(total as u64), "applying");
    for (done, step) in steps.into_iter().enumerate() {
        let result = match &step {
            Step::Create(name, entry) => create_step(&api, name, entry).await.map(|(line, id)| {
                created.insert(name.clone(), id);
                line
            }),
            Step::Update(id, _, entry) => api
                .update(
                    *id,
                    &HandlerUpdate::new()
                        .channel(entry.channel.clone().into())
                        .enabled(entry.enabled),
                )
                .await
                .map(|_| format!("updated {} (#{id})", step.name())),
            Step::Delete(id, _) => api
                .delete(*id)
                .await
                .map(|()| format!("deleted {} (#{id})", step.name())),
        };
        match result {
            Ok(line) => bar.suspend(|| progress_line(line)),
            Err(e) => {
                bar.finish_and_clear();
                note(format_args!(
                    "apply stopped after {done} of {total} steps; run it again to finish"
                ));
                return Err(e.into());
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        note(format_args!(
            "stdout was closed; the apply went on and made all {total} changes"
        ));
    }
    Ok(created)
}

async fn create_step(
    api: &bitpeak::NotificationHandlers<'_>,
    name: &str,
    entry: &FileEntry,
) -> Result<(String, u64), Error> {
    let created = api
        .create(&NewNotificationHandler::new(
            name,
            entry.channel.clone().into(),
        ))
        .await?;
    if !entry.enabled {
        api.update(created.id, &HandlerUpdate::new().enabled(false))
            .await?;
    }
    Ok((
        format!("created {} (#{})", shown(name), created.id),
        created.id,
    ))
}

/// Plans the apply against the live handlers and prints the plan: every wanted handler,
/// then what the file does not name that bitpeak would delete (`--prune`) or leaves alone.
fn plan(wanted: &[Wanted], live: &[NotificationHandler], prune: bool) -> Vec<Step> {
    let mut by_name: BTreeMap<&str, &NotificationHandler> = BTreeMap::new();
    for h in live {
        by_name.entry(h.name.as_str()).or_insert(h);
    }
    let mut steps = Vec::new();
    let mut unchanged = 0;
    for w in wanted {
        let name = shown(&w.name);
        let channel = Channel::from(w.entry.channel.clone()).stored();
        let renamed = if w.stored == w.name {
            String::new()
        } else {
            format!(" (the server stores the name as {:?})", w.stored)
        };
        match by_name.get(w.stored.as_str()) {
            None => {
                progress_line(format_args!(
                    "+ create {name} ({}){renamed}",
                    channel.kind().unwrap_or("?")
                ));
                steps.push(Step::Create(w.name.clone(), w.entry.clone()));
            }
            Some(h) => match plan_update(h, &channel, w.entry.enabled) {
                Ok(note) => {
                    progress_line(format_args!("= unchanged {name}{note}{renamed}"));
                    unchanged += 1;
                }
                Err(note) => {
                    progress_line(format_args!("~ update {name} (#{}){note}{renamed}", h.id));
                    steps.push(Step::Update(
                        h.id,
                        shown(&h.name).into_owned(),
                        w.entry.clone(),
                    ));
                }
            },
        }
    }
    let names: std::collections::BTreeSet<&str> =
        wanted.iter().map(|w| w.stored.as_str()).collect();
    for h in live {
        let duplicate = by_name
            .get(h.name.as_str())
            .is_some_and(|first| first.id != h.id);
        if names.contains(h.name.as_str()) && !duplicate {
            continue;
        }
        let (name, id) = (shown(&h.name), h.id);
        match (prune, file_entry(h).err()) {
            (true, None) => progress_line(format_args!("- delete {name} (#{id})")),
            (true, Some(why)) => progress_line(format_args!(
                "- delete {name} (#{id}) (bitpeak cannot express it: {})",
                shown(&why)
            )),
            (false, Some(why)) => {
                progress_line(format_args!(
                    "! left alone {name} (#{id}): bitpeak cannot express it ({}); name it in the file or use --prune to replace or delete it",
                    shown(&why)
                ));
                continue;
            }
            (false, None) => continue,
        }
        steps.push(Step::Delete(id, name.into_owned()));
    }
    let count = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
    plan_summary(
        count(|s| matches!(s, Step::Create(..))),
        count(|s| matches!(s, Step::Update(..))),
        unchanged,
        count(|s| matches!(s, Step::Delete(..))),
    );
    steps
}

/// A plan's last line.
fn plan_summary(create: usize, update: usize, unchanged: usize, delete: usize) {
    progress_line(format_args!(
        "plan: {create} to create, {update} to update, {unchanged} unchanged, {delete} to delete"
    ));
}
