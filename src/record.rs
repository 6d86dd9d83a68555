//! Per-record decoding, the same for every resource: each record of a page, and the record of
//! a get, create or update answer, is decoded on its own from its [`RawRecord`]. What cannot be
//! read in a record falls back to "unknown" in its model; a record that cannot be a model at
//! all (not an object, no readable id) becomes an [`UnreadableRecord`] beside the page's items,
//! so it never costs the others.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::IgnoredAny;

use crate::wire::{RawRecord, Read, Tolerant};
use crate::Error;

/// A resource model decoded from one record.
///
/// ```
/// use bitpeak::record::FromRecord;
/// let raw = serde_json::from_str(r#"{"id": "3", "type": null, "name": "Odd", "is_enabled": 9}"#)?;
/// let handler = bitpeak::resources::NotificationHandler::from_record(raw).expect("readable");
/// assert_eq!((handler.id, handler.channel.kind()), (3, None));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait FromRecord: Sized {
    /// What one record is, for messages (`"notification handler"`).
    const WHAT: &'static str;

    /// The model, reading every field it can; an [`UnreadableRecord`] only when the record
    /// cannot be this model at all.
    fn from_record(raw: RawRecord) -> Result<Self, UnreadableRecord>;

    /// The record's identity (list_all de-duplicates by it): its id, or for a resource whose
    /// records have none (account logs) a hash of the record as sent.
    fn id(&self) -> u64;

    /// The record exactly as the server sent it.
    fn raw(&self) -> &RawRecord;
}

/// Any record, kept as the server sent it: what [`crate::Client::call_pages`] yields, whatever
/// the resource. Always readable; its identity is its `id` when it has a positive one, else a
/// hash of its text.
///
/// ```
/// use bitpeak::{record::FromRecord, wire::RawRecord};
/// let raw: RawRecord = serde_json::from_str(r#"{"id": "12", "name": "Shop"}"#)?;
/// let same = RawRecord::from_record(raw.clone()).expect("always readable");
/// assert_eq!((same.id(), same.raw()), (12, &raw));
/// # Ok::<(), serde_json::Error>(())
/// ```
impl FromRecord for RawRecord {
    const WHAT: &'static str = "record";

    fn from_record(raw: RawRecord) -> Result<Self, UnreadableRecord> {
        Ok(raw)
    }

    fn id(&self) -> u64 {
        record_id(self).unwrap_or_else(|_| content_key(self))
    }

    fn raw(&self) -> &RawRecord {
        self
    }
}

/// A record that could not be read as its resource's model: kept as the server sent it, with
/// the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableRecord {
    /// The record as received.
    pub raw: RawRecord,
    /// Why it could not be read.
    pub reason: String,
}

impl UnreadableRecord {
    /// An unreadable `raw`, and why.
    pub fn new(raw: RawRecord, reason: impl Into<String>) -> Self {
        UnreadableRecord {
            raw,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for UnreadableRecord {
    /// The reason and the record's first characters, control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: String = self.raw.json().chars().take(120).collect();
        write!(f, "{} (record {:?})", self.reason, text)
    }
}

/// A positive id read from a record's `id` field, or why there is none.
fn record_id(raw: &RawRecord) -> Result<u64, String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        #[serde(default)]
        id: Read<i64>,
    }
    match raw.fields::<IdOnly>()?.id.0 {
        Some(n) if n > 0 => Ok(n as u64),
        Some(n) => Err(format!("its id {n} is not an id (ids start at 1)")),
        None => Err("it has no readable id".to_owned()),
    }
}

/// The identity of a record without an id: a hash of its JSON text.
pub(crate) fn content_key(raw: &RawRecord) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    raw.json().hash(&mut hasher);
    hasher.finish()
}

/// What create and update answer: older servers send only the id, newer ones the whole record.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Saved<T> {
    /// `{"data": {"id": N}}`.
    Id(u64),
    /// `{"data": <record>}`.
    Record(T),
}

impl<T: FromRecord> Saved<T> {
    /// Tells the two shapes apart: an object whose only field is `id` is the id; anything
    /// else is read as the record.
    pub fn from_record(raw: RawRecord) -> Result<Self, UnreadableRecord> {
        let keys = serde_json::from_str::<BTreeMap<String, IgnoredAny>>(raw.json());
        if keys.is_ok_and(|k| k.len() == 1 && k.contains_key("id")) {
            let id = record_id(&raw).map_err(|why| UnreadableRecord::new(raw.clone(), why))?;
            return Ok(Saved::Id(id));
        }
        T::from_record(raw).map(Saved::Record)
    }
}

/// One answered record as `T`; a record that cannot be `T` at all is a decode error.
pub(crate) fn record<T: FromRecord>(raw: RawRecord) -> Result<T, Error> {
    T::from_record(raw).map_err(unreadable::<T>)
}

/// A create or update answer's record.
pub(crate) fn saved_record<T: FromRecord>(raw: RawRecord) -> Result<Saved<T>, Error> {
    Saved::from_record(raw).map_err(unreadable::<T>)
}

fn unreadable<T: FromRecord>(odd: UnreadableRecord) -> Error {
    let reason = format!("the {} it holds cannot be read: {}", T::WHAT, odd.reason);
    Error::decode(reqwest::StatusCode::OK, odd.raw.json().as_bytes(), &reason)
}

/// Reads a record's `id` into `slot`: a positive integer, else `0` (no id; see [`model`]).
pub(crate) fn read_id<'de, D: serde::Deserializer<'de>>(
    slot: &mut u64,
    value: D,
) -> Result<(), D::Error> {
    *slot = i64::read(value)?
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0);
    Ok(())
}

/// A generated model from its record: every field read on its own (see
/// [`crate::wire::Fields`]); unreadable only when the record is not an object or, for a
/// resource with ids (`id` given), has no positive id.
pub(crate) fn model<T: crate::wire::Fields>(
    raw: RawRecord,
    id: Option<fn(&T) -> u64>,
    raw_of: fn(&mut T) -> &mut RawRecord,
) -> Result<T, UnreadableRecord> {
    let mut model = match crate::wire::record_fields::<T>(&raw) {
        Ok(model) => model,
        Err(why) => return Err(UnreadableRecord::new(raw, why)),
    };
    if id.is_some_and(|id| id(&model) == 0) {
        let why = record_id(&raw)
            .err()
            .unwrap_or_else(|| "it has no readable id".to_owned());
        return Err(UnreadableRecord::new(raw, why));
    }
    *raw_of(&mut model) = raw;
    Ok(model)
}
