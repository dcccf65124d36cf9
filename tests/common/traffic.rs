//! Synthetic traffic on two counters, the exact-count SRE Workbook formula on it, and the
//! promtool notation and test files for it: shared by the alert timing test and the Sloth
//! parity test.
//!
//! A scenario is traffic on `http_requests_total{job="t",code="200"}` (good events) and
//! `http_requests_total{job="t",code="500"}` (bad events), scraped every 30 s or 60 s.
//! The formula counts every increase between two samples once, counts a reset from zero
//! and bridges scrape gaps of up to [`GAP_BRIDGE`], evaluated every [`STEP`].

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;

use sloxide::emit::{self, Options, Target};

use super::promtool;

/// The evaluation interval of every test, in seconds.
pub const STEP: u64 = 30;
/// The longest scrape gap the rules bridge, in seconds.
pub const GAP_BRIDGE: u64 = 1200;

/// One burn-rate row as the spec states it.
pub struct Row {
    pub alert: String,
    pub severity: &'static str,
    pub long: u64,
    pub short: u64,
    /// Threshold as (numerator, denominator): bad / all must exceed it.
    pub threshold: (u64, u64),
}

/// The spec under test: 99.9% over `window_days`, with the SRE Workbook rows (the slow
/// ticket's long window `slow_long_days`).
pub fn spec(window_days: u64, slow_long_days: u64) -> String {
    format!(
        r#"apiVersion: sloxide/v1
service:
  name: timing
  owners: {{ product_owner: P, tech_lead: T }}
  notify:
    page: [ {{ pagerduty: timing }} ]
    ticket: [ {{ email: t@example.com }} ]
slis:
  - name: availability
    ratio:
      prometheus:
        total: http_requests_total{{job="t"}}
        bad: http_requests_total{{job="t",code="500"}}
slos:
  - name: availability
    sli: availability
    objective: 99.9%
    window: {window_days}d
    alerting:
      burn_rates:
        - {{ severity: page, burn_rate: 14.4, long_window: 1h, short_window: 5m }}
        - {{ severity: page, burn_rate: 6, long_window: 6h, short_window: 30m }}
        - {{ severity: ticket, burn_rate: 3, long_window: 1d, short_window: 2h }}
        - {{ severity: ticket, burn_rate: 1, long_window: {slow_long_days}d, short_window: 6h }}
"#
    )
}

/// The rows of [`spec`], with the alert names sloxide gives them.
pub fn rows(slow_long_days: u64) -> Vec<Row> {
    let h = 3600;
    vec![
        Row {
            alert: "AvailabilityBurnRatePage1h".into(),
            severity: "page",
            long: h,
            short: 300,
            threshold: (144, 10_000),
        },
        Row {
            alert: "AvailabilityBurnRatePage6h".into(),
            severity: "page",
            long: 6 * h,
            short: 1800,
            threshold: (6, 1000),
        },
        Row {
            alert: "AvailabilityBurnRateTicket1d".into(),
            severity: "ticket",
            long: 24 * h,
            short: 2 * h,
            threshold: (3, 1000),
        },
        Row {
            alert: format!("AvailabilityBurnRateTicket{slow_long_days}d"),
            severity: "ticket",
            long: slow_long_days * 24 * h,
            short: 6 * h,
            threshold: (1, 1000),
        },
    ]
}

/// Samples of one raw counter: `None` where the scrape is missing.
pub type Series = Vec<Option<u64>>;

/// Traffic of a scenario, per scrape: (good events, bad events) added since the previous
/// scrape, `Missed` for a missed scrape (its events appear at the next one), and `Reset`
/// where both counters restart from zero.
#[derive(Clone, Copy)]
pub enum Scrape {
    Add(u64, u64),
    Missed(u64, u64),
    Reset(u64, u64),
}

pub struct Scenario {
    pub name: &'static str,
    /// Scrape interval, in seconds.
    pub scrape: u64,
    pub scrapes: Vec<Scrape>,
}

impl Scenario {
    /// Time of the last scrape (and of the last evaluation the tests look at).
    pub fn end(&self) -> u64 {
        (self.scrapes.len() as u64 - 1) * self.scrape
    }
}

pub fn steady(n: usize, good: u64, bad: u64) -> Vec<Scrape> {
    vec![Scrape::Add(good, bad); n]
}

/// The two counters' samples (good, bad).
pub fn samples(s: &Scenario) -> (Series, Series) {
    let (mut good, mut bad) = (0u64, 0u64);
    let (mut g, mut b) = (Vec::new(), Vec::new());
    for (i, sc) in s.scrapes.iter().enumerate() {
        match *sc {
            Scrape::Add(x, y) | Scrape::Missed(x, y) => {
                if i > 0 {
                    good += x;
                    bad += y;
                }
            }
            Scrape::Reset(x, y) => {
                good = x;
                bad = y;
            }
        }
        let seen = !matches!(sc, Scrape::Missed(..));
        g.push(seen.then_some(good));
        b.push(seen.then_some(bad));
    }
    (g, b)
}

/// The increase of one counter counted at evaluation `t` (seconds), as the rules count it.
pub fn step_increase(series: &Series, scrape: u64, t: u64) -> u64 {
    // The latest sample at or after `from` and at or before `to` (scrape i is at i * scrape).
    let latest = |from: i64, to: i64| {
        let scrape = scrape as i64;
        if to < 0 {
            return None;
        }
        let hi = ((to / scrape) as usize).min(series.len() - 1);
        let lo = (from.max(0) + scrape - 1) / scrape;
        (lo as usize..=hi).rev().find_map(|i| series[i])
    };
    let t = t as i64;
    let step = STEP as i64;
    match (
        latest(t - step, t),
        latest(t - step - GAP_BRIDGE as i64, t - step),
    ) {
        (Some(now), Some(before)) if now >= before => now - before,
        (Some(now), Some(_)) => now,
        _ => 0,
    }
}

/// Per evaluation (every 30 s from 0): (all events, bad events) counted at it.
pub fn deltas(s: &Scenario) -> Vec<(u64, u64)> {
    let (g, b) = samples(s);
    (0..=s.end() / STEP)
        .map(|k| {
            let t = k * STEP;
            let (dg, db) = (
                step_increase(&g, s.scrape, t),
                step_increase(&b, s.scrape, t),
            );
            (dg + db, db)
        })
        .collect()
}

/// (all, bad) events in the window `(t - w, t]` at evaluation index `k`.
pub fn window(d: &[(u64, u64)], k: usize, w: u64) -> (u64, u64) {
    let n = (w / STEP) as usize;
    d[k.saturating_sub(n - 1)..=k]
        .iter()
        .fold((0, 0), |(a, b), &(x, y)| (a + x, b + y))
}

pub fn above(counts: (u64, u64), (num, den): (u64, u64)) -> bool {
    counts.0 > 0 && u128::from(counts.1) * u128::from(den) > u128::from(num) * u128::from(counts.0)
}

/// The formula's verdict for `row` at every evaluation, shown `lag` evaluations late (the
/// alert at evaluation k shows the formula at k - lag; nothing fires before `lag`).
pub fn row_state(d: &[(u64, u64)], row: &Row, lag: usize) -> Vec<bool> {
    // Prefix sums: `window(d, k, w)` for every k without summing each window again.
    let mut prefix = vec![(0u64, 0u64)];
    for &(a, b) in d {
        let (pa, pb) = prefix[prefix.len() - 1];
        prefix.push((pa + a, pb + b));
    }
    let window = |k: usize, w: u64| {
        let from = k.saturating_sub((w / STEP) as usize - 1);
        (
            prefix[k + 1].0 - prefix[from].0,
            prefix[k + 1].1 - prefix[from].1,
        )
    };
    (0..d.len())
        .map(|k| {
            k >= lag
                && above(window(k - lag, row.long), row.threshold)
                && above(window(k - lag, row.short), row.threshold)
        })
        .collect()
}

/// promtool's value notation for `series` (runs of equal increments, `_` for gaps).
pub fn notation(series: &Series) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < series.len() {
        match series[i] {
            None => {
                let mut j = i;
                while j + 1 < series.len() && series[j + 1].is_none() {
                    j += 1;
                }
                out.push(if j == i {
                    "_".into()
                } else {
                    format!("_x{}", j - i + 1)
                });
                i = j + 1;
            }
            Some(v) => {
                let inc = match series.get(i + 1) {
                    Some(Some(n)) if *n >= v => n - v,
                    _ => {
                        out.push(v.to_string());
                        i += 1;
                        continue;
                    }
                };
                let mut j = i + 1;
                while j + 1 < series.len() && series[j + 1] == series[j].map(|x| x + inc) {
                    j += 1;
                }
                out.push(format!("{v}+{inc}x{}", j - i));
                i = j + 1;
            }
        }
    }
    out.join(" ")
}

pub fn at(secs: u64) -> String {
    format!("{secs}s")
}

/// The `promql_expr_test` entries of one promtool test.
#[derive(Default)]
pub struct Checks(pub String);

impl Checks {
    /// `expr` at `t` is `value` (one sample without labels), or empty for `None`.
    pub fn expect(&mut self, t: u64, expr: &str, value: Option<&str>) {
        let samples = value.map_or("[]".to_owned(), |v| {
            format!("[{{labels: '{{}}', value: {v}}}]")
        });
        writeln!(
            self.0,
            "  - {{expr: '{expr}', eval_time: {}, exp_samples: {samples}}}",
            at(t)
        )
        .unwrap();
    }

    /// `expr` (1 while `state`, empty otherwise) at the evaluations before and at each of
    /// the first `limit` changes of `state`, and at the last evaluation.
    pub fn state_changes(&mut self, state: &[bool], expr: &str, limit: usize) {
        let mut changes = 0;
        for k in 1..state.len() {
            if state[k] != state[k - 1] && changes < limit {
                changes += 1;
                let t = k as u64 * STEP;
                self.expect(t - STEP, expr, state[k - 1].then_some("1"));
                self.expect(t, expr, state[k].then_some("1"));
            }
        }
        let last = (state.len() - 1) as u64 * STEP;
        self.expect(last, expr, state[state.len() - 1].then_some("1"));
    }
}

/// One entry of a promtool test file: the scenario's two input series and `checks`.
pub fn test_entry(s: &Scenario, checks: &Checks) -> String {
    let (g, b) = samples(s);
    format!(
        "- name: {}\n  interval: {}s\n  input_series:\n  - series: 'http_requests_total{{job=\"t\",code=\"200\"}}'\n    values: '{}'\n  - series: 'http_requests_total{{job=\"t\",code=\"500\"}}'\n    values: '{}'\n  promql_expr_test:\n{}\n",
        s.name,
        s.scrape,
        notation(&g),
        notation(&b),
        checks.0
    )
}

/// A promtool test file over `rule_files`, evaluating the groups in `order` every
/// [`STEP`].
pub fn test_file(rule_files: &[&str], order: &[String], tests: &str) -> String {
    format!(
        "rule_files: [{}]\nevaluation_interval: {STEP}s\ngroup_eval_order: [{}]\ntests:\n{tests}",
        rule_files.join(", "),
        order.join(", ")
    )
}

/// The order of a server for the generated groups of the `timing` service: the SLO's
/// group records the totals, the shared group counts the windows, the budget groups read
/// them.
pub fn sloxide_group_order() -> Vec<String> {
    let group = |n: &str| format!("\"sloxide:timing:availability{n}\"");
    vec![
        group(""),
        "\"sloxide:windows\"".into(),
        group(":budget"),
        "\"sloxide:budget\"".into(),
    ]
}

/// Runs `promtool test rules test.yml` in `dir` (after writing `file` there); returns
/// promtool's output when it fails.
pub fn promtool_test(dir: &Path, file: &str) -> Result<(), String> {
    std::fs::write(dir.join("test.yml"), file).unwrap();
    let out = promtool()
        .args(["test", "rules", "test.yml"])
        .current_dir(dir)
        .output()
        .expect("promtool runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The generated rule files of `spec` (the service's and the shared window group's), and a
/// directory to test them in.
pub fn rules_of(spec: &str) -> (String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("timing.yaml");
    std::fs::write(&spec_path, spec).unwrap();
    let model = sloxide::cli::check(&[spec_path])
        .model
        .expect("timing spec is valid");
    let emitted = emit::emit(&model, &[Target::Prometheus], &Options::default());
    let file = |path: &str| {
        emitted
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path}"))
            .contents
            .clone()
    };
    (
        file("prometheus/timing.rules.yml"),
        file("prometheus/sloxide.windows.rules.yml"),
        dir,
    )
}

/// Scrapes of 30 s with 10,000 events each: `clean_hours` at 0.05% errors, then `len`
/// scrapes with `bad` of every 10,000 events bad, then clean again for `after` scrapes.
pub fn burst(
    name: &'static str,
    clean_hours: usize,
    len: usize,
    bad: u64,
    after: usize,
) -> Scenario {
    let mut scrapes = steady(clean_hours * 120, 9995, 5);
    scrapes.extend(steady(len, 10_000 - bad, bad));
    scrapes.extend(steady(after, 9995, 5));
    Scenario {
        name,
        scrape: 30,
        scrapes,
    }
}

/// `minutes` of traffic that swings 10x over a day (60 s scrapes) with 20-minute error
/// bursts (5%) every 6 hours, both counters reset at minute `reset` and scrapes missed
/// over `gap` with 10% errors underneath.
pub fn diurnal(
    name: &'static str,
    minutes: usize,
    reset: Option<usize>,
    gap: Option<RangeInclusive<usize>>,
) -> Scenario {
    let mut scrapes = Vec::new();
    for i in 0..minutes {
        let phase = (i % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
        let all = (1100.0 + 900.0 * phase.sin()).round() as u64;
        let bad = if i % 360 < 20 { all / 20 } else { all / 2000 };
        scrapes.push(if reset == Some(i) {
            Scrape::Reset(all - bad, bad)
        } else if gap.as_ref().is_some_and(|g| g.contains(&i)) {
            Scrape::Missed(all - all / 10, all / 10)
        } else {
            Scrape::Add(all - bad, bad)
        });
    }
    Scenario {
        name,
        scrape: 60,
        scrapes,
    }
}
