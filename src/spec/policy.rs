//! Defaults, margin bands and alerting policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DurationText, NumberText};
use crate::span::Spanned;

/// Service-wide defaults for SLOs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Default rolling window (default `30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Spanned<DurationText>>,
    /// Default margin bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Bands>,
    /// Default alerting policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerting: Option<Alerting>,
}

/// Safety-margin bands on the SLI over the SLO window. Each is a comparison with a
/// percentage, e.g. `green: ">= 99.995%"`, `yellow: "> 99.99%"`, `red: "<= 99.99%"`.
/// Green must use `>=`/`>`, red `<=`/`<`; yellow, if written, must be exactly what lies
/// between them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// Condition for GREEN (healthy, safety margin intact).
    pub green: Spanned<String>,
    /// Condition for YELLOW (margin used up; act before the SLO breaks). Optional: it is
    /// whatever lies between green and red.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yellow: Option<Spanned<String>>,
    /// Condition for RED (SLO at risk or breached).
    pub red: Spanned<String>,
}

/// Alerting policy: multi-window multi-burn-rate alerts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alerting {
    /// Burn-rate alerts; default is the SRE Workbook table (page 14.4x 1h/5m and 6x 6h/30m,
    /// ticket 3x 1d/2h and 1x 3d/6h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burn_rates: Option<Spanned<Vec<BurnRateAlert>>>,
    /// Low-traffic guard: alerts need at least this many events in the long window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_events: Option<Spanned<u64>>,
}

/// One burn-rate alert: fires when both windows burn faster than `burn_rate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurnRateAlert {
    /// `page` or `ticket`.
    pub severity: Spanned<Severity>,
    /// How many times faster than sustainable the budget burns, e.g. 14.4.
    pub burn_rate: Spanned<NumberText>,
    /// Long window, e.g. `1h`.
    pub long_window: Spanned<DurationText>,
    /// Short window (reset speed), e.g. `5m`; conventionally 1/12 of the long window.
    pub short_window: Spanned<DurationText>,
}

/// Alert severity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Wake someone up now.
    Page,
    /// Handle during working hours.
    Ticket,
}
