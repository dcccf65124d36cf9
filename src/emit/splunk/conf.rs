//! The one writer of Splunk `.conf` text. Every value goes through it, so no user string
//! can end a value early, open a stanza or continue a line it does not own.
//!
//! Rules (as Splunk's own `contentctl` writes them): a multi-line value is written one line
//! per segment joined by ` \` + newline; free text is folded onto one line (control
//! characters become spaces, trailing backslashes are dropped); a continuation line never
//! starts with `[` (it is joined to the line before instead), so no reader can mistake it
//! for a stanza header.

use std::fmt::Write;

/// A value of a `.conf` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Single-line text; folded onto one line when it is not.
    Text(String),
    /// A search, one SPL segment per line.
    Lines(Vec<String>),
}

/// One `[stanza]` with its comment lines and keys, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    /// Stanza name (built by sloxide from identifiers only).
    pub name: String,
    /// `#` comment lines written above the stanza.
    pub comments: Vec<String>,
    /// Keys and values in output order (keys are unique by construction).
    pub keys: Vec<(String, Value)>,
}

impl Stanza {
    /// An empty stanza called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Stanza {
            name: name.into(),
            comments: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Appends a single-line key.
    pub fn text(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.keys.push((key.to_string(), Value::Text(value.into())));
        self
    }

    /// Appends a multi-line SPL key.
    pub fn lines(&mut self, key: &str, lines: Vec<String>) -> &mut Self {
        self.keys.push((key.to_string(), Value::Lines(lines)));
        self
    }
}

/// `text` folded onto one safe line: control characters become spaces, runs of spaces
/// collapse, and trailing backslashes (which would continue the line) are dropped.
pub fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let folded = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.trim_end_matches(['\\', ' ']).to_string()
}

/// Renders `stanzas` after a header comment.
pub fn render(header: &[String], stanzas: &[Stanza]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {}", one_line(line));
    }
    for stanza in stanzas {
        out.push('\n');
        for c in &stanza.comments {
            let _ = writeln!(out, "# {}", one_line(c));
        }
        let _ = writeln!(out, "[{}]", one_line(&stanza.name).replace([']', '['], "_"));
        for (key, value) in &stanza.keys {
            let _ = writeln!(out, "{key} = {}", render_value(value));
        }
    }
    out
}

fn render_value(value: &Value) -> String {
    match value {
        Value::Text(t) => one_line(t),
        Value::Lines(lines) => {
            let mut joined: Vec<String> = Vec::new();
            for line in lines.iter().map(|l| one_line(l)).filter(|l| !l.is_empty()) {
                match joined.last_mut() {
                    Some(prev) if line.starts_with('[') => {
                        prev.push(' ');
                        prev.push_str(&line);
                    }
                    _ => joined.push(line),
                }
            }
            joined.join(" \\\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_continues_safely() {
        assert_eq!(one_line("a\nb\r\n[c]\\\\"), "a b [c]");
        let mut s = Stanza::new("x");
        s.lines(
            "search",
            vec![
                "index=a".into(),
                "[search b]".into(),
                "| stats count".into(),
            ],
        );
        s.text("description", "line\n[evil]\nkey = v\\");
        let text = render(&["head\nline".into()], &[s]);
        assert_eq!(
            text,
            "# head line\n\n[x]\nsearch = index=a [search b] \\\n| stats count\ndescription = line [evil] key = v\n"
        );
    }
}
