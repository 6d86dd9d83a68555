//! The commands of every generated resource, built from the library's catalog (itself
//! generated from `openapi.yaml`): `bitpeak <resource> list|get|create|update|delete`, plus
//! `user`, `statistics`, `heartbeats ping` and `incidents comment`. Nothing here names a
//! resource's fields: they come from the spec, with their allowed values and descriptions.

use bitpeak::catalog::{FieldInfo, FieldKind, Operation, ResourceInfo};
use bitpeak::resource::Param;
use bitpeak::resources::{Query, StatisticsQuery, StatisticsType, GET_STATISTICS_PARAMS};
use bitpeak::{Client, PerPage};
use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use futures::StreamExt;
use serde_json::Value;

use crate::{out, shown, usage, Failure, Output};

/// The resource commands, to add beside the derived ones.
pub fn commands() -> Vec<Command> {
    let mut commands: Vec<Command> = bitpeak::catalog::resources()
        .iter()
        .map(resource_command)
        .collect();
    commands.push(
        Command::new("statistics")
            .about("A status page's statistics (one `type` of rows; dates are YYYY-MM-DD)")
            .arg(id_arg("STATUS_PAGE_ID"))
            .args(param_args(GET_STATISTICS_PARAMS, "Parameters")),
    );
    commands
}

/// An option per query parameter the spec declares (`--order-by`, `--start-date`).
fn param_args(params: &'static [Param], heading: &'static str) -> impl Iterator<Item = Arg> {
    params.iter().map(move |p| {
        let arg = Arg::new(p.name).long(flag(p.name)).help_heading(heading);
        match p.values {
            [] => arg,
            values => arg.value_parser(values.to_vec()),
        }
    })
}

/// The values given for `params`, by wire name.
fn param_values(params: &[Param], m: &ArgMatches) -> Vec<(&'static str, String)> {
    params
        .iter()
        .filter_map(|p| Some((p.name, m.try_get_one::<String>(p.name).ok()??.clone())))
        .collect()
}

/// Whether `name` is one of [`commands`].
pub fn owns(name: &str) -> bool {
    name == "statistics" || bitpeak::catalog::resource(name).is_some()
}

fn id_arg(name: &'static str) -> Arg {
    Arg::new(name)
        .required(true)
        .value_parser(value_parser!(u64).range(1..=i64::MAX as u64))
}

fn resource_command(r: &'static ResourceInfo) -> Command {
    let mut command = Command::new(r.path).about(first_sentence(r.about));
    if r.has(Operation::One) {
        // A resource that is one record (the user) is read by its own name.
        return command;
    }
    command = command.subcommand_required(true);
    if r.has(Operation::List) {
        let mut list = Command::new("list")
            .about("One page, or every page with --all (streamed)")
            .arg(
                Arg::new("page")
                    .long("page")
                    .default_value("1")
                    .value_parser(value_parser!(u64).range(1..=i64::MAX as u64)),
            )
            .arg(
                Arg::new("per_page")
                    .long("per-page")
                    .default_value("25")
                    .value_parser(crate::parse_per_page)
                    .help("Page size: 10, 25, 50, 100, 250, 500 or 1000"),
            )
            .arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Every page"),
            )
            .arg(
                Arg::new("concurrency")
                    .long("concurrency")
                    .value_parser(value_parser!(usize))
                    .help("With --all: pages in flight at once"),
            );
        list = list.args(param_args(r.params, "Filters"));
        command = command.subcommand(list);
    }
    if r.has(Operation::ListIn) {
        command = command.subcommand(
            Command::new("list")
                .about("The records inside another one (a team's members, by the team's id)")
                .arg(id_arg("PARENT_ID")),
        );
    }
    if r.has(Operation::Get) {
        command = command.subcommand(Command::new("get").about("One record").arg(id_arg("ID")));
    }
    if let Some(fields) = r.create {
        command = command.subcommand(form_args(
            Command::new("create").about("Create a record"),
            fields,
        ));
    }
    if let Some(fields) = r.update {
        let update = Command::new("update")
            .about("Update a record (fields left out are kept)")
            .arg(id_arg("ID"));
        command = command.subcommand(form_args(update, fields));
    }
    if r.has(Operation::Delete) {
        command = command.subcommand(
            Command::new("delete")
                .about("Delete a record")
                .arg(id_arg("ID")),
        );
    }
    match r.path {
        "heartbeats" => command.subcommand(
            Command::new("ping")
                .about("Ping a heartbeat by its code, as a cron job does (no key is sent)")
                .arg(Arg::new("CODE").required(true)),
        ),
        "incidents" => command.subcommand(
            Command::new("comment")
                .about("Comment on an incident")
                .arg(id_arg("ID"))
                .arg(Arg::new("TEXT").required(true)),
        ),
        _ => command,
    }
}

/// `--<field> VALUE` for every field of a form (`_` written `-`; array fields repeat).
fn form_args(mut command: Command, fields: &'static [FieldInfo]) -> Command {
    for f in fields {
        let mut help = first_sentence(f.about).to_owned();
        if f.required {
            help.insert_str(0, "(required) ");
        } else if !f.required_for.is_empty() {
            help.insert_str(0, &format!("(required for {}) ", f.required_for.join(", ")));
        }
        if f.list {
            help.push_str(" (repeat for several)");
        }
        let mut arg = Arg::new(f.name)
            .long(flag(f.name))
            .value_name(match f.kind {
                FieldKind::Integer => "INTEGER",
                FieldKind::Number => "NUMBER",
                FieldKind::Boolean => "true|false",
                _ => "TEXT",
            })
            .action(if f.list {
                ArgAction::Append
            } else {
                ArgAction::Set
            })
            .help_heading("Fields")
            .allow_negative_numbers(true)
            .help(help);
        if !f.values.is_empty() {
            arg = arg.value_parser(f.values.to_vec());
        }
        command = command.arg(arg);
    }
    command
}

fn flag(name: &str) -> String {
    name.replace('_', "-")
}

fn first_sentence(text: &str) -> &str {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim()
}

/// Runs resource command `name` with its `matches`.
pub async fn run(
    client: &Client,
    output: Output,
    name: &str,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    if name == "statistics" {
        return statistics(client, output, matches).await;
    }
    let r = bitpeak::catalog::resource(name).ok_or_else(|| usage(format!("no resource {name}")))?;
    if r.has(Operation::One) {
        return print_one(output, r, &r.one(client).await?);
    }
    let (op, m) = matches
        .subcommand()
        .ok_or_else(|| usage(format!("{name}: which operation?")))?;
    let id = |key: &str| m.get_one::<u64>(key).copied().unwrap_or_default();
    match op {
        "list" if r.has(Operation::ListIn) => {
            let page = r.list_in(client, id("PARENT_ID"), &Query::new()).await?;
            print_page(output, r, &page.items)
        }
        "list" => list(client, output, r, m).await,
        "get" => print_one(output, r, &r.get(client, id("ID")).await?),
        "create" => print_one(
            output,
            r,
            &r.create(client, &form_values(m, r.create)).await?,
        ),
        "update" => {
            let fields = form_values(m, r.update);
            if fields.is_empty() {
                return Err(usage("update: nothing to change"));
            }
            let record = r.update(client, id("ID"), &fields).await?;
            note_unapplied(r, &fields, &record);
            print_one(output, r, &record)
        }
        "delete" => {
            r.delete(client, id("ID")).await?;
            Ok(())
        }
        "ping" => {
            let code = m.get_one::<String>("CODE").map_or("", String::as_str);
            client.heartbeats().ping(code).await?;
            Ok(())
        }
        "comment" => {
            let text = m.get_one::<String>("TEXT").map_or("", String::as_str);
            let incident = client.incidents().comment(id("ID"), text).await?;
            let record = serde_json::to_value(&incident)
                .map_err(|e| Failure(e.to_string(), crate::exit::OTHER))?;
            print_one(output, r, &record)
        }
        other => Err(usage(format!("{name}: no operation {other}"))),
    }
}

/// Says on stderr which of the fields an update sent the record does not hold afterwards (a
/// server that trims or cuts a value, or keeps an unconfirmed email handler pending).
fn note_unapplied(r: &ResourceInfo, fields: &[(&'static str, String)], record: &Value) {
    for f in r.update.unwrap_or_default() {
        let values: Vec<String> = fields
            .iter()
            .filter(|(name, _)| *name == f.name)
            .map(|(_, v)| v.clone())
            .collect();
        if values.is_empty() || !crate::plan::holds_other(f, &values, record) {
            continue;
        }
        let path = f.stored.unwrap_or(f.name);
        let held: Vec<String> = bitpeak::catalog::stored_values(record, path).collect();
        crate::note(format_args!(
            "note: {} #{} holds {} = {} after the update, not {}",
            r.path,
            record["id"],
            f.name,
            shown(&held.join(", ")),
            shown(&values.join(", "))
        ));
    }
}

/// The form fields given on the command line, in the form's order.
fn form_values(m: &ArgMatches, fields: Option<&[FieldInfo]>) -> Vec<(&'static str, String)> {
    let mut values = Vec::new();
    for f in fields.unwrap_or_default() {
        if let Ok(Some(given)) = m.try_get_many::<String>(f.name) {
            values.extend(given.map(|v| (f.name, v.clone())));
        }
    }
    values
}

async fn list(
    client: &Client,
    output: Output,
    r: &'static ResourceInfo,
    m: &ArgMatches,
) -> Result<(), Failure> {
    let per_page = m.get_one::<u64>("per_page").copied().unwrap_or(25);
    let mut query = Query::new()
        .page(m.get_one::<u64>("page").copied().unwrap_or(1))
        .per_page(PerPage::try_from(per_page)?);
    if let Some(n) = m.get_one::<usize>("concurrency") {
        query = query.concurrency(*n);
    }
    for (name, value) in param_values(r.params, m) {
        query = query.param(name, value);
    }
    if !m.get_flag("all") {
        let page = r.list(client, &query).await?;
        return print_page(output, r, &page.items);
    }
    let bar = crate::progress(None, "listing");
    let mut stream = r.list_all(client, &query);
    let table = |rows: &[Value], header: bool| print_table(r, rows, header);
    let mut printer = Printer::new(
        output,
        usize::try_from(per_page).unwrap_or(25),
        &json_text,
        &table,
    );
    while let Some(record) = stream.next().await {
        let record = record?;
        bar.inc(1);
        printer.push(record)?;
    }
    bar.finish_and_clear();
    printer.finish()
}

/// Prints records as table rows, with the header when asked.
pub type TableFn<'a, T> = &'a dyn Fn(&[T], bool) -> Result<(), Failure>;

/// Prints records as they come: JSON as one array (one record held back for its comma),
/// JSON lines one by one, a table `rows` records at a time (columns sized per batch).
pub struct Printer<'a, T> {
    output: Output,
    rows: usize,
    held: Vec<T>,
    started: bool,
    json: &'a dyn Fn(&T) -> String,
    table: TableFn<'a, T>,
}

impl<'a, T> Printer<'a, T> {
    /// `json` writes one record as one line of terminal-safe JSON ([`json_text`]); `table`
    /// prints records as rows, with the header when asked.
    pub fn new(
        output: Output,
        rows: usize,
        json: &'a dyn Fn(&T) -> String,
        table: TableFn<'a, T>,
    ) -> Self {
        Printer {
            output,
            rows: rows.max(1),
            held: Vec::new(),
            started: false,
            json,
            table,
        }
    }

    pub fn push(&mut self, record: T) -> Result<(), Failure> {
        match self.output {
            Output::Jsonl => out((self.json)(&record)),
            Output::Json => {
                if !self.started {
                    out("[")?;
                    self.started = true;
                }
                if let Some(previous) = self.held.pop() {
                    out(format_args!("{},", (self.json)(&previous)))?;
                }
                self.held.push(record);
                Ok(())
            }
            Output::Table => {
                self.held.push(record);
                if self.held.len() >= self.rows {
                    self.flush_table()?;
                }
                Ok(())
            }
        }
    }

    fn flush_table(&mut self) -> Result<(), Failure> {
        let rows = std::mem::take(&mut self.held);
        (self.table)(&rows, !self.started)?;
        self.started = true;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), Failure> {
        match self.output {
            Output::Jsonl => Ok(()),
            Output::Json if !self.started => out("[]"),
            Output::Json => {
                if let Some(last) = self.held.pop() {
                    out((self.json)(&last))?;
                }
                out("]")
            }
            Output::Table if self.held.is_empty() && self.started => Ok(()),
            Output::Table => self.flush_table(),
        }
    }
}

/// A value as one line of JSON in which nothing the server sent can drive a terminal (control
/// and bidirectional characters written as JSON escapes: the same value).
pub fn json_text(value: &Value) -> String {
    bitpeak::text::visible_json(&value.to_string()).into_owned()
}

fn print_one(output: Output, r: &ResourceInfo, record: &Value) -> Result<(), Failure> {
    match output {
        Output::Json | Output::Jsonl => out(json_text(record)),
        Output::Table => print_table(r, std::slice::from_ref(record), true),
    }
}

fn print_page(output: Output, r: &'static ResourceInfo, items: &[Value]) -> Result<(), Failure> {
    match output {
        Output::Json => out(json_text(&Value::from(items.to_vec()))),
        Output::Jsonl => items.iter().try_for_each(|item| out(json_text(item))),
        Output::Table => print_table(r, items, true),
    }
}

/// The columns a person wants, in this order, where the record has them.
const COLUMNS: &[&str] = &[
    "id",
    "name",
    "type",
    "target",
    "host",
    "url",
    "domain",
    "email",
    "is_enabled",
    "is_ok",
    "uptime",
    "status",
    "monitor_id",
    "start_datetime",
    "end_datetime",
    "comment",
    "last_check_datetime",
    "total",
    "datetime",
];

/// At most this many columns.
const MAX_COLUMNS: usize = 7;
/// A record with fewer of [`COLUMNS`] shows its first other fields up to this many.
const MIN_COLUMNS: usize = 4;

fn print_table(r: &ResourceInfo, records: &[Value], header: bool) -> Result<(), Failure> {
    let mut columns: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| r.fields.contains(c))
        .take(MAX_COLUMNS)
        .collect();
    for field in r.fields {
        if columns.len() >= MIN_COLUMNS {
            break;
        }
        if !columns.contains(field) {
            columns.push(field);
        }
    }
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            columns
                .iter()
                .map(|c| cell(&record[*c], r.secrets.contains(c)))
                .collect()
        })
        .collect();
    let head: Vec<String> = columns.iter().map(|c| c.to_uppercase()).collect();
    print_rows(&head, &rows, header)
}

/// Rows of cells under `head` (printed when `header`), each column as wide as its widest
/// cell, two spaces apart.
pub fn print_rows<R: AsRef<[String]>>(
    head: &[String],
    rows: &[R],
    header: bool,
) -> Result<(), Failure> {
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let head = header.then_some(head);
    for row in head.into_iter().chain(rows.iter().map(AsRef::as_ref)) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out(line.join("  ").trim_end())?;
    }
    Ok(())
}

/// A value as a table cell: terminal-safe, short, secrets masked.
fn cell(value: &Value, secret: bool) -> String {
    let text = match value {
        Value::Null => return "-".to_owned(),
        _ if secret => return "****".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        other => other.to_string(),
    };
    let short: String = text.chars().take(40).collect();
    let short = if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    };
    shown(&short).into_owned()
}

async fn statistics(client: &Client, output: Output, m: &ArgMatches) -> Result<(), Failure> {
    let id = m
        .get_one::<u64>("STATUS_PAGE_ID")
        .copied()
        .unwrap_or_default();
    let kind = m.get_one::<String>("type").map(|t| t.parse());
    let mut query = StatisticsQuery::new(kind.unwrap_or(Ok(StatisticsType::Overview))?);
    for (name, value) in param_values(GET_STATISTICS_PARAMS, m) {
        if name != "type" {
            query = query.param(name, value);
        }
    }
    let stats = client.statistics(id, &query).await?;
    for odd in &stats.unreadable {
        tracing::warn!("skipped a row: {odd}");
    }
    let row = |r| serde_json::to_value(r).unwrap_or_default();
    let rows: Vec<Value> = stats.rows.iter().map(row).collect();
    match output {
        Output::Json => out(json_text(&Value::from(rows))),
        Output::Jsonl => rows.iter().try_for_each(|row| out(json_text(row))),
        Output::Table => rows.iter().try_for_each(|row| {
            // The period (overview), else the value counted: the key named after the type.
            let label = row.get("formatted_date").or(row.get(stats.kind.as_str()));
            let number = |key| row.get(key).map_or("-".to_owned(), Value::to_string);
            out(format_args!(
                "{:<24}  {:>10}  {:>10}",
                shown(label.and_then(Value::as_str).unwrap_or("-")),
                number("pageviews"),
                number("visitors")
            ))
        }),
    }
}
