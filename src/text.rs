//! Server-supplied text made safe to show a person: control characters (escape sequences,
//! carriage returns, …) and bidirectional overrides made visible, long text cut, saying how
//! much. Data stays exact everywhere else (the model; JSON output, where [`visible_json`]
//! writes such characters as JSON escapes, the same value); only what is displayed passes
//! through here.
//!
//! ```
//! use bitpeak::text::{cut, visible};
//! assert_eq!(visible("Ops\u{1b}]0;pwned\u{7}\r"), "Ops\\u{1b}]0;pwned\\u{7}\\r");
//! assert_eq!(cut("abcdef", 4), "abcd… (2 more characters)");
//! ```

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1) and bidirectional-override character
/// written as an escape (`\u{1b}`, `\r`, `\n`, `\t`), so it cannot move the cursor, rewrite
/// lines, hide text, set a title or reorder what a terminal shows.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text with every character [`visible`] escapes (DEL, C1, bidirectional overrides; a C0
/// control character too, but valid JSON holds none raw but whitespace between its tokens,
/// which is kept) written as a JSON escape (`\u009b`): the same JSON value, which can no
/// longer drive a terminal. `json` must be JSON text: such characters then stand only inside
/// its strings, where the escape means the same. `serde_json` escapes C0 itself, not the rest.
///
/// ```
/// use bitpeak::text::visible_json;
/// let json = serde_json::json!({"name": "Ops\u{9b}31m\u{202e}"}).to_string();
/// assert_eq!(visible_json(&json), r#"{"name":"Ops\u009b31m\u202e"}"#);
/// let back: serde_json::Value = serde_json::from_str(&visible_json(&json))?;
/// assert_eq!(back["name"], "Ops\u{9b}31m\u{202e}");
/// assert_eq!(visible_json("[\n  1\r\n]"), "[\n  1\r\n]");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn visible_json(json: &str) -> Cow<'_, str> {
    let escaped = |c: char| hidden(c) && !matches!(c, '\n' | '\r' | '\t');
    if !json.chars().any(escaped) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `text`, saying how many more there were.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let more = text[end..].chars().count();
            Cow::Owned(format!("{}… ({more} more characters)", &text[..end]))
        }
    }
}

fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(visible("plain ünïcode"), "plain ünïcode");
        assert_eq!(visible("\u{1b}[2J\u{1b}[8m"), "\\u{1b}[2J\\u{1b}[8m");
        assert_eq!(visible("a\u{202e}b\u{9b}c"), "a\\u{202e}b\\u{9b}c");
        assert_eq!(cut("ab", 2), "ab");
        assert_eq!(cut("äbc", 1), "ä… (2 more characters)");
        let json = "{\"a\":\"\u{7f}\u{85}\u{2066}\u{1b}\"}\n";
        assert_eq!(
            visible_json(json),
            "{\"a\":\"\\u007f\\u0085\\u2066\\u001b\"}\n"
        );
    }
}
