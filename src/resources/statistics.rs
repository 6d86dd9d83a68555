//! A status page's statistics: `GET /statistics/{status_page_id}`, whose rows take the shape
//! of the `type` asked for. The rows ([`StatisticsRow`]: every key any type's rows have) and
//! the parameters ([`GET_STATISTICS_PARAMS`]) are generated from the spec.

use reqwest::Method;
use serde::Deserialize;

use super::{StatisticsRow, StatisticsType, GET_STATISTICS_PARAMS};
use crate::record::UnreadableRecord;
use crate::resource::Param;
use crate::wire::{RawRecord, Read};
use crate::{Client, Error};

/// Which statistics to read; servers default to the overview of the last 30 days.
///
/// ```
/// use bitpeak::resources::{StatisticsQuery, StatisticsType};
/// let query = StatisticsQuery::new(StatisticsType::CityName)
///     .between("2026-01-01", "2026-01-31")
///     .param("country_code", "DE");
/// assert_eq!(query.kind, StatisticsType::CityName);
/// assert_eq!(query.params.len(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatisticsQuery {
    /// What to count (`type`).
    pub kind: StatisticsType,
    /// The other parameters ([`GET_STATISTICS_PARAMS`]) by wire name, in order: the range
    /// (`start_date`, `end_date`) and a drill-down's (`referrer_host`, `country_code`,
    /// `utm_source`, `utm_medium`); checked against the spec before anything is sent.
    pub params: Vec<(String, String)>,
}

impl StatisticsQuery {
    /// Statistics of this type over the server's default range.
    pub fn new(kind: StatisticsType) -> Self {
        StatisticsQuery {
            kind,
            params: Vec::new(),
        }
    }

    /// From `start` to `end`, each `YYYY-MM-DD`.
    pub fn between(self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.param("start_date", start).param("end_date", end)
    }

    /// A parameter by its wire name (`country_code`, …).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    fn wire(&self) -> Result<Vec<(String, String)>, Error> {
        if self.params.iter().any(|(name, _)| name == "type") {
            return Err(Error::invalid("type", "is the query's kind"));
        }
        let mut wire = vec![("type".to_owned(), self.kind.as_str().to_owned())];
        wire.extend(Param::checked(
            &self.params,
            GET_STATISTICS_PARAMS,
            "statistics",
        )?);
        Ok(wire)
    }
}

/// A status page's statistics of one type.
#[derive(Clone, Debug, PartialEq)]
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
    ///     println!("{:?}: {:?} views, {:?} visitors", row.formatted_date, row.pageviews, row.visitors);
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
        crate::resource::check_id_named("status_page_id", status_page_id)?;
        let wire = query.wire()?;
        let url = format!("{}/statistics/{status_page_id}", self.base_url());
        let sent = self
            .send(None, "get_statistics", || {
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
            .map_err(|e| crate::classify::for_resource(e, "statistics", false))?;
        let mut stats = Statistics {
            kind: query.kind.clone(),
            rows: Vec::new(),
            unreadable: Vec::new(),
        };
        for raw in answer.data {
            match serde_json::from_str::<Read<StatisticsRow>>(raw.json()) {
                Ok(Read(Some(row))) => stats.rows.push(row),
                _ => stats
                    .unreadable
                    .push(UnreadableRecord::new(raw, "the row is not a JSON object")),
            }
        }
        Ok(stats)
    }
}
