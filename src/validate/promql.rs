//! A strict parser for PromQL instant-vector selectors (`metric{label="v",...}`), so bad
//! selectors fail at validation with a position instead of inside Prometheus.

/// Checks `query` (a selector, or a raw query with `{{window}}` placeholders) with a real
/// PromQL parser (`promql-parser`, which also compiles every matcher regex), and requires
/// an instant vector, as sloxide wraps queries in `sum(...)`. The error is the parser's
/// message; it carries no position, so diagnostics label the whole value.
pub fn check_query(query: &str) -> Result<(), String> {
    let text = query.replace(crate::model::WINDOW_PLACEHOLDER, "5m");
    let expr = promql_parser::parser::parse(&text)?;
    match expr.value_type() {
        promql_parser::parser::value::ValueType::Vector => Ok(()),
        other => Err(format!("the query is a {other}, not an instant vector")),
    }
}

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// Metric name, if written before the braces.
    pub metric: Option<String>,
    /// Label matchers in written order.
    pub matchers: Vec<Matcher>,
}

/// One label matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// `=`, `!=`, `=~` or `!~`.
    pub op: &'static str,
    /// Unescaped value.
    pub value: String,
}

impl Selector {
    /// The matchers in canonical PromQL (`a="x",b=~"y"`), values re-quoted.
    pub fn matchers_text(&self) -> String {
        self.matchers
            .iter()
            .map(|m| format!("{}{}{}", m.name, m.op, quote(&m.value)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The selector in canonical PromQL.
    pub fn to_promql(&self) -> String {
        let metric = self.metric.clone().unwrap_or_default();
        if self.matchers.is_empty() {
            metric
        } else {
            format!("{metric}{{{}}}", self.matchers_text())
        }
    }
}

/// Quotes `s` as a PromQL double-quoted string literal (backslash, quote and control
/// characters escaped). The one quoting routine of the crate: the Prometheus backend uses
/// it too.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A parse failure: byte offset into the input and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What went wrong.
    pub message: String,
}

/// Parses `input` as an instant-vector selector.
pub fn parse_selector(input: &str) -> Result<Selector, SelectorError> {
    let mut p = Parser { s: input, i: 0 };
    p.ws();
    let metric = p.ident(true);
    p.ws();
    let mut matchers = Vec::new();
    if p.eat('{') {
        loop {
            p.ws();
            if p.eat('}') {
                break;
            }
            let name = p
                .ident(false)
                .ok_or_else(|| p.err("expected a label name"))?;
            p.ws();
            let op = ["=~", "!~", "!=", "="]
                .into_iter()
                .find(|op| p.rest().starts_with(op))
                .ok_or_else(|| p.err("expected =, !=, =~ or !~"))?;
            p.i += op.len();
            p.ws();
            let value = p.string()?;
            matchers.push(Matcher { name, op, value });
            p.ws();
            if p.eat(',') {
                continue;
            }
            p.ws();
            if !p.eat('}') {
                return Err(p.err("expected , or }"));
            }
            break;
        }
    }
    p.ws();
    if p.i != input.len() {
        return Err(p.err("unexpected text after the selector (ranges, functions and operators are not allowed here)"));
    }
    if metric.is_none() && matchers.is_empty() {
        return Err(SelectorError {
            offset: 0,
            message: "expected a metric name or label matchers".into(),
        });
    }
    if metric.is_none() && !matchers.iter().any(|m| m.op == "=" && !m.value.is_empty()) {
        return Err(SelectorError {
            offset: 0,
            message: "a selector without a metric name needs a non-empty equality matcher".into(),
        });
    }
    Ok(Selector { metric, matchers })
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn err(&self, message: &str) -> SelectorError {
        SelectorError {
            offset: self.i,
            message: message.into(),
        }
    }
    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.i = self.s.len() - trimmed.len();
    }
    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn ident(&mut self, colons: bool) -> Option<String> {
        let ok_first = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
        let ok = |c: char| ok_first(c) || c.is_ascii_digit();
        let mut chars = self.rest().char_indices();
        match chars.next() {
            Some((_, c)) if ok_first(c) => {}
            _ => return None,
        }
        let end = chars
            .find(|(_, c)| !ok(*c))
            .map_or(self.rest().len(), |(i, _)| i);
        let id = self.rest()[..end].to_owned();
        self.i += end;
        Some(id)
    }
    fn string(&mut self) -> Result<String, SelectorError> {
        let start = self.i;
        let quote = self
            .rest()
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
            .ok_or_else(|| self.err("expected a quoted string"))?;
        self.i += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((off, c)) = chars.next() {
            if c == quote {
                self.i += off + 1;
                return Ok(out);
            }
            if c == '\\' && quote != '`' {
                let (_, e) = chars.next().ok_or_else(|| SelectorError {
                    offset: start,
                    message: "unterminated string".into(),
                })?;
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '\\' | '"' | '\'' => e,
                    _ => {
                        return Err(SelectorError {
                            offset: self.i + off,
                            message: format!("unknown escape \\{e}"),
                        });
                    }
                });
            } else if c == '\n' && quote != '`' {
                break;
            } else {
                out.push(c);
            }
        }
        Err(SelectorError {
            offset: start,
            message: "unterminated string".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_canonicalizes() {
        let s = parse_selector(r#" http_requests_total{ job = "api", code=~'5..' , } "#).unwrap();
        assert_eq!(s.metric.as_deref(), Some("http_requests_total"));
        assert_eq!(
            s.to_promql(),
            r#"http_requests_total{job="api",code=~"5.."}"#
        );
        let q = parse_selector(r#"m{path="a\"b\\c"}"#).unwrap();
        assert_eq!(q.matchers[0].value, "a\"b\\c");
        assert_eq!(q.to_promql(), r#"m{path="a\"b\\c"}"#);
    }

    #[test]
    fn rejects_what_is_not_a_selector() {
        for bad in [
            "",
            "rate(x[5m])",
            "x[5m]",
            "x{a=\"1\"",
            "x{a=1}",
            "x{1a=\"b\"}",
            "{a=~\"x\"}",
            "x{a==\"b\"}",
            "x y",
        ] {
            assert!(parse_selector(bad).is_err(), "{bad} should fail");
        }
    }
}
