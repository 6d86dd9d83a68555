//! `bitpeak`: the command line for a BitPeak account (the `bitpeak-cli` crate): the commands of
//! every resource, built from the library's catalog (`resources`), the account as one file
//! (`account`), and the fake server. This file only parses, dispatches and prints failures.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bitpeak::{Client, Error, PerPage};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::Value;

mod account;
mod api;
mod exporter;
mod plan;
mod profiles;
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
    /// Whether `--base-url` and `--api-key` came from the flags or the environment (first:
    /// parsing the fields after it takes their values out of the matches).
    #[command(flatten)]
    origins: profiles::Origins,
    /// The API's base URL.
    #[arg(long, env = "BITPEAK_BASE_URL", default_value = bitpeak::DEFAULT_BASE_URL, global = true)]
    base_url: String,
    /// The API key.
    #[arg(long, env = "BITPEAK_API_KEY", hide_env_values = true, global = true)]
    api_key: Option<String>,
    /// The config file's profile to use: its base URL and key beat BITPEAK_BASE_URL and
    /// BITPEAK_API_KEY, not the flags (`bitpeak profiles` lists them).
    #[arg(
        id = "config_profile",
        long = "profile",
        value_name = "NAME",
        env = "BITPEAK_PROFILE",
        global = true
    )]
    profile: Option<String>,
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
    /// A table (`text`: the same).
    #[value(alias = "text")]
    Table,
    /// One JSON value: an object, or an array for lists.
    Json,
    /// One JSON object a line.
    Jsonl,
}

#[derive(Subcommand, Debug)]
enum Command {
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
    /// Print the plan `apply --dry-run` prints (`--output json`: one JSON document), sending no
    /// change; with --detailed-exitcode, exit 0 when the account matches the file, 2 when it
    /// differs, 1 on any error.
    Plan(PlanArgs),
    /// Print the JSON Schema of the account file (`--account`, the previous release's flag,
    /// is accepted and changes nothing).
    Schema {
        #[arg(long, hide = true)]
        account: bool,
    },
    /// Serve the account's state as Prometheus metrics (`/metrics`), read in the background
    /// every --interval seconds, until interrupted.
    Exporter(exporter::ExporterArgs),
    /// Send any request to a path under the base URL and print its JSON answer; with
    /// --paginate, every page's records.
    Api(api::ApiArgs),
    /// Serve an in-memory fake BitPeak API until interrupted.
    FakeServer(FakeServerArgs),
    /// Print the shell completion script (e.g. `bitpeak completions bash > /etc/bash_completion.d/bitpeak`).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), from the same definitions as --help.
    Man,
    /// List the config file's profiles: name, base URL, where the key comes from (never the
    /// key), which is selected.
    Profiles,
}

/// What `apply` takes.
#[derive(Args, Debug)]
struct ApplyArgs {
    /// The file (`-`: standard input).
    path: PathBuf,
    /// Print the plan and stop.
    #[arg(long)]
    dry_run: bool,
    /// Also delete what the file does not name (in the sections it has).
    #[arg(long)]
    prune: bool,
}

/// What `plan` takes.
#[derive(Args, Debug)]
struct PlanArgs {
    /// The file (`-`: standard input).
    path: PathBuf,
    /// Also plan deleting what the file does not name (in the sections it has).
    #[arg(long)]
    prune: bool,
    /// Exit 0 when nothing would change, 2 when something would, 1 on any error (for CI).
    #[arg(long)]
    detailed_exitcode: bool,
}

#[derive(Args, Debug)]
struct FakeServerArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// document, 2023, 2025 or 2026.
    #[arg(
        id = "server_profile",
        long = "profile",
        value_name = "PROFILE",
        default_value = "2026"
    )]
    profile: Profile,
    /// Keeps the global `--profile` (the config file's) off this command, whose `--profile` is
    /// the server version's: clap gives a command no global whose id one of its arguments has.
    #[arg(id = "config_profile", long = "config-profile", hide = true)]
    _config_profile: Option<String>,
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
    /// Answer a route the server version lacks with the API's JSON 404 (default: the site's
    /// HTML 404).
    #[arg(long)]
    missing_json: bool,
    /// Fail a list whose `page` is not a whole number as PHP does: an empty 500 labelled JSON.
    #[arg(long)]
    fatal_errors: bool,
    /// Answer id lists as PHP writes arrays with gaps: `{"1": 3, "3": 4}`.
    #[arg(long)]
    gapped_arrays: bool,
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
pub(crate) static STDOUT_CLOSED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

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
    let retired = |name: &'static str| {
        clap::Command::new(name).hide(true).arg(
            clap::Arg::new("ARGS")
                .num_args(0..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true),
        )
    };
    Cli::command()
        .subcommands(resources::commands())
        .mut_subcommand("notification-handlers", |c| {
            c.visible_alias("handlers")
                .subcommand(retired("export"))
                .subcommand(retired("apply"))
        })
}

/// What the previous release's `bitpeak handlers export|apply` is now.
const RETIRED: &str = "handlers export and apply are now the account file's: `bitpeak export` \
     writes the notification_handlers section with the rest of the account, and `bitpeak apply \
     FILE` applies it (a handlers file written by `bitpeak handlers export` applies as it is: \
     its `handlers:` is read as `notification_handlers:`)";

fn main() -> ExitCode {
    use clap::FromArgMatches;
    let matches = full_command().get_matches();
    let globals = match Globals::from_arg_matches(&matches) {
        Ok(globals) => globals,
        Err(e) => e.exit(),
    };
    let run = async {
        match matches.subcommand() {
            Some(("notification-handlers", sub))
                if matches!(sub.subcommand_name(), Some("export" | "apply")) =>
            {
                Err(usage(RETIRED))
            }
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
    // One thread: a command waits on the network, and pages decoded where they are read keep
    // the allocator to one arena (a listing's peak memory stays flat).
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
        Command::Schema { account: _ } => {
            out(serde_json::to_string_pretty(&account::schema()).unwrap_or_default())
        }
        Command::Export {
            file,
            include_secrets,
        } => account::export(&client(&cli.globals)?, file.as_deref(), include_secrets).await,
        Command::Apply(args) => account::apply(&client(&cli.globals)?, &args).await,
        Command::Plan(args) => match client(&cli.globals) {
            Ok(client) => account::plan_only(&client, &args, cli.globals.output).await,
            Err(Failure(message, _)) if args.detailed_exitcode => Err(Failure(message, 1)),
            Err(e) => Err(e),
        },
        Command::Api(args) => api::run(&client(&cli.globals)?, cli.globals.output, &args).await,
        Command::FakeServer(args) => fake_server(args).await,
        Command::Exporter(args) => exporter::run(client(&cli.globals)?, &args).await,
        Command::Profiles => profiles::list(&cli.globals),
    }
}

/// The client the options describe.
fn client(globals: &Globals) -> Result<Client, Failure> {
    let settings = profiles::settings(globals)?;
    let key = settings.api_key.ok_or_else(|| {
        usage("no API key: pass --api-key, set BITPEAK_API_KEY, or use a profile with a key (bitpeak profiles)")
    })?;
    Ok(Client::builder()
        .base_url(&settings.base_url)
        .api_key(key)
        .timeout(Duration::from_secs(globals.timeout.max(1)))
        .retry_policy(bitpeak::RetryPolicy::default().max_retries(globals.retries))
        .max_answer_bytes(globals.max_answer_bytes)
        .build()?)
}

async fn fake_server(args: FakeServerArgs) -> Result<(), Failure> {
    let mut config = FakeConfig::new()
        .addr(args.addr)
        .profile(args.profile)
        .latency(Duration::from_millis(args.latency_ms))
        .delete_content_type(!args.no_delete_content_type)
        .missing_json(args.missing_json)
        .fatal_errors(args.fatal_errors)
        .gapped_arrays(args.gapped_arrays);
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

/// A file's name in messages: `-` is standard input.
fn shown_path(path: &Path) -> std::borrow::Cow<'_, str> {
    if path == Path::new("-") {
        "<stdin>".into()
    } else {
        path.to_string_lossy()
    }
}

/// The largest apply file read.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// The deepest nesting of `[` / `{` an apply file may have (the format needs two).
const MAX_FILE_DEPTH: usize = 32;

/// An apply file's text (`-`: standard input), refused at once when it is over
/// [`MAX_FILE_BYTES`] or nested deeper than [`MAX_FILE_DEPTH`] (a YAML parser takes minutes on
/// 100 000 levels).
fn read_text(path: &Path) -> Result<String, Failure> {
    use std::io::Read;
    let fail = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", shown_path(path)));
    let source: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| fail(&e))?)
    };
    let mut text = String::new();
    source
        .take(MAX_FILE_BYTES + 1)
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

/// A plan or progress line: printed while stdout is open; once it is closed the apply goes
/// on (a change is never left half-made for want of a reader), and says so on stderr at the end.
fn progress_line(text: impl std::fmt::Display) {
    if !STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = out(text);
    }
}
