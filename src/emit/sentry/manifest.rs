//! The per-service manifest: every rule with its source, files and requests, the known
//! errors left quiet, and the placeholders a sync script must resolve. A sync script owns
//! exactly the Sentry rules whose names start with `name_prefix`: it creates or updates
//! the ones listed and deletes the others.

use serde::Serialize;

use super::plan::{Source, Unalerted};

/// The manifest of one service.
#[derive(Serialize)]
pub struct Manifest<'a> {
    /// Service name.
    pub service: &'a str,
    /// Output format (`api`, `legacy`, `terraform`).
    pub format: &'static str,
    /// Every rule name starts with this.
    pub name_prefix: String,
    /// Rules in emission order.
    pub rules: Vec<ManifestRule<'a>>,
    /// Known errors without a rule.
    pub unalerted: &'a [Unalerted],
    /// Placeholders (`${kind:name}`) used by the files, sorted.
    pub placeholders: Vec<String>,
    /// What the spec says that these rules do not evaluate.
    pub lossy: Vec<LossyEntry>,
}

/// One thing the rules cannot express.
#[derive(Serialize)]
pub struct LossyEntry {
    /// SLO concerned (absent for service-wide settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slo: Option<String>,
    /// What is lost and what Sentry evaluates instead.
    pub what: String,
}

/// One rule of the manifest.
#[derive(Serialize)]
pub struct ManifestRule<'a> {
    /// Stable key (file stem).
    pub key: &'a str,
    /// `metric` or `issue`.
    pub kind: &'static str,
    /// Sentry project slug.
    pub project: &'a str,
    /// Rule name in Sentry.
    pub name: &'a str,
    /// Where it comes from.
    pub source: &'a Source,
    /// Runbook anchors of its triggers.
    pub anchors: Vec<&'a str>,
    /// Files to apply, in order.
    pub requests: Vec<Request>,
}

/// One file and the request that applies it.
#[derive(Serialize)]
pub struct Request {
    /// Path relative to the service directory.
    pub file: String,
    /// HTTP method for creation (`None` for Terraform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    /// API path for creation, with `{org}` to fill in (`None` for Terraform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Placeholder the created object's id resolves (`${detector:<key>}`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provides: Option<String>,
}

/// Every placeholder (`${kind:name}`, or its Terraform `sentry_ids` reference) in `value`,
/// appended to `out` in the API spelling.
pub fn placeholders(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(key) = super::terraform::placeholder_keys(s) {
                out.push(format!("${{{key}}}"));
            } else if s.starts_with("${") && s.ends_with('}') && s.contains(':') {
                out.push(s.clone());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| placeholders(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| placeholders(v, out)),
        _ => {}
    }
}
