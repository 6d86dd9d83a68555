//! The checks and wire encoding that generated forms call (see `build/resources.rs`): one
//! function per rule of the spec, so each form's generated code is a list of calls.

use crate::Error;

/// A form value as the servers read it: text as is (trimmed when sent), numbers in decimal,
/// booleans `1`/`0` (PHP reads `"false"` as true), enums by their wire name.
pub(crate) trait Wire {
    /// The field's text.
    fn wire(&self) -> String;
}

impl Wire for String {
    fn wire(&self) -> String {
        self.clone()
    }
}

impl Wire for i64 {
    fn wire(&self) -> String {
        self.to_string()
    }
}

impl Wire for f64 {
    fn wire(&self) -> String {
        self.to_string()
    }
}

impl Wire for bool {
    fn wire(&self) -> String {
        if *self { "1" } else { "0" }.to_owned()
    }
}

/// `Ok` when `ok`, else the field's error for `reason()`.
fn ensure(ok: bool, field: &str, reason: impl FnOnce() -> String) -> Result<(), Error> {
    ok.then_some(())
        .ok_or_else(|| Error::invalid(field, reason()))
}

/// A required text: not empty once trimmed (servers trim, then refuse an empty value).
pub(crate) fn not_blank(field: &str, value: &str) -> Result<(), Error> {
    ensure(!value.trim().is_empty(), field, || {
        "is required and cannot be blank".to_owned()
    })
}

/// At most `max` characters once trimmed.
pub(crate) fn max_chars(field: &str, value: &str, max: u64) -> Result<(), Error> {
    let count = value.trim().chars().count() as u64;
    ensure(count <= max, field, || {
        format!("is {count} characters long; at most {max} are allowed")
    })
}

/// One of the allowed texts or integers.
pub(crate) fn one_of<T: PartialEq + std::fmt::Debug>(
    field: &str,
    value: T,
    allowed: &[T],
) -> Result<(), Error> {
    ensure(allowed.contains(&value), field, || {
        format!("{value:?} is not allowed; use one of {allowed:?}")
    })
}

/// Within `min..=max` (either bound may be absent).
pub(crate) fn range(
    field: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Error> {
    let low = min.is_some_and(|min| value < min);
    let high = max.is_some_and(|max| value > max);
    ensure(!(low || high), field, || {
        let bounds = match (min, max) {
            (Some(min), Some(max)) => format!("between {min} and {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => "within its bounds".to_owned(),
        };
        format!("{value} is not allowed; it must be {bounds}")
    })
}

/// Parallel arrays (entry `i` of one goes with entry `i` of the other) of the same length.
pub(crate) fn as_many(
    field: &str,
    count: usize,
    other: &str,
    other_count: usize,
) -> Result<(), Error> {
    ensure(count == other_count, field, || {
        format!("has {count} entries but {other} has {other_count}; entry i of one goes with entry i of the other")
    })
}

/// The content fields of a union's variant (a handler's settings of its `kind`): every field
/// of `fields_of(kind)` given and not blank, then none of another variant's given (the server
/// would ignore it: refused rather than lost without a word). A kind the union does not list
/// is left to the enum's own check.
pub(crate) fn variant(
    kind: &str,
    fields_of: fn(&str) -> Option<&'static [&'static str]>,
    given: &[(&str, Option<&str>)],
) -> Result<(), Error> {
    let Some(own) = fields_of(kind) else {
        return Ok(());
    };
    let blank = |v: &Option<&str>| v.is_none_or(|v| v.trim().is_empty());
    let missing = given.iter().find(|(f, v)| own.contains(f) && blank(v));
    let foreign = given.iter().find(|(f, v)| !own.contains(f) && v.is_some());
    let missing = missing.map(|(f, _)| (f, "is required for"));
    match missing.or(foreign.map(|(f, _)| (f, "is not a field of"))) {
        Some((field, what)) => Err(Error::invalid(*field, format!("{what} type {kind}"))),
        None => Ok(()),
    }
}

/// An email address (`format: email`): one `@`, a dotted domain, no spaces or angle brackets.
pub(crate) fn email(field: &str, value: &str) -> Result<(), Error> {
    let value = value.trim();
    let bad = || Error::invalid(field, format!("{value:?} is not an email address"));
    let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.split('.').all(|label| !label.is_empty());
    let odd = |c: char| c.is_whitespace() || c == '<' || c == '>';
    if local.is_empty() || !domain_ok || value.chars().any(odd) {
        return Err(bad());
    }
    Ok(())
}

/// An http(s) URL with a host (`format: uri`; the servers call only these).
pub(crate) fn http_url(field: &str, value: &str) -> Result<(), Error> {
    let value = value.trim();
    let bad = |why: &str| Error::invalid(field, format!("{value:?} is not an http(s) URL: {why}"));
    let url = url::Url::parse(value).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(())
}

/// A generated enum's listed value from its wire name.
pub(crate) fn parse<T: Clone>(
    what: &str,
    text: &str,
    all: &[T],
    name: impl Fn(&T) -> &str,
) -> Result<T, Error> {
    all.iter()
        .find(|v| name(v) == text.trim())
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(&name).collect();
            Error::invalid(what, format!("{text:?} is not one of {names:?}"))
        })
}

/// One of a generated enum's listed values (forms never send an `Unknown` one).
pub(crate) fn listed<T: PartialEq + Wire>(field: &str, value: &T, all: &[T]) -> Result<(), Error> {
    ensure(all.contains(value), field, || {
        let names: Vec<String> = all.iter().map(Wire::wire).collect();
        format!("{:?} is not allowed; use one of {names:?}", value.wire())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_names_the_field() {
        let field = |e: Error| match e {
            Error::InvalidInput { field, reason } => format!("{field}: {reason}"),
            other => panic!("{other}"),
        };
        assert_eq!(
            field(not_blank("name", "  ").unwrap_err()),
            "name: is required and cannot be blank"
        );
        assert!(max_chars("name", " abc ", 3).is_ok());
        assert_eq!(
            field(max_chars("name", "abcd", 3).unwrap_err()),
            "name: is 4 characters long; at most 3 are allowed"
        );
        assert!(one_of("type", "ping", &["website", "ping"]).is_ok());
        assert!(one_of("type", "smtp", &["website", "ping"]).is_err());
        assert!(
            one_of("timeout_seconds", 5, &[1, 5]).is_ok()
                && one_of("timeout_seconds", 4, &[1, 5]).is_err()
        );
        assert_eq!(
            field(range("port", 70000, Some(0), Some(65535)).unwrap_err()),
            "port: 70000 is not allowed; it must be between 0 and 65535"
        );
        assert!(range("port", 1, None, None).is_ok());
        assert_eq!(
            (true.wire(), false.wire(), 7i64.wire()),
            ("1".to_owned(), "0".to_owned(), "7".to_owned())
        );
    }
}
