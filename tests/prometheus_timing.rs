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

mod common;
use common::traffic::{
    Checks, STEP, Scenario, burst, deltas, diurnal, promtool_test, row_state, rows, rules_of,
    sloxide_group_order, spec, test_entry, test_file, window,
};

/// The generated rule files of the `window_days` SLO (its slow ticket's long window is the
/// SLO window), and a directory to test them in.
fn rules(window_days: u64) -> (String, String, tempfile::TempDir) {
    rules_of(&spec(window_days, window_days))
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
    let (rules, shared, dir) = rules(window_days);
    std::fs::write(dir.path().join("rules.yml"), edit(&rules)).unwrap();
    std::fs::write(dir.path().join("shared.yml"), edit(&shared)).unwrap();
    let budget = (1u64, 1000u64);
    let mut tests = String::new();
    for s in scenarios {
        let d = deltas(s);
        let mut checks = Checks::default();
        for row in rows(window_days) {
            // The alerts read the windows one evaluation after they are counted: the
            // alert at evaluation k shows the formula at k - lag.
            let state = row_state(&d, &row, lag);
            let expr = format!(
                "count(ALERTS{{alertname=\"{}\",alertstate=\"firing\"}})",
                row.alert
            );
            checks.state_changes(&state, &expr, 4);
        }
        for &t in budget_checks.iter().filter(|&&t| t / STEP < d.len() as u64) {
            let (all, bad) = window(&d, (t / STEP) as usize, window_days * 86_400);
            let truth = 1.0 - (bad as f64 / all as f64) / (budget.0 as f64 / budget.1 as f64);
            let expr = format!(
                "count(abs(slo:error_budget_remaining:ratio{{slo=\"availability\"}} - {truth:e}) <= {:e})",
                truth.abs().max(1.0) * 1e-9
            );
            checks.expect(t, &expr, Some("1"));
        }
        tests.push_str(&test_entry(s, &checks));
    }
    // The order of a server: the SLO's groups record the totals, the shared group counts
    // the windows, the budget groups read them.
    let file = test_file(&["rules.yml", "shared.yml"], &sloxide_group_order(), &tests);
    promtool_test(dir.path(), &file)
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
fn diurnal_traffic() -> Scenario {
    diurnal(
        "diurnal traffic, bursts, reset, scrape gap",
        2 * 1440 + 600,
        Some(1500),
        Some(2000..=2014),
    )
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
    if let Err(e) = run(2, &[diurnal_traffic()], &checkpoints(), str::to_owned) {
        panic!("windows or budget differ from the exact counts:\n{e}");
    }
}

#[test]
fn a_threshold_off_by_one_step_is_caught() {
    // Negative control: the 1h page with a threshold one step of the outage lower fires
    // one evaluation early.
    let edit = |rules: &str| rules.replace("} > 0.0144\n", "} > 0.008\n");
    let (rules, _, _) = rules(2);
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
    let (_, shared, _) = rules(2);
    assert_ne!(edit(&shared), shared, "the edit must apply");
    let result = run(2, &[diurnal_traffic()], &checkpoints(), edit);
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
