//! The notification-handlers resource: list, list_all, get, create, update, delete.

use futures::Stream;

use super::model::{check_name, Channel, NotificationHandler, CREATE, UPDATE};
use crate::form::Form;
use crate::pagination::{Page, PerPage};
use crate::resource::{check_id, Endpoint};
use crate::retry::RetryPolicy;
use crate::{Client, Error};

/// Sort keys for [`ListParams::order_by`] (newer servers only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderBy {
    /// By id (`notification_handler_id`).
    Id,
    /// By creation time (`datetime`).
    CreatedAt,
    /// By last firing (`last_datetime`).
    LastFiredAt,
    /// By name.
    Name,
}

/// Sort direction for [`ListParams::order`] (newer servers only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortOrder {
    /// Ascending (`ASC`).
    Asc,
    /// Descending (`DESC`).
    Desc,
}

/// What to list. The filters are honoured by newer servers only; older ones ignore them.
///
/// ```
/// use bitpeak::{ListParams, PerPage, OrderBy, SortOrder};
/// let params = ListParams::new()
///     .per_page(PerPage::P100)
///     .kind("email")
///     .search("ops")
///     .order_by(OrderBy::Name, SortOrder::Asc);
/// assert_eq!(params.per_page, PerPage::P100);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListParams {
    /// The page to fetch, or to start from in `list_all` (1-based; default 1).
    pub page: Option<u64>,
    /// The page size (default 25).
    pub per_page: PerPage,
    /// Only handlers of this wire type (`type`).
    pub kind: Option<String>,
    /// Only handlers whose name contains this text (`search` with `search_by=name`).
    pub search: Option<String>,
    /// Sort key (`order_by`).
    pub order_by: Option<OrderBy>,
    /// Sort direction (`order_type`).
    pub order: Option<SortOrder>,
    /// For `list_all`: how many pages may be in flight at once (default 4, at most
    /// [`crate::MAX_CONCURRENCY`]; 1 fetches one page after another). The rate-limit throttle
    /// still applies to each request.
    pub concurrency: Option<usize>,
}

pub use crate::pagination::DEFAULT_CONCURRENCY;

impl ListParams {
    /// Page 1, 25 per page, no filter.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the page.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }
    /// Sets the page size.
    pub fn per_page(mut self, per_page: PerPage) -> Self {
        self.per_page = per_page;
        self
    }
    /// Filters by wire type.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
    /// Filters by name.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }
    /// Sets how many pages `list_all` keeps in flight.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = Some(pages);
        self
    }
    /// Sorts.
    pub fn order_by(mut self, key: OrderBy, order: SortOrder) -> Self {
        self.order_by = Some(key);
        self.order = Some(order);
        self
    }

    /// The query parameters besides `page`, by their wire names.
    fn query(&self) -> Vec<(String, String)> {
        let mut query = vec![("results_per_page", self.per_page.get().to_string())];
        if let Some(kind) = &self.kind {
            query.push(("type", kind.clone()));
        }
        if let Some(text) = &self.search {
            query.push(("search", text.clone()));
            query.push(("search_by", "name".to_owned()));
        }
        if let Some(key) = self.order_by {
            let key = match key {
                OrderBy::Id => "notification_handler_id",
                OrderBy::CreatedAt => "datetime",
                OrderBy::LastFiredAt => "last_datetime",
                OrderBy::Name => "name",
            };
            query.push(("order_by", key.to_owned()));
        }
        if let Some(order) = self.order {
            let order = match order {
                SortOrder::Asc => "ASC",
                SortOrder::Desc => "DESC",
            };
            query.push(("order_type", order.to_owned()));
        }
        query.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

/// A handler to create.
///
/// ```
/// use bitpeak::{Channel, NewNotificationHandler};
/// let new = NewNotificationHandler::new("Ops mailbox", Channel::email("ops@example.com"));
/// assert_eq!(new.channel.kind(), Some("email"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewNotificationHandler {
    /// Display name (1–128 characters).
    pub name: String,
    /// Type and settings.
    pub channel: Channel,
}

impl NewNotificationHandler {
    /// A handler named `name` delivering to `channel`.
    pub fn new(name: impl Into<String>, channel: Channel) -> Self {
        NewNotificationHandler {
            name: name.into(),
            channel,
        }
    }
}

/// Changes to a handler; what is `None` stays as it is.
///
/// ```
/// use bitpeak::HandlerUpdate;
/// let changes = HandlerUpdate::new().name("Renamed").enabled(false);
/// assert_eq!(changes.enabled, Some(false));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandlerUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new type and settings.
    pub channel: Option<Channel>,
    /// Switch on (`true`) or off (`false`).
    ///
    /// A 2026 server keeps an email handler whose address is not confirmed
    /// ([`crate::HandlerState::PendingConfirmation`]) pending whatever is sent, so switching it
    /// off takes effect only once the address is confirmed: the handler that
    /// [`NotificationHandlers::update`] returns is read back and shows the state the server
    /// kept.
    pub enabled: Option<bool>,
}

impl HandlerUpdate {
    /// No change.
    pub fn new() -> Self {
        Self::default()
    }
    /// Renames.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Changes the type and settings.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }
    /// Switches on or off (see [`HandlerUpdate::enabled`](HandlerUpdate#structfield.enabled)
    /// for what a 2026 server does with an unconfirmed email handler).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }
}

/// The notification-handlers resource, from [`Client::notification_handlers`].
#[derive(Clone, Debug)]
pub struct NotificationHandlers<'a> {
    client: &'a Client,
    policy: Option<RetryPolicy>,
}

impl<'a> NotificationHandlers<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        NotificationHandlers {
            client,
            policy: None,
        }
    }

    /// The same resource, with calls retried by `policy` instead of the client's.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// let handler = client
    ///     .notification_handlers()
    ///     .with_retry_policy(bitpeak::RetryPolicy::none())
    ///     .get(7)
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// One page of handlers.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use bitpeak::{ListParams, PerPage};
    /// let page = client.notification_handlers().list(ListParams::new().per_page(PerPage::P50)).await?;
    /// println!("page {} of {}, {} handlers", page.page, page.total_pages, page.items.len());
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip_all, fields(page = params.page.unwrap_or(1)))]
    pub async fn list(&self, params: ListParams) -> Result<Page<NotificationHandler>, Error> {
        let number = params.page.unwrap_or(1);
        self.endpoint()
            .page(&params.query(), number, params.per_page.get())
            .await
    }

    /// Every handler from `params.page` (default 1) on, as a lazy stream, in page order.
    ///
    /// Page 1 is fetched first to learn `total_pages`; then up to `params.concurrency`
    /// (default 4) pages are in flight at once and at most that many are held in memory.
    /// Pages are fetched by number up to the `total_pages` the latest page reports (`links`
    /// are never followed), each retried on its own. A handler already yielded is not yielded
    /// again: offset pagination shifts when handlers are created or deleted during the
    /// listing, which can repeat one (filtered here) or skip one (list again to be sure).
    ///
    /// A server's `total_pages` alone does not keep it going: the listing ends (with a `warn`
    /// event) when a page before the claimed last comes back empty or short, when a full page
    /// brings nothing new, or after [`crate::MAX_PAGES`] pages.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.notification_handlers().list_all(Default::default()).try_collect().await?;
    /// println!("{} handlers", all.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<NotificationHandler, Error>> + 'a {
        let first = params.page.unwrap_or(1);
        let concurrency = params.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
        self.endpoint()
            .all(params.query(), first, params.per_page.get(), concurrency)
    }

    /// One handler.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn get(&self, id: u64) -> Result<NotificationHandler, Error> {
        self.endpoint().get(id).await
    }

    /// Creates a handler and returns it as the server stored it. Validates it first: nothing
    /// is sent for a blank or over-long name, a missing, over-long or malformed setting.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use bitpeak::{Channel, NewNotificationHandler};
    /// let created = client
    ///     .notification_handlers()
    ///     .create(&NewNotificationHandler::new("Ops", Channel::email("ops@example.com")))
    ///     .await?;
    /// println!("created {}", created.id);
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip_all, fields(kind = new.channel.kind()))]
    pub async fn create(&self, new: &NewNotificationHandler) -> Result<NotificationHandler, Error> {
        check_name(&new.name)?;
        new.channel.validate()?;
        self.endpoint()
            .save(CREATE, None, &form(&new.name, &new.channel))
            .await
    }

    /// Updates a handler safely and returns it as it stands afterwards.
    ///
    /// Some server versions reset what an update does not send, so this reads the handler,
    /// applies `changes`, and sends `name`, `type`, every settings field of the type and
    /// `is_enabled` (`1`, or `0` when disabled; a handler pending email confirmation is sent
    /// as `1`; a state this crate does not know is not sent unless `changes` sets one).
    ///
    /// A handler whose type or settings could not be read (see
    /// [`Channel::unsendable_reason`]) is not re-sent as it stands: give `changes` a channel,
    /// or nothing is sent and the answer is [`Error::InvalidInput`] naming `type`.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use bitpeak::HandlerUpdate;
    /// let updated = client
    ///     .notification_handlers()
    ///     .update(7, &HandlerUpdate::new().name("On-call").enabled(false))
    ///     .await?;
    /// assert_eq!(updated.name, "On-call");
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip(self, changes))]
    pub async fn update(
        &self,
        id: u64,
        changes: &HandlerUpdate,
    ) -> Result<NotificationHandler, Error> {
        check_id::<NotificationHandler>(id)?;
        if let Some(name) = &changes.name {
            check_name(name)?;
        }
        if let Some(channel) = &changes.channel {
            channel.validate()?;
        }
        let current = self.get(id).await?;
        let name = changes.name.as_deref().unwrap_or(&current.name);
        let channel = match &changes.channel {
            Some(channel) => channel,
            None => match current.channel.unsendable_reason() {
                Some(why) => {
                    return Err(Error::invalid(
                        "type",
                        format!(
                            "handler #{id} cannot be re-sent as stored ({why}); give it a channel"
                        ),
                    ))
                }
                None => &current.channel,
            },
        };
        let mut form = form(name, channel);
        if let Some(enabled) = changes.enabled.or(current.state.is_on()) {
            form = form.flag("is_enabled", enabled);
        }
        self.endpoint().save(UPDATE, Some(id), &form).await
    }

    /// Deletes a handler. When a retry follows an attempt that may have been carried out
    /// (a timeout, a dropped connection, a `5xx`), a `404` means it was: the call succeeds.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn delete(&self, id: u64) -> Result<(), Error> {
        self.endpoint().delete::<NotificationHandler>(id).await
    }

    fn endpoint(&self) -> Endpoint<'a> {
        Endpoint::new(self.client, self.policy.clone())
    }
}

/// A handler's create or update form: `name`, `type` (when the channel has one), then every
/// settings field of the channel, in the document's order.
fn form(name: &str, channel: &Channel) -> Form {
    let form = Form::new()
        .text("name", name)
        .text_opt("type", channel.kind());
    channel
        .fields()
        .into_iter()
        .fold(form, |form, (field, value)| form.text(field, value))
}
