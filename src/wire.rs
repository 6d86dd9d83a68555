//! Wire-tolerant types shared by every resource: a record kept exactly as the server sent it
//! ([`RawRecord`], which the generator is told to use for every record schema, see `build.rs`),
//! and [`Tolerant`], the reading of **any** JSON value as a field's type, falling back to
//! "unknown" (`None`) instead of failing: scalars, lists (PHP's arrays with gaps included),
//! maps, nested objects ([`Fields`], [`object`]) and the generated enums. [`Read`] brings it to
//! one's own `#[derive(Deserialize)]` structs.
//!
//! A resource's model decodes a record in one pass, field by field (see [`crate::record`]), so
//! one odd field never costs the record, and one odd record never costs its page.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One record (a handler, a monitor, …) exactly as the server sent it: the JSON text of the
/// object, kept beside the typed value so nothing the server sent is lost.
///
/// ```
/// let raw: bitpeak::wire::RawRecord = serde_json::from_str(r#"{"id": 1, "extra": [1, 2]}"#)?;
/// assert_eq!(raw.json(), r#"{"id": 1, "extra": [1, 2]}"#);
/// assert_eq!(raw.to_value()["extra"][1], 2);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawRecord(Box<RawValue>);

impl RawRecord {
    /// The record's JSON text, as received.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The record as a JSON value (parsed anew on every call).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.json()).unwrap_or(Value::Null)
    }

    /// The record as a JSON object, or `None` when the server sent something else.
    pub fn object(&self) -> Option<Map<String, Value>> {
        serde_json::from_str(self.json()).ok()
    }

    /// Decodes the record into `T`, a struct of this module's tolerant field types.
    pub(crate) fn fields<'a, T: Deserialize<'a>>(&'a self) -> Result<T, String> {
        // A derived struct would also read an array, positionally: a record is an object.
        if !self.json().trim_start().starts_with('{') {
            return Err("the record is not a JSON object".to_owned());
        }
        serde_json::from_str(self.json()).map_err(|e| format!("the record is not readable: {e}"))
    }

    /// A record made from any serializable value (a generated type, a `serde_json::Value`),
    /// e.g. to answer a mock request.
    ///
    /// ```
    /// let raw = bitpeak::wire::RawRecord::of(&serde_json::json!({"id": 7}))?;
    /// assert_eq!(raw.json(), r#"{"id":7}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawRecord)
    }
}

impl PartialEq for RawRecord {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl Eq for RawRecord {}

impl fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawRecord({})", self.json())
    }
}

/// `{"data": <record>}`: the answer of get, create and update of every resource, with the
/// record still raw. The generator uses it for every schema marked `x-bitpeak-wire: record`
/// (see `build.rs`); [`crate::record::Saved`] tells an `{id}` answer from a whole record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The record.
    pub data: RawRecord,
}

impl Envelope {
    /// The envelope of a serializable record (a generated type, a `serde_json::Value`).
    ///
    /// ```
    /// let answer = bitpeak::wire::Envelope::of(&serde_json::json!({"id": 9}))?;
    /// assert_eq!(serde_json::to_string(&answer)?, r#"{"data":{"id":9}}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn of<T: Serialize + ?Sized>(record: &T) -> Result<Self, serde_json::Error> {
        RawRecord::of(record).map(|data| Envelope { data })
    }
}

/// `{"data": [<record>…], "meta": {…}, "links": {…}}`: one page of any resource, with its
/// records still raw, so each is decoded on its own. The generator uses it for every schema
/// marked `x-bitpeak-wire: list`. Only `data` and `meta` must be the API's JSON; `links` may
/// be anything (servers build them wrong, and they are never followed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEnvelope {
    /// The page's records.
    pub data: Vec<RawRecord>,
    /// The pagination facts.
    pub meta: crate::raw::types::ListMeta,
    /// The server's links, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Value>,
}

impl ListEnvelope {
    /// A page of serializable records (generated types, `serde_json::Value`s), without
    /// links, e.g. to answer a mock request.
    ///
    /// ```
    /// use bitpeak::wire::ListEnvelope;
    /// let meta = serde_json::from_value(serde_json::json!({"page": 1, "total_pages": 1}))?;
    /// let page = ListEnvelope::of(&[serde_json::json!({"id": 1})], meta)?;
    /// assert_eq!(page.data[0].json(), r#"{"id":1}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn of<T: Serialize>(
        records: &[T],
        meta: crate::raw::types::ListMeta,
    ) -> Result<Self, serde_json::Error> {
        let data: Result<_, _> = records.iter().map(RawRecord::of).collect();
        Ok(ListEnvelope {
            data: data?,
            meta,
            links: None,
        })
    }
}

/// A JSON scalar as read by the tolerant decoders; containers are skipped.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'a, str>),
    Container,
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::UInt(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Container)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Container)
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl Scalar<'_> {
    /// An integer, also from a numeric string (`"12"`) or an integral float; not a boolean.
    fn int(&self) -> Option<i64> {
        match self {
            Scalar::Int(n) => Some(*n),
            Scalar::UInt(n) => i64::try_from(*n).ok(),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// A value `T` read with [`Tolerant`], for `#[derive(Deserialize)]` structs of one's own:
/// `None` when it was absent (with `#[serde(default)]`) or could not be read as a `T`;
/// decoding never fails, whatever the JSON value.
///
/// ```
/// use bitpeak::wire::Read;
/// #[derive(serde::Deserialize)]
/// struct Fields {
///     #[serde(default)]
///     id: Read<i64>,
///     #[serde(default)]
///     name: Read<String>,
///     #[serde(default)]
///     is_enabled: Read<bool>,
///     #[serde(default)]
///     datetime: Read<chrono::DateTime<chrono::Utc>>,
/// }
/// let f: Fields = serde_json::from_str(
///     r#"{"id": "7", "name": null, "is_enabled": 2, "datetime": "0000-00-00 00:00:00"}"#,
/// )?;
/// assert_eq!((f.id.0, f.name.0, f.is_enabled.0, f.datetime.0), (Some(7), None, Some(true), None));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Read<T>(pub Option<T>);

impl<T> Default for Read<T> {
    fn default() -> Self {
        Read(None)
    }
}

impl<'de, T: Tolerant> Deserialize<'de> for Read<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::read(deserializer).map(Read)
    }
}

/// A value read from **any** JSON value without failing: `Ok(None)` when the value has another
/// shape (the error is only for broken JSON, which fails the whole answer anyway). Every field
/// of a generated model, nested ones included, is read through this trait, so one odd field
/// is `None` and never costs its record.
///
/// Scalars as their impls below say; lists and maps as [`Tolerant`] for `Vec` and `BTreeMap`
/// say; generated nested structs and enums implement it too.
///
/// ```
/// use bitpeak::wire::Tolerant;
/// let ids = |json: &str| {
///     let mut de = serde_json::Deserializer::from_str(json);
///     Vec::<i64>::read(&mut de).unwrap()
/// };
/// assert_eq!(ids("[3, 4]"), Some(vec![3, 4]));
/// assert_eq!(ids(r#"{"1": 3, "3": 4}"#), Some(vec![3, 4])); // a PHP array with gaps
/// assert_eq!(ids(r#""[3, 4]""#), Some(vec![3, 4])); // JSON-encoded
/// assert_eq!(ids("null"), Some(vec![]));
/// assert_eq!(ids(r#"{"a": "x"}"#), None);
/// ```
pub trait Tolerant: Sized {
    /// The value, or `None` when the JSON value cannot be one.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error>;
}

/// [`Tolerant`] for a scalar, from the [`Scalar`] the JSON value is.
macro_rules! from_scalar {
    ($($(#[$doc:meta])* $ty:ty => |$s:ident| $read:expr;)*) => {$(
        $(#[$doc])*
        impl Tolerant for $ty {
            fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                let $s = Scalar::deserialize(d)?;
                Ok($read)
            }
        }
    )*};
}

from_scalar! {
    /// An integer column: a JSON integer, a numeric string (`"12"`, what uncast columns look
    /// like), or an integral float; anything else, a boolean included, is `None`.
    i64 => |s| s.int();
    /// A flag column: a boolean, or an integer (`0` is false, any other true; `2` is an
    /// email handler switched on but unconfirmed), or a numeric string.
    bool => |s| match s {
        Scalar::Bool(b) => Some(b),
        other => other.int().map(|n| n != 0),
    };
    /// A decimal column: a JSON number or a numeric string (`"99.5"`); anything else, a
    /// boolean included, is `None`.
    f64 => |s| match s {
        Scalar::Int(n) => Some(n as f64),
        Scalar::UInt(n) => Some(n as f64),
        Scalar::Float(f) => Some(f),
        Scalar::Str(text) => text.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    };
    /// A text column: a string, or a number read as its text (`null`, booleans and containers
    /// are `None`).
    String => |s| match s {
        Scalar::Str(text) => Some(text.into_owned()),
        Scalar::Int(n) => Some(n.to_string()),
        Scalar::UInt(n) => Some(n.to_string()),
        Scalar::Float(f) => Some(f.to_string()),
        _ => None,
    };
    /// A datetime column (`YYYY-MM-DD HH:MM:SS`, UTC; RFC 3339 also read). An empty string,
    /// MySQL's zero date, `null` and anything else that is not a real date are `None`.
    chrono::DateTime<chrono::Utc> => |s| match s {
        Scalar::Str(text) => parse_datetime(&text).or_else(|| {
            chrono::DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|d| d.to_utc())
        }),
        _ => None,
    };
}

/// An open JSON-object column (`plan_settings`, a game's `details`) as PHP sends it: an
/// object; the same object JSON-encoded in a string (one server version); or, when empty,
/// `[]`, `"[]"`, `""`, `"null"` or `null` (all read as an empty object). `None` when the value
/// is something else (a number, a non-empty array, text that is not an object's JSON); the
/// record's [`RawRecord`] still has it.
///
/// ```
/// use bitpeak::wire::Read;
/// let read = |json: &str| serde_json::from_str::<Read<serde_json::Map<_, _>>>(json).unwrap().0;
/// assert_eq!(read(r#"{"email": "a@b.co"}"#).unwrap()["email"], "a@b.co");
/// assert_eq!(read(r#""{\"email\": \"a@b.co\"}""#).unwrap()["email"], "a@b.co");
/// assert!(read(r#""[]""#).unwrap().is_empty() && read("[]").unwrap().is_empty());
/// assert_eq!(read("12"), None);
/// ```
impl Tolerant for Map<String, Value> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Object(map) => Some(map),
            Value::Array(items) => items.is_empty().then(Map::new),
            Value::String(text) => encoded_or_empty(&text),
            Value::Null => Some(Map::new()),
            _ => None,
        })
    }
}

/// Any JSON value (the spec's "any JSON"), as sent; `null` is `None`.
impl Tolerant for Value {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => None,
            value => Some(value),
        })
    }
}

/// Reads `T` from an owned value's JSON text (a JSON-encoded column), `None` if it is not JSON.
fn read_encoded<T: Tolerant>(text: &str) -> Option<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let read = T::read(&mut de).ok().flatten();
    de.end().ok().and(read)
}

/// A map key, borrowed from the input when it can be.
#[derive(Deserialize)]
#[serde(transparent)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// A list: a JSON array; an object PHP wrote from an array with gaps (`{"1": 3, "3": 4}`: its
/// values, in the order of their integer keys); the same JSON-encoded in a string; `[]`,
/// `null` or `""` as empty; a lone value the element reads as a list of one. `None` when any
/// element cannot be read.
impl<T: Tolerant> Tolerant for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<T: Tolerant> ListVisitor<T> {
            /// A lone scalar as a list of one, read through one deserializer type (a
            /// `Value`), so each element type is compiled for it once.
            fn one(value: Value) -> Option<Vec<T>> {
                T::read(value).ok().flatten().map(|v| vec![v])
            }
        }
        impl<'de, T: Tolerant> Visitor<'de> for ListVisitor<T> {
            type Value = Option<Vec<T>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                let mut readable = true;
                while let Some(Read(item)) = seq.next_element::<Read<T>>()? {
                    match item {
                        Some(item) if readable => items.push(item),
                        _ => readable = false,
                    }
                }
                Ok(readable.then_some(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                let mut readable = true;
                while let Some((Key(key), Read(item))) = map.next_entry::<Key<'de>, Read<T>>()? {
                    match item {
                        Some(item) if readable => {
                            items.push((key.trim().parse::<i64>().ok(), item))
                        }
                        _ => readable = false,
                    }
                }
                if items.iter().all(|(index, _)| index.is_some()) {
                    items.sort_by_key(|(index, _)| *index);
                }
                Ok(readable.then(|| items.into_iter().map(|(_, item)| item).collect()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                let text = v.trim();
                if text.is_empty() || text == "null" {
                    return Ok(Some(Vec::new()));
                }
                if text.starts_with(['[', '{']) {
                    return Ok(read_encoded(text));
                }
                Ok(Self::one(Value::from(v)))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Some(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Some(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Vec::<T>::read(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Self::one(Value::from(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Self::one(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Self::one(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Self::one(Value::from(v)))
            }
        }
        deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

/// A map of values keyed by text: a JSON object; the same JSON-encoded in a string; `[]`,
/// `null` or `""` as empty. `None` when any value cannot be read.
impl<T: Tolerant> Tolerant for std::collections::BTreeMap<String, T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        Ok(object::<D, Entries<T>>(deserializer)?.and_then(|e| e.0))
    }
}

/// A map's entries read as an object type's fields; `None` once any value was unreadable.
struct Entries<T>(Option<std::collections::BTreeMap<String, T>>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Some(std::collections::BTreeMap::new()))
    }
}

impl<T: Tolerant> Fields for Entries<T> {
    fn read_field<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        match (T::read(value)?, &mut self.0) {
            (Some(item), Some(map)) => drop(map.insert(key.to_owned(), item)),
            _ => self.0 = None,
        }
        Ok(())
    }
}

/// Whether a JSON array is empty (consuming it).
fn empty_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<bool, A::Error> {
    let mut empty = true;
    while seq.next_element::<IgnoredAny>()?.is_some() {
        empty = false;
    }
    Ok(empty)
}

/// A container from a string: `""`, `"null"` and `"[]"` are the empty one, other text its JSON.
fn encoded_or_empty<T: Tolerant + Default>(text: &str) -> Option<T> {
    match text.trim() {
        "" | "null" | "[]" => Some(T::default()),
        json => read_encoded(json),
    }
}

/// A generated object type (a model or one of its nested objects), read key by key.
pub trait Fields: Default {
    /// Reads the value of `key` into its field; a key that is no field is kept (a nested
    /// object's other keys) or skipped (a record's: its [`RawRecord`] has them).
    fn read_field<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error>;

    /// Called once every key is read (a union by a tag builds its variant here).
    fn finish(&mut self) {}
}

/// Reads an object type: a JSON object key by key, each value on its own; the same
/// JSON-encoded in a string; `[]`, `null` or `""` as an empty object. `None` for anything
/// else. The [`Tolerant`] reading of every generated nested object.
pub fn object<'de, D: Deserializer<'de>, T: Fields>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    struct ObjectVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Fields> Visitor<'de> for ObjectVisitor<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            read_fields(map).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
            Ok(empty_seq(seq)?.then(T::default))
        }
        fn visit_str<E>(self, v: &str) -> Result<Option<T>, E> {
            Ok(encoded_or_empty::<Encoded<T>>(v).map(|e| e.0))
        }
        fn visit_unit<E>(self) -> Result<Option<T>, E> {
            Ok(Some(T::default()))
        }
        fn visit_none<E>(self) -> Result<Option<T>, E> {
            Ok(Some(T::default()))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            object(d)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<T>, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(ObjectVisitor(std::marker::PhantomData))
}

/// An object type read through [`object`], for [`encoded_or_empty`].
#[derive(Default)]
struct Encoded<T>(T);

impl<T: Fields> Tolerant for Encoded<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(object::<D, T>(d)?.map(Encoded))
    }
}

/// Every entry of a JSON object into `T`'s fields.
fn read_fields<'de, A: MapAccess<'de>, T: Fields>(mut map: A) -> Result<T, A::Error> {
    struct FieldSeed<'a, T> {
        out: &'a mut T,
        key: &'a str,
    }
    impl<'de, T: Fields> de::DeserializeSeed<'de> for FieldSeed<'_, T> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            self.out.read_field(self.key, d)
        }
    }
    let mut out = T::default();
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        map.next_value_seed(FieldSeed {
            out: &mut out,
            key: &key,
        })?;
    }
    out.finish();
    Ok(out)
}

/// Reads a record's JSON text into a generated model's fields (see [`Fields`]).
pub(crate) fn record_fields<T: Fields>(raw: &RawRecord) -> Result<T, String> {
    /// A record: an object only (its fields read straight from the map, no other shape).
    struct Record<T>(T);
    impl<'de, T: Fields> Deserialize<'de> for Record<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct RecordVisitor<T>(std::marker::PhantomData<T>);
            impl<'de, T: Fields> Visitor<'de> for RecordVisitor<T> {
                type Value = Record<T>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Record<T>, A::Error> {
                    read_fields(map).map(Record)
                }
            }
            d.deserialize_map(RecordVisitor(std::marker::PhantomData))
        }
    }
    raw.fields::<Record<T>>().map(|r| r.0)
}

/// A field's value for [`Fields::read_field`]: read tolerantly into `slot`.
pub fn read_into<'de, D: Deserializer<'de>, T: Tolerant>(
    slot: &mut Option<T>,
    value: D,
) -> Result<(), D::Error> {
    *slot = T::read(value)?;
    Ok(())
}

/// A nested object's key that is no field of its type, kept as sent.
pub fn keep<'de, D: Deserializer<'de>>(
    other: &mut Map<String, Value>,
    key: &str,
    value: D,
) -> Result<(), D::Error> {
    other.insert(key.to_owned(), Value::deserialize(value)?);
    Ok(())
}

/// A record's key that is no field of its model: skipped (its [`RawRecord`] keeps it).
pub fn skip<'de, D: Deserializer<'de>>(value: D) -> Result<(), D::Error> {
    IgnoredAny::deserialize(value).map(|_| ())
}

/// A union by a tag (a handler's `type` and `settings`): the tag and the values of its
/// content fields (`fields_of` the tag), in their order, each as text (a number as written, a
/// boolean `1`/`0`, missing or `null` as empty); or, when that cannot be said (no tag, a tag
/// `fields_of` does not know, unreadable content, a field holding an array or object), the
/// tag and content as received.
#[allow(clippy::type_complexity)]
pub(crate) fn variant(
    tag: Option<String>,
    content: Option<Map<String, Value>>,
    fields_of: fn(&str) -> Option<&'static [&'static str]>,
) -> Result<(String, Vec<String>), (Option<String>, Map<String, Value>)> {
    let (tag, mut content) = match (tag, content) {
        (Some(tag), Some(content)) => (tag, content),
        (tag, content) => return Err((tag, content.unwrap_or_default())),
    };
    let Some(fields) = fields_of(&tag) else {
        return Err((Some(tag), content));
    };
    let nested = |f: &&str| matches!(content.get(*f), Some(Value::Array(_) | Value::Object(_)));
    if fields.iter().any(nested) {
        return Err((Some(tag), content));
    }
    let values = fields.iter().map(|f| match content.remove(*f) {
        Some(Value::String(text)) => text,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => u8::from(b).to_string(),
        _ => String::new(),
    });
    Ok((tag, values.collect()))
}

/// `(name, value)` pairs serialised as a JSON object.
pub(crate) struct Pairs<'a>(pub Vec<(&'a str, &'a str)>);

impl Serialize for Pairs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// Parses exactly `YYYY-MM-DD HH:MM:SS` (UTC) by position; a fixed format needs no format-string
/// interpreter, and this runs twice per decoded handler.
fn parse_datetime(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )?;
    let time = chrono::NaiveTime::from_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(date.and_time(time).and_utc())
}

/// Formats a datetime the way the servers write it (`YYYY-MM-DD HH:MM:SS`).
pub fn format_datetime(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A model's date as the API writes it (`serialize_with` of the generated models).
pub(crate) fn serialize_when<S: serde::Serializer>(
    at: &Option<chrono::DateTime<chrono::Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&format_datetime(at)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_parse_exactly_the_server_format() {
        let parsed = parse_datetime("2025-12-05 14:29:14").map(|d| d.to_rfc3339());
        assert_eq!(parsed.as_deref(), Some("2025-12-05T14:29:14+00:00"));
        let bad =
            "2025-12-05T14:29:14|2025-12-05 14:29:14Z|2025-13-05 14:29:14|2025-02-30 00:00:00|\
                   2025-12-05 24:00:00|0000-00-00 00:00:00|2025-1x-05 14:29:14||2025-12-05 14:29:1";
        for bad in bad.split('|') {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    fn read<T: for<'a> Deserialize<'a>>(json: &str) -> T {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn tolerant_fields_read_what_they_can_and_never_fail() {
        let odd = r#"null true false 0 -3 1.5 2.0 1e300 "" "x" [] [1,{}] {} {"a":[1]} 18446744073709551615"#;
        type When = chrono::DateTime<chrono::Utc>;
        for json in odd.split(' ') {
            let _: Read<i64> = read(json);
            let _: Read<bool> = read(json);
            let _: Read<f64> = read(json);
            let _: Read<String> = read(json);
            let _: Read<When> = read(json);
            let _: Read<Map<String, Value>> = read(json);
            let _: Read<Vec<i64>> = read(json);
        }
        assert_eq!(read::<Read<i64>>("\" 12 \"").0, Some(12));
        assert_eq!(read::<Read<i64>>("2.0").0, Some(2));
        assert_eq!(read::<Read<i64>>("true").0, None);
        assert_eq!(read::<Read<i64>>("18446744073709551615").0, None);
        assert_eq!(read::<Read<bool>>("true").0, Some(true));
        assert_eq!(read::<Read<bool>>("\"2\"").0, Some(true));
        assert_eq!(read::<Read<bool>>("0").0, Some(false));
        assert_eq!(read::<Read<String>>("12").0.as_deref(), Some("12"));
        assert_eq!(read::<Read<String>>("{}").0, None);
        assert_eq!(read::<Read<When>>("\"\"").0, None);
        assert_eq!(read::<Read<When>>("\"0000-00-00 00:00:00\"").0, None);
        assert!(read::<Read<When>>("\"2025-12-05T14:29:14Z\"").0.is_some());
        assert_eq!(read::<Read<Map<String, Value>>>("null").0, Some(Map::new()));
        assert_eq!(read::<Read<Map<String, Value>>>("\"{not json\"").0, None);
        assert_eq!(read::<Read<Map<String, Value>>>("[1]").0, None);
    }
}
