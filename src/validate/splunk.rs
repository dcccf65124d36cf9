//! Splunk sources: base searches, `eval` conditions and field names must embed safely in
//! the SPL and `.conf` text the Splunk backend generates.
//!
//! What is rejected (code `sloxide::splunk::unsafe`):
//! - control characters (a newline or tab is allowed in a base search outside quoted
//!   strings, where SPL treats it as a space);
//! - unbalanced double quotes, parentheses, brackets or macro backticks;
//! - a trailing backslash (it would continue the `.conf` line) or an empty pipeline
//!   segment in a search;
//! - in a condition, a `|` or `[`/`]` outside quotes: a condition is one `eval`
//!   expression and must not start a new command or a subsearch;
//! - a field name that is not `[A-Za-z_][A-Za-z0-9_.:-]*` (it is always emitted inside
//!   single quotes in `eval`).

use super::ctx::Ctx;
use crate::diag::Code;
use crate::span::Spanned;

/// Which kind of Splunk text is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// A base search (may be a pipeline).
    Search,
    /// One `eval` boolean expression.
    Condition,
}

/// SPL commands that write, send, delete or call out: refused in base searches under
/// `--strict-queries` (a base search runs with the app owner's rights).
pub const DANGEROUS_COMMANDS: &[&str] = &[
    "collect",
    "dbxoutput",
    "dbxquery",
    "delete",
    "dump",
    "map",
    "mcollect",
    "meventcollect",
    "outputcsv",
    "outputlookup",
    "outputtext",
    "rest",
    "run",
    "runshellscript",
    "script",
    "sendalert",
    "sendemail",
    "summaryindex",
    "tscollect",
    "sendresults",
    "mcatalog",
];

/// Why a base search breaks the strict policy: a dangerous command, a macro or a
/// subsearch outside quotes. `None` when it complies. Only called on searches that
/// [`problem`] accepted (quotes and brackets balance).
pub fn strict_problem(s: &str) -> Option<String> {
    let mut in_quote = false;
    let mut escaped = false;
    let mut outside = String::with_capacity(s.len());
    for c in s.chars() {
        if in_quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quote = false,
                _ => {}
            }
            outside.push(' ');
            continue;
        }
        match c {
            '"' => in_quote = true,
            '`' => return Some("a macro (macros can expand to any command)".into()),
            '[' => return Some("a subsearch".into()),
            _ => {}
        }
        outside.push(c);
    }
    for segment in outside.split('|').skip(1) {
        let command = segment
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if DANGEROUS_COMMANDS.contains(&command.as_str()) {
            return Some(format!("the `{command}` command"));
        }
    }
    None
}

/// Reports an error unless `value` is safe to embed as `what` (and, for a base search
/// under `--strict-queries`, complies with the strict policy); returns whether it is.
pub fn check_text(ctx: &mut Ctx, value: &Spanned<String>, what: Text) -> bool {
    if problem(&value.value, what).is_none()
        && what == Text::Search
        && ctx.policy.strict_queries
        && let Some(why) = strict_problem(&value.value)
    {
        ctx.error(
            Code::SplunkStrict,
            value.span,
            format!("--strict-queries: this base search uses {why}"),
            "refused by the strict policy",
            "keep base searches to event selection and read-only commands (search, where, eval, stats, …); ask whoever runs CI to drop --strict-queries if this is intended",
        );
        return false;
    }
    match problem(&value.value, what) {
        None => true,
        Some(why) => {
            let (noun, help) = match what {
                Text::Search => (
                    "base search",
                    "write one SPL search with balanced quotes and brackets, e.g. index=web sourcetype=access_combined",
                ),
                Text::Condition => (
                    "eval condition",
                    "write one eval expression with balanced quotes, e.g. status>=500; pipes and subsearches belong in the base search",
                ),
            };
            ctx.error(
                Code::SplunkUnsafe,
                value.span,
                format!("Splunk {noun} cannot be embedded safely: {why}"),
                why,
                help,
            );
            false
        }
    }
}

/// Reports an error unless `value` is a plain Splunk field name; returns whether it is.
pub fn check_field(ctx: &mut Ctx, value: &Spanned<String>) -> bool {
    let ok = is_field(&value.value);
    if !ok {
        ctx.error(
            Code::SplunkUnsafe,
            value.span,
            format!("`{}` is not a plain Splunk field name", value.value.escape_debug()),
            "not a field name",
            "use letters, digits, _, ., : and -, starting with a letter or _ (e.g. txn_id); rename the field with an alias in Splunk otherwise",
        );
    }
    ok
}

/// Whether `s` is a field name sloxide emits as `'s'` in `eval`.
pub fn is_field(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
        && s.len() <= 128
}

/// Why `s` cannot be embedded as `what`, or `None` when it can.
pub fn problem(s: &str, what: Text) -> Option<String> {
    if s.trim().is_empty() {
        return Some("it is empty".into());
    }
    if s.trim_end().ends_with('\\') {
        return Some("it ends with a backslash".into());
    }
    let mut in_quote = false;
    let mut escaped = false;
    let mut stack: Vec<char> = Vec::new();
    let mut backticks = 0usize;
    let mut segment_empty = true;
    // A search may start with `|` (a generating command such as `| tstats`).
    let mut leading = what == Text::Search;
    for c in s.chars() {
        if in_quote {
            if c.is_control() {
                return Some(format!("control character {c:?} inside a quoted string"));
            }
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quote = false,
                _ => {}
            }
            continue;
        }
        let whitespace = matches!(c, '\n' | '\t' | ' ') || (c == '\r' && what == Text::Search);
        if c.is_control() && !(what == Text::Search && whitespace) {
            return Some(format!("control character {c:?}"));
        }
        match c {
            '"' => in_quote = true,
            '`' => backticks += 1,
            '(' | '[' => stack.push(c),
            ')' | ']' => {
                let open = if c == ')' { '(' } else { '[' };
                if stack.pop() != Some(open) {
                    return Some(format!("unbalanced `{c}`"));
                }
            }
            '|' if what == Text::Condition => {
                return Some("a `|` outside quotes would start a new command".into());
            }
            '|' if leading => {}
            '|' if segment_empty && stack.is_empty() => {
                return Some("an empty pipeline segment before `|`".into());
            }
            _ => {}
        }
        if what == Text::Condition && matches!(c, '[' | ']') {
            return Some("a `[` outside quotes would start a subsearch".into());
        }
        if !whitespace {
            leading = false;
        }
        if c == '|' {
            segment_empty = true;
        } else if !whitespace {
            segment_empty = false;
        }
    }
    if in_quote {
        return Some("unbalanced `\"`".into());
    }
    if let Some(open) = stack.pop() {
        return Some(format!("unbalanced `{open}`"));
    }
    if backticks % 2 == 1 {
        return Some("unbalanced macro backtick".into());
    }
    if segment_empty {
        return Some("it ends with an empty pipeline segment".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_spl() {
        for s in [
            "index=web sourcetype=access_combined",
            "index=web | where status>0",
            "index=web uri=\"/a|b[c\" | search x=1",
            "| tstats count where index=web by _time",
            "index=web\n  sourcetype=x",
        ] {
            assert_eq!(problem(s, Text::Search), None, "{s}");
        }
        for s in [
            "status>=500",
            "event=\"a|b\" AND x=\"q\\\"\"",
            "match(uri, \"^/x\")",
        ] {
            assert_eq!(problem(s, Text::Condition), None, "{s}");
        }
    }

    #[test]
    fn rejects_what_could_break_out() {
        for s in [
            "index=web \"open",
            "index=web (a",
            "index=web a)",
            "index=web [search x",
            "index=web \\",
            "index=web | | stats count",
            "index=web |",
            "index=web `macro",
            "index=web \"a\nb\"",
            "index=web \u{0}",
            "",
        ] {
            assert!(problem(s, Text::Search).is_some(), "{s:?}");
        }
        for s in [
            "status>=500 | delete",
            "x=1 [search y]",
            "a\nb",
            "x=\"1",
            "(x=1",
        ] {
            assert!(problem(s, Text::Condition).is_some(), "{s:?}");
        }
    }

    #[test]
    fn strict_policy_refuses_writes_macros_and_subsearches() {
        for s in [
            "index=web | delete",
            "index=web | SendEmail to=x@example.com",
            "index=web | outputlookup x.csv",
            "index=web `evil`",
            "index=web [| inputlookup x]",
        ] {
            assert!(strict_problem(s).is_some(), "{s}");
        }
        for s in [
            "index=web | stats count by host",
            "index=web msg=\"| delete [x] `y`\"",
            "| tstats count where index=web",
        ] {
            assert_eq!(strict_problem(s), None, "{s}");
        }
    }

    #[test]
    fn field_names() {
        assert!(is_field("txn_id"));
        assert!(is_field("aws.elb:target-time"));
        for bad in ["", "1x", "a b", "a'b", "a\"", "a|b", "a`b"] {
            assert!(!is_field(bad), "{bad}");
        }
    }
}
