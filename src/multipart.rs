//! `multipart/form-data` bodies for create and update, which progenitor cannot encode.
//!
//! A [`FormData`] keeps its fields, so a fresh `reqwest::multipart::Form` (which cannot be
//! cloned) can be built for every attempt of a request.

use reqwest::multipart::Form;

use crate::notification_handlers::Channel;

/// The fields of a create or update form, in the order they are sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FormData {
    fields: Vec<(String, String)>,
}

impl FormData {
    /// `name`, `type` (when the channel has one), then every settings field of the channel, values trimmed.
    pub(crate) fn new(name: &str, channel: &Channel) -> Self {
        let mut fields = vec![("name".to_owned(), name.trim().to_owned())];
        if let Some(kind) = channel.kind() {
            fields.push(("type".to_owned(), kind.to_owned()));
        }
        fields.extend(
            channel
                .fields()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned())),
        );
        FormData { fields }
    }

    /// Adds `is_enabled`, sent as `1` or `0` (servers read it as an integer).
    pub(crate) fn with_enabled(mut self, enabled: bool) -> Self {
        self.fields.push((
            "is_enabled".to_owned(),
            if enabled { "1" } else { "0" }.to_owned(),
        ));
        self
    }

    /// A fresh multipart body with these fields.
    pub(crate) fn to_form(&self) -> Form {
        self.fields
            .iter()
            .fold(Form::new(), |form, (k, v)| form.text(k.clone(), v.clone()))
    }
}
