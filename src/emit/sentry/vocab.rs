//! Sentry vocabulary shared by the output formats: placeholders for ids only the Sentry
//! organisation knows, issue-alert filters, and dataset names.

use crate::model::SentryDataset;
use crate::model::search::{MatchOp, SearchTerm};

/// A value the sync script substitutes before applying a file: `${kind:name}`, e.g.
/// `${team:kyc-platform}` → `team:42`. The manifest lists every placeholder a service uses.
pub fn placeholder(kind: &str, name: &str) -> String {
    format!("${{{}}}", placeholder_key(kind, name))
}

/// The key `kind:name` of a placeholder. `name` comes from free text (e.g. a team), so
/// `%`, `$`, `{` and `}` are percent-encoded: the placeholder always ends at its first `}`
/// and its Terraform reference never starts an interpolation (`${`, `%{`).
pub fn placeholder_key(kind: &str, name: &str) -> String {
    let mut key = format!("{kind}:");
    for c in name.chars() {
        match c {
            '%' | '$' | '{' | '}' => key.push_str(&format!("%{:02X}", c as u32)),
            c => key.push(c),
        }
    }
    key
}

/// Event attributes `EventAttributeFilter` knows (getsentry/sentry
/// `src/sentry/rules/filters/event_attribute.py`); other keys are tags.
const ATTRIBUTES: [&str; 19] = [
    "message",
    "platform",
    "environment",
    "type",
    "error.handled",
    "error.unhandled",
    "exception.type",
    "exception.value",
    "user.id",
    "user.email",
    "user.username",
    "user.ip_address",
    "http.method",
    "http.url",
    "http.status_code",
    "sdk.name",
    "stacktrace.module",
    "stacktrace.filename",
    "stacktrace.package",
];

/// An issue-alert filter: on an event attribute or on a tag.
pub struct Filter<'a> {
    /// `Some(attribute)` for an event attribute, `None` for a tag.
    pub attribute: Option<&'static str>,
    /// The tag key (for tags).
    pub key: &'a str,
    /// Match code (`src/sentry/rules/match.py`).
    pub r#match: &'static str,
    /// Value.
    pub value: &'a str,
}

/// The filter for one search term; `error.type`/`error.value` are the search names of
/// `exception.type`/`exception.value`.
pub fn filter(term: &SearchTerm) -> Filter<'_> {
    let key = match term.key.as_str() {
        "error.type" => "exception.type",
        "error.value" => "exception.value",
        k => k,
    };
    let attribute = ATTRIBUTES.iter().copied().find(|a| *a == key);
    let r#match = match (term.op, term.negated) {
        (MatchOp::Equals, false) => "eq",
        (MatchOp::Equals, true) => "ne",
        (MatchOp::StartsWith, false) => "sw",
        (MatchOp::StartsWith, true) => "nsw",
        (MatchOp::EndsWith, false) => "ew",
        (MatchOp::EndsWith, true) => "new",
        (MatchOp::Contains, false) => "co",
        (MatchOp::Contains, true) => "nc",
    };
    Filter {
        attribute,
        key: &term.key,
        r#match,
        value: &term.value,
    }
}

/// Dataset name and event types of a metric alert's query.
pub fn dataset(dataset: SentryDataset) -> (&'static str, &'static str) {
    match dataset {
        SentryDataset::Transactions => ("transactions", "transaction"),
        SentryDataset::Spans => ("events_analytics_platform", "trace_item_span"),
    }
}

/// A threshold as a JSON number: an integer when whole.
pub fn number(d: rust_decimal::Decimal) -> serde_json::Value {
    use rust_decimal::prelude::ToPrimitive;
    let d = d.normalize();
    match d.to_i64().filter(|_| d.fract().is_zero()) {
        Some(i) => serde_json::Value::from(i),
        None => serde_json::Value::from(d.to_f64().unwrap_or(f64::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn placeholders_of_free_text_end_at_their_only_closing_brace() {
        assert_eq!(placeholder("team", "kyc-platform"), "${team:kyc-platform}");
        let p = placeholder("team", "a|{{b}} ${c} 100%{");
        assert_eq!(p, "${team:a|%7B%7Bb%7D%7D %24%7Bc%7D 100%25%7B}");
        assert_eq!(p.matches('}').count(), 1);
        assert_ne!(placeholder("team", "%7B"), placeholder("team", "{"));
    }
}
