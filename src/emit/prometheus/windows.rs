//! Which windows an SLO needs, and the evaluation clock every window is counted on.

use crate::model::{Duration, Slo};

/// The evaluation interval of the alerting group and of the shared window group. The
/// running totals chain from one evaluation to the next, so these rules are written for
/// exactly this interval.
pub const STEP: Duration = Duration::from_secs(30);

/// The evaluation interval of the budget group (the SLO window, metadata, bands):
/// stateless rules, so any interval works; this one keeps every series within
/// Prometheus's 5-minute lookback.
pub const BUDGET_STEP: Duration = Duration::from_secs(180);

/// How often the running totals are checkpointed.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(3600);

/// The window of the traffic count every SLO records.
pub const RATE: Duration = Duration::from_secs(300);

/// Longest gap between two samples of a raw series that is still bridged (the events
/// counted across a scrape gap up to this long appear once scraping resumes), and the
/// longest gap in the evaluations that the running totals carry over.
pub const GAP: Duration = Duration::from_secs(20 * 60);

/// The history Prometheus's head block holds on average: once it spans 3 hours it writes
/// the oldest 2 to a block, so it holds between 1 and 3 hours.
pub const HEAD_SPAN: Duration = Duration::from_secs(2 * 3600);

/// Whether the totals at the start of window `w` usually lie outside the head block.
pub fn starts_outside_head(w: Duration) -> bool {
    w.secs() + GAP.secs() > HEAD_SPAN.secs()
}

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
