//! What the spec cannot say about notification handlers, added to the generated
//! [`NotificationHandler`] and [`Channel`]: constructors in the user's words, and the state
//! of an email handler waiting for its address to be confirmed.

use super::{Channel, NotificationHandler};

impl Channel {
    /// `email`: mail to an address.
    ///
    /// ```
    /// use bitpeak::resources::Channel;
    /// let channel = Channel::email("ops@example.com");
    /// assert_eq!((channel.kind(), channel.fields()), (Some("email"), vec![("email", "ops@example.com")]));
    /// ```
    pub fn email(address: impl Into<String>) -> Self {
        Channel::Email {
            email: address.into(),
        }
    }

    /// `webhook`: a POST to an http(s) URL.
    pub fn webhook(url: impl Into<String>) -> Self {
        Channel::Webhook {
            webhook: url.into(),
        }
    }

    /// `slack`: a Slack incoming webhook.
    pub fn slack(webhook_url: impl Into<String>) -> Self {
        Channel::Slack {
            slack: webhook_url.into(),
        }
    }

    /// `discord`: a Discord webhook.
    pub fn discord(webhook_url: impl Into<String>) -> Self {
        Channel::Discord {
            discord: webhook_url.into(),
        }
    }

    /// `telegram`: a message from a bot to a chat.
    ///
    /// ```
    /// use bitpeak::resources::Channel;
    /// let channel = Channel::telegram("123456:ABC", "-1001234567890");
    /// assert_eq!(channel.fields(), [("telegram", "123456:ABC"), ("telegram_chat_id", "-1001234567890")]);
    /// ```
    pub fn telegram(bot_token: impl Into<String>, chat_id: impl Into<String>) -> Self {
        Channel::Telegram {
            telegram: bot_token.into(),
            telegram_chat_id: chat_id.into(),
        }
    }

    /// `microsoft_teams`: a Microsoft Teams webhook.
    pub fn microsoft_teams(webhook_url: impl Into<String>) -> Self {
        Channel::MicrosoftTeams {
            microsoft_teams: webhook_url.into(),
        }
    }

    /// `x`: a post on X (Twitter), with OAuth 1.0a credentials.
    pub fn x(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Self {
        Channel::X {
            x_consumer_key: consumer_key.into(),
            x_consumer_secret: consumer_secret.into(),
            x_access_token: access_token.into(),
            x_access_token_secret: access_token_secret.into(),
        }
    }

    /// `google_chat`: a Google Chat webhook.
    pub fn google_chat(webhook_url: impl Into<String>) -> Self {
        Channel::GoogleChat {
            google_chat: webhook_url.into(),
        }
    }
}

impl NotificationHandler {
    /// Whether this is an email handler switched on but waiting for its address to be
    /// confirmed (`is_enabled: 2` on 2026 servers; [`NotificationHandler::is_enabled`] reads
    /// it as `true`). It delivers nothing until the address is confirmed.
    ///
    /// ```
    /// use bitpeak::record::FromRecord;
    /// use bitpeak::resources::NotificationHandler;
    /// let raw = serde_json::from_str(r#"{"id": 8, "type": "email", "settings": {"email": "a@b.co"}, "is_enabled": 2}"#)?;
    /// let handler = NotificationHandler::from_record(raw).expect("readable");
    /// assert_eq!((handler.is_enabled, handler.is_pending_confirmation()), (Some(true), true));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn is_pending_confirmation(&self) -> bool {
        #[derive(serde::Deserialize)]
        struct State {
            #[serde(default)]
            is_enabled: crate::wire::Read<i64>,
        }
        let state = self.raw().fields::<State>();
        state.is_ok_and(|s| s.is_enabled.0 == Some(2))
    }
}

impl super::NewNotificationHandler {
    /// The create form of a handler named `name` delivering through `channel`: its `type` and
    /// settings fields.
    ///
    /// ```
    /// use bitpeak::resources::{Channel, HandlerType, NewNotificationHandler};
    /// let form = NewNotificationHandler::with_channel("On-call", Channel::email("oncall@example.com"));
    /// assert_eq!((form.kind, form.email.as_deref()), (HandlerType::Email, Some("oncall@example.com")));
    /// ```
    pub fn with_channel(name: impl Into<String>, channel: Channel) -> Self {
        let kind = super::HandlerType::from_wire(channel.kind().unwrap_or_default());
        super::NewNotificationHandler::new(name, kind).channel(channel)
    }
}
