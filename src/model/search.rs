//! The subset of Sentry search syntax that issue-alert filters can express.
//!
//! Metric alerts take a search query as is, but issue alerts (and workflows) only have
//! per-field filters (`TaggedEventFilter`, `EventAttributeFilter`). A query made of
//! `key:value` terms (optionally negated with `!`, quoted with `"…"`, with `*` at either
//! end) maps onto those filters one term each; anything else (free text, `OR`,
//! parentheses, comparisons, `has:`/`is:`) cannot, and validation refuses it.
//! Grammar: Sentry docs "Search" (docs.sentry.io/concepts/search/) — re-implemented, not
//! copied (the Sentry grammar is FSL-licensed).

use serde::Serialize;

/// One `key:value` term of a Sentry search query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchTerm {
    /// The key, e.g. `transaction` or `error.type`.
    pub key: String,
    /// Whether the term is negated (`!key:value`).
    pub negated: bool,
    /// How the value matches.
    pub op: MatchOp,
    /// The value without quotes and without the `*` wildcards at its ends.
    pub value: String,
}

/// How a term's value matches, from the position of `*` wildcards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOp {
    /// `value`
    Equals,
    /// `value*`
    StartsWith,
    /// `*value`
    EndsWith,
    /// `*value*`
    Contains,
}

/// Checks that the parentheses of `query` nest and its double quotes close (a `\` inside
/// quotes escapes the next character), so `(<query>)` is one group.
pub fn balanced(query: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut chars = query.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next() {
                    None => return Err("a `\"` is not closed".into()),
                    Some('"') => break,
                    Some('\\') => {
                        chars.next();
                    }
                    Some(_) => {}
                }
            },
            '(' => depth += 1,
            ')' if depth == 0 => return Err("a `)` closes nothing".into()),
            ')' => depth -= 1,
            _ => {}
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(format!("{depth} `(` not closed"))
    }
}

/// Splits `query` into filter terms, or says why it cannot be expressed as filters.
pub fn filter_terms(query: &str) -> Result<Vec<SearchTerm>, String> {
    let mut terms = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(terms);
        }
        let negated = chars.next_if_eq(&'!').is_some();
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || "_.-[]".contains(*c)) {
            key.push(c);
        }
        if key.is_empty() || chars.next_if_eq(&':').is_none() {
            return Err(format!(
                "`{}` is not a `key:value` term (free text, OR and parentheses cannot become issue-alert filters)",
                rest_of_term(&key, &mut chars)
            ));
        }
        if key == "has" || key == "is" {
            return Err(format!("`{key}:` cannot become an issue-alert filter"));
        }
        let raw = if chars.next_if_eq(&'"').is_some() {
            let mut v = String::new();
            loop {
                match chars.next() {
                    None => return Err(format!("the quoted value of `{key}` is not closed")),
                    Some('"') => break,
                    Some('\\') => v.extend(chars.next()),
                    Some(c) => v.push(c),
                }
            }
            v
        } else {
            let mut v = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                v.push(c);
            }
            if v.starts_with(['>', '<', '[', '(']) {
                return Err(format!(
                    "`{key}:{v}` is a comparison or list, which issue-alert filters cannot express"
                ));
            }
            v
        };
        terms.push(term(key, negated, &raw)?);
    }
}

fn rest_of_term(key: &str, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut text = key.to_string();
    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
        text.push(c);
    }
    text
}

fn term(key: String, negated: bool, raw: &str) -> Result<SearchTerm, String> {
    let (lead, rest) = match raw.strip_prefix('*') {
        Some(r) => (true, r),
        None => (false, raw),
    };
    let (trail, value) = match rest.strip_suffix('*') {
        Some(v) => (true, v),
        None => (false, rest),
    };
    if value.is_empty() || value.contains('*') {
        return Err(format!(
            "`{key}:{raw}` needs a value with `*` at most at its ends"
        ));
    }
    let op = match (lead, trail) {
        (false, false) => MatchOp::Equals,
        (false, true) => MatchOp::StartsWith,
        (true, false) => MatchOp::EndsWith,
        (true, true) => MatchOp::Contains,
    };
    Ok(SearchTerm {
        key,
        negated,
        op,
        value: value.to_string(),
    })
}

/// Whether `slug` is a Sentry project slug (lowercase letters, digits, `-`, `_`; at most
/// 50 characters; Sentry `SentrySlugField`).
pub fn is_project_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 50
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_queries_cannot_leave_their_parentheses() {
        assert!(balanced("transaction:/pay* (a OR b)").is_ok());
        assert!(balanced(r#"message:"x) OR (y""#).is_ok());
        for bad in ["x) OR (y", "(a", r#"message:"open"#, "a)"] {
            assert!(balanced(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_terms_with_quotes_wildcards_and_negation() {
        let t =
            filter_terms(r#"transaction:review.* !error.type:"Dead \"lock\": ü" x:*mid*"#).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[0].key.as_str(), t[0].op),
            ("transaction", MatchOp::StartsWith)
        );
        assert_eq!(t[0].value, "review.");
        assert!(t[1].negated);
        assert_eq!(t[1].value, "Dead \"lock\": ü");
        assert_eq!((t[2].op, t[2].value.as_str()), (MatchOp::Contains, "mid"));
    }

    #[test]
    fn refuses_what_filters_cannot_express() {
        for q in [
            "deadlock",
            "a:1 OR b:2",
            "(a:1)",
            "duration:>300",
            "has:user",
            "a:b*c",
            "a:\"open",
            "a:",
        ] {
            assert!(filter_terms(q).is_err(), "{q}");
        }
        assert_eq!(filter_terms("  ").unwrap(), vec![]);
    }

    #[test]
    fn project_slugs() {
        assert!(is_project_slug("kyc-api_2"));
        assert!(!is_project_slug("../etc"));
        assert!(!is_project_slug("KYC"));
        assert!(!is_project_slug(""));
    }
}
