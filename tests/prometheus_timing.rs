//! Alert timing and budgets of the generated Prometheus rules, against exact counts.
//!
//! Each scenario is synthetic traffic on two counters (`code="200"` and `code="500"`)
//! scraped every 30 s or 60 s. The test simulates what the SRE Workbook formula says on
//! the exact event counts (every increase between two samples counted once, resets counted
//! from zero, scrape gaps bridged), evaluated every 30 s, and derives for every burn-rate
//! row the evaluations where its state changes. promtool then runs the generated rules (the
//! service's file and the shared window group, in a server's order) on the same samples
//! and must agree at every change exactly one evaluation later (the evaluation before it
//! and the one at it: the alerts read the windows one evaluation after they are counted),
//! and the remaining budget must equal the exact value at every checkpoint (relative
//! 1e-9: the rules count exactly, nothing is estimated).
//!
//! Scenarios: full outage, 20x, 7x, 3.5x, exactly 1x, 0.9x, a short spike, diurnal
//! traffic with error bursts, a counter reset, and a 15-minute scrape gap with 10% errors
//! underneath (counted once scraping resumes).

use std::fmt::Write as _;

use sloxide::emit::{self, Options, Target};

mod common;
use common::promtool;

const STEP: u64 = 30;
const GAP_BRIDGE: u64 = 1200;

/// One burn-rate row as the spec states it.
struct Row {
    alert: &'static str,
    long: u64,
    short: u64,
    /// Threshold as (numerator, denominator): bad / all must exceed it.
    threshold: (u64, u64),
}

/// The spec under test: 99.9% over `window_days`, with the SRE Workbook rows that fit it.
fn spec(window_days: u64) -> String {
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
        - {{ severity: ticket, burn_rate: 1, long_window: {window_days}d, short_window: 6h }}
"#
    )
}

fn rows(window_days: u64) -> Vec<Row> {
    let h = 3600;
    vec![
        Row {
            alert: "AvailabilityBurnRatePage1h",
            long: h,
            short: 300,
            threshold: (144, 10_000),
        },
        Row {
            alert: "AvailabilityBurnRatePage6h",
            long: 6 * h,
            short: 1800,
            threshold: (6, 1000),
        },
        Row {
            alert: "AvailabilityBurnRateTicket1d",
            long: 24 * h,
            short: 2 * h,
            threshold: (3, 1000),
        },
        Row {
            alert: if window_days == 3 {
                "AvailabilityBurnRateTicket3d"
            } else {
                "AvailabilityBurnRateTicket2d"
            },
            long: window_days * 24 * h,
            short: 6 * h,
            threshold: (1, 1000),
        },
    ]
}

/// Samples of one raw counter: `None` where the scrape is missing.
type Series = Vec<Option<u64>>;

/// Traffic of a scenario, per scrape: (good events, bad events) added since the previous
/// scrape, `None` for a missed scrape (its events appear at the next one), and `reset`
/// where both counters restart from zero.
#[derive(Clone, Copy)]
enum Scrape {
    Add(u64, u64),
    Missed(u64, u64),
    Reset(u64, u64),
}

struct Scenario {
    name: &'static str,
    scrape: u64,
    scrapes: Vec<Scrape>,
}

fn steady(n: usize, good: u64, bad: u64) -> Vec<Scrape> {
    vec![Scrape::Add(good, bad); n]
}

/// The two counters' samples (good, bad).
fn samples(s: &Scenario) -> (Series, Series) {
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
fn step_increase(series: &Series, scrape: u64, t: u64) -> u64 {
    let latest = |from: i64, to: i64| {
        (0..series.len())
            .rev()
            .map(|i| (i as i64 * scrape as i64, series[i]))
            .find(|&(ts, v)| ts >= from && ts <= to && v.is_some())
            .and_then(|(_, v)| v)
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
fn deltas(s: &Scenario) -> Vec<(u64, u64)> {
    let (g, b) = samples(s);
    let end = (s.scrapes.len() as u64 - 1) * s.scrape;
    (0..=end / STEP)
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
fn window(d: &[(u64, u64)], k: usize, w: u64) -> (u64, u64) {
    let n = (w / STEP) as usize;
    d[k.saturating_sub(n - 1)..=k]
        .iter()
        .fold((0, 0), |(a, b), &(x, y)| (a + x, b + y))
}

fn above(counts: (u64, u64), (num, den): (u64, u64)) -> bool {
    counts.0 > 0 && u128::from(counts.1) * u128::from(den) > u128::from(num) * u128::from(counts.0)
}

/// promtool's value notation for `series` (runs of equal increments, `_` for gaps).
fn notation(series: &Series) -> String {
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

fn at(secs: u64) -> String {
    format!("{secs}s")
}

/// The generated rule files of the `window_days` SLO (the service's and the shared window
/// group's), and a directory to test them in.
fn rules_of(window_days: u64) -> (String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("timing.yaml");
    std::fs::write(&spec_path, spec(window_days)).unwrap();
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

/// Runs `scenarios` on the rules of a `window_days` SLO (passed through `edit`, for the
/// negative controls); returns promtool's verdict.
fn run(
    window_days: u64,
    scenarios: &[Scenario],
    budget_checks: &[u64],
    edit: fn(&str) -> String,
) -> Result<(), String> {
    run_with_lag(window_days, scenarios, budget_checks, edit, 1)
}

/// [`run`], expecting each alert to show the formula `lag` evaluations late.
fn run_with_lag(
    window_days: u64,
    scenarios: &[Scenario],
    budget_checks: &[u64],
    edit: fn(&str) -> String,
    lag: usize,
) -> Result<(), String> {
    let (rules, shared, dir) = rules_of(window_days);
    std::fs::write(dir.path().join("rules.yml"), edit(&rules)).unwrap();
    std::fs::write(dir.path().join("shared.yml"), edit(&shared)).unwrap();
    let budget = (1u64, 1000u64);
    let mut tests = String::new();
    for s in scenarios {
        let d = deltas(s);
        let (g, b) = samples(s);
        let mut checks = String::new();
        let mut expect = |t: u64, expr: &str, value: Option<&str>| {
            let samples = value.map_or("[]".to_owned(), |v| {
                format!("[{{labels: '{{}}', value: {v}}}]")
            });
            writeln!(
                checks,
                "  - {{expr: '{expr}', eval_time: {}, exp_samples: {samples}}}",
                at(t)
            )
            .unwrap();
        };
        for row in rows(window_days) {
            // The alerts read the windows one evaluation after they are counted: the
            // alert at evaluation k shows the formula at k - lag.
            let state: Vec<bool> = (0..d.len())
                .map(|k| {
                    k >= lag
                        && above(window(&d, k - lag, row.long), row.threshold)
                        && above(window(&d, k - lag, row.short), row.threshold)
                })
                .collect();
            let expr = format!(
                "count(ALERTS{{alertname=\"{}\",alertstate=\"firing\"}})",
                row.alert
            );
            let mut changes = 0;
            for k in 1..state.len() {
                if state[k] != state[k - 1] && changes < 4 {
                    changes += 1;
                    let t = k as u64 * STEP;
                    expect(t - STEP, &expr, state[k - 1].then_some("1"));
                    expect(t, &expr, state[k].then_some("1"));
                }
            }
            let last = (d.len() - 1) as u64 * STEP;
            expect(last, &expr, state[d.len() - 1].then_some("1"));
        }
        for &t in budget_checks.iter().filter(|&&t| t / STEP < d.len() as u64) {
            let (all, bad) = window(&d, (t / STEP) as usize, window_days * 86_400);
            let truth = 1.0 - (bad as f64 / all as f64) / (budget.0 as f64 / budget.1 as f64);
            let expr = format!(
                "count(abs(slo:error_budget_remaining:ratio{{slo=\"availability\"}} - {truth:e}) <= {:e})",
                truth.abs().max(1.0) * 1e-9
            );
            expect(t, &expr, Some("1"));
        }
        writeln!(
            tests,
            "- name: {}\n  interval: {}s\n  input_series:\n  - series: 'http_requests_total{{job=\"t\",code=\"200\"}}'\n    values: '{}'\n  - series: 'http_requests_total{{job=\"t\",code=\"500\"}}'\n    values: '{}'\n  promql_expr_test:\n{checks}",
            s.name,
            s.scrape,
            notation(&g),
            notation(&b)
        )
        .unwrap();
    }
    // The order of a server: the SLO's groups record the totals, the shared group counts
    // the windows, the budget groups read them.
    let group = |n: &str| format!("\"sloxide:timing:availability{n}\"");
    let file = format!(
        "rule_files: [rules.yml, shared.yml]\nevaluation_interval: {STEP}s\ngroup_eval_order: [{}, \"sloxide:windows\", {}, \"sloxide:budget\"]\ntests:\n{tests}",
        group(""),
        group(":budget")
    );
    std::fs::write(dir.path().join("test.yml"), &file).unwrap();
    let out = promtool()
        .args(["test", "rules", "test.yml"])
        .current_dir(dir.path())
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

/// Scrapes of 30 s with 10,000 events each: `clean_hours` at 0.05% errors, then `len`
/// scrapes with `bad` of every 10,000 events bad, then clean again for `after` scrapes.
fn burst(name: &'static str, clean_hours: usize, len: usize, bad: u64, after: usize) -> Scenario {
    let mut scrapes = steady(clean_hours * 120, 9995, 5);
    scrapes.extend(steady(len, 10_000 - bad, bad));
    scrapes.extend(steady(after, 9995, 5));
    Scenario {
        name,
        scrape: 30,
        scrapes,
    }
}

fn timing_scenarios() -> Vec<Scenario> {
    vec![
        burst("full outage", 7, 40, 10_000, 240),
        burst("20x burn", 7, 6 * 120, 200, 120),
        burst("7x burn", 7, 7 * 120, 70, 60),
        burst("3.5x burn", 7, 10 * 120, 35, 10),
        burst("exactly 1x never pages", 7, 4 * 120, 10, 0),
        burst("0.9x never alerts", 7, 4 * 120, 9, 0),
        burst("short spike", 7, 4, 10_000, 240),
    ]
}

/// Traffic that swings 10x over a day (60 s scrapes) with error bursts every 6 hours, a
/// counter reset, and a 15-minute scrape gap with 10% errors underneath.
fn diurnal() -> Scenario {
    let mut scrapes = Vec::new();
    for i in 0..(2 * 1440 + 600) {
        let phase = (i % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
        let all = (1100.0 + 900.0 * phase.sin()).round() as u64;
        let bad = if i % 360 < 20 { all / 20 } else { all / 2000 };
        scrapes.push(match i {
            1500 => Scrape::Reset(all - bad, bad),
            2000..=2014 => Scrape::Missed(all - all / 10, all / 10),
            _ => Scrape::Add(all - bad, bad),
        });
    }
    Scenario {
        name: "diurnal traffic, bursts, reset, scrape gap",
        scrape: 60,
        scrapes,
    }
}

/// Budget checkpoints: every two hours of the diurnal scenario, 30.5 minutes into the
/// hour (off the hourly checkpoint's evaluation).
fn checkpoints() -> Vec<u64> {
    (1..=40).map(|h| h * 7200 + 1830).collect()
}

#[test]
fn burn_rate_rows_fire_and_resolve_at_the_exact_count_formula() {
    if let Err(e) = run(2, &timing_scenarios(), &[], str::to_owned) {
        panic!("alert timing differs from the exact-count formula:\n{e}");
    }
}

#[test]
fn diurnal_traffic_resets_and_scrape_gaps_are_counted_exactly() {
    if let Err(e) = run(2, &[diurnal()], &checkpoints(), str::to_owned) {
        panic!("windows or budget differ from the exact counts:\n{e}");
    }
}

#[test]
fn a_threshold_off_by_one_step_is_caught() {
    // Negative control: the 1h page with a threshold one step of the outage lower fires
    // one evaluation early.
    let edit = |rules: &str| rules.replace("} > 0.0144\n", "} > 0.008\n");
    let (rules, _, _) = rules_of(2);
    assert_ne!(edit(&rules), rules, "the edit must apply");
    let result = run(2, &timing_scenarios()[..1], &[], edit);
    assert!(
        result.is_err(),
        "a lowered threshold must change the first firing"
    );
}

#[test]
fn a_window_without_its_old_edge_is_caught() {
    // Negative control: reading the old edge of the 2d window an hour too early makes the
    // window the wrong length, which the budget checkpoints see.
    let edit = |rules: &str| rules.replace("[20m] offset 2d)", "[20m] offset 2d1h)");
    let (_, shared, _) = rules_of(2);
    assert_ne!(edit(&shared), shared, "the edit must apply");
    let result = run(2, &[diurnal()], &checkpoints(), edit);
    assert!(result.is_err(), "a wrong old edge must change the budget");
}

#[test]
fn the_one_evaluation_lag_is_asserted() {
    // Negative control: expecting the alerts at the evaluation the windows are counted
    // (no lag) must fail, so the stated bound is what the rules do.
    let result = run_with_lag(2, &timing_scenarios()[..1], &[], str::to_owned, 0);
    assert!(
        result.is_err(),
        "the alerts fire one evaluation after the counts"
    );
}
