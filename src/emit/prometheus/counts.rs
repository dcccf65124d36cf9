//! The event counts of one SLO: the events of every evaluation step, their running
//! total, and the count of any window as the difference of two totals.
//!
//! Every count series carries the label [`COUNT_LABEL`], so one rule and one selector
//! handle both counts of an SLO: `events` and `errors`, or the two counts one selector's
//! series split into when a label tells them apart ([`Pair`]).

use super::windows::{CHECKPOINT_EVERY, GAP};
use crate::model::Duration;

/// Label telling the two counts apart.
pub const COUNT_LABEL: &str = "sloxide_count";
/// Both counts since the SLO's rules first ran: the previous total plus this step.
pub const TOTAL: &str = "slo:sli_counts:total";
/// The running total, written once an hour.
pub const CHECKPOINT: &str = "slo:sli_counts:checkpoint1h";
/// Where a total resumes after a gap in the evaluations longer than [`GAP`]: the newest
/// checkpoint, or zero for an SLO without one.
pub const RESUME: &str = "slo:sli_counts:resume";
/// The events of each window the SLO needs (label `window`).
pub const WINDOW: &str = "slo:sli_counts:window";
/// The total at the start of each window that reaches back past Prometheus's head
/// block (label `window`).
pub const WINDOW_START: &str = "slo:sli_counts:window_start";

/// How far back the hourly checkpoint is searched: after a gap in the evaluations up
/// to this long the totals resume from it; after a longer one they start again from zero.
const CHECKPOINT_RANGE: Duration = Duration::from_secs(35 * 86_400);
/// How far before a window's start its old total is searched: a gap in the
/// evaluations up to this long at that instant still yields the total before it.
const OLD_EDGE_LOOKBACK: Duration = GAP;

/// Which events a count holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    /// All events.
    Events,
    /// Bad events.
    Errors,
    /// Good events.
    Good,
}

impl Count {
    /// The value of [`COUNT_LABEL`].
    pub fn label(self) -> &'static str {
        match self {
            Count::Events => "events",
            Count::Errors => "errors",
            Count::Good => "good",
        }
    }
}

/// The two counts an SLO records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pair {
    /// All events and bad events (read through two selectors).
    EventsErrors,
    /// Good and bad events (one counter's series, split by a label).
    GoodErrors,
    /// All events and good events (a histogram's count and threshold bucket).
    EventsGood,
}

impl Pair {
    /// The pair of `a` and `b` (in either order).
    pub fn of(a: Count, b: Count) -> Pair {
        match (a.min(b), a.max(b)) {
            (Count::Errors, Count::Good) => Pair::GoodErrors,
            (Count::Events, Count::Good) => Pair::EventsGood,
            _ => Pair::EventsErrors,
        }
    }

    /// The error ratio of the window counts `selector` selects (with this pair).
    pub fn error_ratio(self, selector: &str) -> String {
        let w = |c: Count| format!("{WINDOW}{}", only(selector, c));
        let on = format!("ignoring({COUNT_LABEL})");
        let (events, errors, good) = (w(Count::Events), w(Count::Errors), w(Count::Good));
        match self {
            Pair::EventsErrors => format!("{errors}\n/ {on}\n{events}"),
            Pair::GoodErrors => format!("{errors}\n/ {on}\n({errors} + {on} {good})"),
            Pair::EventsGood => format!("clamp_min(1 - {good}\n/ {on}\n{events}, 0)"),
        }
    }

    /// The two counts.
    pub fn counts(self) -> [Count; 2] {
        match self {
            Pair::EventsErrors => [Count::Events, Count::Errors],
            Pair::GoodErrors => [Count::Good, Count::Errors],
            Pair::EventsGood => [Count::Events, Count::Good],
        }
    }

    /// All events of the window counts `selector` selects (one window of one SLO).
    pub fn events(self, selector: &str) -> String {
        match self {
            Pair::GoodErrors => format!("sum({WINDOW}{selector})"),
            _ => format!("{WINDOW}{}", only(selector, Count::Events)),
        }
    }
}

/// `matchers` (a `{...}` selector body) narrowed to one count.
pub fn only(matchers: &str, c: Count) -> String {
    let inner = matchers.trim_start_matches('{').trim_end_matches('}');
    format!("{{{inner},{COUNT_LABEL}=\"{}\"}}", c.label())
}

/// Both counts of this step from the raw events `events` and the counted events
/// `counted` (each a one-series expression, never empty), `counted` being `count`.
pub fn step(events: &str, counted: &str, count: Count) -> String {
    format!(
        "{}\nor\n{}",
        tag(events, Count::Events),
        tag(counted, count)
    )
}

/// Both counts of this step from `rows`: the counts of a split source, one series for
/// `matched` (labelled) and one without [`COUNT_LABEL`] for the other count (possibly
/// absent, each a one-series expression). The result always has both counts.
pub fn split_step(rows: &str, matched: Count, unmatched: Count) -> String {
    format!(
        "label_replace({rows}, \"{COUNT_LABEL}\", \"{}\", \"{COUNT_LABEL}\", \"\")\nor\n{}",
        unmatched.label(),
        tag("vector(0)", matched)
    )
}

/// `expr` (one series without labels) labelled as count `c`.
fn tag(expr: &str, c: Count) -> String {
    format!(
        "label_replace({expr}, \"{COUNT_LABEL}\", \"{}\", \"\", \"\")",
        c.label()
    )
}

/// The running total of the SLO whose series `matchers` select: this `step` plus the
/// previous total (its newest value within [`GAP`], else where the shared budget group
/// says it resumes; so a new SLO's total starts once that group has run). No selector
/// reaches back further than [`GAP`]: Prometheus opens every block a selector's range
/// touches.
pub fn total(step: &str, matchers: &str) -> String {
    format!(
        "({step})\n+ on({COUNT_LABEL})\n(last_over_time({TOTAL}{matchers}[{}]) or {RESUME}{matchers})",
        GAP.to_prom()
    )
}

/// Where the totals `selector` selects resume: the newest checkpoint (within
/// [`CHECKPOINT_RANGE`]), else zero for each of `counts` of the SLOs whose objectives
/// `selector` selects (a total only reads the counts it has).
pub fn resume(selector: &str, counts: &[Count]) -> String {
    let zero = format!("{}{selector} * 0", super::recording::OBJECTIVE);
    let seeds: Vec<String> = counts.iter().map(|c| tag(&zero, *c)).collect();
    format!(
        "last_over_time({CHECKPOINT}{selector}[{}])\nor\n{}",
        CHECKPOINT_RANGE.to_prom(),
        seeds.join("\nor\n")
    )
}

/// The checkpoint of the totals `selector` selects, recorded by a group evaluated every
/// `interval`: their value at the evaluation in the first interval of each
/// [`CHECKPOINT_EVERY`] (a sparse series).
pub fn checkpoint(selector: &str, interval: Duration) -> String {
    format!(
        "{TOTAL}{selector}\nand on() (vector(time() % {}) < {})",
        CHECKPOINT_EVERY.secs(),
        interval.secs()
    )
}

/// Both counts over `w` of every SLO whose totals `selector` selects: the total now minus
/// the total at the window's start (the newest value up to [`OLD_EDGE_LOOKBACK`] before
/// it), at least zero (a total that resumed from its checkpoint may lag the one before);
/// the whole total while the SLO's history is shorter than the window.
pub fn window(w: Duration, selector: &str) -> String {
    from_start(&start(w, selector), selector)
}

/// The totals `selector` selects at the start of window `w`: their newest value up to
/// [`OLD_EDGE_LOOKBACK`] before it.
pub fn start(w: Duration, selector: &str) -> String {
    format!(
        "last_over_time({TOTAL}{selector}[{}] offset {})",
        OLD_EDGE_LOOKBACK.to_prom(),
        w.to_prom()
    )
}

/// [`window`] from the totals at the window's start recorded as [`WINDOW_START`]: the
/// rule reading the totals now then touches only the head block, and the one reading
/// them at the start only the blocks around it.
pub fn window_from_recorded_start(w: Duration, selector: &str) -> String {
    let inner = selector.trim_start_matches('{').trim_end_matches('}');
    let start = format!(
        "ignoring(window) {WINDOW_START}{{{inner},window=\"{}\"}}",
        w.to_prom()
    );
    from_start(&start, selector)
}

fn from_start(start: &str, selector: &str) -> String {
    format!("clamp_min({TOTAL}{selector} - {start}, 0)\nor\n{TOTAL}{selector}")
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
            total("s", "{slo=\"a\"}"),
            "(s)\n+ on(sloxide_count)\n(last_over_time(slo:sli_counts:total{slo=\"a\"}[20m]) or slo:sli_counts:resume{slo=\"a\"})"
        );
        let r = resume("{service=~\"a\"}", &[Count::Good, Count::Errors]);
        assert_eq!(
            r,
            "last_over_time(slo:sli_counts:checkpoint1h{service=~\"a\"}[35d])\nor\nlabel_replace(slo:objective:ratio{service=~\"a\"} * 0, \"sloxide_count\", \"good\", \"\", \"\")\nor\nlabel_replace(slo:objective:ratio{service=~\"a\"} * 0, \"sloxide_count\", \"errors\", \"\", \"\")"
        );
    }

    #[test]
    fn a_split_step_always_has_both_counts() {
        assert_eq!(
            split_step("r", Count::Errors, Count::Good),
            "label_replace(r, \"sloxide_count\", \"good\", \"sloxide_count\", \"\")\nor\nlabel_replace(vector(0), \"sloxide_count\", \"errors\", \"\", \"\")"
        );
    }
}
