//! The `service` block and the `dependencies` list.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Ident, PercentText};
use crate::span::Spanned;

/// The service that owns the objectives.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Identifier of the service, unique across a build.
    pub name: Spanned<Ident>,
    /// Human-readable name (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the service does, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who agreed the objectives: product owner and tech lead.
    pub owners: Owners,
    /// Labels attached to every generated rule and alert (Prometheus label names).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    /// Where alerts go, per severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// Base URL where the generated runbooks are published; alert links point below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook_base_url: Option<Spanned<String>>,
    /// Base URL of the Grafana that shows the generated dashboards, e.g.
    /// `https://grafana.example.com`; Prometheus alerts then link to their dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grafana_url: Option<Spanned<String>>,
}

/// People accountable for the objectives, agreed by product and engineering.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Owners {
    /// Product owner or product manager who agreed the SLOs.
    pub product_owner: Spanned<String>,
    /// Tech lead who agreed the SLOs.
    pub tech_lead: Spanned<String>,
    /// Owning team (used for Sentry ownership and runbooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Spanned<String>>,
}

/// Notification targets per severity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// Targets for page-level alerts (wake someone up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page: Vec<NotifyTarget>,
    /// Targets for ticket-level alerts (handle in working hours).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket: Vec<NotifyTarget>,
}

/// One notification target, written as a single-key mapping such as `slack: "#sre"`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum NotifyTarget {
    /// PagerDuty service (integration/routing key reference, not the secret itself).
    Pagerduty(Spanned<String>),
    /// Slack channel, e.g. `#card-sre`.
    Slack(Spanned<String>),
    /// E-mail address.
    Email(Spanned<String>),
    /// HTTPS webhook URL.
    Webhook(Spanned<String>),
}

/// A system the journeys run on, with its published availability SLA.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// Identifier, referenced from journey steps.
    pub name: Spanned<Ident>,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Published availability SLA, e.g. `99.95%`.
    pub sla: Spanned<PercentText>,
    /// Whether the team runs it (internal) or a vendor/partner does (external).
    pub scope: DependencyScope,
}

/// Who runs a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DependencyScope {
    /// Run by the team or company.
    Internal,
    /// Run by a vendor, cloud provider or partner.
    External,
}

/// Label names and values in document order, each with its span, so a bad label name is
/// reported on the name and a bad value on the value. Duplicate names are rejected by
/// the YAML parser.
#[derive(Debug, Clone, Default)]
pub struct Labels(pub Vec<(Spanned<String>, Spanned<String>)>);

impl Labels {
    /// Whether no label is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Labels;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping of label names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Labels(entries))
            }
        }
        d.deserialize_map(LabelsVisitor)
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (&k.value, &v.value)))
    }
}

impl JsonSchema for Labels {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <BTreeMap<String, String>>::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<String, String>>::json_schema(generator)
    }
}
