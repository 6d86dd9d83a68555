//! A status page's statistics: `GET /statistics/{status_page_id}`, whose rows take the shape
//! of the `type` asked for (the one operation whose answer the spec cannot type alone).

use reqwest::Method;
use serde::Deserialize;

use super::StatisticsType;
use crate::record::UnreadableRecord;
use crate::wire::{RawRecord, Read};
use crate::{Client, Error};

/// The spec's operation id.
const GET_STATISTICS: &str = "get_statistics";

/// Which statistics to read; servers default to the overview of the last 30 days.
///
/// ```
/// use bitpeak::resources::{StatisticsQuery, StatisticsType};
/// let query = StatisticsQuery::new(StatisticsType::CountryCode)
///     .between("2026-01-01", "2026-01-31");
/// assert_eq!(query.kind, StatisticsType::CountryCode);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatisticsQuery {
    /// What to count (`type`).
    pub kind: StatisticsType,
    /// The first day, `YYYY-MM-DD` (`start_date`).
    pub start_date: Option<String>,
    /// The last day, `YYYY-MM-DD` (`end_date`).
    pub end_date: Option<String>,
    /// The narrowing a type takes: `referrer_host` (for referrer paths), `country_code` (for
    /// cities), `utm_source` and `utm_medium` (for UTM mediums and campaigns), by wire name.
    pub within: Vec<(&'static str, String)>,
}

impl StatisticsQuery {
    /// Statistics of this type over the server's default range.
    pub fn new(kind: StatisticsType) -> Self {
        StatisticsQuery {
            kind,
            start_date: None,
            end_date: None,
            within: Vec::new(),
        }
    }

    /// From `start` to `end`, each `YYYY-MM-DD`.
    pub fn between(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self.end_date = Some(end.into());
        self
    }

    /// Narrows to one `referrer_host`, `country_code`, `utm_source` or `utm_medium`.
    pub fn within(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.within.push((name, value.into()));
        self
    }

    fn wire(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let mut wire = vec![("type", self.kind.as_str().to_owned())];
        for (name, date) in [
            ("start_date", &self.start_date),
            ("end_date", &self.end_date),
        ] {
            if let Some(date) = date {
                if chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").is_err() {
                    return Err(Error::invalid(name, "must be a date, YYYY-MM-DD"));
                }
                wire.push((name, date.trim().to_owned()));
            }
        }
        for (name, value) in &self.within {
            if !["referrer_host", "country_code", "utm_source", "utm_medium"].contains(name) {
                return Err(Error::invalid(*name, "is not a statistics parameter"));
            }
            wire.push((name, value.clone()));
        }
        Ok(wire)
    }
}

/// One row of statistics: pageviews (and visitors, in the overview) for one value of what was
/// counted. Which of the labels are set depends on the type asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatisticsRow {
    /// The period (`formatted_date`, overview only): an hour, a day, a month or a year.
    pub period: Option<String>,
    /// The counted value: the row's key named after the type (`country_code: "DE"`), or the
    /// most specific label of the composite types (`referrer_path`, `city_name`,
    /// `utm_medium`, `utm_campaign`). `None` for "unknown".
    pub value: Option<String>,
    /// The other labels of composite rows by wire name (`referrer_host`, `country_code`,
    /// `country_name`, `utm_source`, `utm_medium`).
    pub labels: Vec<(String, String)>,
    /// Page views.
    pub pageviews: Option<i64>,
    /// Visitors (overview only).
    pub visitors: Option<i64>,
}

/// A status page's statistics of one type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statistics {
    /// What was counted.
    pub kind: StatisticsType,
    /// The rows, in the server's order.
    pub rows: Vec<StatisticsRow>,
    /// Rows that were not objects, kept as sent.
    pub unreadable: Vec<UnreadableRecord>,
}

impl Client {
    /// The statistics of status page `status_page_id` (`GET /statistics/{id}`); an unknown or
    /// foreign status page is [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use bitpeak::resources::{StatisticsQuery, StatisticsType};
    /// let stats = client.statistics(2, &StatisticsQuery::new(StatisticsType::Overview)).await?;
    /// for row in &stats.rows {
    ///     println!("{:?}: {:?} views, {:?} visitors", row.period, row.pageviews, row.visitors);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip(self, query))]
    pub async fn statistics(
        &self,
        status_page_id: u64,
        query: &StatisticsQuery,
    ) -> Result<Statistics, Error> {
        if status_page_id == 0 || i64::try_from(status_page_id).is_err() {
            return Err(Error::invalid(
                "status_page_id",
                "ids are between 1 and 2^63 - 1 (the spec's int64)",
            ));
        }
        let wire = query.wire()?;
        let url = format!("{}/statistics/{status_page_id}", self.base_url());
        let sent = self
            .send(None, GET_STATISTICS, || {
                self.http()
                    .request(Method::GET, &url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .query(&wire)
                    .build()
            })
            .await;
        #[derive(Deserialize)]
        struct Answer {
            data: Vec<RawRecord>,
        }
        let answer: Answer = crate::classify::json(sent)
            .await
            .map_err(|e| crate::classify::for_resource(e, "statistics"))?;
        let mut stats = Statistics {
            kind: query.kind.clone(),
            rows: Vec::new(),
            unreadable: Vec::new(),
        };
        for raw in answer.data {
            match row(&query.kind, &raw) {
                Ok(row) => stats.rows.push(row),
                Err(why) => stats.unreadable.push(UnreadableRecord::new(raw, why)),
            }
        }
        Ok(stats)
    }
}

/// One row, read field by field.
fn row(kind: &StatisticsType, raw: &RawRecord) -> Result<StatisticsRow, String> {
    let object = raw.object().ok_or("the row is not a JSON object")?;
    let text = |key: &str| {
        object
            .get(key)
            .and_then(|v| serde_json::from_value::<Read<String>>(v.clone()).ok())
            .and_then(|t| t.0)
    };
    let int = |key: &str| {
        object
            .get(key)
            .and_then(|v| serde_json::from_value::<Read<i64>>(v.clone()).ok())
            .and_then(|n| n.0)
    };
    let (value_key, label_keys): (&str, &[&str]) = match kind {
        StatisticsType::Overview => ("", &[]),
        StatisticsType::ReferrerPath => ("referrer_path", &["referrer_host"]),
        StatisticsType::CityName => ("city_name", &["country_code", "country_name"]),
        StatisticsType::UtmMedium => ("utm_medium", &["utm_source"]),
        StatisticsType::UtmCampaign => ("utm_campaign", &["utm_source", "utm_medium"]),
        other => (other.as_str(), &[]),
    };
    Ok(StatisticsRow {
        period: text("formatted_date"),
        value: if value_key.is_empty() {
            None
        } else {
            text(value_key)
        },
        labels: label_keys
            .iter()
            .filter_map(|key| text(key).map(|v| ((*key).to_owned(), v)))
            .collect(),
        pageviews: int("pageviews"),
        visitors: int("visitors"),
    })
}
