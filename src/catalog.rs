//! Every generated resource as data, driven by name: what a caller that does not know a
//! resource's Rust type (the `bitpeak` command line, a script bridge) needs to offer and run
//! its operations. Built by `build.rs` from `openapi.yaml`, like the typed layer it calls:
//! each operation here is [`crate::resources::Resources`]' own, instantiated for the
//! resource's model, so checks, retries and decoding are the same. Records come back as JSON
//! objects with the API's field names and normalised values (numbers, booleans, decoded JSON
//! columns, dates as `YYYY-MM-DD HH:MM:SS`); form fields go in as text, parsed and checked
//! against the spec before anything is sent.
//!
//! ```no_run
//! # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
//! let monitors = bitpeak::catalog::resource("monitors").expect("in the spec");
//! let fields = [("name", "Home page"), ("target", "https://example.com"), ("type", "website")];
//! let created = monitors.create(&client, &fields).await?;
//! println!("{}", created["id"]);
//! # Ok(())
//! # }
//! ```

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;

use crate::pagination::Page;
use crate::resource::{Create, Delete, Get, List, ListIn, One, Param, Update};
pub use crate::resources::stored_values;
use crate::resources::{Query, Resources};
use crate::{Client, Error};

/// Every resource, in the spec's path order.
///
/// ```
/// let paths: Vec<&str> = bitpeak::catalog::resources().iter().map(|r| r.path).collect();
/// assert!(paths.contains(&"monitors") && paths.contains(&"team-members"));
/// ```
pub fn resources() -> &'static [ResourceInfo] {
    crate::resources::CATALOG
}

/// The resources that make up an account as code (the spec's `x-bitpeak-account`), in
/// dependency order: a resource comes after those its forms refer to (`x-bitpeak-refers`),
/// the most referred first among those that may come next, then in the spec's order.
///
/// ```
/// let paths: Vec<&str> = bitpeak::catalog::account().iter().map(|r| r.path).collect();
/// assert_eq!(&paths[..3], ["projects", "notification-handlers", "monitors"]);
/// ```
pub fn account() -> Vec<&'static ResourceInfo> {
    let mut left: Vec<&'static ResourceInfo> = resources().iter().filter(|r| r.account).collect();
    let refers = |r: &ResourceInfo| -> Vec<&'static str> {
        let forms = r
            .create
            .iter()
            .chain(r.update.iter())
            .flat_map(|f| f.iter());
        forms
            .filter_map(|f| f.refers)
            .filter(|t| *t != r.path)
            .collect()
    };
    let referred = |r: &ResourceInfo, among: &[&ResourceInfo]| {
        among.iter().filter(|o| refers(o).contains(&r.path)).count()
    };
    let mut ordered = Vec::new();
    while !left.is_empty() {
        let ready =
            |r: &&&ResourceInfo| refers(r).iter().all(|t| !left.iter().any(|l| l.path == *t));
        let next = left
            .iter()
            .filter(ready)
            .max_by_key(|r| (referred(r, &left), std::cmp::Reverse(position(r.path))))
            .or_else(|| left.first())
            .map(|r| r.path);
        let Some(index) = left.iter().position(|r| Some(r.path) == next) else {
            break;
        };
        ordered.push(left.remove(index));
    }
    ordered
}

/// A resource's place in the spec.
fn position(path: &str) -> usize {
    resources()
        .iter()
        .position(|r| r.path == path)
        .unwrap_or(usize::MAX)
}

/// The resource at this path (`monitors`, `domain-names`, …).
///
/// ```
/// let r = bitpeak::catalog::resource("heartbeats").unwrap();
/// assert!(r.has(bitpeak::catalog::Operation::Create));
/// assert!(bitpeak::catalog::resource("nope").is_none());
/// ```
pub fn resource(path: &str) -> Option<&'static ResourceInfo> {
    resources().iter().find(|r| r.path == path)
}

/// An operation a resource may offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /path`, page by page.
    List,
    /// `GET /path/{id}` answering the records inside another one (a team's members).
    ListIn,
    /// `GET /path` answering the one record there is (the user).
    One,
    /// `GET /path/{id}`.
    Get,
    /// `POST /path` with a form.
    Create,
    /// `POST /path/{id}` with a form.
    Update,
    /// `DELETE /path/{id}`.
    Delete,
}

/// How a form field's text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text (or one of [`FieldInfo::values`]).
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); sent as `1`/`0`.
    Boolean,
}

/// A form field, from the operation's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldInfo {
    /// Its name (the wire name without an array's `[]`).
    pub name: &'static str,
    /// How its text is read.
    pub kind: FieldKind,
    /// Whether it takes several values (sent as repeated `name[]`).
    pub list: bool,
    /// Whether the form needs it.
    pub required: bool,
    /// The values it allows; empty when any is.
    pub values: &'static [&'static str],
    /// The spec's description.
    pub about: &'static str,
    /// Where the record stores the value (`settings.check_interval_seconds`; `[]` walks an
    /// array), when it can be read back (`x-bitpeak-stored`).
    pub stored: Option<&'static str>,
    /// The resource whose ids the values are (`projects`), if any (`x-bitpeak-refers`).
    pub refers: Option<&'static str>,
    /// Whether the value is a secret (a password, a token).
    pub secret: bool,
    /// The values of the form's variant tag (a handler's `type`) that need this field
    /// (`["telegram"]` for `telegram_chat_id`); empty when none does.
    pub required_for: &'static [&'static str],
    /// The most characters the server keeps (`maxLength`), if the spec says.
    pub max_chars: Option<u64>,
}

/// `text` as the servers store a form's text: HTML tags stripped, trimmed, cut at `max_chars`.
/// Compare this, not what was sent, with what a server answers (a name `<b>Ops</b>` is
/// stored as `Ops`).
///
/// ```
/// assert_eq!(bitpeak::catalog::stored_text("  <b>Ops</b> team ", Some(6)), "Ops te");
/// ```
pub fn stored_text(text: &str, max_chars: Option<u64>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let max = max_chars.map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
    out.trim().chars().take(max).collect()
}

/// A resource: its path, fields, forms and operations.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ResourceInfo {
    /// The path under the base URL (`domain-names`).
    pub path: &'static str,
    /// The spec's description of its tag.
    pub about: &'static str,
    /// Whether it is a section of the account as code (`x-bitpeak-account` on its tag).
    pub account: bool,
    /// Its id parameter's name (`domain_name_id`).
    pub id: &'static str,
    /// The record's fields, the API's names in the spec's order.
    pub fields: &'static [&'static str],
    /// The record's secret fields (masked in tables).
    pub secrets: &'static [&'static str],
    /// The list's own query parameters (filters, search, order).
    pub params: &'static [Param],
    /// The create form's fields, if it can be created.
    pub create: Option<&'static [FieldInfo]>,
    /// The update form's fields, if it can be updated.
    pub update: Option<&'static [FieldInfo]>,
    #[doc(hidden)]
    pub ops: Ops,
}

/// The generic operations, instantiated per resource by the generated catalog.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
#[allow(clippy::type_complexity)] // Each field's type is its function's signature, said once.
pub struct Ops {
    pub list: Option<for<'c> fn(&'c Client, Query) -> Answer<'c, Page<Value>>>,
    pub all: Option<for<'c> fn(&'c Client, Query) -> BoxStream<'c, Result<Value, Error>>>,
    pub list_in: Option<for<'c> fn(&'c Client, u64, Query) -> Answer<'c, Page<Value>>>,
    pub one: Option<for<'c> fn(&'c Client) -> Answer<'c, Value>>,
    pub get: Option<for<'c> fn(&'c Client, u64) -> Answer<'c, Value>>,
    pub create: Option<for<'c> fn(&'c Client, Fields) -> Answer<'c, Value>>,
    pub update: Option<for<'c> fn(&'c Client, u64, Fields) -> Answer<'c, Value>>,
    pub delete: Option<for<'c> fn(&'c Client, u64) -> Answer<'c, ()>>,
    pub check_create: Option<fn(Fields) -> Result<(), Error>>,
}

impl Ops {
    /// No operation.
    pub const NONE: Ops = Ops {
        list: None,
        all: None,
        list_in: None,
        one: None,
        get: None,
        create: None,
        update: None,
        delete: None,
        check_create: None,
    };
}

type Answer<'c, T> = BoxFuture<'c, Result<T, Error>>;

impl ResourceInfo {
    /// Whether the resource offers `operation`.
    pub fn has(&self, operation: Operation) -> bool {
        let o = &self.ops;
        match operation {
            Operation::List => o.list.is_some(),
            Operation::ListIn => o.list_in.is_some(),
            Operation::One => o.one.is_some(),
            Operation::Get => o.get.is_some(),
            Operation::Create => o.create.is_some(),
            Operation::Update => o.update.is_some(),
            Operation::Delete => o.delete.is_some(),
        }
    }

    /// The operation `op`, or the error of a resource without it.
    fn op<F>(&self, op: Option<F>, what: &str) -> Result<F, Error> {
        let lacks = || format!("{} has no {what} in the spec", self.path);
        op.ok_or_else(|| Error::invalid("operation", lacks()))
    }

    /// One page (see [`Resources::list`]).
    pub async fn list(&self, client: &Client, query: &Query) -> Result<Page<Value>, Error> {
        (self.op(self.ops.list, "list")?)(client, query.clone()).await
    }

    /// Every record, streamed in page order (see [`Resources::list_all`]).
    pub fn list_all<'c>(
        &self,
        client: &'c Client,
        query: &Query,
    ) -> BoxStream<'c, Result<Value, Error>> {
        match self.op(self.ops.all, "list") {
            Ok(all) => all(client, query.clone()),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// The records inside record `parent` (a team's members).
    pub async fn list_in(
        &self,
        client: &Client,
        parent: u64,
        query: &Query,
    ) -> Result<Page<Value>, Error> {
        (self.op(self.ops.list_in, "list by parent")?)(client, parent, query.clone()).await
    }

    /// The one record there is (the user).
    pub async fn one(&self, client: &Client) -> Result<Value, Error> {
        (self.op(self.ops.one, "single record")?)(client).await
    }

    /// One record.
    pub async fn get(&self, client: &Client, id: u64) -> Result<Value, Error> {
        (self.op(self.ops.get, "get")?)(client, id).await
    }

    /// Creates a record from `(field, text)` pairs (an array field repeats its name); the
    /// fields are parsed and checked before anything is sent.
    pub async fn create<K: AsRef<str>, V: AsRef<str>>(
        &self,
        client: &Client,
        fields: &[(K, V)],
    ) -> Result<Value, Error> {
        (self.op(self.ops.create, "create")?)(client, Fields::new(fields)).await
    }

    /// Checks `(field, text)` pairs as [`ResourceInfo::create`] would, sending nothing.
    ///
    /// ```
    /// let projects = bitpeak::catalog::resource("projects").unwrap();
    /// assert!(projects.check_create(&[("name", "Production")]).is_ok());
    /// assert!(projects.check_create(&[("color", "red")]).is_err());
    /// ```
    pub fn check_create<K: AsRef<str>, V: AsRef<str>>(
        &self,
        fields: &[(K, V)],
    ) -> Result<(), Error> {
        (self.op(self.ops.check_create, "create")?)(Fields::new(fields))
    }

    /// Updates a record safely from `(field, text)` pairs (see [`Resources::update`]).
    pub async fn update<K: AsRef<str>, V: AsRef<str>>(
        &self,
        client: &Client,
        id: u64,
        fields: &[(K, V)],
    ) -> Result<Value, Error> {
        (self.op(self.ops.update, "update")?)(client, id, Fields::new(fields)).await
    }

    /// Deletes a record.
    pub async fn delete(&self, client: &Client, id: u64) -> Result<(), Error> {
        (self.op(self.ops.delete, "delete")?)(client, id).await
    }
}

/// A record as the API names it, values normalised.
fn json<R: Serialize>(record: &R) -> Result<Value, Error> {
    serde_json::to_value(record).map_err(|e| Error::invalid("record", e.to_string()))
}

fn values<R: Serialize>(page: Page<R>) -> Result<Page<Value>, Error> {
    let items = page.items.iter().map(json).collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_pages: page.total_pages,
        unreadable: page.unreadable,
    })
}

#[doc(hidden)]
pub fn list<R: List + Serialize + Send + 'static>(
    client: &Client,
    query: Query,
) -> Answer<'_, Page<Value>> {
    Box::pin(async move { values(Resources::<R>::new(client).list(&query).await?) })
}

#[doc(hidden)]
pub fn all<R: List + Serialize + Send + 'static>(
    client: &Client,
    query: Query,
) -> BoxStream<'_, Result<Value, Error>> {
    Resources::<R>::new(client)
        .list_all(&query)
        .map(|r| r.and_then(|record| json(&record)))
        .boxed()
}

#[doc(hidden)]
pub fn list_in<R: ListIn + Serialize + Send + 'static>(
    client: &Client,
    parent: u64,
    query: Query,
) -> Answer<'_, Page<Value>> {
    Box::pin(async move { values(Resources::<R>::new(client).list_in(parent, &query).await?) })
}

#[doc(hidden)]
pub fn one<R: One + Serialize + Send + 'static>(client: &Client) -> Answer<'_, Value> {
    Box::pin(async move { json(&Resources::<R>::new(client).one().await?) })
}

#[doc(hidden)]
pub fn get<R: Get + Serialize + Send + 'static>(client: &Client, id: u64) -> Answer<'_, Value> {
    Box::pin(async move { json(&Resources::<R>::new(client).get(id).await?) })
}

#[doc(hidden)]
pub fn create<R>(client: &Client, fields: Fields) -> Answer<'_, Value>
where
    R: Create + Serialize + Send + 'static,
    R::Form: FromFields + Send + Sync,
{
    Box::pin(async move {
        let form = R::Form::from_fields(fields)?;
        json(&Resources::<R>::new(client).create(&form).await?)
    })
}

#[doc(hidden)]
pub fn check_create<R>(fields: Fields) -> Result<(), Error>
where
    R: Create,
    R::Form: FromFields,
{
    crate::resource::FormBody::validate(&R::Form::from_fields(fields)?)
}

#[doc(hidden)]
pub fn update<R>(client: &Client, id: u64, fields: Fields) -> Answer<'_, Value>
where
    R: Update + Serialize + Send + 'static,
    <R as Update>::Form: FromFields + Send + Sync,
{
    Box::pin(async move {
        let form = <R as Update>::Form::from_fields(fields)?;
        json(&Resources::<R>::new(client).update(id, &form).await?)
    })
}

#[doc(hidden)]
pub fn delete<R: Delete + Send + 'static>(client: &Client, id: u64) -> Answer<'_, ()> {
    Box::pin(async move { Resources::<R>::new(client).delete(id).await })
}

/// A typed form built from text fields (generated for every form of the spec).
pub trait FromFields: Sized {
    /// The form's fields, in the spec's order.
    const FIELDS: &'static [FieldInfo];

    /// The form from `fields`: each parsed by its kind; a required one missing, a value that
    /// does not parse, a single field given twice or a name the form lacks is
    /// [`Error::InvalidInput`] naming the field.
    fn from_fields(fields: Fields) -> Result<Self, Error>;
}

/// `(field, text)` pairs on their way into a typed form. Names match with or without an
/// array's `[]`, with `-` for `_`.
#[derive(Clone, Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The pairs, in order.
    ///
    /// ```
    /// use bitpeak::catalog::{FromFields, Fields};
    /// use bitpeak::resources::NewProject;
    /// let form = NewProject::from_fields(Fields::new(&[("name", "Production")])).unwrap();
    /// assert_eq!(form.name, "Production");
    /// let unknown = NewProject::from_fields(Fields::new(&[("name", "P"), ("colour", "red")]));
    /// assert!(unknown.unwrap_err().to_string().contains("colour"));
    /// ```
    pub fn new<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Self {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (canonical(k.as_ref()), v.as_ref().to_owned()))
                .collect(),
        )
    }

    fn take(&mut self, name: &str) -> Vec<String> {
        let mut taken = Vec::new();
        self.0.retain(|(k, v)| {
            let hit = k == name.trim_end_matches("[]");
            if hit {
                taken.push(v.clone());
            }
            !hit
        });
        taken
    }

    fn parse<T: FieldValue>(name: &str, text: &str) -> Result<T, Error> {
        T::parse_field(text).map_err(|reason| Error::invalid(canonical(name), reason))
    }

    #[doc(hidden)]
    pub fn opt<T: FieldValue>(&mut self, name: &str) -> Result<Option<T>, Error> {
        match self.take(name).as_slice() {
            [] => Ok(None),
            [one] => Self::parse(name, one).map(Some),
            _ => Err(Error::invalid(canonical(name), "is given more than once")),
        }
    }

    #[doc(hidden)]
    pub fn one<T: FieldValue>(&mut self, name: &str) -> Result<T, Error> {
        self.opt(name)?
            .ok_or_else(|| Error::invalid(canonical(name), "is required"))
    }

    #[doc(hidden)]
    pub fn opt_list<T: FieldValue>(&mut self, name: &str) -> Result<Option<Vec<T>>, Error> {
        let texts = self.take(name);
        if texts.is_empty() {
            return Ok(None);
        }
        texts
            .iter()
            .map(|t| Self::parse(name, t))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    #[doc(hidden)]
    pub fn list<T: FieldValue>(&mut self, name: &str) -> Result<Vec<T>, Error> {
        self.opt_list(name)?
            .ok_or_else(|| Error::invalid(canonical(name), "is required"))
    }

    /// Refuses what is left: names the form does not have.
    #[doc(hidden)]
    pub fn finish(self) -> Result<(), Error> {
        match self.0.into_iter().next() {
            None => Ok(()),
            Some((name, _)) => Err(Error::invalid(name, "is not a field of this form")),
        }
    }
}

/// `is-ok-notifications[]` → `is_ok_notifications`.
fn canonical(name: &str) -> String {
    name.trim().trim_end_matches("[]").replace('-', "_")
}

/// A form field's value read from text.
pub trait FieldValue: Sized {
    /// The value, or why the text is not one.
    fn parse_field(text: &str) -> Result<Self, String>;
}

impl FieldValue for String {
    fn parse_field(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl FieldValue for i64 {
    fn parse_field(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("must be a whole number, not {text:?}"))
    }
}

impl FieldValue for f64 {
    fn parse_field(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("must be a number, not {text:?}"))
    }
}

impl FieldValue for bool {
    fn parse_field(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("must be true or false, not {text:?}")),
        }
    }
}

/// "must be one of: a, b, c" (the generated enums' reason).
#[doc(hidden)]
pub fn one_of<'a>(values: impl Iterator<Item = &'a str>) -> String {
    format!("must be one of: {}", values.collect::<Vec<_>>().join(", "))
}
