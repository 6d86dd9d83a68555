//! The account as code: `bitpeak export` writes the account's projects, notification handlers,
//! monitors, heartbeats, domain names, DNS monitors, server monitors and game servers as one
//! YAML file keyed by name, references by name; `bitpeak apply` plans that file against the
//! live account and carries the plan out. Which fields a resource has, where the record stores
//! each, which are secrets and which refer to another resource all come from the spec (through
//! `bitpeak::catalog`), for notification handlers as for the rest. Files of the previous
//! release still apply: a handlers file's `handlers:` is read as `notification_handlers:`, and
//! an entry's `enabled` as `is_enabled`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bitpeak::catalog::{FieldInfo, FieldKind, ResourceInfo};
use bitpeak::resources::Query;
use bitpeak::{Client, PerPage};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use serde_yaml::Value as Yaml;

use crate::plan::{self, Action, Change, Ids};
use crate::{note, out, progress, progress_line, shown, usage, write_private, Failure};

/// The file's sections, from the spec (`bitpeak::catalog::account`): the resources of an
/// account, what others refer to first.
fn sections() -> Vec<&'static str> {
    bitpeak::catalog::account().iter().map(|r| r.path).collect()
}

/// Requests in flight at once while applying one section (within the client's throttle).
const CONCURRENCY: usize = 4;

/// The section's key in the file (`domain-names` → `domain_names`).
pub fn key(section: &str) -> String {
    section.replace('-', "_")
}

/// A form field's key in the file: a reference to one record drops its `_id`
/// (`project_id` → `project`).
pub fn field_key(f: &FieldInfo) -> &str {
    match (f.refers, f.name.strip_suffix("_id")) {
        (Some(_), Some(short)) => short,
        _ => f.name,
    }
}

fn info(section: &str) -> Option<&'static ResourceInfo> {
    bitpeak::catalog::resource(section)
}

/// A name as the server of `section` stores it (tags stripped, trimmed, cut at the name
/// field's length): what live records are matched by.
pub fn stored_name(section: &str, name: &str) -> String {
    let max = info(section)
        .and_then(|r| r.create)
        .and_then(|fields| fields.iter().find(|f| f.name == "name"))
        .and_then(|f| f.max_chars);
    bitpeak::catalog::stored_text(name, max)
}

/// The fields an entry of `r` may have: its create form's, then those only its update form
/// has that the record stores (a handler's `is_enabled`, set by an update after the create);
/// `name` excepted (the entry's key is its name).
fn entry_fields(r: &ResourceInfo) -> impl Iterator<Item = &'static FieldInfo> {
    let create = r.create.unwrap_or_default();
    let update_only = r
        .update
        .unwrap_or_default()
        .iter()
        .filter(|u| u.stored.is_some() && create.iter().all(|c| c.name != u.name));
    create
        .iter()
        .chain(update_only)
        .filter(|f| f.name != "name")
}

/// Whether `f` is sent by `r`'s create form (else by the update that follows the create).
fn on_create(r: &ResourceInfo, f: &FieldInfo) -> bool {
    r.create
        .unwrap_or_default()
        .iter()
        .any(|c| c.name == f.name)
}

/// The key of an entry that names the record it takes over: the plan renames that record
/// (same id, history kept) instead of creating another.
const RENAMED_FROM: &str = "renamed_from";

/// The previous release's names: its handlers file's section, and `enabled`.
const RENAMED: &[(&str, &str)] = &[
    ("handlers", "notification_handlers"),
    ("enabled", "is_enabled"),
];

fn current_name(key: &str) -> &str {
    RENAMED
        .iter()
        .find(|(old, _)| *old == key)
        .map_or(key, |(_, new)| new)
}

// ---------------------------------------------------------------------------------------
// Export

/// `bitpeak export`: the account as one YAML file (or stdout).
pub async fn export(
    client: &Client,
    file: Option<&Path>,
    include_secrets: bool,
) -> Result<(), Failure> {
    let bar = progress(None, "exporting");
    let mut names: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    let mut document = serde_yaml::Mapping::new();
    for section in sections() {
        let Some(r) = info(section) else { continue };
        let entries = match live(client, r).await {
            Ok(records) => {
                bar.inc(records.len() as u64);
                let (entries, ids) = export_section(r, &records, &names, include_secrets);
                names.insert(section, ids);
                entries
            }
            Err(bitpeak::Error::Unavailable { .. }) => {
                note(format_args!(
                    "export: {}: not on this server; left out",
                    key(section)
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        document.insert(Yaml::from(key(section)), Yaml::Mapping(entries));
    }
    bar.finish_and_clear();
    let text =
        serde_yaml::to_string(&document).map_err(|e| Failure(e.to_string(), crate::exit::OTHER))?;
    match file {
        Some(path) => write_private(path, &text),
        None => out(text.trim_end()),
    }
}

/// Every record of `r`, as the catalog gives them.
async fn live(client: &Client, r: &ResourceInfo) -> Result<Vec<Value>, bitpeak::Error> {
    let query = Query::new().per_page(PerPage::P100);
    r.list_all(client, &query).try_collect().await
}

/// One section's entries by name (sorted: a file under version control changes only where
/// the account does), and the `id → name` of the records exported.
fn export_section(
    r: &ResourceInfo,
    records: &[Value],
    names: &BTreeMap<&str, BTreeMap<String, String>>,
    include_secrets: bool,
) -> (serde_yaml::Mapping, BTreeMap<String, String>) {
    let mut entries = BTreeMap::new();
    let mut ids = BTreeMap::new();
    for record in records {
        let id = record["id"].to_string();
        let name = match record["name"].as_str().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => {
                note(format_args!(
                    "export: skipping {} #{id}: it has no name",
                    r.path
                ));
                continue;
            }
        };
        if entries.contains_key(&name) {
            note(format_args!(
                "export: skipping {} #{id} \"{}\": another is already named so",
                r.path,
                shown(&name)
            ));
            continue;
        }
        let mut entry = serde_yaml::Mapping::new();
        let mut wanted = Wanted {
            name: name.clone(),
            from: None,
            fields: Vec::new(),
        };
        for f in entry_fields(r) {
            let Some(path) = f.stored else { continue };
            let mut values: Vec<String> = bitpeak::catalog::stored_values(record, path).collect();
            if let Some(target) = f.refers {
                let known = names.get(target);
                values = values
                    .into_iter()
                    .filter(|v| v != "0" && !v.is_empty())
                    .filter_map(|v| known.and_then(|k| k.get(&v)).cloned())
                    .collect();
            }
            if values.is_empty() {
                continue;
            }
            let value = if f.secret && !include_secrets && values.iter().any(|v| !v.is_empty()) {
                Yaml::from(placeholder(r.path, &name, f.name))
            } else if f.list {
                Yaml::Sequence(values.iter().map(|v| typed(f, v)).collect())
            } else {
                typed(f, &values[0])
            };
            entry.insert(Yaml::from(field_key(f)), value);
            wanted.fields.push((f, values));
        }
        // What apply would refuse is not written, so that the file always applies: an optional
        // field's stored value the form refuses (a game server's `query_port: 0`, the servers'
        // "none") is left out, said so; a record whose required fields are refused (a handler
        // of a type not listed, settings that could not be read) is skipped.
        if let Err(e) = leave_out_refused(r, &mut wanted, &mut entry, &id, &name) {
            note(format_args!(
                "export: skipping {} #{id} \"{}\": it cannot be created as it stands ({})",
                r.path,
                shown(&name),
                shown(&e.to_string())
            ));
            continue;
        }
        ids.insert(id, name.clone());
        entries.insert(name, Yaml::Mapping(entry));
    }
    let entries = entries
        .into_iter()
        .map(|(name, entry)| (Yaml::from(name), entry))
        .collect();
    (entries, ids)
}

/// Checks an exported entry as a create; drops, with a note, each optional field whose value
/// the form refuses, until the entry passes or a required field is at fault.
fn leave_out_refused(
    r: &ResourceInfo,
    wanted: &mut Wanted,
    entry: &mut serde_yaml::Mapping,
    id: &str,
    name: &str,
) -> Result<(), bitpeak::Error> {
    loop {
        let e = match form_check(r, wanted) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let bitpeak::Error::InvalidInput { field, reason } = &e else {
            return Err(e);
        };
        let field = field.trim_end_matches("[]");
        let Some(at) = wanted
            .fields
            .iter()
            .position(|(f, _)| f.name == field && !f.required)
        else {
            return Err(e);
        };
        let (f, values) = wanted.fields.remove(at);
        entry.remove(Yaml::from(field_key(f)));
        note(format_args!(
            "export: {} #{id} \"{}\": {} {} left out: {}",
            r.path,
            shown(name),
            f.name,
            shown(&values.join(", ")),
            shown(reason)
        ));
    }
}

/// A stored value as YAML of the field's kind (see [`crate::plan::typed`]).
fn typed(f: &FieldInfo, text: &str) -> Yaml {
    serde_yaml::to_value(crate::plan::typed(f, text)).unwrap_or_else(|_| Yaml::from(text))
}

/// `${BITPEAK_<SECTION>_<NAME>_<FIELD>}`, the name's letters and digits only.
pub fn placeholder(section: &str, name: &str, field: &str) -> String {
    let part = |s: &str| {
        let mut p: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        while p.contains("__") {
            p = p.replace("__", "_");
        }
        p.trim_matches('_').to_owned()
    };
    format!(
        "${{BITPEAK_{}_{}_{}}}",
        part(section),
        part(name),
        part(field)
    )
}

// ---------------------------------------------------------------------------------------
// Apply: reading the file

/// One entry of a catalog section, as the file wants it.
pub struct Wanted {
    pub name: String,
    /// The live record's name it takes over (`renamed_from`), if any.
    pub from: Option<String>,
    /// `(field, values)` in the form's order; references still names.
    pub fields: Vec<(&'static FieldInfo, Vec<String>)>,
}

/// The file, read and checked: every section's entries.
struct AccountFile {
    sections: Vec<(&'static ResourceInfo, Vec<Wanted>)>,
}

/// Reads the file, resolves its `${VAR}` placeholders from the environment and checks every
/// entry, field and reference before anything is sent.
fn read_file(path: &Path) -> Result<AccountFile, Failure> {
    let text = crate::read_text(path)?;
    let refuse = |needle: &str, why: String| {
        usage(format!(
            "{}: line {}: {why}",
            crate::shown_path(path),
            line_of(&text, needle)
        ))
    };
    let mut document: Yaml = serde_yaml::from_str(&text)
        .map_err(|e| usage(format!("{}: {e}", crate::shown_path(path))))?;
    resolve_placeholders(&mut document, &refuse)?;
    let Yaml::Mapping(top) = document else {
        return Err(usage(format!(
            "{}: not a mapping of sections",
            crate::shown_path(path)
        )));
    };
    let mut file = AccountFile {
        sections: Vec::new(),
    };
    for (section_key, entries) in top {
        let section_key = current_name(section_key.as_str().unwrap_or_default()).to_owned();
        let section = sections()
            .into_iter()
            .find(|s| key(s) == section_key)
            .ok_or_else(|| {
                refuse(
                    &format!("{section_key}:"),
                    format!(
                        "unknown section {section_key:?} (sections: {})",
                        sections()
                            .iter()
                            .map(|s| key(s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
        let r = info(section).ok_or_else(|| usage(format!("{section}: not in the spec")))?;
        if file.sections.iter().any(|(seen, _)| seen.path == r.path) {
            return Err(refuse(
                &format!("{section_key}:"),
                format!("the section {section_key} is given twice (`handlers:` is its old name)"),
            ));
        }
        let Yaml::Mapping(entries) = entries else {
            return Err(refuse(
                &format!("{section_key}:"),
                format!("{section_key} must map names to entries"),
            ));
        };
        let mut wanted: Vec<Wanted> = Vec::new();
        for (name, entry) in entries {
            let name = scalar(&name).unwrap_or_default();
            let entry = read_entry(r, &name, entry, &refuse)?;
            let stored = stored_name(r.path, &entry.name);
            if wanted
                .iter()
                .any(|w| stored_name(r.path, &w.name) == stored)
            {
                // The key as written: quoted when it has spaces around it.
                let quoted = format!("{name:?}:");
                return Err(refuse(
                    if text.contains(&quoted) {
                        &quoted
                    } else {
                        name.as_str()
                    },
                    format!("{} {name:?}: the name is given twice", r.path),
                ));
            }
            wanted.push(entry);
        }
        check_renames(r, &wanted, &refuse)?;
        file.sections.push((r, wanted));
    }
    check_references(&file, &refuse)?;
    // Dependency order, whatever the file's.
    file.sections
        .sort_by_key(|(r, _)| sections().iter().position(|s| *s == r.path));
    Ok(file)
}

/// The first line holding `needle` (1-based; 0 when none does); for a `key: value` needle
/// that no line holds as written (a list, quotes), the first line holding its value.
fn line_of(text: &str, needle: &str) -> usize {
    let first = |needle: &str| text.lines().position(|l| l.contains(needle));
    first(needle)
        .or_else(|| first(needle.split_once(": ")?.1))
        .map_or(0, |i| i + 1)
}

/// A YAML scalar as text.
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn read_entry(
    r: &'static ResourceInfo,
    name: &str,
    entry: Yaml,
    refuse: &dyn Fn(&str, String) -> Failure,
) -> Result<Wanted, Failure> {
    let at = format!("{name}:");
    if name.trim().is_empty() {
        return Err(refuse(&at, format!("{}: an entry needs a name", r.path)));
    }
    let Yaml::Mapping(map) = entry else {
        return Err(refuse(
            &at,
            format!("{} {name:?}: must be a mapping of fields", r.path),
        ));
    };
    let mut fields = Vec::new();
    let mut from = None;
    for (k, v) in map {
        let written = k.as_str().unwrap_or_default();
        if written == RENAMED_FROM {
            let old = scalar(&v)
                .filter(|old| !old.trim().is_empty())
                .ok_or_else(|| {
                    refuse(
                        &format!("{written}:"),
                        format!("{} {name:?}: {RENAMED_FROM} needs the old name", r.path),
                    )
                })?;
            from = Some(old);
            continue;
        }
        let k = current_name(written);
        let f = entry_fields(r).find(|f| field_key(f) == k).ok_or_else(|| {
            let known: Vec<&str> = entry_fields(r).map(field_key).collect();
            refuse(
                &format!("{written}:"),
                format!(
                    "{} {name:?}: unknown field {written:?} (fields: {})",
                    r.path,
                    known.join(", ")
                ),
            )
        })?;
        let values: Vec<String> = match (&v, f.list) {
            (Yaml::Sequence(items), true) => items.iter().filter_map(scalar).collect(),
            (_, _) => scalar(&v).into_iter().collect(),
        };
        if let Some(bad) = values.iter().find(|v| !readable(f, v)) {
            return Err(refuse(
                &format!("{written}:"),
                format!(
                    "{} {name:?}: {k}: {bad:?} is not {}",
                    r.path,
                    match f.kind {
                        FieldKind::Boolean => "true or false",
                        FieldKind::Integer => "an integer",
                        _ => "a number",
                    }
                ),
            ));
        }
        if values.is_empty() && !matches!(v, Yaml::Sequence(_)) {
            return Err(refuse(
                &format!("{written}:"),
                format!("{} {name:?}: {k} needs a value", r.path),
            ));
        }
        fields.push((f, values));
    }
    let wanted = Wanted {
        name: name.to_owned(),
        from,
        fields,
    };
    // The typed form's own checks (required fields, allowed values, lengths), references
    // stood in by a valid id.
    if let Err(e) = form_check(r, &wanted) {
        return Err(refuse(&at, format!("{} {name:?}: {e}", r.path)));
    }
    Ok(wanted)
}

/// Whether `text` reads as a value of `f`'s kind (a reference is a name, read later).
fn readable(f: &FieldInfo, text: &str) -> bool {
    use bitpeak::catalog::FieldValue;
    match f.kind {
        _ if f.refers.is_some() => true,
        FieldKind::Boolean => bool::parse_field(text).is_ok(),
        FieldKind::Integer => i64::parse_field(text).is_ok(),
        FieldKind::Number => f64::parse_field(text).is_ok(),
        _ => true,
    }
}

/// Checks an entry as its create form would, before anything is sent.
fn form_check(r: &ResourceInfo, w: &Wanted) -> Result<(), bitpeak::Error> {
    let mut pairs = vec![("name".to_owned(), w.name.clone())];
    for (f, values) in w.fields.iter().filter(|(f, _)| on_create(r, f)) {
        for v in values {
            let v = if f.refers.is_some() {
                "1".to_owned()
            } else {
                v.clone()
            };
            pairs.push((f.name.to_owned(), v));
        }
    }
    r.check_create(&pairs)
}

/// Each `renamed_from` names a record no other entry of the section claims: neither another
/// entry's name (one record cannot become two) nor another's `renamed_from`.
fn check_renames(
    r: &ResourceInfo,
    wanted: &[Wanted],
    refuse: &dyn Fn(&str, String) -> Failure,
) -> Result<(), Failure> {
    let stored = |name: &str| stored_name(r.path, name);
    for (i, w) in wanted.iter().enumerate() {
        let Some(from) = &w.from else { continue };
        let claimed = wanted.iter().enumerate().find(|(j, other)| {
            (*j != i && stored(&other.name) == stored(from))
                || (*j < i && other.from.as_deref().map(stored) == Some(stored(from)))
        });
        if let Some((_, other)) = claimed {
            return Err(refuse(
                &format!("{RENAMED_FROM}: {from}"),
                format!(
                    "{} {:?}: {RENAMED_FROM} {from:?} is claimed by the entry {:?} too; \
                     one record cannot be renamed twice or keep its old name beside the new",
                    r.path, w.name, other.name
                ),
            ));
        }
    }
    Ok(())
}

/// Every reference names an entry of the file (by its new name, when it was renamed).
fn check_references(
    file: &AccountFile,
    refuse: &dyn Fn(&str, String) -> Failure,
) -> Result<(), Failure> {
    let names = file_names(file);
    for (r, entries) in &file.sections {
        for w in entries {
            for (f, values) in &w.fields {
                let Some(target) = f.refers else { continue };
                for v in values {
                    if !names.get(target).is_some_and(|n| n.contains(v.as_str())) {
                        let at = format!("{}: {v}", field_key(f));
                        if let Some(new) = renamed_to(file, target, v) {
                            return Err(refuse(
                                &at,
                                format!(
                                    "{} {:?}: {} names {v:?}, the old name of {new:?} \
                                     ({RENAMED_FROM}); refer to it as {new:?}",
                                    r.path,
                                    w.name,
                                    field_key(f)
                                ),
                            ));
                        }
                        return Err(refuse(
                            &at,
                            format!(
                                "{} {:?}: {} names {v:?}, which is not among the file's {}",
                                r.path,
                                w.name,
                                field_key(f),
                                key(target)
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The entry of section `target` renamed from `old`, if any.
fn renamed_to<'f>(file: &'f AccountFile, target: &str, old: &str) -> Option<&'f str> {
    file.sections
        .iter()
        .filter(|(r, _)| r.path == target)
        .flat_map(|(_, entries)| entries)
        .find(|w| w.from.as_deref() == Some(old))
        .map(|w| w.name.as_str())
}

fn file_names(file: &AccountFile) -> BTreeMap<&'static str, BTreeSet<&str>> {
    let mut names: BTreeMap<&'static str, BTreeSet<&str>> = BTreeMap::new();
    for (r, entries) in &file.sections {
        names
            .entry(r.path)
            .or_default()
            .extend(entries.iter().map(|w| w.name.as_str()));
    }
    names
}

/// Replaces every `${VAR}` in the file's strings by the variable's value; an unset one is
/// refused, naming its line.
fn resolve_placeholders(
    value: &mut Yaml,
    refuse: &dyn Fn(&str, String) -> Failure,
) -> Result<(), Failure> {
    match value {
        Yaml::String(s) => {
            // What a variable holds is taken as it is, never read for placeholders again.
            let mut from = 0;
            while let Some(start) = s[from..].find("${").map(|i| from + i) {
                let Some(len) = s[start..].find('}') else {
                    break;
                };
                let var = s[start + 2..start + len].to_owned();
                let resolved = std::env::var(&var).map_err(|_| {
                    refuse(
                        &format!("${{{var}}}"),
                        format!("the placeholder ${{{var}}} is not set in the environment"),
                    )
                })?;
                s.replace_range(start..=start + len, &resolved);
                from = start + resolved.len();
            }
            Ok(())
        }
        Yaml::Sequence(items) => items
            .iter_mut()
            .try_for_each(|v| resolve_placeholders(v, refuse)),
        Yaml::Mapping(map) => map
            .iter_mut()
            .try_for_each(|(_, v)| resolve_placeholders(v, refuse)),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// Apply: plan and steps

/// Each section's changes, and the live records' `name → id` per section.
type Plan = (Vec<(&'static ResourceInfo, Vec<Change>)>, Ids);

/// `bitpeak plan`: the plan `apply --dry-run` prints (or, with `--output json`, one JSON
/// document), sending no change; with `detailed_exitcode`, exit 2 when the account differs
/// from the file and 1 on any error.
pub async fn plan_only(
    client: &Client,
    args: &crate::PlanArgs,
    output: crate::Output,
) -> Result<(), Failure> {
    let planned = planned(client, &args.path, args.prune).await;
    let shown = planned.and_then(|(plans, ids)| {
        match output {
            crate::Output::Table => plans.iter().for_each(|(r, c)| plan::print_text(r, c)),
            _ => out(plan::to_json(&plans, &ids))?,
        }
        Ok(plans)
    });
    match (shown, args.detailed_exitcode) {
        (Ok(plans), true)
            if plans
                .iter()
                .flat_map(|(_, c)| c)
                .any(|c| c.action != Action::Unchanged) =>
        {
            Err(Failure(String::new(), 2))
        }
        (Ok(_), _) => Ok(()),
        (Err(Failure(message, code)), true) if code != 0 => Err(Failure(message, 1)),
        (Err(e), _) => Err(e),
    }
}

/// `bitpeak apply`: plan the file against the live account, print the plan, carry it out.
pub async fn apply(client: &Client, args: &crate::ApplyArgs) -> Result<(), Failure> {
    let (plans, mut ids) = planned(client, &args.path, args.prune).await?;
    plans.iter().for_each(|(r, c)| plan::print_text(r, c));
    if args.dry_run {
        return Ok(());
    }
    let mut done = 0usize;
    // Creates, updates and renames in dependency order, then deletes in reverse.
    let (mut saves, mut deletes): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for (r, changes) in plans {
        let (d, s): (Vec<Change>, Vec<Change>) = changes
            .into_iter()
            .filter(|c| c.action != Action::Unchanged)
            .partition(|c| c.action == Action::Delete);
        saves.push((r, s));
        deletes.insert(0, (r, d));
    }
    for (r, changes) in saves.into_iter().chain(deletes) {
        done += run_steps(client, r, &changes, &mut ids, done).await?;
    }
    if crate::STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        note(format_args!(
            "stdout was closed; the apply went on and made all {done} changes"
        ));
    }
    Ok(())
}

/// Reads and checks the file, lists the live account and plans each section.
async fn planned(client: &Client, path: &Path, prune: bool) -> Result<Plan, Failure> {
    let file = read_file(path)?;
    // The live records' `name → id`, per section; creates add theirs as they go.
    let mut ids = Ids::new();
    let mut plans = Vec::new();
    // Every section's list at once.
    let lists = futures::future::join_all(file.sections.iter().map(|(r, _)| live(client, r))).await;
    let mut sections = Vec::new();
    let mut lacking = Vec::new();
    for ((r, wanted), records) in file.sections.iter().zip(lists) {
        match records {
            Err(bitpeak::Error::Unavailable { .. }) if wanted.is_empty() => {
                note(format_args!(
                    "{}: not on this server; nothing to apply",
                    key(r.path)
                ));
            }
            Err(bitpeak::Error::Unavailable { .. }) => lacking.push(*r),
            records => sections.push((*r, wanted, records?)),
        }
    }
    if !lacking.is_empty() {
        let paths: Vec<&str> = lacking.iter().map(|r| r.path).collect();
        let keys: Vec<String> = lacking.iter().map(|r| key(r.path)).collect();
        return Err(usage(format!(
            "this server has no {} (its version, or its administrator): nothing was changed; \
             remove the file's {} section(s), or apply it to a server that has them",
            paths.join(", "),
            keys.join(", ")
        )));
    }
    for (r, wanted, records) in sections {
        let by_name = index(&records);
        let section = ids.entry(r.path).or_default();
        section.extend(by_name.iter().map(|(n, rec)| (n.clone(), id_of(rec))));
        let changes = plan::plan(r, wanted, &by_name, &ids, prune);
        // Later sections refer to a renamed record by its new name.
        let section = ids.entry(r.path).or_default();
        for c in changes.iter().filter(|c| c.action == Action::Rename) {
            section.remove(c.from.as_deref().unwrap_or_default());
            section.insert(stored_name(r.path, &c.name), c.id().unwrap_or_default());
        }
        plans.push((r, changes));
    }
    Ok((plans, ids))
}

/// Carries out one section's changes, [`CONCURRENCY`] at a time; how many were made.
async fn run_steps(
    client: &Client,
    r: &'static ResourceInfo,
    changes: &[Change],
    ids: &mut Ids,
    before: usize,
) -> Result<usize, Failure> {
    let known = ids.clone();
    let results: Vec<_> =
        futures::stream::iter(changes.iter().map(|c| run_step(client, r, c, &known)))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut done = 0;
    let mut failed = None;
    for result in results {
        match result {
            Ok((line, id, name)) => {
                progress_line(line);
                ids.entry(r.path)
                    .or_default()
                    .insert(stored_name(r.path, &name), id);
                done += 1;
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        None => Ok(done),
        Some(e) => {
            note(format_args!(
                "apply stopped in {} after {} changes; run it again to finish",
                key(r.path),
                before + done
            ));
            Err(e.into())
        }
    }
}

pub fn id_of(record: &Value) -> u64 {
    record["id"].as_u64().unwrap_or_default()
}

/// Live records by trimmed name (the first of a name; the others are duplicates).
fn index(records: &[Value]) -> BTreeMap<String, Value> {
    let mut by_name = BTreeMap::new();
    for record in records {
        if let Some(name) = record["name"].as_str() {
            by_name
                .entry(name.trim().to_owned())
                .or_insert_with(|| record.clone());
        }
    }
    by_name
}

/// Carries out one change: `(progress line, id, name)`.
async fn run_step(
    client: &Client,
    r: &ResourceInfo,
    change: &Change,
    ids: &Ids,
) -> Result<(String, u64, String), bitpeak::Error> {
    let pairs = |name: Option<&str>, fields: &[(&'static FieldInfo, Vec<String>)]| {
        let mut pairs: Vec<(String, String)> = name
            .map(|n| ("name".to_owned(), n.to_owned()))
            .into_iter()
            .collect();
        for (f, values) in fields {
            let values = plan::resolve(f, values, ids).unwrap_or_default();
            pairs.extend(values.into_iter().map(|v| (f.name.to_owned(), v)));
        }
        pairs
    };
    let name = &change.name;
    let id = change.id().unwrap_or_default();
    let done = |what: &str, id| Ok((format!("{what} {} (#{id})", shown(name)), id, name.clone()));
    match change.action {
        Action::Create => {
            let (create, later): (Vec<_>, Vec<_>) = change
                .fields
                .iter()
                .cloned()
                .partition(|(f, _)| on_create(r, f));
            let record = r.create(client, &pairs(Some(name), &create)).await?;
            let id = id_of(&record);
            // What only the update form sets (a handler's is_enabled), when the new record
            // does not hold it already.
            let later: Vec<_> = later
                .into_iter()
                .filter(|(f, values)| plan::differs(f, values, &record, ids))
                .collect();
            if !later.is_empty() {
                r.update(client, id, &pairs(None, &later)).await?;
            }
            done("created", id)
        }
        Action::Update => {
            r.update(client, id, &pairs(None, &change.fields)).await?;
            done("updated", id)
        }
        Action::Unchanged => done("left", id),
        Action::Rename => {
            r.update(client, id, &pairs(Some(name), &change.fields))
                .await?;
            let from = shown(change.from.as_deref().unwrap_or_default()).into_owned();
            done(&format!("renamed {from} ->"), id)
        }
        Action::Delete => {
            r.delete(client, id).await?;
            done("deleted", id)
        }
    }
}

/// The JSON Schema of the account file, from the catalog.
pub fn schema() -> Value {
    let mut properties_of = serde_json::Map::new();
    for section in sections() {
        let entry = {
            let Some(r) = info(section) else { continue };
            let mut properties = serde_json::Map::new();
            for f in entry_fields(r) {
                let scalar = match f.kind {
                    _ if f.refers.is_some() => serde_json::json!({"type": "string"}),
                    FieldKind::Integer => serde_json::json!({"type": ["integer", "string"]}),
                    FieldKind::Number => serde_json::json!({"type": ["number", "string"]}),
                    FieldKind::Boolean => {
                        serde_json::json!({"type": ["boolean", "integer", "string"]})
                    }
                    _ if !f.values.is_empty() => serde_json::json!({"enum": f.values}),
                    _ => serde_json::json!({"type": "string"}),
                };
                let mut schema = if f.list {
                    serde_json::json!({"type": "array", "items": scalar})
                } else {
                    scalar
                };
                let mut about = f.about.to_owned();
                if let Some(target) = f.refers {
                    about = format!("By name: the file's {}. {about}", key(target));
                }
                schema["description"] = Value::from(about);
                properties.insert(field_key(f).to_owned(), schema);
            }
            properties.insert(
                RENAMED_FROM.to_owned(),
                serde_json::json!({
                    "type": "string",
                    "description": "The name the record has now: the plan renames that record \
                        (same id, its history kept) instead of creating a new one. Once applied, \
                        it can stay or go.",
                }),
            );
            for (old, new) in RENAMED {
                if let Some(current) = properties.get(*new).cloned() {
                    let mut alias = current;
                    alias["description"] =
                        Value::from(format!("The previous release's name of `{new}`."));
                    alias["deprecated"] = Value::from(true);
                    properties.insert((*old).to_owned(), alias);
                }
            }
            serde_json::json!({
                "type": "object",
                "description": r.about,
                "properties": properties,
                "additionalProperties": false,
            })
        };
        properties_of.insert(
            key(section),
            serde_json::json!({"type": "object", "additionalProperties": entry}),
        );
    }
    for (old, new) in RENAMED {
        if let Some(current) = properties_of.get(*new).cloned() {
            let mut alias = current;
            alias["description"] = Value::from(format!(
                "The previous release's handlers file's name of `{new}`."
            ));
            alias["deprecated"] = Value::from(true);
            properties_of.insert((*old).to_owned(), alias);
        }
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bitpeak account file",
        "description": "A BitPeak account as code (`bitpeak export` / `bitpeak apply`): each section maps names to entries; references are by name; `${VAR}` placeholders are read from the environment.",
        "type": "object",
        "properties": properties_of,
        "additionalProperties": false,
    })
}
