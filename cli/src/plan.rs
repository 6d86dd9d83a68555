//! The plan `bitpeak plan` and `bitpeak apply` make of an account file: for each entry, what
//! applying it does to the live record of its name (create, update, rename, unchanged) and,
//! with `--prune`, the deletes of what the file does not name; printed as text lines (`+`,
//! `~`, `>`, `=`, `-`) or as one JSON document (`--output json`) whose secret fields show only
//! that they change.

use std::collections::{BTreeMap, BTreeSet};

use bitpeak::catalog::{FieldInfo, FieldKind, ResourceInfo};
use serde_json::{json, Map, Value};

use crate::account::{field_key, id_of, key, stored_name, Wanted};
use crate::{progress_line, shown};

/// The live records' `name → id`, per section (renamed entries under their new names).
pub type Ids = BTreeMap<&'static str, BTreeMap<String, u64>>;

/// Fields and their values as the file gives them (references by name).
pub type Fields = Vec<(&'static FieldInfo, Vec<String>)>;

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Rename,
    Unchanged,
    Delete,
}

impl Action {
    const ALL: [Action; 5] = [
        Action::Create,
        Action::Update,
        Action::Rename,
        Action::Unchanged,
        Action::Delete,
    ];

    fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Rename => "rename",
            Action::Unchanged => "unchanged",
            Action::Delete => "delete",
        }
    }
}

/// One entry's change.
pub struct Change {
    pub action: Action,
    /// The file's name (a delete: the live record's).
    pub name: String,
    /// A rename: the live record's name, which the record leaves.
    pub from: Option<String>,
    /// The live record (none for a create).
    pub record: Option<Value>,
    /// The fields sent: all the entry's for a create, those that differ otherwise.
    pub fields: Fields,
}

impl Change {
    pub fn id(&self) -> Option<u64> {
        self.record.as_ref().map(id_of)
    }
}

/// One section's changes: each entry in the file's order, matched to the live record of its
/// name, else of its `renamed_from`; then, with `prune`, a delete of each live record no entry
/// matched.
pub fn plan(
    r: &ResourceInfo,
    wanted: &[Wanted],
    live: &BTreeMap<String, Value>,
    ids: &Ids,
    prune: bool,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut matched = BTreeSet::new();
    for w in wanted {
        let by_name = live.get_key_value(&stored_name(r.path, &w.name));
        let by_old_name = || {
            w.from
                .as_ref()
                .and_then(|from| live.get_key_value(&stored_name(r.path, from)))
        };
        let (action, found) = match by_name {
            Some(found) => (Action::Update, Some(found)),
            None => (Action::Rename, by_old_name()),
        };
        let Some((live_name, record)) = found else {
            changes.push(Change {
                action: Action::Create,
                name: w.name.clone(),
                from: None,
                record: None,
                fields: w.fields.clone(),
            });
            continue;
        };
        matched.insert(live_name);
        let fields: Fields = w
            .fields
            .iter()
            .filter(|(f, values)| differs(f, values, record, ids))
            .cloned()
            .collect();
        changes.push(Change {
            action: match action {
                Action::Update if fields.is_empty() => Action::Unchanged,
                action => action,
            },
            name: w.name.clone(),
            from: (action == Action::Rename).then(|| live_name.clone()),
            record: Some(record.clone()),
            fields,
        });
    }
    if prune {
        for (name, record) in live.iter().rev() {
            if !matched.contains(name) {
                changes.push(Change {
                    action: Action::Delete,
                    name: name.clone(),
                    from: None,
                    record: Some(record.clone()),
                    fields: Vec::new(),
                });
            }
        }
    }
    changes
}

/// Whether the live record holds something else than the file wants for `f` (compared as
/// the server stores it: numbers as numbers, booleans as `1`/`0`, lists as sets).
pub fn differs(f: &FieldInfo, values: &[String], record: &Value, ids: &Ids) -> bool {
    match resolve(f, values, ids) {
        Some(wanted) => holds_other(f, &wanted, record),
        None => f.stored.is_some(),
    }
}

/// Whether `record` stores something else than `values` (ids, not names) for `f`; `false`
/// when it cannot be read back.
pub fn holds_other(f: &FieldInfo, values: &[String], record: &Value) -> bool {
    let Some(path) = f.stored else {
        return false;
    };
    let wanted: BTreeSet<String> = values.iter().map(|v| canonical(f, v)).collect();
    let stored: BTreeSet<String> = bitpeak::catalog::stored_values(record, path)
        .map(|v| canonical(f, &v))
        .filter(|v| !(f.refers.is_some() && v == "0"))
        .collect();
    wanted != stored
}

/// Names → ids for a reference field (`None` while a named record does not exist yet).
pub fn resolve(f: &FieldInfo, values: &[String], ids: &Ids) -> Option<Vec<String>> {
    let Some(target) = f.refers else {
        return Some(values.to_vec());
    };
    values
        .iter()
        .map(|name| {
            ids.get(target)
                .and_then(|m| m.get(&stored_name(target, name)))
                .map(u64::to_string)
        })
        .collect()
}

/// A value as comparable text, read as the form reads it: booleans `1`/`0`, numbers as
/// numbers (`300` = `300.0`), anything unreadable as written.
fn canonical(f: &FieldInfo, text: &str) -> String {
    use bitpeak::catalog::FieldValue;
    let text = text.trim();
    match f.kind {
        FieldKind::Boolean => {
            let on = bool::parse_field(text).unwrap_or(false);
            (if on { "1" } else { "0" }).to_owned()
        }
        FieldKind::Integer | FieldKind::Number => {
            f64::parse_field(text).map_or_else(|_| text.to_owned(), |n| n.to_string())
        }
        _ => text.to_owned(),
    }
}

/// A stored or written value as JSON of the field's kind: booleans as booleans (what the form
/// does not read as true is false), numbers as numbers where they are numbers, references and
/// the rest as text.
pub fn typed(f: &FieldInfo, text: &str) -> Value {
    use bitpeak::catalog::FieldValue;
    match f.kind {
        _ if f.refers.is_some() => Value::from(text),
        FieldKind::Boolean => Value::from(bool::parse_field(text.trim()).unwrap_or(false)),
        FieldKind::Integer | FieldKind::Number => {
            serde_json::from_str(text.trim()).map_or_else(|_| Value::from(text), Value::Number)
        }
        _ => Value::from(text),
    }
}

// ---------------------------------------------------------------------------------------
// Printing

/// Prints one section's plan as text: its key, a line a change, the summary.
pub fn print_text(r: &ResourceInfo, changes: &[Change]) {
    progress_line(format_args!("{}:", key(r.path)));
    for change in changes {
        progress_line(line(change));
    }
    let count = |action| changes.iter().filter(|c| c.action == action).count();
    let renames = match count(Action::Rename) {
        0 => String::new(),
        n => format!(", {n} to rename"),
    };
    progress_line(format_args!(
        "plan: {} to create, {} to update{renames}, {} unchanged, {} to delete",
        count(Action::Create),
        count(Action::Update),
        count(Action::Unchanged),
        count(Action::Delete)
    ));
}

fn line(c: &Change) -> String {
    let name = shown(c.name.trim());
    let id = c.id().unwrap_or_default();
    let fields: Vec<&str> = c.fields.iter().map(|(f, _)| field_key(f)).collect();
    let fields = if fields.is_empty() {
        String::new()
    } else {
        format!(": {}", fields.join(", "))
    };
    match c.action {
        Action::Create => format!("+ create {name}"),
        Action::Update => format!("~ update {name} (#{id}){fields}"),
        Action::Rename => format!(
            "> rename {} -> {name} (#{id}){fields}",
            shown(c.from.as_deref().unwrap_or_default())
        ),
        Action::Unchanged => format!("= unchanged {name}"),
        Action::Delete => format!("- delete {name} (#{id})"),
    }
}

/// The plan as one JSON document: `{"changes": [...], "summary": {...}}`.
pub fn to_json(plans: &[(&'static ResourceInfo, Vec<Change>)], ids: &Ids) -> Value {
    let changes: Vec<Value> = plans
        .iter()
        .flat_map(|(r, changes)| changes.iter().map(|c| change_json(r, c, ids)))
        .collect();
    let mut summary = Map::new();
    for action in Action::ALL {
        let n = plans
            .iter()
            .flat_map(|(_, changes)| changes)
            .filter(|c| c.action == action)
            .count();
        summary.insert(action.word().to_owned(), Value::from(n));
    }
    json!({"changes": changes, "summary": summary})
}

/// One change: `section`, `name`, `action`, `id` when known, `renamed_from` for a rename,
/// and `fields`: each field that changes with its `old` and `new` values, or only
/// `{"secret": true}` for a secret.
fn change_json(r: &ResourceInfo, c: &Change, ids: &Ids) -> Value {
    let mut fields = Map::new();
    if let Some(from) = &c.from {
        fields.insert(
            "name".to_owned(),
            json!({"old": from, "new": c.name.trim()}),
        );
    }
    for (f, values) in &c.fields {
        let value = if f.secret {
            json!({"secret": true})
        } else {
            let old = c.record.as_ref().map(|record| stored_json(f, record, ids));
            json!({"old": old, "new": values_json(f, values)})
        };
        fields.insert(field_key(f).to_owned(), value);
    }
    let mut change = json!({
        "section": key(r.path),
        "name": c.name.trim(),
        "action": c.action.word(),
        "fields": fields,
    });
    if let Some(id) = c.id() {
        change["id"] = Value::from(id);
    }
    if let Some(from) = &c.from {
        change["renamed_from"] = Value::from(from.as_str());
    }
    change
}

/// What `record` stores for `f`, references by name where the account has the record.
fn stored_json(f: &FieldInfo, record: &Value, ids: &Ids) -> Value {
    let Some(path) = f.stored else {
        return Value::Null;
    };
    let mut values: Vec<String> = bitpeak::catalog::stored_values(record, path).collect();
    if let Some(target) = f.refers {
        let names = ids.get(target);
        values = values
            .into_iter()
            .filter(|v| v != "0" && !v.is_empty())
            .map(|v| {
                names
                    .and_then(|n| n.iter().find(|(_, id)| id.to_string() == v))
                    .map_or(v, |(name, _)| name.clone())
            })
            .collect();
    }
    values_json(f, &values)
}

fn values_json(f: &FieldInfo, values: &[String]) -> Value {
    if f.list {
        values.iter().map(|v| typed(f, v)).collect()
    } else {
        values.first().map_or(Value::Null, |v| typed(f, v))
    }
}
