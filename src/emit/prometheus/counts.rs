//! The event counts of one SLO: the events of every evaluation step, their running
//! total, and the count of any window as the difference of two totals.
//!
//! Every count series carries the label [`COUNT_LABEL`] (`events` or `errors`), so one
//! rule and one selector handle both counts.

use super::windows::{CHECKPOINT_EVERY, GAP, STEP};
use crate::model::Duration;

/// Label telling the two counts apart.
pub const COUNT_LABEL: &str = "sloxide_count";
/// The events since the previous evaluation.
pub const DELTA: &str = "slo:sli_counts:delta30s";
/// The events since the SLO's rules first ran: the previous total plus this step.
pub const TOTAL: &str = "slo:sli_counts:total";
/// The running total, written once an hour.
pub const CHECKPOINT: &str = "slo:sli_counts:checkpoint1h";
/// Where a total resumes after a gap in the evaluations longer than [`GAP`]: the newest
/// checkpoint, or zero for an SLO without one.
pub const RESUME: &str = "slo:sli_counts:resume";
/// The events of each window the SLO needs (label `window`).
pub const WINDOW: &str = "slo:sli_counts:window";

/// How far back the hourly checkpoint is searched: after a gap in the evaluations up
/// to this long the totals resume from it; after a longer one they start again from zero.
const CHECKPOINT_RANGE: Duration = Duration::from_secs(35 * 86_400);
/// How far before a window's start its old total is searched: a gap in the
/// evaluations up to this long at that instant still yields the total before it.
const OLD_EDGE_LOOKBACK: Duration = GAP;

/// Which events a count holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// All events.
    Events,
    /// Bad events.
    Errors,
}

impl Count {
    /// The value of [`COUNT_LABEL`].
    pub fn label(self) -> &'static str {
        match self {
            Count::Events => "events",
            Count::Errors => "errors",
        }
    }
}

/// `matchers` (a `{...}` selector body) narrowed to one count.
pub fn only(matchers: &str, c: Count) -> String {
    let inner = matchers.trim_start_matches('{').trim_end_matches('}');
    format!("{{{inner},{COUNT_LABEL}=\"{}\"}}", c.label())
}

/// Both counts of this step from the raw events `events` and bad events `errors`
/// (each a one-series expression, possibly empty).
pub fn delta(events: &str, errors: &str) -> String {
    let tag = |expr: &str, c: Count| {
        format!(
            "label_replace({expr}, \"{COUNT_LABEL}\", \"{}\", \"\", \"\")",
            c.label()
        )
    };
    format!(
        "{}\nor\n{}",
        tag(events, Count::Events),
        tag(errors, Count::Errors)
    )
}

/// The running total of the SLO whose series `matchers` select: this step plus the
/// previous total (its newest value within [`GAP`], else where the shared group says it
/// resumes; so a new SLO's total starts at its second evaluation). No selector reaches
/// back further than [`GAP`]: Prometheus opens every block a selector's range touches.
pub fn total(matchers: &str) -> String {
    format!(
        "{DELTA}{matchers}\n+ on({COUNT_LABEL})\n(last_over_time({TOTAL}{matchers}[{}]) or {RESUME}{matchers})",
        GAP.to_prom()
    )
}

/// Where the totals `selector` selects resume: the newest checkpoint (within
/// [`CHECKPOINT_RANGE`]), else zero for the SLOs whose steps `selector` selects.
pub fn resume(selector: &str) -> String {
    format!(
        "last_over_time({CHECKPOINT}{selector}[{}])\nor\n{DELTA}{selector} * 0",
        CHECKPOINT_RANGE.to_prom()
    )
}

/// The checkpoint of the totals `selector` selects: their value at the evaluation in
/// the first step of each [`CHECKPOINT_EVERY`] (a sparse series).
pub fn checkpoint(selector: &str) -> String {
    format!(
        "{TOTAL}{selector}\nand on() (vector(time() % {}) < {})",
        CHECKPOINT_EVERY.secs(),
        STEP.secs()
    )
}

/// Both counts over `w` of every SLO whose totals `selector` selects: the total now minus
/// the total at the window's start (the newest value up to [`OLD_EDGE_LOOKBACK`] before
/// it), at least zero (a total that resumed from its checkpoint may lag the one before);
/// the whole total while the SLO's history is shorter than the window.
pub fn window(w: Duration, selector: &str) -> String {
    format!(
        "clamp_min({TOTAL}{selector} - last_over_time({TOTAL}{selector}[{}] offset {}), 0)\nor\n{TOTAL}{selector}",
        OLD_EDGE_LOOKBACK.to_prom(),
        w.to_prom()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_the_difference_of_two_totals() {
        let sel = "{service=~\"a|b\"}";
        assert_eq!(
            window(Duration::from_secs(3 * 86_400), sel),
            "clamp_min(slo:sli_counts:total{service=~\"a|b\"} - last_over_time(slo:sli_counts:total{service=~\"a|b\"}[20m] offset 3d), 0)\nor\nslo:sli_counts:total{service=~\"a|b\"}"
        );
    }

    #[test]
    fn the_total_carries_over_gaps_then_resumes_from_its_checkpoint() {
        assert_eq!(
            total("{slo=\"a\"}"),
            "slo:sli_counts:delta30s{slo=\"a\"}\n+ on(sloxide_count)\n(last_over_time(slo:sli_counts:total{slo=\"a\"}[20m]) or slo:sli_counts:resume{slo=\"a\"})"
        );
        let r = resume("{service=~\"a\"}");
        assert!(
            r.starts_with("last_over_time(slo:sli_counts:checkpoint1h{service=~\"a\"}[35d])"),
            "{r}"
        );
    }
}
