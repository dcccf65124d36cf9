//! Impact matrix and triage routing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ident;
use crate::span::Spanned;

/// How errors in journey steps are classified and routed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    /// Rules matched in order; the first match gives the impact. Default: whole journey or
    /// one step failing for all users is high; one step, a few users, no workaround is
    /// medium; one step, a few users, with a workaround is low.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Spanned<Vec<ImpactRule>>>,
    /// Medium impact must be triaged within this many business days (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage_business_days: Option<Spanned<u32>>,
    /// When archived low-impact errors are reviewed (default weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_review: Option<ReviewCadence>,
}

/// One row of the impact matrix.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactRule {
    /// Whether the whole journey or one step fails.
    pub scope: Scope,
    /// Restrict a `step` rule to these steps (by name); omit for any step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Spanned<Ident>>,
    /// How many requests fail: `all`, `few` or `any`.
    pub count: CountMatch,
    /// Whether users have a workaround: `none`, `exists` or `any`.
    pub workaround: WorkaroundMatch,
    /// Resulting impact.
    pub impact: ImpactLevel,
}

/// Scope of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The journey as a whole (all steps).
    Journey,
    /// One step.
    Step,
}

/// Which counts a matrix row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountMatch {
    /// All requests fail.
    All,
    /// A few requests fail.
    Few,
    /// Either.
    Any,
}

/// Which workaround situations a matrix row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkaroundMatch {
    /// No workaround.
    None,
    /// A workaround exists.
    Exists,
    /// Either.
    Any,
}

/// Impact level and thereby routing: high pages, medium opens a ticket with a triage
/// deadline, low is archived and reviewed periodically.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ImpactLevel {
    /// Page now.
    High,
    /// Ticket, triage within the deadline.
    Medium,
    /// Archive, no notification, periodic review.
    Low,
}

/// Review cadence for archived low-impact errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewCadence {
    /// Every week.
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// Every month.
    Monthly,
}
