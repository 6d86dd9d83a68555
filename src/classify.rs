//! What an answer stands for, once the transport has it: the error a generated operation's
//! failure is, the error or value a wrapper-built request's answer is. Depends on the error
//! type and the transport; neither depends on it.

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::raw::types::ErrorResponse;
use crate::transport::CallState;
use crate::Error;

/// The error for an answer refused for its size, if it was.
pub(crate) fn too_large(call: &CallState) -> Option<Error> {
    let status = call.answer().map_or(StatusCode::OK, |(s, _)| s);
    call.refused_size()
        .map(|(limit, declared)| Error::AnswerTooLarge {
            status,
            limit,
            declared,
        })
}

/// Classifies what a generated operation returned, using what the call recorded about the
/// answer (progenitor drops the status of a body it cannot decode).
pub(crate) async fn generated(
    error: progenitor_client::Error<ErrorResponse>,
    call: &CallState,
) -> Error {
    use progenitor_client::Error as Raw;
    if let Some(too_large) = too_large(call) {
        return too_large;
    }
    let answer = call.answer();
    let status = answer.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    match error {
        Raw::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            Error::from_error_body(status, &headers, value.into_inner())
        }
        Raw::InvalidResponsePayload(body, e) => {
            if status.is_success() {
                Error::decode(status, &body, &e)
            } else {
                let headers = answer.map(|(_, h)| h).unwrap_or_default();
                Error::from_answer(status, &headers, &body)
            }
        }
        Raw::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(body) if status.is_success() => {
                    Error::decode(status, &body, &"an answer status the API does not use")
                }
                Ok(body) => Error::from_answer(status, &headers, &body),
                Err(e) => Error::from_reqwest(e),
            }
        }
        Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
            Error::from_reqwest(e)
        }
        Raw::InvalidRequest(reason) => Error::invalid("request", reason),
        Raw::Custom(reason) => Error::invalid("request", reason),
    }
}

/// Reads a wrapper-built request's answer: the success body decoded as `T`, or the error the
/// answer stands for.
pub(crate) async fn json<T: DeserializeOwned>(
    response: reqwest::Result<Response>,
    call: &CallState,
) -> Result<T, Error> {
    if let Some(too_large) = too_large(call) {
        return Err(too_large);
    }
    let response = response.map_err(Error::from_reqwest)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    if !status.is_success() {
        return Err(Error::from_answer(status, &headers, &body));
    }
    serde_json::from_slice(&body).map_err(|e| Error::decode(status, &body, &e))
}
