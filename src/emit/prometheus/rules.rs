//! Typed Prometheus rule files, serialized with serde-saphyr (never templated text).

use std::collections::BTreeMap;

use serde::Serialize;

/// A rule file: `groups:` at the top level.
#[derive(Debug, Clone, Serialize)]
pub struct RuleFile {
    /// Rule groups.
    pub groups: Vec<Group>,
}

/// A rule group; its rules are evaluated in order within one evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Group name, unique within the file.
    pub name: String,
    /// Evaluation interval (the rules are written for exactly this interval).
    pub interval: String,
    /// Rules in evaluation order.
    pub rules: Vec<Rule>,
}

/// A recording or alerting rule.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Rule {
    /// A recording rule.
    Record(Record),
    /// An alerting rule.
    Alert(Alert),
}

/// A recording rule.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Recorded metric name.
    pub record: String,
    /// PromQL expression.
    #[serde(serialize_with = "literal")]
    pub expr: String,
    /// Labels set on the result.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// An alerting rule.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// Alert name (a valid metric name).
    pub alert: String,
    /// PromQL expression.
    #[serde(serialize_with = "literal")]
    pub expr: String,
    /// Labels added to the alert.
    pub labels: BTreeMap<String, String>,
    /// Annotations (Go templates; user text is escaped).
    pub annotations: BTreeMap<String, String>,
}

/// Long or multi-line expressions as literal blocks (`|`), which keep PromQL as written.
fn literal<S: serde::Serializer>(expr: &str, s: S) -> Result<S::Ok, S::Error> {
    serde_saphyr::LitStr(expr).serialize(s)
}
