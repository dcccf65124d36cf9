//! The event counts of one SLO: the events of every evaluation step, hour tiles, the
//! events after the newest tile, and the count of any window built from them.
//!
//! Every count series carries the label [`COUNT_LABEL`] (`events` or `errors`), so one
//! rule and one selector handle both counts.

use super::windows::{HOUR, STEP};
use crate::model::Duration;

/// Label telling the two counts apart.
pub const COUNT_LABEL: &str = "sloxide_count";
/// The events since the previous evaluation.
pub const DELTA: &str = "slo:sli_counts:delta30s";
/// The events of one wall-clock hour, written once at its end.
pub const HOUR_TILE: &str = "slo:sli_counts:tile1h";
/// The events after the newest hour tile.
pub const HOUR_PARTIAL: &str = "slo:sli_counts:partial1h";
/// The events of each window the SLO needs (label `window`).
pub const WINDOW: &str = "slo:sli_counts:window";
/// The hour tiles inside each tiled window (label `window`).
pub const TILES: &str = "slo:sli_counts:tiles";
/// The old edge of each tiled window (label `window`): see [`start_of`].
pub const START: &str = "slo:sli_counts:start";

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

/// `matchers` (a `{...}` selector body of the SLO's identity) narrowed to one count.
pub fn only(matchers: &str, c: Count) -> String {
    let inner = matchers.trim_start_matches('{').trim_end_matches('}');
    format!("{{{inner},{COUNT_LABEL}=\"{}\"}}", c.label())
}

/// `d` minus half a step: a range that selects exactly `d / STEP` of the group's own
/// evaluations whatever the range boundary rule (closed in Prometheus 2, left-open in 3),
/// spelled with mixed units (`59m45s`).
pub fn range(d: Duration) -> String {
    compound(Duration::from_millis(d.millis() - STEP.millis() / 2))
}

/// Whole seconds with mixed units, as PromQL accepts them (`3d1m`, `59m45s`).
fn compound(d: Duration) -> String {
    d.human().replace(' ', "")
}

fn offset(d: Duration) -> String {
    if d.millis() == 0 {
        String::new()
    } else {
        format!(" offset {}", compound(d))
    }
}

/// Both counts of a window up to [`super::windows::DIRECT_MAX`]: the sum of its steps.
pub fn steps_in(w: Duration, matchers: &str) -> String {
    format!("sum_over_time({DELTA}{matchers}[{}])", range(w))
}

/// The whole hours of `w`.
fn hours_of(w: Duration) -> Duration {
    Duration::from_millis(w.millis() / HOUR.millis() * HOUR.millis())
}

/// Both counts of the hour tiles that ended inside the whole hours of `w`.
pub fn tiles_in(w: Duration, matchers: &str) -> String {
    format!(
        "sum_over_time({HOUR_TILE}{matchers}[{}])",
        range(hours_of(w))
    )
}

/// The old edge of a tiled window `w` at evaluation `t`: the events after the hour tile
/// that ended just before `t - h` (h = the whole hours of `w`), minus the steps of the
/// rest of `w` before `t - h`. Empty while the history is shorter than `w`.
pub fn start_of(w: Duration, matchers: &str) -> String {
    let h = hours_of(w);
    let rest = Duration::from_millis(w.millis() - h.millis());
    let partial = format!("{HOUR_PARTIAL}{matchers}{}", offset(h));
    if rest.millis() == 0 {
        return partial;
    }
    format!(
        "{partial}\n- on({COUNT_LABEL}) (sum_over_time({DELTA}{matchers}[{}]{}) or {partial} * 0)",
        range(rest),
        offset(h)
    )
}

/// Both counts of every tiled window, exact to the step: the tiles inside it
/// ([`TILES`]), plus the events after the newest tile, minus its old edge ([`START`]).
/// A window whose tiles or old edge do not exist yet counts them as zero.
pub fn tiled(windows: &[Duration], matchers: &str) -> String {
    let zeros: Vec<String> = windows
        .iter()
        .map(|w| {
            format!(
                "label_replace({HOUR_PARTIAL}{matchers} * 0, \"window\", \"{}\", \"\", \"\")",
                w.to_prom()
            )
        })
        .collect();
    let zeros = zeros.join(" or ");
    format!(
        "({TILES}{matchers} or {zeros})\n+ on({COUNT_LABEL}) group_left() {HOUR_PARTIAL}{matchers}\n- on({COUNT_LABEL}, window) ({START}{matchers} or {zeros})"
    )
}

/// The hour tile: at the evaluation in the first step of each wall-clock hour, the events
/// after the previous tile (the previous partial count plus this step), so a tile whose
/// evaluation was missed is carried into the next one rather than lost.
pub fn hour_tile(matchers: &str) -> String {
    format!(
        "({HOUR_PARTIAL}{matchers} + on({COUNT_LABEL}) {DELTA}{matchers})\nand on() (vector(time() % {}) < {})",
        HOUR.secs(),
        STEP.secs()
    )
}

/// The events after the newest hour tile: the previous value plus this step, reset to zero
/// at the tile's evaluation (the tile holds them).
pub fn hour_partial(matchers: &str) -> String {
    format!(
        "({DELTA}{matchers} + on({COUNT_LABEL}) ({HOUR_PARTIAL}{matchers} or {DELTA}{matchers} * 0))\n* on() group_left() (vector(time() % {}) >= bool {})",
        HOUR.secs(),
        STEP.secs()
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_select_whole_steps() {
        assert_eq!(range(Duration::from_secs(3600)), "59m45s");
        assert_eq!(range(Duration::from_secs(30 * 86_400)), "29d23h59m45s");
        assert_eq!(range(Duration::from_secs(300)), "4m45s");
    }

    #[test]
    fn long_windows_split_into_tiles_and_an_old_edge() {
        let m = "{slo=\"a\"}";
        let w = Duration::from_secs(3 * 86_400 + 600);
        assert_eq!(
            steps_in(Duration::from_secs(3600), m),
            "sum_over_time(slo:sli_counts:delta30s{slo=\"a\"}[59m45s])"
        );
        assert_eq!(
            tiles_in(w, m),
            "sum_over_time(slo:sli_counts:tile1h{slo=\"a\"}[2d23h59m45s])"
        );
        let start = start_of(w, m);
        assert!(
            start.starts_with("slo:sli_counts:partial1h{slo=\"a\"} offset 3d\n"),
            "{start}"
        );
        assert!(
            start.contains("delta30s{slo=\"a\"}[9m45s] offset 3d)"),
            "{start}"
        );
    }
}
