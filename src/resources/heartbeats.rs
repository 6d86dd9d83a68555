//! Heartbeats' own operation: the ping a cron job sends, at the site root, without the key.

use reqwest::Method;

use super::{Heartbeat, Resources};
use crate::Error;

/// The spec's operation id for the ping.
const PING: &str = "ping_heartbeat";

impl Resources<'_, Heartbeat> {
    /// Tells the server that the job behind heartbeat `code` (its `code` field) just ran:
    /// `GET <site>/webhook-heartbeat/<code>`, where `<site>` is [`crate::Client::site_url`]
    /// (the base URL without its `/api` unless the builder says otherwise). The API key is not sent (the code is the credential). The server refuses
    /// (`403`, [`Error::Api`]) a disabled heartbeat, or a second ping within 60 seconds.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// client.heartbeats().ping("2c5a3f1e0b7d4c8e9f6a1b2c3d4e5f60").await?;
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ping(&self, code: &str) -> Result<(), Error> {
        let code = code.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid(
                "code",
                "must be a heartbeat's code: letters and digits only",
            ));
        }
        let mut url = url::Url::parse(self.client.site_url())
            .map_err(|e| Error::invalid("site_url", e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| Error::invalid("base_url", "cannot be a base"))?
            .pop_if_empty()
            .extend(["webhook-heartbeat", code]);
        let sent = self
            .client
            .send(self.policy.as_ref(), PING, || {
                self.client
                    .http()
                    .request(Method::GET, url.clone())
                    .header(crate::transport::KEYLESS, "1")
                    .build()
            })
            .await;
        crate::classify::empty(sent).await
    }
}
