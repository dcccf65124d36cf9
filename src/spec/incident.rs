//! Incident response and error budget policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ident;
use crate::span::Spanned;

/// How incidents are declared and staffed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Channel where anyone posts anything suspicious, 24/7 (default `#hotline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<Spanned<String>>,
    /// Incident channel name pattern; `{date}` becomes YYYYMMDD and `{title}` the incident
    /// title (default `#incident_{date}_{title}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_pattern: Option<Spanned<String>>,
    /// Bridge calls opened on declaration (default: system recovery, customer handling).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bridges: Vec<Spanned<String>>,
    /// The formation: each role with its ordered chain (first is primary, then deputies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleChain>,
    /// Responsibility chains per area (guest customers, partners, system, bridging).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<AreaChain>,
    /// When and how the flow is rehearsed (e.g. before peak season, with a test page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rehearsal: Option<String>,
}

/// A role in the incident formation and who fills it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChain {
    /// The role.
    pub role: Spanned<Role>,
    /// People in order: primary, then up to three deputies.
    pub chain: Spanned<Vec<Spanned<String>>>,
}

/// Roles of the incident formation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Leads the response and decides.
    Commander,
    /// Investigates the root cause.
    Investigator,
    /// Restores service quickly (restart, small fix deploy).
    FirstAid,
    /// Determines who and what is affected.
    ImpactScope,
    /// Owns the permanent fix.
    PermanentFix,
    /// Keeps the timeline and notes.
    Recorder,
    /// Sits in both bridge calls and translates between teams.
    Bridge,
}

/// A responsibility area and its ordered chain of people.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaChain {
    /// Identifier of the area, e.g. `guest-customers`.
    pub name: Spanned<Ident>,
    /// People in order: primary, then up to three deputies.
    pub chain: Spanned<Vec<Spanned<String>>>,
}

/// What the team does depending on the state of the error budget.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBudgetPolicy {
    /// When the budget is exhausted (SLO missed), e.g. "feature work stops".
    pub when_exhausted: Spanned<String>,
    /// When the band is RED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_red: Option<String>,
    /// When the band is YELLOW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_yellow: Option<String>,
    /// When the SLO is met with margin (GREEN): how much risk the team may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_healthy: Option<String>,
}
