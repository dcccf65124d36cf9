//! PromQL building blocks: string literals, selectors, the event rates of an SLI, and the
//! histogram bucket matcher.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

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

    /// Per-second rate of all events over `window`, as one series without labels.
    pub fn events(&self, window: Duration) -> String {
        let w = window.to_prom();
        match self {
            Source::Ratio(PromRatio::Counters { total, .. }) => format!("sum(rate({total}[{w}]))"),
            Source::Ratio(PromRatio::Queries { total, .. }) => {
                format!("sum({})", total.replace(WINDOW_PLACEHOLDER, &w))
            }
            Source::Latency(h, _) => {
                format!("sum(rate({}[{w}]))", histogram_selector(h, "_count", None))
            }
        }
    }

    /// The counted events' rate over `window` and whether they are good or bad events.
    /// Missing series count as zero (`or vector(0)`): a service without errors often has no
    /// error series at all.
    pub fn counted(&self, window: Duration) -> (String, Polarity) {
        let w = window.to_prom();
        let (expr, polarity) = match self {
            Source::Ratio(PromRatio::Counters {
                counted, polarity, ..
            }) => (format!("sum(rate({counted}[{w}]))"), *polarity),
            Source::Ratio(PromRatio::Queries {
                counted, polarity, ..
            }) => (
                format!("sum({})", counted.replace(WINDOW_PLACEHOLDER, &w)),
                *polarity,
            ),
            Source::Latency(h, threshold) => {
                let le = le_matcher(threshold.secs_decimal());
                (
                    format!(
                        "sum(rate({}[{w}]))",
                        histogram_selector(h, "_bucket", Some(&le))
                    ),
                    Polarity::Good,
                )
            }
        };
        (format!("({expr} or vector(0))"), polarity)
    }
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
