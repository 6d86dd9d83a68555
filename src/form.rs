//! Form bodies as the servers read them (PHP's `$_POST`, from `multipart/form-data`): text
//! trimmed, booleans as `1`/`0` (PHP reads `"false"` as true), arrays as repeated `name[]`,
//! absent options left out (the generated forms' `fields` say which). One set of rules for every create and update of every resource.
//!
//! A [`Form`] keeps its fields, so a fresh `reqwest::multipart::Form` (which cannot be
//! cloned) can be built for every attempt of a request.

/// The fields of a form, in the order they are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Form {
    pub(crate) fields: Vec<(String, String)>,
}

impl Form {
    /// The wire fields of a typed form (see [`crate::resource::FormBody::fields`]), each
    /// trimmed.
    pub(crate) fn from_fields(fields: Vec<(&'static str, String)>) -> Self {
        let trimmed = fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.trim().to_owned()));
        Form {
            fields: trimmed.collect(),
        }
    }

    /// A fresh multipart body with these fields.
    pub(crate) fn to_multipart(&self) -> reqwest::multipart::Form {
        self.fields
            .iter()
            .fold(reqwest::multipart::Form::new(), |form, (k, v)| {
                form.text(k.clone(), v.clone())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Form;

    #[test]
    fn text_is_trimmed_and_the_order_kept() {
        let form = Form::from_fields(vec![
            ("name", "  Ops ".to_owned()),
            ("ping_servers_ids[]", "1".to_owned()),
            ("ping_servers_ids[]", " 2".to_owned()),
        ]);
        let pairs: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("name", "Ops"),
                ("ping_servers_ids[]", "1"),
                ("ping_servers_ids[]", "2"),
            ]
        );
    }
}
