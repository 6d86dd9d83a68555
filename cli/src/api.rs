//! `bitpeak api METHOD PATH [-f NAME=VALUE]... [--paginate]`: any path under the base URL,
//! through the library's `Client::call` and `Client::call_pages` (the client's key, retries
//! only where safe, throttle, size limit, redirects refused). Answers print as JSON, escaped so
//! that nothing the server sent can drive a terminal (`bitpeak::text::visible_json`).

use bitpeak::text::visible_json;
use bitpeak::wire::RawRecord;
use bitpeak::Client;
use clap::Args;
use futures::StreamExt;
use serde_json::Value;

use crate::resources::{json_text, Printer};
use crate::{out, usage, Failure, Output};

/// What `api` takes.
#[derive(Args, Debug)]
pub struct ApiArgs {
    /// The HTTP method, in any case: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS.
    method: String,
    /// The path under the base URL: `monitors`, `monitors/7` (query parameters go in -f).
    path: String,
    /// A field, NAME=VALUE (repeatable; repeat `name[]` for an array): the query of a GET,
    /// HEAD, DELETE or OPTIONS, the form (multipart/form-data) of any other method.
    #[arg(short = 'f', long = "field", value_name = "NAME=VALUE", value_parser = field)]
    fields: Vec<(String, String)>,
    /// Follow every page of a list (GET only) and print every page's `data` as one JSON
    /// array, streamed (one record a line with --output jsonl).
    #[arg(long)]
    paginate: bool,
}

/// `NAME=VALUE`, split at the first `=`.
fn field(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        Some(_) => Err("the field has no name: write NAME=VALUE".to_owned()),
        None => Err("a field is NAME=VALUE (no `=` in it)".to_owned()),
    }
}

/// Runs `api`: one request and its answer, or with `--paginate` every page's records.
pub async fn run(client: &Client, output: Output, args: &ApiArgs) -> Result<(), Failure> {
    if args.paginate {
        if !args.method.eq_ignore_ascii_case("GET") {
            return Err(usage(format!(
                "api: --paginate follows a list's pages: GET only, not {}",
                crate::shown(&args.method)
            )));
        }
        return pages(client, output, args).await;
    }
    let answer = client.call(&args.method, &args.path, &args.fields).await?;
    match (&answer, output) {
        (Value::Null, _) => Ok(()),
        (_, Output::Jsonl) => match answer.get("data") {
            Some(Value::Array(records)) => records.iter().try_for_each(|r| out(json_text(r))),
            _ => out(json_text(&answer)),
        },
        (_, Output::Json | Output::Table) => {
            let pretty = serde_json::to_string_pretty(&answer).unwrap_or_default();
            out(visible_json(&pretty))
        }
    }
}

/// Every record of every page: one JSON array written as it goes, or one record a line with
/// `jsonl`; at most the pages in flight are held. A failure ends the output where it is.
async fn pages(client: &Client, output: Output, args: &ApiArgs) -> Result<(), Failure> {
    let output = match output {
        Output::Jsonl => Output::Jsonl,
        Output::Json | Output::Table => Output::Json,
    };
    let bar = crate::progress(None, "listing");
    let mut records = std::pin::pin!(client.call_pages(&args.path, &args.fields));
    let json = |record: &RawRecord| record_line(record.json());
    let no_table = |_: &[RawRecord], _| Ok(());
    let mut printer = Printer::new(output, 1, &json, &no_table);
    while let Some(record) = records.next().await {
        printer.push(record?)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    printer.finish()
}

/// A record's JSON text as the server sent it, on one line and terminal-safe: line breaks (in
/// valid JSON they stand only between tokens) are dropped with the indentation after them.
fn record_line(json: &str) -> String {
    let mut one = String::with_capacity(json.len());
    let mut indent = false;
    for c in json.chars() {
        match c {
            '\n' | '\r' => indent = true,
            ' ' | '\t' if indent => {}
            c => {
                indent = false;
                one.push(c);
            }
        }
    }
    visible_json(&one).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_at_the_first_equals_sign() {
        assert_eq!(field("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(
            field("color=#ff0000"),
            Ok(("color".into(), "#ff0000".into()))
        );
        assert_eq!(field("ids[]="), Ok(("ids[]".into(), String::new())));
        assert!(field("name").is_err());
        assert!(field("=x").is_err());
    }

    #[test]
    fn a_record_prints_on_one_terminal_safe_line() {
        let sent = "{\r\n  \"id\": 1,\n\t\"name\": \"a \\n b\u{9b}\u{202e}\"\n}";
        let printed = record_line(sent);
        assert_eq!(printed, "{\"id\": 1,\"name\": \"a \\n b\\u009b\\u202e\"}");
        let back: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(back["name"], "a \n b\u{9b}\u{202e}");
    }
}
