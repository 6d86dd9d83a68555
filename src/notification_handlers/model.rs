//! The notification-handler model, decoded from each record on its own (see
//! [`crate::record`]).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::record::{record_id, FromRecord, UnreadableRecord};
use crate::wire::{Flag, Int, JsonObject, RawRecord, Text, When};
use crate::Error;

/// Longest `name` the servers accept, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest value the servers keep, in characters (they cut the rest).
pub const MAX_VALUE_CHARS: usize = 512;

/// A notification handler: where an account's alerts go.
///
/// Decoded liberally: whatever a field holds that cannot be read shows as unknown
/// ([`Channel::Unknown`], [`HandlerState::Unknown`], `None` dates, an empty name), and the
/// record exactly as the server sent it stays reachable through [`NotificationHandler::raw`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NotificationHandler {
    /// The handler's id.
    pub id: u64,
    /// Its display name (empty when the server sent none, or no text).
    pub name: String,
    /// Where it delivers, with the settings of that channel.
    pub channel: Channel,
    /// Enabled, disabled, waiting for email confirmation, or a state this crate does not know.
    pub state: HandlerState,
    /// When it last fired (`last_datetime`): `None` if never, or if the server's value is not
    /// a date (empty, MySQL's zero date).
    pub last_fired_at: Option<DateTime<Utc>>,
    /// When it was created (`datetime`); `None` when the server's value is not a date.
    pub created_at: Option<DateTime<Utc>>,
    raw: RawRecord,
}

impl NotificationHandler {
    /// The record exactly as the server sent it, with every field, including those this
    /// model does not read or could not read.
    ///
    /// ```
    /// let body = br#"{"data": {"id": 1, "type": "email", "name": "W", "settings": {"email": "a@b.co"},
    ///     "is_enabled": 1, "datetime": "2025-12-05 14:29:14", "team_id": 9}}"#;
    /// let handler = bitpeak::decode::handler(body)?;
    /// assert_eq!(handler.raw().to_value()["team_id"], 9);
    /// # Ok::<(), bitpeak::Error>(())
    /// ```
    pub fn raw(&self) -> &RawRecord {
        &self.raw
    }
}

/// Whether a handler delivers alerts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandlerState {
    /// Delivers alerts.
    Enabled,
    /// Does not deliver alerts.
    Disabled,
    /// An email handler waiting for its address to be confirmed (`is_enabled: 2`).
    PendingConfirmation,
    /// A state this crate does not know: the server's integer (a later version's state), or
    /// `None` when `is_enabled` was missing or not a number.
    Unknown(Option<i64>),
}

impl HandlerState {
    /// `Some(true)` for [`HandlerState::Enabled`] and [`HandlerState::PendingConfirmation`]
    /// (switched on, even if the address is not confirmed yet), `Some(false)` for
    /// [`HandlerState::Disabled`], `None` for an unknown state.
    ///
    /// ```
    /// use bitpeak::HandlerState;
    /// assert_eq!(HandlerState::PendingConfirmation.is_on(), Some(true));
    /// assert_eq!(HandlerState::Unknown(Some(5)).is_on(), None);
    /// ```
    pub fn is_on(self) -> Option<bool> {
        match self {
            HandlerState::Enabled | HandlerState::PendingConfirmation => Some(true),
            HandlerState::Disabled => Some(false),
            HandlerState::Unknown(_) => None,
        }
    }

    /// The state of an `is_enabled` value: `0`/`false`, `1`/`true`, `2`, anything else.
    fn from_wire(value: Option<i64>) -> Self {
        match value {
            Some(0) => HandlerState::Disabled,
            Some(1) => HandlerState::Enabled,
            Some(2) => HandlerState::PendingConfirmation,
            other => HandlerState::Unknown(other),
        }
    }
}

/// The handler's type together with that type's settings.
///
/// The wire names (`slack`, `x_consumer_key`, …) stay in [`Channel::kind`] and
/// [`Channel::fields`]; the variants use the user's words.
///
/// ```
/// use bitpeak::Channel;
/// let channel = Channel::telegram("123456:ABC", "-1001234567890");
/// assert_eq!(channel.kind(), Some("telegram"));
/// assert_eq!(channel.fields(), vec![("telegram", "123456:ABC"), ("telegram_chat_id", "-1001234567890")]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Channel {
    /// `email`: mail to an address.
    Email {
        /// The address (`email`).
        address: String,
    },
    /// `webhook`: a POST to a URL.
    Webhook {
        /// The http(s) URL (`webhook`).
        url: String,
    },
    /// `slack`: a Slack incoming webhook.
    Slack {
        /// The webhook URL (`slack`).
        webhook_url: String,
    },
    /// `discord`: a Discord webhook.
    Discord {
        /// The webhook URL (`discord`).
        webhook_url: String,
    },
    /// `telegram`: a message from a bot to a chat.
    Telegram {
        /// The bot's API token (`telegram`).
        bot_token: String,
        /// The chat id (`telegram_chat_id`).
        chat_id: String,
    },
    /// `microsoft_teams`: a Microsoft Teams webhook.
    MicrosoftTeams {
        /// The webhook URL (`microsoft_teams`).
        webhook_url: String,
    },
    /// `x`: a post on X (Twitter), with OAuth 1.0a credentials.
    X {
        /// `x_consumer_key`.
        consumer_key: String,
        /// `x_consumer_secret`.
        consumer_secret: String,
        /// `x_access_token`.
        access_token: String,
        /// `x_access_token_secret`.
        access_token_secret: String,
    },
    /// `google_chat`: a Google Chat webhook.
    GoogleChat {
        /// The webhook URL (`google_chat`).
        webhook_url: String,
    },
    /// `internal_notification`: in-app notifications; no settings.
    InternalNotification,
    /// What this crate cannot express as one of the variants above, kept as received so it
    /// is never lost: a type it does not know (a server may enable new ones), no type at all
    /// (servers store a type they do not support as `null`), or a known type whose settings
    /// could not be read (then `settings` is empty; [`NotificationHandler::raw`] has them).
    /// It cannot be created.
    Unknown {
        /// The wire type, or `None` when the server sent none.
        kind: Option<String>,
        /// The settings object as received (empty when it was empty or unreadable).
        settings: Map<String, Value>,
    },
}

/// The nine documented types' wire names.
pub const KINDS: [&str; 9] = [
    "email",
    "webhook",
    "slack",
    "discord",
    "telegram",
    "microsoft_teams",
    "x",
    "google_chat",
    "internal_notification",
];

impl Channel {
    /// An email channel.
    pub fn email(address: impl Into<String>) -> Self {
        Channel::Email {
            address: address.into(),
        }
    }
    /// A webhook channel.
    pub fn webhook(url: impl Into<String>) -> Self {
        Channel::Webhook { url: url.into() }
    }
    /// A Slack channel.
    pub fn slack(webhook_url: impl Into<String>) -> Self {
        Channel::Slack {
            webhook_url: webhook_url.into(),
        }
    }
    /// A Discord channel.
    pub fn discord(webhook_url: impl Into<String>) -> Self {
        Channel::Discord {
            webhook_url: webhook_url.into(),
        }
    }
    /// A Telegram channel.
    pub fn telegram(bot_token: impl Into<String>, chat_id: impl Into<String>) -> Self {
        Channel::Telegram {
            bot_token: bot_token.into(),
            chat_id: chat_id.into(),
        }
    }
    /// A Microsoft Teams channel.
    pub fn microsoft_teams(webhook_url: impl Into<String>) -> Self {
        Channel::MicrosoftTeams {
            webhook_url: webhook_url.into(),
        }
    }
    /// An X (Twitter) channel.
    pub fn x(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Self {
        Channel::X {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            access_token: access_token.into(),
            access_token_secret: access_token_secret.into(),
        }
    }
    /// A Google Chat channel.
    pub fn google_chat(webhook_url: impl Into<String>) -> Self {
        Channel::GoogleChat {
            webhook_url: webhook_url.into(),
        }
    }

    /// The wire type (`email`, `microsoft_teams`, …); `None` for a handler the server
    /// stored without one.
    pub fn kind(&self) -> Option<&str> {
        Some(match self {
            Channel::Email { .. } => "email",
            Channel::Webhook { .. } => "webhook",
            Channel::Slack { .. } => "slack",
            Channel::Discord { .. } => "discord",
            Channel::Telegram { .. } => "telegram",
            Channel::MicrosoftTeams { .. } => "microsoft_teams",
            Channel::X { .. } => "x",
            Channel::GoogleChat { .. } => "google_chat",
            Channel::InternalNotification => "internal_notification",
            Channel::Unknown { kind, .. } => return kind.as_deref(),
        })
    }

    /// The settings as `(form field, value)` pairs, in the document's order. For an
    /// [`Channel::Unknown`] type, its string-valued settings.
    pub fn fields(&self) -> Vec<(&str, &str)> {
        let values: Vec<&str> = match self {
            Channel::Email { address: v }
            | Channel::Webhook { url: v }
            | Channel::Slack { webhook_url: v }
            | Channel::Discord { webhook_url: v }
            | Channel::MicrosoftTeams { webhook_url: v }
            | Channel::GoogleChat { webhook_url: v } => vec![v],
            Channel::Telegram { bot_token, chat_id } => vec![bot_token, chat_id],
            Channel::X {
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
            } => vec![
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
            ],
            Channel::InternalNotification => Vec::new(),
            Channel::Unknown { settings, .. } => {
                return settings
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                    .collect()
            }
        };
        Self::field_names(self.kind().unwrap_or_default())
            .iter()
            .copied()
            .zip(values)
            .collect()
    }

    /// The settings fields (form field names) of a documented wire type, in the document's
    /// order; empty for `internal_notification` and for types this crate does not know.
    ///
    /// ```
    /// assert_eq!(bitpeak::Channel::field_names("telegram"), ["telegram", "telegram_chat_id"]);
    /// ```
    pub fn field_names(kind: &str) -> &'static [&'static str] {
        match kind {
            "email" => &["email"],
            "webhook" => &["webhook"],
            "slack" => &["slack"],
            "discord" => &["discord"],
            "telegram" => &["telegram", "telegram_chat_id"],
            "microsoft_teams" => &["microsoft_teams"],
            "x" => &[
                "x_consumer_key",
                "x_consumer_secret",
                "x_access_token",
                "x_access_token_secret",
            ],
            "google_chat" => &["google_chat"],
            _ => &[],
        }
    }

    /// Builds the channel from a record's `type` and `settings`. Liberal: a missing settings
    /// field reads as empty and a number or boolean as its text; what cannot be expressed
    /// (no type, an unknown type, unreadable settings) is kept as [`Channel::Unknown`].
    pub(crate) fn from_wire(kind: Option<String>, settings: Option<Map<String, Value>>) -> Self {
        let unknown = |kind, settings| Channel::Unknown { kind, settings };
        let (kind, mut settings) = match (kind, settings) {
            (Some(kind), Some(settings)) => (kind, settings),
            (kind, settings) => return unknown(kind, settings.unwrap_or_default()),
        };
        let fields = Self::field_names(&kind);
        let text = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
        if fields
            .iter()
            .any(|f| settings.get(*f).is_some_and(|v| !text(v)))
        {
            // A known type with a setting that is not text: not expressible.
            return unknown(Some(kind), settings);
        }
        let values = fields.iter().map(|field| match settings.remove(*field) {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => u8::from(b).to_string(),
            _ => String::new(),
        });
        match Self::known(&kind, values.collect()) {
            Some(channel) => channel,
            None => unknown(Some(kind), settings),
        }
    }

    /// A documented type from its settings values, in [`Channel::field_names`] order.
    fn known(kind: &str, values: Vec<String>) -> Option<Self> {
        let mut values = values.into_iter();
        let mut next = || values.next().unwrap_or_default();
        Some(match kind {
            "email" => Channel::email(next()),
            "webhook" => Channel::webhook(next()),
            "slack" => Channel::slack(next()),
            "discord" => Channel::discord(next()),
            "telegram" => Channel::telegram(next(), next()),
            "microsoft_teams" => Channel::microsoft_teams(next()),
            "x" => Channel::x(next(), next(), next(), next()),
            "google_chat" => Channel::google_chat(next()),
            "internal_notification" => Channel::InternalNotification,
            _ => return None,
        })
    }

    /// The channel as the servers store it: each setting as [`stored_text`] leaves it (tags
    /// stripped, trimmed, cut at [`MAX_VALUE_CHARS`]). Compare this, not what was sent, with
    /// what a server answers.
    ///
    /// ```
    /// use bitpeak::Channel;
    /// assert_eq!(Channel::email(" a@example.com ").stored(), Channel::email("a@example.com"));
    /// ```
    pub fn stored(&self) -> Channel {
        let Some(kind) = self
            .kind()
            .filter(|_| !matches!(self, Channel::Unknown { .. }))
        else {
            return self.clone();
        };
        let values = self
            .fields()
            .into_iter()
            .map(|(_, v)| stored_text(v, MAX_VALUE_CHARS));
        Self::known(kind, values.collect()).unwrap_or_else(|| self.clone())
    }

    /// Why this channel cannot be sent back to a server as it is (a safe update re-sends
    /// the type and its settings): no type, a documented type whose settings could not be
    /// read, or settings that are not all text. `None` when it can.
    pub fn unsendable_reason(&self) -> Option<String> {
        let Channel::Unknown { kind, settings } = self else {
            return None;
        };
        match kind.as_deref() {
            None => Some("the server stored it without a type".to_owned()),
            Some(k) if KINDS.contains(&k) => Some(format!("its {k} settings could not be read")),
            Some("") => Some("its type is empty".to_owned()),
            Some(k) if settings.values().any(|v| !v.is_string()) => Some(format!(
                "type {k:?} is not one this crate knows, and its settings are not all text"
            )),
            Some(_) => None,
        }
    }

    /// Checks what the servers would reject or silently damage: an unknown type, a missing
    /// or over-long field, an email that is not an address, a URL that is not http(s).
    pub fn validate(&self) -> Result<(), Error> {
        if let Channel::Unknown { kind, .. } = self {
            let kind = kind
                .as_deref()
                .map_or("no type".to_owned(), |k| format!("{k:?}"));
            return Err(Error::invalid(
                "type",
                format!("{kind} is not one of {}", KINDS.join(", ")),
            ));
        }
        for (field, value) in self.fields() {
            let value = value.trim();
            if value.is_empty() {
                return Err(Error::invalid(
                    field,
                    format!("is required for type {}", self.kind().unwrap_or("?")),
                ));
            }
            check_length(field, value, MAX_VALUE_CHARS)?;
            match field {
                "email" => check_email(value)?,
                "webhook" | "slack" | "discord" | "microsoft_teams" | "google_chat" => {
                    check_url(field, value)?
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `text` as the servers store it: HTML tags stripped, trimmed, cut at `max` characters.
///
/// ```
/// use bitpeak::notification_handlers::{stored_text, MAX_NAME_CHARS};
/// assert_eq!(stored_text("  <b>Ops</b> ", MAX_NAME_CHARS), "Ops");
/// ```
pub fn stored_text(text: &str, max: usize) -> String {
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
    out.trim().chars().take(max).collect()
}

/// Checks a handler name: non-blank after trimming, at most [`MAX_NAME_CHARS`].
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "must not be blank"));
    }
    check_length("name", name.trim(), MAX_NAME_CHARS)
}

fn check_length(field: &str, value: &str, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n > max {
        return Err(Error::invalid(
            field,
            format!("is {n} characters long; at most {max} are kept"),
        ));
    }
    Ok(())
}

fn check_email(value: &str) -> Result<(), Error> {
    let bad = || Error::invalid("email", format!("{value:?} is not an email address"));
    let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty()
        || !domain_ok
        || value
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
    {
        return Err(bad());
    }
    Ok(())
}

fn check_url(field: &str, value: &str) -> Result<(), Error> {
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

/// The fields of a handler record, each read on its own (see [`crate::wire`]).
#[derive(serde::Deserialize)]
struct Fields {
    #[serde(default)]
    id: Int,
    #[serde(default, rename = "type")]
    kind: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    settings: JsonObject,
    #[serde(default)]
    is_enabled: Flag,
    #[serde(default)]
    last_datetime: When,
    #[serde(default)]
    datetime: When,
}

impl crate::resource::Resource for NotificationHandler {
    const PATH: &'static str = "notification-handlers";
    const ID: &'static str = "notification_handler_id";
    const READ: Option<&'static str> = Some("get_notification_handler");
}

impl crate::resource::List for NotificationHandler {
    const LIST: &'static str = "list_notification_handlers";
    // The handlers' own `ListParams` builds and checks these.
    const PARAMS: &'static [crate::resource::Param] = &[];
}

impl crate::resource::Get for NotificationHandler {
    const GET: &'static str = "get_notification_handler";
}

impl crate::resource::Delete for NotificationHandler {
    const DELETE: &'static str = "delete_notification_handler";
}

/// The handlers' create and update operations (their forms are built from [`Channel`]).
pub(crate) const CREATE: &str = "create_notification_handler";
pub(crate) const UPDATE: &str = "update_notification_handler";

impl FromRecord for NotificationHandler {
    const WHAT: &'static str = "notification handler";

    /// Accepts every shape the server versions send (`is_enabled` as a boolean or an integer,
    /// `settings` as an object, a JSON-encoded string, `[]` or `null`, extra fields, unknown or
    /// missing types) and reads whatever else it can; only a record that is not an object or
    /// has no readable id is refused.
    fn from_record(raw: RawRecord) -> Result<Self, UnreadableRecord> {
        let fields = match raw
            .fields::<Fields>()
            .and_then(|f| Ok((record_id(&f.id)?, f)))
        {
            Ok(read) => read,
            Err(why) => return Err(UnreadableRecord::new(raw, why)),
        };
        let (id, f) = fields;
        Ok(NotificationHandler {
            id,
            name: f.name.0.unwrap_or_default(),
            channel: Channel::from_wire(f.kind.0, f.settings.0),
            state: HandlerState::from_wire(f.is_enabled.0),
            last_fired_at: f.last_datetime.0,
            created_at: f.datetime.0,
            raw,
        })
    }

    fn id(&self) -> u64 {
        self.id
    }

    fn raw(&self) -> &RawRecord {
        &self.raw
    }
}
