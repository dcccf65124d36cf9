//! PromQL building blocks: selectors, the per-step event counts of an SLI, and the
//! histogram bucket matcher.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::windows;
use crate::model::{Duration, Polarity, PromHistogram, PromRatio, SliKind, WINDOW_PLACEHOLDER};
use crate::validate::promql::quote;

/// A selector `metric{k="v",...}` matching `labels` exactly.
pub fn selector(metric: &str, labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    format!("{metric}{{{}}}", inner.join(","))
}

/// The Prometheus source of an SLI, normalised to "all events" and "counted events".
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Counter selectors, or raw queries with a window placeholder.
    Ratio(&'a PromRatio),
    /// A classic histogram and the latency threshold.
    Latency(&'a PromHistogram, Duration),
}

impl<'a> Source<'a> {
    /// The Prometheus source of `kind`, if it has one.
    pub fn of(kind: &'a SliKind) -> Option<Self> {
        match kind {
            SliKind::Ratio {
                prometheus: Some(p),
                ..
            } => Some(Source::Ratio(p)),
            SliKind::Latency {
                prometheus: Some(h),
                threshold,
                ..
            } => Some(Source::Latency(h, *threshold)),
            _ => None,
        }
    }

    /// All events counted since the previous evaluation, as one series without labels.
    pub fn events(&self) -> String {
        match self {
            Source::Ratio(PromRatio::Counters { total, .. }) => step_increase(total),
            Source::Ratio(PromRatio::Queries { total, .. }) => smoothed_step(total),
            Source::Latency(h, _) => step_increase(&histogram_selector(h, "_count", None)),
        }
    }

    /// The counted events since the previous evaluation and whether they are good or bad
    /// events. The expression is empty when no series exists (a service without errors
    /// often has no error series at all): callers add `or vector(0)`.
    pub fn counted(&self) -> (String, Polarity) {
        let (expr, polarity) = match self {
            Source::Ratio(PromRatio::Counters {
                counted, polarity, ..
            }) => (step_increase(counted), *polarity),
            Source::Ratio(PromRatio::Queries {
                counted, polarity, ..
            }) => (smoothed_step(counted), *polarity),
            Source::Latency(h, threshold) => {
                let le = le_matcher(threshold.secs_decimal());
                (
                    step_increase(&histogram_selector(h, "_bucket", Some(&le))),
                    Polarity::Good,
                )
            }
        };
        (expr, polarity)
    }

    /// Whether the counts are exact counter increases (else a raw query's 5m rate spread
    /// over each step, which smooths every window's edges over 5 minutes).
    pub fn exact(&self) -> bool {
        !matches!(self, Source::Ratio(PromRatio::Queries { .. }))
    }
}

/// The increase of the counters `selector` selects between the previous evaluation and
/// this one, summed over series. Each series contributes its newest sample minus its
/// newest sample up to one step ago, so consecutive steps chain exactly (no
/// extrapolation, nothing counted twice) and an increase across a scrape gap of up to
/// [`windows::GAP`] is counted when scraping resumes. A series whose value went down was
/// reset and contributes its new value; a series without an earlier sample contributes
/// nothing yet.
fn step_increase(selector: &str) -> String {
    let step = windows::STEP.to_prom();
    // The instant selector is the newest sample up to now: a sample that is not newer
    // than the step is also the one before, and counts zero.
    let now = selector.to_owned();
    let before = format!(
        "last_over_time({selector}[{}] offset {step})",
        windows::GAP.to_prom()
    );
    format!("sum(\n  {now} - {before} >= 0\n  or\n  {now} < {before}\n)")
}

/// A raw query's 5m rate times one step: the events of a step, smoothed over 5 minutes.
fn smoothed_step(query: &str) -> String {
    format!(
        "sum({}) * {}",
        query.replace(WINDOW_PLACEHOLDER, &windows::RATE.to_prom()),
        windows::STEP.secs()
    )
}

fn histogram_selector(h: &PromHistogram, suffix: &str, extra: Option<&str>) -> String {
    let mut matchers: Vec<&str> = Vec::new();
    let own = h.matchers.trim().trim_end_matches(',');
    if !own.is_empty() {
        matchers.push(own);
    }
    if let Some(e) = extra {
        matchers.push(e);
    }
    format!("{}{suffix}{{{}}}", h.metric, matchers.join(","))
}

/// The `le` matcher selecting the bucket whose upper bound is `secs`, whatever spelling the
/// client library used: Go writes `le="3"`, Java and Python `le="3.0"`, so the matcher is
/// the regex of the shortest decimal spelling with optional trailing zeros
/// (`3(\.0+)?`, `0\.50*`), written as a raw PromQL string. Exponent spellings are not
/// produced by any mainstream client for bucket bounds and are not matched.
pub fn le_matcher(secs: Decimal) -> String {
    let text = secs.normalize().to_string();
    let regex = match text.split_once('.') {
        None => format!("{text}(\\.0+)?"),
        Some((int, frac)) => format!("{int}\\.{frac}0*"),
    };
    format!("le=~`{regex}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn le_matcher_accepts_both_spellings() {
        assert_eq!(le_matcher("3".parse().unwrap()), "le=~`3(\\.0+)?`");
        assert_eq!(le_matcher("3.000".parse().unwrap()), "le=~`3(\\.0+)?`");
        assert_eq!(le_matcher("0.25".parse().unwrap()), "le=~`0\\.250*`");
        assert_eq!(le_matcher("20".parse().unwrap()), "le=~`20(\\.0+)?`");
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
    }
}
