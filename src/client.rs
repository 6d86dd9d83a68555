//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Url;

use crate::raw;
use crate::retry::{RetryPolicy, Throttle};
use crate::transport::{Sent, Shared, Transport};
use crate::Error;

/// The public BitPeak instance.
pub const DEFAULT_BASE_URL: &str = "https://bitpeak.ru/api";
/// Default time limit for one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest answer body read: 32 MiB, some eight times the largest real page (1000
/// records of the largest resource).
pub const DEFAULT_MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// Default time limit for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A BitPeak API client. Cheap to clone; clones share one connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), bitpeak::Error> {
/// let client = bitpeak::Client::new("my-api-key")?;
/// let page = client.monitors().list(&bitpeak::resources::Query::new()).await?;
/// for monitor in &page.items {
///     println!("{} {:?}", monitor.id, monitor.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    /// The site's root, where heartbeats are pinged.
    site_url: String,
    http: reqwest::Client,
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the public instance (`https://bitpeak.ru/api`) with default settings.
    ///
    /// Fails with [`Error::InvalidInput`] if the key is empty or contains whitespace.
    pub fn new(api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder().api_key(api_key).build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The site's root, where heartbeats are pinged: [`ClientBuilder::site_url`], or the base
    /// URL without its final `/api`.
    pub fn site_url(&self) -> &str {
        &self.inner.site_url
    }

    /// The generated client, sharing this client's connection pool, key and settings: an
    /// escape hatch for anything the ergonomic layer does not cover.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let answer = client.raw().get_notification_handler(std::num::NonZeroU64::MIN).await?;
    /// // Records come raw (each is decoded on its own by the ergonomic layer).
    /// println!("{}", answer.into_inner().data.json());
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw(&self) -> raw::Client {
        raw::Client::new_with_client(
            &self.inner.base_url,
            self.inner.http.clone(),
            self.inner.transport.clone(),
        )
    }

    /// Sends a request built by `build` (rebuilt for each attempt) through the transport:
    /// what the call came to.
    pub(crate) async fn send(
        &self,
        policy: Option<&RetryPolicy>,
        operation: &'static str,
        build: impl Fn() -> reqwest::Result<reqwest::Request>,
    ) -> Sent {
        self.inner
            .transport
            .send(&self.inner.http, policy, operation, build(), || {
                Some(build())
            })
            .await
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

/// Settings for a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = bitpeak::Client::builder()
///     .base_url("https://status.example.org/api")
///     .api_key("my-api-key")
///     .timeout(Duration::from_secs(10))
///     .user_agent("my-service/1.0")
///     .build()?;
/// assert_eq!(client.base_url(), "https://status.example.org/api");
/// # Ok::<(), bitpeak::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    site_url: Option<String>,
    api_key: Option<Hidden<String>>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<Hidden<reqwest::Client>>,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    max_answer_bytes: Option<u64>,
}

/// A setting whose `Debug` shows only a label: the key must never appear.
struct Hidden<T>(T, &'static str);

impl<T> fmt::Debug for Hidden<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.1.fmt(f)
    }
}

impl ClientBuilder {
    /// The builder with `set` applied.
    fn with(mut self, set: impl FnOnce(&mut Self)) -> Self {
        set(&mut self);
        self
    }

    /// The API's base URL, e.g. `https://status.example.org/api` for a self-hosted
    /// instance. Default: [`DEFAULT_BASE_URL`].
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.with(|b| b.base_url = Some(url.into()))
    }

    /// The site's root URL, where heartbeats are pinged (`<site>/webhook-heartbeat/<code>`),
    /// when it is not the base URL without its final `/api` (the default): e.g. an instance
    /// whose API is served through another path.
    ///
    /// ```
    /// let client = bitpeak::Client::builder()
    ///     .base_url("https://gateway.example.org/uptime-api")
    ///     .site_url("https://status.example.org")
    ///     .api_key("key")
    ///     .build()?;
    /// assert_eq!(client.site_url(), "https://status.example.org");
    /// # Ok::<(), bitpeak::Error>(())
    /// ```
    pub fn site_url(self, url: impl Into<String>) -> Self {
        self.with(|b| b.site_url = Some(url.into()))
    }

    /// The API key, sent as `Authorization: Bearer <key>`. Required.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.with(|b| b.api_key = Some(Hidden(key.into(), "<redacted>")))
    }

    /// Time limit for one attempt, from connecting to the end of the body (the whole call,
    /// retries included, is bounded by [`RetryPolicy::deadline`]). Default: [`DEFAULT_TIMEOUT`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|b| b.timeout = Some(timeout))
    }

    /// Time limit for opening a connection. Default: [`DEFAULT_CONNECT_TIMEOUT`]. Ignored
    /// with [`ClientBuilder::http_client`], whose own setting applies.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with(|b| b.connect_timeout = Some(timeout))
    }

    /// The `User-Agent` header. Default: `bitpeak-rust/<version>`.
    pub fn user_agent(self, agent: impl Into<String>) -> Self {
        self.with(|b| b.user_agent = Some(agent.into()))
    }

    /// Use this `reqwest::Client` (proxies, custom roots, …). Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: a followed redirect would carry the
    /// key to wherever it points.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        self.with(|b| b.http = Some(Hidden(client, "<custom reqwest::Client>")))
    }

    /// Allow a plain `http://` base URL on a host other than loopback. Off by default, so the
    /// key is never sent in clear text by accident.
    pub fn allow_insecure_http(self, allow: bool) -> Self {
        self.with(|b| b.allow_insecure_http = allow)
    }

    /// The largest answer body read, in bytes; default [`DEFAULT_MAX_ANSWER_BYTES`]. A larger
    /// `Content-Length` is refused before reading, a body without one once that many bytes
    /// arrived: [`Error::AnswerTooLarge`], never retried. Memory stays bounded whatever a
    /// server (or a proxy, or a captive portal) sends.
    ///
    /// ```
    /// let client = bitpeak::Client::builder().api_key("k").max_answer_bytes(1 << 20).build()?;
    /// # Ok::<(), bitpeak::Error>(())
    /// ```
    pub fn max_answer_bytes(self, bytes: u64) -> Self {
        self.with(|b| b.max_answer_bytes = Some(bytes))
    }

    /// How failed requests are retried (see [`RetryPolicy`]); default
    /// `RetryPolicy::default()`. Each call can override it with
    /// [`crate::resources::Resources::with_retry_policy`].
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        self.with(|b| b.retry = policy)
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base_url = check_base_url(base_url, "base_url", self.allow_insecure_http)?;
        let site_url = match &self.site_url {
            Some(site) => check_base_url(site, "site_url", self.allow_insecure_http)?,
            None => base_url
                .strip_suffix("/api")
                .unwrap_or(&base_url)
                .to_owned(),
        };

        let Hidden(key, _) = self
            .api_key
            .ok_or_else(|| Error::invalid("api_key", "an API key is required"))?;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "api_key",
                "must be one run of printable ASCII characters without spaces",
            ));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| Error::invalid("api_key", "must be printable ASCII"))?;
        auth.set_sensitive(true);

        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("bitpeak-rust/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::invalid("user_agent", "must be printable ASCII"))?;

        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let client_applies_timeout = self.http.is_none();
        let http = match self.http {
            Some(Hidden(http, _)) => http,
            None => {
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .timeout(timeout);
                // A proxy from the environment would carry a plain-http request, key and all,
                // in clear text to wherever it is: plain http goes straight to the server.
                if base_url.starts_with("http://") {
                    builder = builder.no_proxy();
                }
                builder
                    .build()
                    .map_err(|e| Error::invalid("http_client", e.to_string()))?
            }
        };
        let shared = Shared {
            auth,
            api_prefix: format!("{base_url}/"),
            user_agent,
            timeout,
            client_applies_timeout,
            policy: self.retry,
            throttle: Throttle::default(),
            timer_keeper: Default::default(),
            max_answer_bytes: self.max_answer_bytes.unwrap_or(DEFAULT_MAX_ANSWER_BYTES),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                site_url,
                base_url,
                http,
                transport: Transport {
                    shared: Arc::new(shared),
                },
            }),
        })
    }
}

/// Parses a base URL (`field`: `base_url` or `site_url`), refuses clear-text HTTP off
/// loopback, and drops a trailing slash.
fn check_base_url(raw: &str, field: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let bad = |reason: String| Err(Error::invalid(field, reason));
    // The text is not echoed: it may hold a password.
    let url = Url::parse(raw).map_err(|e| Error::invalid(field, format!("not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return bad(
            "must not carry a user name or password (the API key is the credential)".into(),
        );
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        "http" => return bad("plain http:// would send the API key in clear text; use https:// or allow_insecure_http(true)".into()),
        other => return bad(format!("the scheme must be https (or http), not {other:?}")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return bad("must not carry a query or fragment".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
