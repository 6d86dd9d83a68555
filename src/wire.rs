//! Wire types the generator is told to use instead of its own (`build.rs`,
//! `with_replacement`), where a hand-written decoder is both faster and as truthful.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A handler's `settings` as the servers send them (the spec's `SettingsValue`): an object,
/// a JSON-encoded string (one server version), or `null`.
///
/// Decoded in one pass; the generated untagged enum would buffer the whole object first.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SettingsValue {
    /// The settings object.
    Object(Map<String, Value>),
    /// The settings object, JSON-encoded in a string.
    Encoded(String),
    /// `null`.
    Null,
}

impl<'de> Deserialize<'de> for SettingsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingsVisitor;
        impl<'de> Visitor<'de> for SettingsVisitor {
            type Value = SettingsValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a settings object, a JSON-encoded settings string, or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SettingsValue, A::Error> {
                Map::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SettingsValue::Object)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SettingsValue, E> {
                Ok(SettingsValue::Encoded(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<SettingsValue, E> {
                Ok(SettingsValue::Encoded(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<SettingsValue, E> {
                Ok(SettingsValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<SettingsValue, E> {
                Ok(SettingsValue::Null)
            }
        }
        deserializer.deserialize_any(SettingsVisitor)
    }
}

/// A server datetime (the spec's `Datetime`: `YYYY-MM-DD HH:MM:SS`, UTC, no offset), parsed
/// once while decoding instead of pattern-checked and parsed again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datetime(pub chrono::DateTime<chrono::Utc>);

/// The servers' datetime format.
const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

impl Serialize for Datetime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format(FORMAT))
    }
}

impl<'de> Deserialize<'de> for Datetime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DatetimeVisitor;
        impl Visitor<'_> for DatetimeVisitor {
            type Value = Datetime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a datetime as YYYY-MM-DD HH:MM:SS")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Datetime, E> {
                parse_datetime(v).map(Datetime).ok_or_else(|| {
                    E::custom(format!("{v:?} is not a YYYY-MM-DD HH:MM:SS datetime"))
                })
            }
        }
        deserializer.deserialize_str(DatetimeVisitor)
    }
}

/// The spec's `NullableDatetime`: a [`Datetime`] or `null` (`last_datetime` of a handler that
/// never fired).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NullableDatetime(pub Option<Datetime>);

/// A handler's `is_enabled` (the spec's `IsEnabled`): `0`/`1`/`2` from newer servers, a
/// boolean from older ones. Decoded in one pass, without the buffering of an untagged enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum IsEnabled {
    /// `0` disabled, `1` enabled, `2` an email handler waiting for confirmation.
    Integer(u8),
    /// `false` / `true`.
    Boolean(bool),
}

impl<'de> Deserialize<'de> for IsEnabled {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IsEnabledVisitor;
        impl Visitor<'_> for IsEnabledVisitor {
            type Value = IsEnabled;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("0, 1, 2 or a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<IsEnabled, E> {
                Ok(IsEnabled::Boolean(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IsEnabled, E> {
                match v {
                    0..=2 => Ok(IsEnabled::Integer(v as u8)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IsEnabled, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(IsEnabledVisitor)
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

#[cfg(test)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn datetimes_parse_exactly_the_server_format() {
        let parsed = parse_datetime("2025-12-05 14:29:14").map(|d| d.to_rfc3339());
        assert_eq!(parsed.as_deref(), Some("2025-12-05T14:29:14+00:00"));
        for bad in [
            "2025-12-05T14:29:14",
            "2025-12-05 14:29:14Z",
            "2025-13-05 14:29:14",
            "2025-02-30 00:00:00",
            "2025-12-05 24:00:00",
            "0000-00-00 00:00:00",
            "2025-1x-05 14:29:14",
            "",
            "2025-12-05 14:29:1",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
