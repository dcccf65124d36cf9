//! Service level objectives.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Alerting, Bands, DurationText, Exclusion, Ident, PercentText};
use crate::span::Spanned;

/// A service level objective: an SLI, a target and a rolling window.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Identifier, unique within the service.
    pub name: Spanned<Ident>,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What is promised, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why this target (who agreed it, what users need).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// The SLI (by name) this objective is about.
    pub sli: Spanned<Ident>,
    /// Target share of good events: `99.9%` or `0.999`.
    pub objective: Spanned<PercentText>,
    /// Rolling window (default from `defaults.window`, else `30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Spanned<DurationText>>,
    /// Margin bands for this SLO (default from `defaults.bands`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Bands>,
    /// Recurring windows excluded from this SLO (in addition to the journey's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
    /// Alerting policy override (default from `defaults.alerting`, else the SRE Workbook table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerting: Option<Alerting>,
    /// Warnings about this SLO acknowledged on purpose, each with its reason: they stay
    /// visible (and in the runbook) but no longer fail `--deny-warnings`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Allow>,
}

/// An acknowledged warning of one SLO.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// The warning's code: `sloxide::slo::above-dependencies`,
    /// `sloxide::alerting::default-rows-dropped`, `sloxide::build::lossy` or
    /// `sloxide::build::no-source`.
    pub code: Spanned<String>,
    /// Why it is acceptable (shown with the warning and in the runbook).
    pub reason: Spanned<String>,
}
