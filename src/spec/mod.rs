//! The spec language `sloxide/v1` as written on disk (stage 0).
//!
//! These types mirror the YAML one to one, keep a [`Spanned`] on every value a semantic
//! check can reject, and are the source of the JSON Schema in `schema/` (generated with
//! schemars; `tests/schema_sync.rs` keeps the committed file in sync). Validation turns
//! them into the resolved [`crate::model`].

mod impact;
mod incident;
mod journey;
mod policy;
mod scalar;
mod service;
mod sli;
mod slo;

pub use impact::*;
pub use incident::*;
pub use journey::*;
pub use policy::*;
pub use scalar::*;
pub use service::*;
pub use sli::*;
pub use slo::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::span::Spanned;

/// The only `apiVersion` this compiler understands.
pub const API_VERSION: &str = "sloxide/v1";

/// One spec document: one service with its journeys, SLIs and SLOs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sloxide spec (sloxide/v1)")]
pub struct Spec {
    /// Spec language version; must be `sloxide/v1`.
    #[serde(rename = "apiVersion")]
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: Spanned<String>,
    /// The service these objectives belong to.
    pub service: Service,
    /// Defaults applied to every SLO of this service unless the SLO overrides them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// Systems the journeys run on, with their published SLAs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Critical user journeys: multi-step flows across actors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journeys: Vec<Journey>,
    /// Service level indicators: what is measured and where.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slis: Vec<Sli>,
    /// Service level objectives: targets over a rolling window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<Slo>,
    /// Impact matrix and triage routing for errors in journey steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// Incident response: hotline, channel naming, formation and deputies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
    /// What the team does when the error budget is spent or the band turns red.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_budget_policy: Option<ErrorBudgetPolicy>,
}
