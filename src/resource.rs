//! The generic resource: one page, every item, get, create or update (with the saved record
//! read back when the server answers only its id), delete — the same for every resource of
//! the API. A resource supplies its path, its operations' ids and its model (decoded record by
//! record, see [`crate::record`]); the envelope, pagination, errors, retries, idempotency and
//! the size limit are handled here once, through the transport.

use std::sync::Arc;

use futures::Stream;
use reqwest::header::{HeaderValue, ACCEPT};
use reqwest::Method;

use crate::form::Form;
use crate::pagination::{paginate, Page};
use crate::record::{record, saved_record, FromRecord, Saved};

use crate::retry::RetryPolicy;
use crate::transport::Sent;
use crate::wire::{Envelope, ListEnvelope, RawRecord};
use crate::{Client, Error};

/// What the generic layer needs to know of a resource; everything else comes from the spec
/// and [`FromRecord`]. `build.rs` implements it, and the operation traits below, for every
/// resource of `openapi.yaml` whose record schema is marked `x-bitpeak-record`.
pub trait Resource: FromRecord {
    /// The path under the base URL (`notification-handlers`).
    const PATH: &'static str;
    /// The id's name, for messages (`notification_handler_id`).
    const ID: &'static str;
    /// The operation that reads one record by id (`get_…`), if the resource has one: a create
    /// or update answered with `{id}` only is read back through it.
    const READ: Option<&'static str>;
}

/// `GET /path`: the resource is listed, page by page.
pub trait List: Resource {
    /// The operation's id in the spec (tracing spans name it).
    const LIST: &'static str;
    /// The list's query parameters beside `page` and `results_per_page`, as the spec declares
    /// them (filters, search, order; honoured by newer servers only).
    const PARAMS: &'static [Param];
}

/// `GET /path/{id}` answering a list: the records that belong to another one (a team's
/// members, by the team's id).
pub trait ListIn: Resource {
    /// The operation's id in the spec.
    const LIST_IN: &'static str;
}

/// `GET /path` answering one record (the account's user).
pub trait One: Resource {
    /// The operation's id in the spec.
    const ONE: &'static str;
}

/// `GET /path/{id}`.
pub trait Get: Resource {
    /// The operation's id in the spec.
    const GET: &'static str;
}

/// `POST /path` with a form.
pub trait Create: Resource {
    /// The operation's id in the spec (a `create_…` is never repeated unless the server
    /// provably did not act).
    const CREATE: &'static str;
    /// The typed form, generated from the operation's schema.
    type Form: FormBody;
}

/// `POST /path/{id}` with a form.
pub trait Update: Resource {
    /// The operation's id in the spec.
    const UPDATE: &'static str;
    /// The typed form, generated from the operation's schema.
    type Form: FormBody;
    /// The form fields a server clears when they are not sent (`x-bitpeak-resend` in the
    /// spec): an update that leaves one out re-sends the stored value.
    const RESEND: &'static [Resend];
}

/// `DELETE /path/{id}`.
pub trait Delete: Resource {
    /// The operation's id in the spec.
    const DELETE: &'static str;
}

/// A list query parameter as the spec declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// Its wire name (`search_by`).
    pub name: &'static str,
    /// The values it allows; empty when any text is allowed.
    pub values: &'static [&'static str],
    /// Whether it is a day, `YYYY-MM-DD` (the spec's `format: date`).
    pub date: bool,
}

impl Param {
    /// `params` as a query string, each checked against `declared` (the parameters of
    /// `what`) before anything is sent.
    pub(crate) fn checked(
        params: &[(String, String)],
        declared: &[Param],
        what: &str,
    ) -> Result<Vec<(String, String)>, Error> {
        let mut wire = Vec::with_capacity(params.len());
        for (name, value) in params {
            let Some(param) = declared.iter().find(|p| p.name == name) else {
                let known: Vec<&str> = declared.iter().map(|p| p.name).collect();
                return Err(Error::invalid(
                    name.as_str(),
                    format!("is not a parameter of {what} (they take: {known:?})"),
                ));
            };
            if !param.values.is_empty() && !param.values.contains(&value.as_str()) {
                return Err(Error::invalid(
                    name.as_str(),
                    format!("must be one of {:?}", param.values),
                ));
            }
            if param.date && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
                return Err(Error::invalid(name.as_str(), "must be a date, YYYY-MM-DD"));
            }
            wire.push((name.clone(), value.clone()));
        }
        Ok(wire)
    }
}

/// A form field that a server clears when an update leaves it out, and where its stored value
/// is read in the record (`settings.response_headers[].name`: `[]` walks an array).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resend {
    /// The form field's wire name (`project_id`, `response_header_name[]`).
    pub field: &'static str,
    /// Where the record stores it.
    pub from: &'static str,
    /// A flag (`1`/`0`): a stored value other than `0`/`false` (a handler's `is_enabled: 2`,
    /// switched on but unconfirmed) is re-sent as `1`.
    pub flag: bool,
}

impl Resend {
    /// A stored value as the form sends it.
    pub(crate) fn text(&self, stored: String) -> String {
        let off = matches!(stored.trim(), "" | "0" | "false");
        match (self.flag, off) {
            (false, _) => stored,
            (true, true) => "0".to_owned(),
            (true, false) => "1".to_owned(),
        }
    }
}

/// A create or update form: checked before anything is sent, then sent as its wire fields.
pub trait FormBody {
    /// Checks the form against the spec (required fields, allowed values, lengths, ranges):
    /// [`Error::InvalidInput`] naming the first field at fault.
    fn validate(&self) -> Result<(), Error>;

    /// The wire fields, in the spec's order: arrays as repeated `name[]`, booleans `1`/`0`,
    /// absent options left out (values are trimmed when sent).
    fn fields(&self) -> Vec<(&'static str, String)>;
}

/// One resource's requests, for one client and retry policy.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint<'a> {
    client: &'a Client,
    policy: Option<RetryPolicy>,
}

impl<'a> Endpoint<'a> {
    pub(crate) fn new(client: &'a Client, policy: Option<RetryPolicy>) -> Self {
        Endpoint { client, policy }
    }

    /// Page `number` of `R` by `operation`: its list (`parent` is `None`), or the records
    /// inside record `parent` (`GET /path/{parent}`); `query` (filters, page size) beside
    /// the page number.
    pub(crate) async fn page<R: Resource>(
        &self,
        operation: &'static str,
        parent: Option<u64>,
        query: &[(String, String)],
        number: u64,
        per_page: u64,
    ) -> Result<Page<R>, Error> {
        if let Some(parent) = parent {
            check_id::<R>(parent)?;
        }
        if number == 0 || i64::try_from(number).is_err() {
            return Err(Error::invalid(
                "page",
                "must be between 1 and 2^63 - 1 (the spec's int64)",
            ));
        }
        let url = self.url::<R>(parent);
        let page = number.to_string();
        let build = || {
            self.request(Method::GET, &url)
                .query(&[("page", page.as_str())])
                .query(query)
                .build()
        };
        let sent = self.send(operation, build).await;
        let list: ListEnvelope = crate::classify::json(sent)
            .await
            .map_err(|e| unavailable::<R>(e, parent))?;
        Ok(Page::from_list(list, number, per_page))
    }

    /// Every `R` from page `first` on, `concurrency` pages in flight (see [`paginate`]).
    pub(crate) fn all<R: List + 'a>(
        self,
        query: Vec<(String, String)>,
        first: u64,
        per_page: u64,
        concurrency: usize,
    ) -> impl Stream<Item = Result<R, Error>> + 'a {
        let query = Arc::new(query);
        paginate(first, concurrency, move |number| {
            let endpoint = self.clone();
            let query = Arc::clone(&query);
            async move {
                endpoint
                    .page::<R>(R::LIST, None, &query, number, per_page)
                    .await
            }
        })
    }

    /// One `R` by the `operation` that reads it: record `id`, or the one there is (`GET
    /// /path`, the user) when `id` is `None`.
    pub(crate) async fn read<R: Resource>(
        &self,
        operation: &'static str,
        id: Option<u64>,
    ) -> Result<R, Error> {
        if let Some(id) = id {
            check_id::<R>(id)?;
        }
        let url = self.url::<R>(id);
        let sent = self
            .send(operation, || self.request(Method::GET, &url).build())
            .await;
        let answer = crate::classify::json::<Envelope>(sent)
            .await
            .map_err(|e| unavailable::<R>(e, id))?;
        record(answer.data)
    }

    /// Deletes an `R`. When a retry follows an attempt that may have been carried out, a
    /// `404` means it was: done.
    pub(crate) async fn delete<R: Delete>(&self, id: u64) -> Result<(), Error> {
        check_id::<R>(id)?;
        let url = self.url::<R>(Some(id));
        let sent = self
            .send(R::DELETE, || self.request(Method::DELETE, &url).build())
            .await;
        let maybe_applied = sent.maybe_applied;
        match crate::classify::empty(sent)
            .await
            .map_err(|e| unavailable::<R>(e, Some(id)))
        {
            Err(Error::NotFound { .. }) if maybe_applied => Ok(()),
            other => other,
        }
    }

    /// Creates (`id` is `None`) or updates an `R` with `form` by `operation`, and returns it
    /// as the server stored it: from the answer when the server sends the whole record, else
    /// read back by id ([`Error::SavedButUnread`] when that fails: the change was made). A
    /// resource that cannot be read by id returns the `{id}` answer as its record.
    pub(crate) async fn save<R: Resource>(
        &self,
        operation: &'static str,
        id: Option<u64>,
        form: &Form,
    ) -> Result<R, Error> {
        if let Some(id) = id {
            check_id::<R>(id)?;
        }
        let url = self.url::<R>(id);
        let build = || {
            self.request(Method::POST, &url)
                .multipart(form.to_multipart())
                .build()
        };
        let sent = self.send(operation, build).await;
        let outcome_unknown = sent.outcome_unknown;
        let saved = crate::classify::json::<Envelope>(sent)
            .await
            .map_err(|e| unavailable::<R>(e, id))
            .and_then(|answer| saved_record(answer.data));
        match (saved, R::READ) {
            (Err(e), _) if outcome_unknown => Err(Error::OutcomeUnknown(Box::new(e))),
            (Err(e), _) => Err(e),
            (Ok(Saved::Record(r)), _) => Ok(r),
            (Ok(Saved::Id(id)), Some(read)) => {
                self.read(read, Some(id))
                    .await
                    .map_err(|e| Error::SavedButUnread {
                        id,
                        source: Box::new(e),
                    })
            }
            (Ok(Saved::Id(id)), None) => {
                let answer = RawRecord::of(&serde_json::json!({ "id": id }))
                    .map_err(|e| Error::decode(reqwest::StatusCode::OK, b"", &e.to_string()))?;
                record(answer)
            }
        }
    }

    fn url<R: Resource>(&self, id: Option<u64>) -> String {
        match id {
            None => format!("{}/{}", self.client.base_url(), R::PATH),
            Some(id) => format!("{}/{}/{id}", self.client.base_url(), R::PATH),
        }
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .http()
            .request(method, url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
    }

    async fn send(
        &self,
        operation: &'static str,
        build: impl Fn() -> reqwest::Result<reqwest::Request>,
    ) -> Sent {
        self.client
            .send(self.policy.as_ref(), operation, build)
            .await
    }
}

/// `error` as met by a request of `R` on record `id`, or on the collection when `id` is
/// `None` (a resource the server lacks or has switched off says so, naming it).
fn unavailable<R: Resource>(error: Error, id: Option<u64>) -> Error {
    crate::classify::for_resource(error, R::PATH, id.is_none())
}

/// Refuses, before anything is sent, an id of 0 (the API's ids start at 1) and one past the
/// spec's int64 (PHP's `(int)` would turn it into another id).
pub(crate) fn check_id<R: Resource>(id: u64) -> Result<(), Error> {
    check_id_named(R::ID, id)
}

/// [`check_id`] for an id parameter of any name (`status_page_id`).
pub(crate) fn check_id_named(name: &str, id: u64) -> Result<(), Error> {
    if id == 0 || i64::try_from(id).is_err() {
        return Err(Error::invalid(
            name,
            "ids are between 1 and 2^63 - 1 (the spec's int64)",
        ));
    }
    Ok(())
}
