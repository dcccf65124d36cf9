//! The `service` block and the `dependencies` list.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, Spanned<String>>,
    /// Where alerts go, per severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// Base URL where the generated runbooks are published; alert links point below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook_base_url: Option<Spanned<String>>,
}

/// People accountable for the objectives (S5: agreed by product and engineering).
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
