//! Which windows an SLO needs and how each is computed.

use crate::model::{Duration, Slo};

/// The base window: event rates are read from the raw series over it once per evaluation.
pub const BASE: Duration = Duration::from_secs(300);

/// Longest window computed straight from the raw series (SLOs without exclusions).
pub const DIRECT_MAX: Duration = Duration::from_secs(3600);

/// The burn-rate alerts of `slo` that can fire (threshold below 100% errors).
pub fn alerts(slo: &Slo) -> impl Iterator<Item = &crate::model::BurnRateAlert> {
    slo.alerting.alerts.iter().filter(|a| slo.alert_can_fire(a))
}

/// Every window `slo` records, ascending: the base window, both windows of every alert
/// that can fire, and the SLO window.
pub fn needed(slo: &Slo) -> Vec<Duration> {
    let mut out = vec![BASE, slo.window];
    for a in alerts(slo) {
        out.push(a.long_window);
        out.push(a.short_window);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `window` is read from the raw series (else derived from the base recordings).
pub fn is_direct(slo: &Slo, window: Duration) -> bool {
    window == BASE || (slo.exclusions.is_empty() && window <= DIRECT_MAX)
}
