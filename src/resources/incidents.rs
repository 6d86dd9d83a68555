//! Incidents' own operation: the comment, the only thing an update of an incident can set.

use super::{Incident, IncidentComment, Resources};
use crate::Error;

impl Resources<'_, Incident> {
    /// Sets incident `id`'s comment (at most 300 characters) and returns the incident:
    /// `update` with an [`IncidentComment`], in one call.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// let incident = client.incidents().comment(4, "Provider outage, ticket #123").await?;
    /// assert_eq!(incident.comment.as_deref(), Some("Provider outage, ticket #123"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn comment(&self, id: u64, text: impl Into<String>) -> Result<Incident, Error> {
        self.update(id, &IncidentComment::new().comment(text)).await
    }
}
