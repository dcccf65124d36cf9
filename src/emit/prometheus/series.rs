//! Synthetic raw series for generated unit tests: label sets that a source's selectors
//! select (or reject) exactly as the test needs, found from the matchers themselves.

use std::collections::BTreeMap;

use regex_syntax::hir::{Class, Hir, HirKind};

use super::promql::Source;
use crate::model::{Duration, Polarity, PromRatio, WINDOW_PLACEHOLDER};
use crate::validate::promql::{Matcher, Selector, parse_selector};

/// The two input series of a test: `counted` (the source's counted events) and `other`.
/// With a shared metric, `other` is the complement (total = counted + other); otherwise it
/// is the total itself.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Series of the counted events.
    pub counted: String,
    /// Complement or total series.
    pub other: String,
    /// Whether `other` counts all events (true) or only the complement (false).
    pub other_is_total: bool,
    /// Whether the counted events are good or bad.
    pub polarity: Polarity,
}

/// Series for `source`, or `None` when they cannot be synthesized (raw queries other than
/// `sum(rate(<selector>[{{window}}]))`, or matchers no value can satisfy).
pub fn inputs(source: Source<'_>, threshold_le: impl Fn(Duration) -> String) -> Option<Inputs> {
    match source {
        Source::Ratio(PromRatio::Counters {
            total,
            counted,
            polarity,
        }) => pair(total, counted, *polarity),
        Source::Ratio(PromRatio::Queries {
            total,
            counted,
            polarity,
        }) => pair(&simple_rate(total)?, &simple_rate(counted)?, *polarity),
        Source::Latency(h, threshold) => {
            let sel = parse_selector(&format!("{{{}}}", h.matchers)).ok()?;
            let labels = satisfy(&sel.matchers, &[])?;
            let mut bucket = labels.clone();
            bucket.insert("le".into(), threshold_le(threshold));
            // Every observation: the `+Inf` bucket, equal to `_count` by the exposition
            // format, is what the rules read.
            let mut inf = labels;
            inf.insert("le".into(), "+Inf".into());
            Some(Inputs {
                counted: render(&format!("{}_bucket", h.metric), &bucket),
                other: render(&format!("{}_bucket", h.metric), &inf),
                other_is_total: true,
                polarity: Polarity::Good,
            })
        }
    }
}

/// The selector of a query written as `sum(rate(<selector>[{{window}}]))`.
fn simple_rate(query: &str) -> Option<String> {
    let q: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let suffix = format!("[{WINDOW_PLACEHOLDER}]))");
    q.strip_prefix("sum(rate(")?
        .strip_suffix(&suffix)
        .map(str::to_owned)
}

fn pair(total: &str, counted: &str, polarity: Polarity) -> Option<Inputs> {
    let t = parse_selector(total).ok()?;
    let c = parse_selector(counted).ok()?;
    let (tm, cm) = (t.metric.clone()?, c.metric.clone()?);
    if tm != cm {
        return Some(Inputs {
            counted: render(&cm, &satisfy(&c.matchers, &[])?),
            other: render(&tm, &satisfy(&t.matchers, &[])?),
            other_is_total: true,
            polarity,
        });
    }
    let both: Vec<Matcher> = t.matchers.iter().chain(&c.matchers).cloned().collect();
    let counted_labels = satisfy(&both, &[])?;
    // The complement: matched by `total`, rejected by one matcher of `counted`.
    let other = c.matchers.iter().find_map(|m| {
        let labels = satisfy(&t.matchers, std::slice::from_ref(m))?;
        (!matches_all(&c, &labels)).then_some(labels)
    })?;
    Some(Inputs {
        counted: render(&cm, &counted_labels),
        other: render(&tm, &other),
        other_is_total: false,
        polarity,
    })
}

fn matches_all(sel: &Selector, labels: &BTreeMap<String, String>) -> bool {
    sel.matchers.iter().all(|m| {
        let v = labels.get(&m.name).map(String::as_str).unwrap_or("");
        holds(m, v)
    })
}

fn holds(m: &Matcher, v: &str) -> bool {
    let re = || regex::Regex::new(&format!("^(?:{})$", m.value)).ok();
    match m.op {
        "=" => v == m.value,
        "!=" => v != m.value,
        "=~" => re().is_some_and(|r| r.is_match(v)),
        _ => re().is_some_and(|r| !r.is_match(v)),
    }
}

/// Labels satisfying every matcher of `must` and violating every matcher of `must_not`.
fn satisfy(must: &[Matcher], must_not: &[Matcher]) -> Option<BTreeMap<String, String>> {
    let mut names: Vec<&str> = must
        .iter()
        .chain(must_not)
        .map(|m| m.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = BTreeMap::new();
    for name in names {
        let pos: Vec<&Matcher> = must.iter().filter(|m| m.name == name).collect();
        let neg: Vec<&Matcher> = must_not.iter().filter(|m| m.name == name).collect();
        let mut candidates: Vec<String> = Vec::new();
        for m in pos.iter().chain(&neg) {
            match m.op {
                "=" | "!=" => candidates.push(m.value.clone()),
                _ => candidates.extend(sample(&m.value)),
            }
        }
        candidates.extend(["200", "ok", "sloxide", "0", ""].map(String::from));
        let ok = candidates
            .into_iter()
            .find(|v| pos.iter().all(|m| holds(m, v)) && neg.iter().all(|m| !holds(m, v)))?;
        if !ok.is_empty() {
            out.insert(name.to_owned(), ok);
        }
    }
    Some(out)
}

/// A string the regex matches (first alternative, minimum repetitions, first class member).
fn sample(re: &str) -> Option<String> {
    let hir = regex_syntax::parse(re).ok()?;
    let mut out = String::new();
    walk(&hir, &mut out)?;
    Some(out)
}

fn walk(h: &Hir, out: &mut String) -> Option<()> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(l) => {
            out.push_str(std::str::from_utf8(&l.0).ok()?);
            Some(())
        }
        HirKind::Class(Class::Unicode(c)) => {
            // Prefer a digit or letter so `.` samples as `0`.
            let pick = c
                .ranges()
                .iter()
                .find_map(|r| ('0'..='9').find(|d| *d >= r.start() && *d <= r.end()))
                .or_else(|| c.ranges().first().map(|r| r.start()))?;
            out.push(pick);
            Some(())
        }
        HirKind::Class(Class::Bytes(c)) => {
            out.push(char::from(c.ranges().first()?.start()));
            Some(())
        }
        HirKind::Repetition(r) => {
            for _ in 0..r.min {
                walk(&r.sub, out)?;
            }
            Some(())
        }
        HirKind::Capture(c) => walk(&c.sub, out),
        HirKind::Concat(v) => v.iter().try_for_each(|h| walk(h, out)),
        HirKind::Alternation(v) => walk(v.first()?, out),
    }
}

/// A series in promtool's input notation, `metric{a="x",...}`.
fn render(metric: &str, labels: &BTreeMap<String, String>) -> String {
    super::promql::selector(metric, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_regex() {
        for re in ["5..", "(a|b)x+", "[45]\\d\\d", "get|post", ".*"] {
            let s = sample(re).unwrap();
            assert!(
                regex::Regex::new(&format!("^(?:{re})$"))
                    .unwrap()
                    .is_match(&s),
                "{re} -> {s}"
            );
        }
    }

    #[test]
    fn complement_of_bad_selector_is_found() {
        let i = pair(
            "http_requests_total{job=\"a\"}",
            "http_requests_total{job=\"a\",code=~\"5..\"}",
            Polarity::Bad,
        )
        .unwrap();
        assert_eq!(i.counted, "http_requests_total{code=\"500\",job=\"a\"}");
        assert_eq!(i.other, "http_requests_total{code=\"200\",job=\"a\"}");
        assert!(!i.other_is_total);
    }
}
