//! What the task examples share: a client for the instance `BITPEAK_API_KEY` (and
//! `BITPEAK_BASE_URL`) name, or, without a key, for an embedded fake server that `seed`
//! fills first.

use bitpeak::Client;
use bitpeak_fake::{FakeConfig, FakeServer, DEFAULT_KEY};

/// The client, and the embedded fake server to keep running while it is used (`None` on a
/// real instance).
pub async fn client(
    seed: impl FnOnce(&FakeServer),
) -> Result<(Client, Option<FakeServer>), Box<dyn std::error::Error>> {
    if let Ok(key) = std::env::var("BITPEAK_API_KEY") {
        let base = std::env::var("BITPEAK_BASE_URL")
            .unwrap_or_else(|_| bitpeak::DEFAULT_BASE_URL.to_owned());
        return Ok((Client::builder().base_url(base).api_key(key).build()?, None));
    }
    let server = FakeServer::start(FakeConfig::new()).await?;
    seed(&server);
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(DEFAULT_KEY)
        .build()?;
    Ok((client, Some(server)))
}
