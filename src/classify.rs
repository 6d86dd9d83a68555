//! What an answer stands for, once the transport has it: the value or the error. Depends on
//! the error type and the transport; neither depends on it.

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::transport::Sent;
use crate::Error;

/// The answer if it is a success; else the error it stands for (a size refusal, the
/// transport's failure, or what the status and body say).
async fn success(sent: Sent) -> Result<Response, Error> {
    if let Some((status, limit, declared)) = sent.too_large {
        return Err(Error::AnswerTooLarge {
            status,
            limit,
            declared,
        });
    }
    let response = sent.response.map_err(Error::from_reqwest)?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    Err(Error::from_answer(status, &headers, &body))
}

/// Reads an answer: the success body decoded as `T`, or the error the answer stands for.
pub(crate) async fn json<T: DeserializeOwned>(sent: Sent) -> Result<T, Error> {
    let response = success(sent).await?;
    let status = response.status();
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    serde_json::from_slice(&body).map_err(|e| Error::decode(status, &body, &e))
}

/// Reads an answer of any shape: the success body as JSON (`null` when it is empty or only
/// whitespace, as a `DELETE` answers), or the error the answer stands for.
pub(crate) async fn value(sent: Sent) -> Result<serde_json::Value, Error> {
    let response = success(sent).await?;
    let status = response.status();
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&body).map_err(|e| Error::decode(status, &body, &e))
}

/// Reads the answer of a request whose success has no body (`DELETE`: servers answer `200`
/// with an empty body, whatever its `Content-Type` says): nothing, or the error it stands for.
pub(crate) async fn empty(sent: Sent) -> Result<(), Error> {
    success(sent).await.map(drop)
}

/// The error `error` is for requests of the resource at `path`: the site's HTML `404`, or a
/// `302` to its `not-found` page, mean the resource is switched off on the instance; and on
/// the `collection` path (a list or a create, no id) a `404` with any body means the server
/// has no such resource (its version lacks it).
pub(crate) fn for_resource(error: Error, path: &str, collection: bool) -> Error {
    let unavailable = |status, location| Error::Unavailable {
        resource: path.to_owned(),
        status,
        location,
    };
    match error {
        Error::Decode { status, .. } if status == StatusCode::NOT_FOUND => {
            unavailable(status, None)
        }
        Error::NotFound { .. } if collection => unavailable(StatusCode::NOT_FOUND, None),
        Error::Redirect {
            status,
            location: Some(location),
        } if status == StatusCode::FOUND
            && location
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .trim_end_matches('/')
                .ends_with("/not-found") =>
        {
            unavailable(status, Some(location))
        }
        other => other,
    }
}
