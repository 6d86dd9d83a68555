//! Any endpoint, for what the typed resources do not cover (an operation a newer server added, a
//! parameter the spec lacks): [`Client::call`] sends one request to any path under the base URL
//! and returns its JSON answer; [`Client::call_pages`] streams every record of a list, page by
//! page. Both go through the transport every typed call uses: the key (sent only to URLs under
//! the base URL), the rate-limit throttle, retries only where repeating is safe (a `POST` to a
//! collection is never repeated once it may have acted), the size limit, redirects refused. An
//! answer that is not a success is the same typed [`Error`] a typed call gets, with the
//! server's own messages.
//!
//! A path is checked before anything is sent: it names a path under the base URL, never a URL,
//! another host, a query, a fragment, or a `.`/`..` segment that would leave the path it
//! names.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use reqwest::header::{HeaderValue, ACCEPT};
use reqwest::{Method, Url};
use serde_json::Value;

use crate::classify::for_resource;
use crate::form::Form;
use crate::pagination::{paginate, Page, DEFAULT_CONCURRENCY};
use crate::wire::{ListEnvelope, RawRecord};
use crate::{Client, Error, PerPage};

/// The operation name of every request sent here (tracing spans carry it).
const OPERATION: &str = "api";

impl Client {
    /// Sends `method` to `path` under the base URL (`monitors`, `/monitors/7`) and returns the
    /// JSON answer as the server sent it, envelope and all (`null` for an empty body, as a
    /// `DELETE` answers).
    ///
    /// `method` is any HTTP method, in any case (`GET`, `post`, …; `CONNECT` and `TRACE` are
    /// refused). `fields` go in the query for `GET`, `HEAD`, `DELETE` and `OPTIONS`, and as the
    /// API's `multipart/form-data` form for any other method (no body when there is none),
    /// each exactly as given and in order: repeat a name for an array (`("ping_servers_ids[]",
    /// "1")`, `("ping_servers_ids[]", "2")`). Refused before anything is sent
    /// ([`Error::InvalidInput`]): an unknown method, a path that is empty, a URL (`http://…`,
    /// `//host`), or holds a `.`/`..` segment, an empty segment, `?`, `#`, `\`, whitespace or
    /// a control character; a field with an empty name or a control character in its name.
    ///
    /// Retried as every call of the client is: a `GET`, `DELETE`, or `POST` to one record
    /// (`monitors/7`, an update) after a timeout or `5xx`; a `POST` to anything else never
    /// once it may have acted ([`Error::OutcomeUnknown`]). A `DELETE` retried after an attempt
    /// that may have been carried out takes a following `404` as done (`null`). An HTML `404`
    /// (or a `302` to the site's `not-found` page) is [`Error::Unavailable`] naming the path.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// let page = client
    ///     .call("GET", "monitors", &[("search".into(), "shop".into())])
    ///     .await?;
    /// println!("{} of them", page["meta"]["total_results"]);
    /// let created = client
    ///     .call("POST", "projects", &[
    ///         ("name".into(), "Ops".into()),
    ///         ("color".into(), "#ff0000".into()),
    ///     ])
    ///     .await?;
    /// println!("project #{}", created["data"]["id"]);
    /// # Ok(())
    /// # }
    /// ```
    #[tracing::instrument(level = "debug", skip_all, fields(method = %method, path = %path))]
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        fields: &[(String, String)],
    ) -> Result<Value, Error> {
        let method = checked_method(method)?;
        let path = checked_path(path)?;
        let url = self.url_of(path)?;
        checked_names(fields)?;
        let in_query = matches!(
            method,
            Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
        );
        let form = Form {
            fields: fields.to_vec(),
        };
        let build = || {
            let request = self
                .http()
                .request(method.clone(), url.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"));
            let request = match (in_query, fields.is_empty()) {
                (true, _) => request.query(fields),
                (false, true) => request,
                (false, false) => request.multipart(form.to_multipart()),
            };
            request.build()
        };
        let sent = self.send(None, OPERATION, build).await;
        let (maybe_applied, outcome_unknown) = (sent.maybe_applied, sent.outcome_unknown);
        let answer = crate::classify::value(sent)
            .await
            .map_err(|e| for_resource(e, path, false));
        match answer {
            Err(Error::NotFound { .. }) if method == Method::DELETE && maybe_applied => {
                Ok(Value::Null)
            }
            Err(e) if outcome_unknown => Err(Error::OutcomeUnknown(Box::new(e))),
            other => other,
        }
    }

    /// Every record of every page of the list at `path` (`monitors`, `incidents`), as a lazy
    /// stream in page order: each record exactly as the server sent it, whatever its resource.
    ///
    /// `query` goes beside the page number, each parameter as given (filters, order,
    /// `results_per_page`: 10, 25, 50, 100, 250, 500 or 1000, default 25); `page` is the
    /// stream's own. Pages are fetched as [`crate::resources::Resources::list_all`] fetches
    /// them: from 1 to the `total_pages` the latest page reports, up to
    /// [`crate::resources::DEFAULT_CONCURRENCY`] in flight, each retried on its own; a record
    /// already yielded (by its `id`, else by its text) is not yielded again, and the listing
    /// ends early (with a `warn` event) when a page before the claimed last comes back empty or
    /// short. A path or query refused before anything is sent (see [`Client::call`]; a `page`,
    /// a repeated or unknown `results_per_page`) is the stream's only item; an error ends the
    /// stream in its page's turn.
    ///
    /// ```no_run
    /// # async fn demo(client: bitpeak::Client) -> Result<(), bitpeak::Error> {
    /// use futures::TryStreamExt;
    /// let query = [("results_per_page".to_owned(), "1000".to_owned())];
    /// let mut records = std::pin::pin!(client.call_pages("monitors", &query));
    /// while let Some(record) = records.try_next().await? {
    ///     println!("{}", record.json());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn call_pages(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> impl Stream<Item = Result<RawRecord, Error>> + '_ {
        let checked = checked_path(path).and_then(|path| {
            checked_names(query)?;
            Ok((path.to_owned(), self.url_of(path)?, page_size(query)?))
        });
        let (path, url, per_page) = match checked {
            Ok(checked) => checked,
            Err(e) => return futures::stream::once(async { Err(e) }).right_stream(),
        };
        let list = Arc::new((path, url, query.to_vec()));
        paginate(1, DEFAULT_CONCURRENCY, move |number| {
            let list = Arc::clone(&list);
            async move {
                let (path, url, query) = &*list;
                self.raw_page(path, url, query, number, per_page).await
            }
        })
        .left_stream()
    }

    /// Page `number` of the list at `path` (`url`), `query` beside the page number.
    #[tracing::instrument(level = "debug", skip(self, url, query, per_page))]
    async fn raw_page(
        &self,
        path: &str,
        url: &Url,
        query: &[(String, String)],
        number: u64,
        per_page: u64,
    ) -> Result<Page<RawRecord>, Error> {
        let page = number.to_string();
        let build = || {
            self.http()
                .get(url.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .query(&[("page", page.as_str())])
                .query(query)
                .build()
        };
        let sent = self.send(None, OPERATION, build).await;
        let list: ListEnvelope = crate::classify::json(sent)
            .await
            .map_err(|e| for_resource(e, path, false))?;
        Ok(Page::from_list(list, number, per_page))
    }

    /// The URL of checked `path`: the base URL, `/`, the path; refused if the URL parser would
    /// make it anything but a URL under the base URL.
    fn url_of(&self, path: &str) -> Result<Url, Error> {
        let base = self.base_url();
        let url = Url::parse(&format!("{base}/{path}"))
            .map_err(|e| Error::invalid("path", format!("does not make a URL: {e}")))?;
        let under = url.as_str().strip_prefix(base);
        if !under.is_some_and(|rest| rest.starts_with('/')) || url.query().is_some() {
            return Err(Error::invalid(
                "path",
                "must stay under the base URL once the URL is parsed",
            ));
        }
        Ok(url)
    }
}

/// `method` as sent: upper case, a token, neither `CONNECT` (a tunnel) nor `TRACE` (it echoes
/// the request, key included).
fn checked_method(method: &str) -> Result<Method, Error> {
    let upper = method.to_ascii_uppercase();
    let parsed = Method::from_bytes(upper.as_bytes())
        .ok()
        .filter(|_| !upper.is_empty());
    match parsed {
        Some(Method::CONNECT | Method::TRACE) => Err(Error::invalid(
            "method",
            format!("{upper} is not an API call (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)"),
        )),
        Some(method) => Ok(method),
        None => Err(Error::invalid(
            "method",
            "must be an HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
        )),
    }
}

/// `path` without its leading `/`, as it goes after the base URL; refused when it is not a
/// plain path under it.
fn checked_path(path: &str) -> Result<&str, Error> {
    let bad = |reason: &str| Err(Error::invalid("path", reason));
    let rest = path.strip_prefix('/').unwrap_or(path);
    if rest.is_empty() {
        return bad("is empty: name a path under the base URL (`monitors`, `monitors/7`)");
    }
    if rest.starts_with('/') {
        return bad("must be a path under the base URL, not `//host`, which names another host");
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("holds whitespace or a control character");
    }
    if rest.contains('?') {
        return bad("holds `?`: give query parameters as fields");
    }
    if rest.contains('#') {
        return bad("holds `#`: a fragment is never sent");
    }
    if rest.contains('\\') {
        return bad("holds `\\`, which URL parsers read as `/`");
    }
    let mut segments = rest.split('/').peekable();
    if segments.peek().is_some_and(|first| first.contains(':')) {
        return bad("must be a path under the base URL, not a URL");
    }
    while let Some(segment) = segments.next() {
        // A URL parser reads `%2e` as `.`.
        let dots = segment.to_ascii_lowercase().replace("%2e", ".");
        if dots == "." || dots == ".." {
            return bad("holds a `.` or `..` segment, which would leave the path it names");
        }
        if segment.is_empty() && segments.peek().is_some() {
            return bad("holds an empty segment (`//`)");
        }
    }
    Ok(rest)
}

/// Refuses a field or parameter with an empty name, or a control character in its name.
fn checked_names(fields: &[(String, String)]) -> Result<(), Error> {
    for (name, _) in fields {
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "field",
                "a name is empty or holds a control character",
            ));
        }
    }
    Ok(())
}

/// The page size `query` asks for (default 25); refuses a `page` (the stream's own) and a
/// `results_per_page` given twice or of a size servers replace.
fn page_size(query: &[(String, String)]) -> Result<u64, Error> {
    let mut size = None;
    for (name, value) in query {
        match name.as_str() {
            "page" => {
                return Err(Error::invalid(
                    "page",
                    "is the stream's own: every page is fetched, from 1",
                ))
            }
            "results_per_page" if size.is_some() => {
                return Err(Error::invalid("results_per_page", "is given twice"))
            }
            "results_per_page" => {
                let n = value.trim().parse::<u64>().map_err(|_| {
                    Error::invalid(
                        "results_per_page",
                        "must be one of 10, 25, 50, 100, 250, 500, 1000",
                    )
                })?;
                size = Some(PerPage::try_from(n)?.get());
            }
            _ => {}
        }
    }
    Ok(size.unwrap_or_else(|| PerPage::default().get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(path: &str) -> String {
        match checked_path(path) {
            Err(Error::InvalidInput { field, reason }) if field == "path" => reason,
            other => panic!("{path:?}: {other:?}"),
        }
    }

    #[test]
    fn plain_paths_pass_without_their_leading_slash() {
        for (given, sent) in [
            ("monitors", "monitors"),
            ("/monitors/7", "monitors/7"),
            ("monitors/", "monitors/"),
            ("notification-handlers/3", "notification-handlers/3"),
            ("teams-member/5", "teams-member/5"),
            ("status-pages/%C3%A9", "status-pages/%C3%A9"),
            ("a/.well/b..c/...", "a/.well/b..c/..."),
        ] {
            assert_eq!(checked_path(given).ok(), Some(sent), "{given}");
        }
    }

    #[test]
    fn paths_that_leave_the_base_url_are_refused() {
        for path in [
            "",
            "/",
            "//evil.example/api",
            "///x",
            "http://evil.example/api",
            "https:evil.example",
            "..",
            "../user",
            "monitors/../../x",
            "monitors/./7",
            "monitors/%2e%2e/x",
            "monitors/%2E./x",
            "monitors/.%2e",
            "monitors//7",
            "monitors?page=2",
            "monitors#top",
            "monitors\\..\\x",
            "monitors 7",
            "monitors\t",
            "monitors\n",
            "monitors/\u{1b}[2J",
            "monitors/\u{9b}",
            "monitors/\u{a0}",
        ] {
            let reason = refused(path);
            assert!(!reason.is_empty(), "{path:?}");
        }
        assert!(refused("monitors?x=1").contains("fields"));
        assert!(refused("../x").contains("`..`"));
    }

    #[test]
    fn urls_stay_under_the_base_url() {
        let client = Client::builder()
            .base_url("https://status.example.org/api/")
            .api_key("k")
            .build()
            .expect("client");
        let url = |p: &str| client.url_of(checked_path(p)?).map(String::from);
        assert_eq!(
            url("/monitors/7").ok().as_deref(),
            Some("https://status.example.org/api/monitors/7")
        );
        assert_eq!(
            url("status-pages/ü").ok().as_deref(),
            Some("https://status.example.org/api/status-pages/%C3%BC")
        );
        assert!(url("..").is_err());
    }

    #[test]
    fn methods_are_read_in_any_case() {
        assert_eq!(checked_method("get").ok(), Some(Method::GET));
        assert_eq!(checked_method("Patch").ok(), Some(Method::PATCH));
        assert_eq!(
            checked_method("PROPFIND").ok().map(|m| m.to_string()),
            Some("PROPFIND".to_owned())
        );
        for bad in ["", " ", "GE T", "GET\n", "connect", "TRACE", "G\u{e9}T"] {
            assert!(
                matches!(checked_method(bad), Err(Error::InvalidInput { ref field, .. }) if field == "method"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_page_is_the_streams_own_and_sizes_are_the_servers() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(page_size(&q(&[])).ok(), Some(25));
        assert_eq!(page_size(&q(&[("type", "website")])).ok(), Some(25));
        assert_eq!(
            page_size(&q(&[("results_per_page", "1000")])).ok(),
            Some(1000)
        );
        for bad in [
            q(&[("page", "2")]),
            q(&[("results_per_page", "30")]),
            q(&[("results_per_page", "x")]),
            q(&[("results_per_page", "10"), ("results_per_page", "25")]),
        ] {
            assert!(
                matches!(page_size(&bad), Err(Error::InvalidInput { .. })),
                "{bad:?}"
            );
        }
        assert!(checked_names(&q(&[("", "1")])).is_err());
        assert!(checked_names(&q(&[("a\r\nb", "1")])).is_err());
        assert!(checked_names(&q(&[("is_ok_notifications[]", "")])).is_ok());
    }
}
