//! Which windows an SLO needs, and the evaluation clock every window is counted on.

use crate::model::{Duration, Slo};

/// The evaluation interval of the alerting group. The counts are chained from one
/// evaluation to the next, so its rules are written for exactly this interval.
pub const STEP: Duration = Duration::from_secs(30);

/// The evaluation interval of the budget group (the SLO window, metadata, bands):
/// stateless rules, so any interval works; this one keeps every series within
/// Prometheus's 5-minute lookback.
pub const BUDGET_STEP: Duration = Duration::from_secs(180);

/// The hour tile: the counts of one wall-clock hour.
pub const HOUR: Duration = Duration::from_secs(3600);

/// Longest window summed from the step counts (240 samples); longer ones use hour tiles.
pub const DIRECT_MAX: Duration = Duration::from_secs(7200);

/// Longest tiled window whose reads share a rule with the other short tiled windows.
pub const NEAR_MAX: Duration = Duration::from_secs(7 * 86_400);

/// The window of the traffic count every SLO records.
pub const RATE: Duration = Duration::from_secs(300);

/// Longest gap between two samples of a raw series that is still bridged: the events
/// counted across a scrape gap up to this long appear once scraping resumes.
pub const GAP: Duration = Duration::from_secs(20 * 60);

/// The burn-rate alerts of `slo` that can fire (threshold below 100% errors).
pub fn alerts(slo: &Slo) -> impl Iterator<Item = &crate::model::BurnRateAlert> {
    slo.alerting.alerts.iter().filter(|a| slo.alert_can_fire(a))
}

/// Every window `slo` records a ratio for, ascending: the rate window, both windows of
/// every alert that can fire, and the SLO window.
pub fn needed(slo: &Slo) -> Vec<Duration> {
    let mut out = vec![RATE, slo.window];
    for a in alerts(slo) {
        out.push(a.long_window);
        out.push(a.short_window);
    }
    out.sort_unstable();
    out.dedup();
    out
}
