//! Named profiles: the config file (`$BITPEAK_CONFIG`, else `$XDG_CONFIG_HOME/bitpeak/config.toml`,
//! else `~/.config/bitpeak/config.toml`) holds `[profiles.NAME]` tables, each with a `base_url`
//! and a key given as `api_key_env` (the name of an environment variable) or `api_key` (refused
//! in a file others may read), and where each of the base URL and the key comes from: the flag,
//! the selected profile (`--profile`, `BITPEAK_PROFILE`), the environment, the profile named
//! `default`, the built-in URL (no key). The file is read only when a profile is selected or a
//! setting came from neither a flag nor the environment, and for `bitpeak profiles`. Refusals
//! name the file and the line; a key's value is never shown.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;
use serde_json::{json, Value};
use toml::Spanned;

use crate::{out, shown, usage, Failure, Globals, Output};

/// Where a global option's value came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The command line.
    Flag,
    /// The option's environment variable.
    Env,
    /// Neither (the option's default, if it has one).
    #[default]
    Unset,
}

/// Where `--base-url` and `--api-key` came from, read from the same matches as the options
/// (clap merges an option's environment variable into it; the value source tells them apart).
/// Flattened into `Globals`; it adds no argument.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Origins {
    base_url: Origin,
    api_key: Origin,
}

impl clap::FromArgMatches for Origins {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Self {
            base_url: origin(matches, "base_url"),
            api_key: origin(matches, "api_key"),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for Origins {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd
    }
}

/// Where the option `id` came from.
fn origin(matches: &ArgMatches, id: &str) -> Origin {
    match matches.value_source(id) {
        Some(ValueSource::CommandLine) => Origin::Flag,
        Some(ValueSource::EnvVariable) => Origin::Env,
        _ => Origin::Unset,
    }
}

/// The config file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    profiles: BTreeMap<String, Spanned<WrittenProfile>>,
}

/// A `[profiles.NAME]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenProfile {
    base_url: Option<String>,
    api_key_env: Option<Spanned<String>>,
    api_key: Option<Spanned<Secret>>,
}

/// A key written in the file; its Debug output hides it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// Where a profile's key comes from.
#[derive(Debug)]
enum Key {
    /// The profile has none.
    None,
    /// The environment variable `var` (`api_key_env`, on `line`).
    Env { var: String, line: usize },
    /// The file (`api_key`, on `line`).
    InFile { secret: Secret, line: usize },
}

/// One profile of the file.
#[derive(Debug)]
struct Profile {
    name: String,
    /// The line of its table.
    line: usize,
    base_url: Option<String>,
    key: Key,
}

/// The config file, read (empty when there is none).
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// Where it was looked for (`None`: no variable names a place).
    path: Option<PathBuf>,
    /// Whether a file is there.
    found: bool,
    /// Its profiles, in the file's order.
    profiles: Vec<Profile>,
}

/// The config file's path: `$BITPEAK_CONFIG`, else `$XDG_CONFIG_HOME/bitpeak/config.toml`,
/// else `~/.config/bitpeak/config.toml`.
fn config_path() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("BITPEAK_CONFIG")
        .or_else(|| {
            var("XDG_CONFIG_HOME")
                .filter(|d| d.is_absolute())
                .map(|d| d.join("bitpeak/config.toml"))
        })
        .or_else(|| std::env::home_dir().map(|h| h.join(".config/bitpeak/config.toml")))
}

/// The 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

impl Config {
    /// Reads the config file, if there is one; refuses one that does not parse, or that holds
    /// an `api_key` and may be read by others.
    pub(crate) fn load() -> Result<Self, Failure> {
        let Some(path) = config_path() else {
            return Ok(Self::default());
        };
        let Some((text, mode)) = read(&path)? else {
            return Ok(Self {
                path: Some(path),
                ..Self::default()
            });
        };
        let profiles = parse(&path, &text)?;
        if let Some(mode) = mode {
            private_enough(&path, mode, &profiles)?;
        }
        Ok(Self {
            path: Some(path),
            found: true,
            profiles,
        })
    }

    /// The file's name in messages.
    fn shown_path(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => "(none: set BITPEAK_CONFIG, XDG_CONFIG_HOME or HOME)".to_owned(),
        }
    }

    /// The profile named `name`, if the file has it.
    fn find(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile named `name`; refused, naming the file and the profiles it has, when absent.
    fn named(&self, name: &str) -> Result<&Profile, Failure> {
        if !self.found {
            let at = self.shown_path();
            return Err(usage(format!("profile {name:?}: no config file at {at}")));
        }
        self.find(name).ok_or_else(|| {
            let names: Vec<String> = self
                .profiles
                .iter()
                .map(|p| format!("{:?}", p.name))
                .collect();
            let has = if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            };
            usage(format!(
                "{}: no profile {name:?} (profiles: {has})",
                self.shown_path()
            ))
        })
    }

    /// `profile`'s key: `None` when it has none; refused when its variable is not set.
    fn key(&self, profile: &Profile) -> Result<Option<String>, Failure> {
        let (var, line) = match &profile.key {
            Key::None => return Ok(None),
            Key::InFile { secret, .. } => return Ok(Some(secret.0.clone())),
            Key::Env { var, line } => (var, line),
        };
        let why = match std::env::var(var) {
            Ok(key) if !key.is_empty() => return Ok(Some(key)),
            Ok(_) => "which is empty",
            Err(std::env::VarError::NotPresent) => "which is not set",
            Err(std::env::VarError::NotUnicode(_)) => "which is not UTF-8",
        };
        Err(usage(format!(
            "{}: profile {:?} (line {line}): api_key_env names {var}, {why}",
            self.shown_path(),
            profile.name
        )))
    }
}

/// The file's text and (on unix) mode; `None` when there is no file.
fn read(path: &Path) -> Result<Option<(String, Option<u32>)>, Failure> {
    let fail = |e: std::io::Error| usage(format!("{}: {e}", path.display()));
    let mut file = match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        opened => opened.map_err(fail)?,
    };
    let mode = mode(&file).map_err(fail)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(fail)?;
    Ok(Some((text, mode)))
}

/// The file's permission bits (unix).
#[cfg(unix)]
fn mode(file: &std::fs::File) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    Ok(Some(file.metadata()?.permissions().mode() & 0o7777))
}

/// No permission bits to check off unix.
#[cfg(not(unix))]
fn mode(_: &std::fs::File) -> std::io::Result<Option<u32>> {
    Ok(None)
}

/// Refuses a file that holds an `api_key` while its mode lets others at it (any of `0o077`).
fn private_enough(path: &Path, mode: u32, profiles: &[Profile]) -> Result<(), Failure> {
    let in_file = profiles.iter().find_map(|p| match p.key {
        Key::InFile { line, .. } => Some((&p.name, line)),
        _ => None,
    });
    let Some((name, line)) = in_file.filter(|_| mode & 0o077 != 0) else {
        return Ok(());
    };
    let how = if mode & 0o044 != 0 {
        "readable"
    } else {
        "writable"
    };
    let file = path.display();
    Err(usage(format!(
        "{file}: holds an api_key (profile {name:?}, line {line}) but is {how} by others (mode \
         {mode:04o}): chmod 600 {file}, or use api_key_env"
    )))
}

/// The profiles of `text`, in the file's order; refusals name `path` and the line.
fn parse(path: &Path, text: &str) -> Result<Vec<Profile>, Failure> {
    let written: Written = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| format!("line {}: ", line_of(text, span.start)));
        usage(format!(
            "{}: {}{}",
            path.display(),
            at.unwrap_or_default(),
            e.message().trim_end()
        ))
    })?;
    let mut profiles = written
        .profiles
        .into_iter()
        .map(|(name, table)| profile(path, text, name, table))
        .collect::<Result<Vec<_>, _>>()?;
    profiles.sort_by_key(|p| p.line);
    Ok(profiles)
}

/// One profile as read; refused when it gives both forms of key.
fn profile(
    path: &Path,
    text: &str,
    name: String,
    table: Spanned<WrittenProfile>,
) -> Result<Profile, Failure> {
    let line = line_of(text, table.span().start);
    let table = table.into_inner();
    let key = match (table.api_key_env, table.api_key) {
        (Some(_), Some(_)) => {
            return Err(usage(format!(
                "{}: profile {name:?} (line {line}): has both api_key_env and api_key: keep one",
                path.display()
            )))
        }
        (Some(var), None) => Key::Env {
            line: line_of(text, var.span().start),
            var: var.into_inner(),
        },
        (None, Some(secret)) => Key::InFile {
            line: line_of(text, secret.span().start),
            secret: secret.into_inner(),
        },
        (None, None) => Key::None,
    };
    Ok(Profile {
        name,
        line,
        base_url: table.base_url,
        key,
    })
}

/// The base URL and key a command uses.
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) api_key: Option<String>,
}

/// The profile `--profile` or `BITPEAK_PROFILE` selects (empty: none).
fn chosen(globals: &Globals) -> Option<&str> {
    globals.profile.as_deref().filter(|name| !name.is_empty())
}

/// The settings `globals` lead to, each from the first source that has it: the flag, the
/// selected profile, the environment, the `default` profile; else the built-in URL, no key.
pub(crate) fn settings(globals: &Globals) -> Result<Settings, Failure> {
    let origins = globals.origins;
    let chosen = chosen(globals);
    let needed =
        chosen.is_some() || origins.base_url == Origin::Unset || origins.api_key == Origin::Unset;
    let config = if needed {
        Config::load()?
    } else {
        Config::default()
    };
    let selected = chosen.map(|name| config.named(name)).transpose()?;
    let sources = [selected, config.find("default")];
    let given_url = Some(globals.base_url.clone());
    let base_url = pick(origins.base_url, given_url, sources, |p| {
        Ok(p.base_url.clone())
    })?;
    let api_key = pick(origins.api_key, globals.api_key.clone(), sources, |p| {
        config.key(p)
    })?;
    Ok(Settings {
        base_url: base_url.unwrap_or_else(|| bitpeak::DEFAULT_BASE_URL.to_owned()),
        api_key,
    })
}

/// One setting: `given` when it came from a flag; else the selected profile's; else `given`
/// when it came from the environment; else the `default` profile's (`[selected, default]`).
fn pick<T>(
    origin: Origin,
    given: Option<T>,
    [selected, default]: [Option<&Profile>; 2],
    from: impl Fn(&Profile) -> Result<Option<T>, Failure>,
) -> Result<Option<T>, Failure> {
    if origin == Origin::Flag {
        return Ok(given);
    }
    if let Some(value) = selected.map(&from).transpose()?.flatten() {
        return Ok(Some(value));
    }
    if origin == Origin::Env {
        return Ok(given);
    }
    Ok(default.map(&from).transpose()?.flatten())
}

/// `bitpeak profiles`: the config file's path and each profile's name, base URL (or the one it
/// falls back to), where its key comes from (never the key), and whether it is selected (the
/// one `--profile` names, else `default`).
pub(crate) fn list(globals: &Globals) -> Result<(), Failure> {
    let config = Config::load()?;
    if let Some(name) = chosen(globals) {
        config.named(name)?;
    }
    let selected = chosen(globals).unwrap_or("default");
    let rows: Vec<Value> = config
        .profiles
        .iter()
        .map(|p| row(&config, p, selected))
        .collect();
    let place = shown(&config.shown_path()).into_owned();
    let heading = if config.found {
        format!("config: {place}")
    } else {
        format!("no config file at {place}")
    };
    match globals.output {
        Output::Table if rows.is_empty() => out(heading),
        Output::Table => {
            out(heading)?;
            table(&rows)
        }
        Output::Json => {
            crate::note(heading);
            out(Value::from(rows))
        }
        Output::Jsonl => {
            crate::note(heading);
            rows.into_iter().try_for_each(out)
        }
    }
}

/// A profile as `bitpeak profiles` shows it: `name`, `base_url`, `from` (where the base URL
/// comes from when the profile has none), `key` (where the key comes from), `selected`.
fn row(config: &Config, profile: &Profile, selected: &str) -> Value {
    let env_url = std::env::var("BITPEAK_BASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let default_url = config.find("default").and_then(|d| d.base_url.clone());
    let (base_url, from) = match (&profile.base_url, env_url, default_url) {
        (Some(own), _, _) => (own.clone(), None),
        (None, Some(env), _) => (env, Some("BITPEAK_BASE_URL")),
        (None, None, Some(default)) => (default, Some("profile \"default\"")),
        (None, None, None) => (bitpeak::DEFAULT_BASE_URL.to_owned(), Some("built-in")),
    };
    let key = match &profile.key {
        Key::None => "none".to_owned(),
        Key::InFile { .. } => "in the file".to_owned(),
        Key::Env { var, .. } => {
            let set = std::env::var_os(var).is_some_and(|v| !v.is_empty());
            format!("env {var} ({})", if set { "set" } else { "not set" })
        }
    };
    json!({
        "name": profile.name,
        "base_url": base_url,
        "from": from,
        "key": key,
        "selected": profile.name == selected,
    })
}

/// The rows as a table, text made terminal-safe.
fn table(rows: &[Value]) -> Result<(), Failure> {
    let text = |row: &Value, key: &str| shown(row[key].as_str().unwrap_or("-")).into_owned();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let url = match row["from"].as_str() {
                Some(from) => format!("{} ({from})", text(row, "base_url")),
                None => text(row, "base_url"),
            };
            let selected = if row["selected"] == Value::Bool(true) {
                "yes"
            } else {
                "no"
            };
            vec![
                text(row, "name"),
                url,
                text(row, "key"),
                selected.to_owned(),
            ]
        })
        .collect();
    let head = ["NAME", "BASE_URL", "KEY", "SELECTED"].map(String::from);
    crate::resources::print_rows(&head, &cells, true)
}
