//! PromQL building blocks: selectors, the per-step event counts of an SLI, and the
//! histogram bucket matcher.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::counts::{Count, Pair};
use super::windows;
use crate::model::{Duration, Polarity, PromHistogram, PromRatio, SliKind, WINDOW_PLACEHOLDER};
use crate::validate::promql::{Matcher, parse_selector, quote};

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

    /// The one selector whose series hold every event of this source, when a label of
    /// each series tells its count: the total's selector when the counted selector is the
    /// same metric with one more label matcher; a histogram's threshold bucket and its
    /// `+Inf` bucket, which the exposition format requires to equal `_count` (reading
    /// `_count` itself in the same selector would need an `le` matcher that matches the
    /// empty value, which Prometheus answers by walking every other bucket of every
    /// histogram in the server). `None` for two metrics and for raw queries.
    pub fn split(&self) -> Option<Split> {
        match self {
            Source::Ratio(PromRatio::Counters {
                total,
                counted,
                polarity,
            }) => split_counters(total, counted, *polarity),
            Source::Ratio(PromRatio::Queries { .. }) => None,
            Source::Latency(h, threshold) => {
                let own = parse_selector(&format!("{{{}}}", h.matchers)).ok()?;
                if own.matchers.iter().any(|m| m.name == "le") {
                    return None;
                }
                let le = le_matcher(threshold.secs_decimal());
                let bucket = le.strip_prefix("le=~`")?.strip_suffix('`')?;
                let le = format!("le=~`{bucket}|{INF}`");
                let selector = histogram_selector(h, "_bucket", Some(&le));
                Some(Split {
                    selector,
                    label: "le".into(),
                    regex: INF.into(),
                    matched: Count::Events,
                    unmatched: Count::Good,
                })
            }
        }
    }

    /// The two counts this source's series hold: a split's, else all events and the
    /// counted ones.
    pub fn pair(&self) -> Pair {
        match self.split() {
            Some(s) => Pair::of(s.matched, s.unmatched),
            None => Pair::of(Count::Events, self.counted_count()),
        }
    }

    /// Which count the counted events are.
    pub fn counted_count(&self) -> Count {
        match self.counted().1 {
            Polarity::Good => Count::Good,
            Polarity::Bad => Count::Errors,
        }
    }

    /// Whether the counts are exact counter increases (else a raw query's 5m rate spread
    /// over each step, which smooths every window's edges over 5 minutes).
    pub fn exact(&self) -> bool {
        !matches!(self, Source::Ratio(PromRatio::Queries { .. }))
    }
}

/// The `le` value of a histogram's last bucket, which counts every observation, as a
/// regex.
const INF: &str = "\\+Inf";

/// A source read through one selector: every series it selects is in one of two counts,
/// `matched` when its label `label` matches `regex` (anchored, a missing label reads as
/// empty, as in a PromQL matcher), else `unmatched`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The selector of every event.
    pub selector: String,
    /// The label that tells the counts apart.
    pub label: String,
    /// The regex (RE2, unquoted) of the `matched` count's values of `label`.
    pub regex: String,
    /// The count of the series whose label matches.
    pub matched: Count,
    /// The count of the other series.
    pub unmatched: Count,
}

/// The split of counter selectors `total` and `counted` when `counted` is `total` (same
/// metric, same matchers) plus one matcher on another label.
fn split_counters(total: &str, counted: &str, polarity: Polarity) -> Option<Split> {
    let t = parse_selector(total).ok()?;
    let c = parse_selector(counted).ok()?;
    if t.metric.is_none() || t.metric != c.metric || c.matchers.len() != t.matchers.len() + 1 {
        return None;
    }
    let mut rest = c.matchers.clone();
    for m in &t.matchers {
        let i = rest.iter().position(|r| r == m)?;
        rest.remove(i);
    }
    let [extra]: [Matcher; 1] = rest.try_into().ok()?;
    if extra.name == "__name__" || t.matchers.iter().any(|m| m.name == extra.name) {
        return None;
    }
    let (regex, positive) = match extra.op {
        "=" => (regex::escape(&extra.value), true),
        "!=" => (regex::escape(&extra.value), false),
        "=~" => (extra.value.clone(), true),
        _ => (extra.value.clone(), false),
    };
    let counted = match polarity {
        Polarity::Good => Count::Good,
        Polarity::Bad => Count::Errors,
    };
    let other = match counted {
        Count::Good => Count::Errors,
        _ => Count::Good,
    };
    let (matched, unmatched) = if positive {
        (counted, other)
    } else {
        (other, counted)
    };
    Some(Split {
        selector: total.to_owned(),
        label: extra.name,
        regex,
        matched,
        unmatched,
    })
}

/// The step increase of every counter `selector` selects, one series each (see
/// [`step_increase`]).
pub fn step_rows(selector: &str) -> String {
    let step = windows::STEP.to_prom();
    // The instant selector is the newest sample up to now: a sample that is not newer
    // than the step is also the one before, and counts zero.
    let before = format!(
        "last_over_time({selector}[{}] offset {step})",
        windows::GAP.to_prom()
    );
    format!("{selector} - {before} >= 0\n  or\n  {selector} < {before}")
}

/// The increase of the counters `selector` selects between the previous evaluation and
/// this one, summed over series. Each series contributes its newest sample minus its
/// newest sample up to one step ago, so consecutive steps chain exactly (no
/// extrapolation, nothing counted twice) and an increase across a scrape gap of up to
/// [`windows::GAP`] is counted when scraping resumes. A series whose value went down was
/// reset and contributes its new value; a series without an earlier sample contributes
/// nothing yet.
fn step_increase(selector: &str) -> String {
    format!("sum(\n  {}\n)", step_rows(selector))
}

/// A raw query's 5m rate times one step: the events of a step, smoothed over 5 minutes.
fn smoothed_step(query: &str) -> String {
    format!(
        "sum({}) * {}",
        query.replace(WINDOW_PLACEHOLDER, &windows::RATE.to_prom()),
        windows::STEP.secs()
    )
}

/// The `q` quantile of the histogram `h`'s observations over the last `w` (from all its
/// buckets, interpolated within one as `histogram_quantile` does).
pub fn quantile(h: &PromHistogram, q: Decimal, w: Duration) -> String {
    format!(
        "histogram_quantile({}, sum by (le) (rate({}[{}])))",
        q.normalize(),
        histogram_selector(h, "_bucket", None),
        w.to_prom()
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
    fn one_more_matcher_on_the_same_metric_is_one_read() {
        let s = split_counters(
            "http_requests_total{job=\"a\"}",
            "http_requests_total{code=~\"5..\",job=\"a\"}",
            Polarity::Bad,
        )
        .unwrap();
        assert_eq!(s.selector, "http_requests_total{job=\"a\"}");
        assert_eq!((s.label.as_str(), s.regex.as_str()), ("code", "5.."));
        assert_eq!((s.matched, s.unmatched), (Count::Errors, Count::Good));
        // A negative matcher selects the other count; `=` is matched literally.
        let s = split_counters("x_total", "x_total{code!=\"5.0\"}", Polarity::Good).unwrap();
        assert_eq!(s.regex, "5\\.0");
        assert_eq!((s.matched, s.unmatched), (Count::Errors, Count::Good));
        let s = split_counters("x_total", "x_total{code!~\"5..\"}", Polarity::Bad).unwrap();
        assert_eq!((s.matched, s.unmatched), (Count::Good, Count::Errors));
    }

    #[test]
    fn other_shapes_keep_two_reads() {
        for (total, counted) in [
            ("a_total{job=\"a\"}", "b_total{job=\"a\"}"),
            (
                "x_total{job=\"a\"}",
                "x_total{job=\"a\",code=\"500\",m=\"get\"}",
            ),
            (
                "x_total{code=~\"..\"}",
                "x_total{code=~\"..\",code=\"500\"}",
            ),
            ("x_total{job=\"a\"}", "x_total{job=\"b\",code=\"500\"}"),
            ("{__name__=\"x\"}", "{__name__=\"x\",code=\"500\"}"),
        ] {
            assert_eq!(
                split_counters(total, counted, Polarity::Bad),
                None,
                "{counted}"
            );
        }
    }

    #[test]
    fn a_histogram_is_read_through_its_threshold_and_inf_buckets() {
        let h = PromHistogram {
            metric: "rpc_seconds".into(),
            matchers: "job=\"a\"".into(),
            buckets: Vec::new(),
        };
        let s = Source::Latency(&h, Duration::from_millis(300))
            .split()
            .unwrap();
        assert_eq!(
            s.selector,
            "rpc_seconds_bucket{job=\"a\",le=~`0\\.30*|\\+Inf`}"
        );
        assert_eq!((s.label.as_str(), s.regex.as_str()), ("le", "\\+Inf"));
        assert_eq!((s.matched, s.unmatched), (Count::Events, Count::Good));
        assert_eq!(
            Source::Latency(&h, Duration::from_millis(300)).pair(),
            Pair::EventsGood
        );
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
    }
}
