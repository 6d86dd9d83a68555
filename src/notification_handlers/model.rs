//! The notification-handler model, converted once from the generated wire types.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::raw::types as wire;
use crate::wire::{IsEnabled, SettingsValue};
use crate::Error;

/// Longest `name` the servers accept, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest value the servers keep, in characters (they cut the rest).
pub const MAX_VALUE_CHARS: usize = 512;

/// A notification handler: where an account's alerts go.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NotificationHandler {
    /// The handler's id.
    pub id: u64,
    /// Its display name.
    pub name: String,
    /// Where it delivers, with the settings of that channel.
    pub channel: Channel,
    /// Enabled, disabled, or waiting for email confirmation.
    pub state: HandlerState,
    /// When it last fired (`last_datetime`), if ever.
    pub last_fired_at: Option<DateTime<Utc>>,
    /// When it was created (`datetime`).
    pub created_at: DateTime<Utc>,
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
}

impl HandlerState {
    /// `true` for [`HandlerState::Enabled`] and [`HandlerState::PendingConfirmation`]: the
    /// handler is switched on, even if its address is not confirmed yet.
    pub fn is_on(self) -> bool {
        !matches!(self, HandlerState::Disabled)
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
/// assert_eq!(channel.kind(), "telegram");
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
    /// A type this crate does not know (a server may enable new ones). Kept as received so
    /// it is never lost; it cannot be created.
    Unknown {
        /// The wire type.
        kind: String,
        /// The settings object as received.
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

    /// The wire type (`email`, `microsoft_teams`, …).
    pub fn kind(&self) -> &str {
        match self {
            Channel::Email { .. } => "email",
            Channel::Webhook { .. } => "webhook",
            Channel::Slack { .. } => "slack",
            Channel::Discord { .. } => "discord",
            Channel::Telegram { .. } => "telegram",
            Channel::MicrosoftTeams { .. } => "microsoft_teams",
            Channel::X { .. } => "x",
            Channel::GoogleChat { .. } => "google_chat",
            Channel::InternalNotification => "internal_notification",
            Channel::Unknown { kind, .. } => kind,
        }
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
        Self::field_names(self.kind())
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

    /// Builds the channel from a wire type and its settings. Liberal: a missing settings
    /// field reads as empty, an unknown type is kept as [`Channel::Unknown`].
    pub(crate) fn from_wire(kind: &str, settings: Option<Map<String, Value>>) -> Self {
        let mut settings = settings.unwrap_or_default();
        // Liberal: a number (say, a chat id) reads as its text; anything else missing as "".
        let mut take = |field: &str| match settings.remove(field) {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match kind {
            "email" => Channel::email(take("email")),
            "webhook" => Channel::webhook(take("webhook")),
            "slack" => Channel::slack(take("slack")),
            "discord" => Channel::discord(take("discord")),
            "telegram" => Channel::telegram(take("telegram"), take("telegram_chat_id")),
            "microsoft_teams" => Channel::microsoft_teams(take("microsoft_teams")),
            "x" => Channel::x(
                take("x_consumer_key"),
                take("x_consumer_secret"),
                take("x_access_token"),
                take("x_access_token_secret"),
            ),
            "google_chat" => Channel::google_chat(take("google_chat")),
            "internal_notification" => Channel::InternalNotification,
            other => Channel::Unknown {
                kind: other.to_owned(),
                settings,
            },
        }
    }

    /// Checks what the servers would reject or silently damage: an unknown type, a missing
    /// or over-long field, an email that is not an address, a URL that is not http(s).
    pub fn validate(&self) -> Result<(), Error> {
        if let Channel::Unknown { kind, .. } = self {
            return Err(Error::invalid(
                "type",
                format!("{kind:?} is not one of {}", KINDS.join(", ")),
            ));
        }
        for (field, value) in self.fields() {
            let value = value.trim();
            if value.is_empty() {
                return Err(Error::invalid(
                    field,
                    format!("is required for type {}", self.kind()),
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

impl TryFrom<wire::NotificationHandler> for NotificationHandler {
    type Error = Error;

    /// Accepts every shape the server versions send: `is_enabled` as a boolean or 0/1/2,
    /// `settings` as an object, a JSON-encoded string or `null`, extra fields, unknown types.
    fn try_from(h: wire::NotificationHandler) -> Result<Self, Error> {
        let bad = |what: String| Error::Decode {
            status: reqwest::StatusCode::OK,
            snippet: String::new(),
            reason: format!("handler {}: {what}", h.id),
        };
        let id = u64::try_from(h.id).map_err(|_| bad("the id is negative".into()))?;
        let settings = match h.settings {
            None | Some(SettingsValue::Null) => None,
            Some(SettingsValue::Object(map)) => Some(map),
            Some(SettingsValue::Encoded(text)) if text.trim().is_empty() => None,
            Some(SettingsValue::Encoded(text)) => {
                serde_json::from_str::<Option<Map<String, Value>>>(&text)
                    .map_err(|e| bad(format!("settings string is not a settings object: {e}")))?
            }
        };
        let state = match h.is_enabled {
            IsEnabled::Boolean(true) | IsEnabled::Integer(1) => HandlerState::Enabled,
            IsEnabled::Boolean(false) | IsEnabled::Integer(0) => HandlerState::Disabled,
            IsEnabled::Integer(_) => HandlerState::PendingConfirmation,
        };
        Ok(NotificationHandler {
            id,
            channel: Channel::from_wire(&h.type_, settings),
            name: h.name,
            state,
            last_fired_at: h.last_datetime.and_then(|d| d.0).map(|d| d.0),
            created_at: h.datetime.0,
        })
    }
}
