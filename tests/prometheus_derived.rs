//! Derived windows are exact enough: sloxide derives windows longer than 1h from the
//! recorded 5m event rates (`avg_over_time` of both rates, a ratio of sums). This test runs
//! the generated rules of `examples/quickstart.yaml` in promtool next to naive rules that
//! compute the same windows straight from the raw counters, on synthetic traffic that
//! changes volume and error share every 20–50 minutes, and compares them.
//!
//! Stated tolerance (relative difference of the error ratios, checked every 10 minutes):
//! - steady traffic: 1e-9 (the two are the same number up to float rounding);
//! - traffic whose volume and error share jump abruptly (0% → 15% errors within a minute):
//!   a derived window is the direct window seen through the 5m base window, i.e. about
//!   2.5 minutes late with smoothed edges. Against the direct window 2.5 minutes earlier
//!   (`offset 150s`) it is within 7% for 2h and 1% for 6h; against the direct window at
//!   the same instant within 15% for 2h and 2% for 6h (measured maxima on this data:
//!   6.5%/0.6% and 14.4%/1.9%). A tighter bound fails (`tolerance_is_not_vacuous`).

use sloxide::emit::{self, Options, Target};

mod common;
use common::promtool;

/// Traffic as (minutes, requests per minute, errors per minute).
const STEPPY: &[(u64, u64, u64)] = &[
    (60, 600, 3),
    (30, 1200, 60),
    (45, 300, 0),
    (20, 900, 90),
    (50, 600, 12),
    (40, 1500, 30),
    (35, 200, 20),
    (60, 800, 4),
    (40, 1000, 150),
    (45, 700, 7),
    (30, 1100, 0),
    (50, 400, 40),
    (25, 900, 9),
    (60, 600, 30),
];

fn values(segments: &[(u64, u64)]) -> String {
    let mut parts = vec!["0".to_owned()];
    let mut cur = 0;
    for &(n, inc) in segments {
        parts.push(format!("{}+{inc}x{}", cur + inc, n - 1));
        cur += inc * n;
    }
    parts.join(" ")
}

fn run_case(
    traffic: &[(u64, u64, u64)],
    eval_minutes: &[u64],
    offset: &str,
    tolerance: &[(&str, &str)],
) {
    assert!(!eval_minutes.is_empty() && !tolerance.is_empty());
    let model = sloxide::cli::check(&[
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart.yaml")
    ])
    .model
    .expect("quickstart is valid");
    let emitted = emit::emit(&model, &[Target::Prometheus], &Options::default());
    let rules = emitted
        .files
        .iter()
        .find(|f| f.path == "prometheus/hello-api.rules.yml")
        .expect("quickstart rules");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sloxide.yml"), &rules.contents).unwrap();
    let mut direct = String::from("groups:\n- name: direct\n  rules:\n");
    for (w, _) in tolerance {
        direct.push_str(&format!(
            "  - record: direct:error_ratio:rate{w}\n    expr: sum(rate(http_requests_total{{job=\"hello-api\",code=~\"5..\"}}[{w}]{offset})) / sum(rate(http_requests_total{{job=\"hello-api\"}}[{w}]{offset}))\n"
        ));
    }
    std::fs::write(dir.path().join("direct.yml"), direct).unwrap();
    let ok: Vec<(u64, u64)> = traffic.iter().map(|&(m, t, e)| (m, t - e)).collect();
    let bad: Vec<(u64, u64)> = traffic.iter().map(|&(m, _, e)| (m, e)).collect();
    let mut checks = String::new();
    for minute in eval_minutes {
        for (w, tol) in tolerance {
            checks.push_str(&format!(
                "  - expr: abs(slo:sli_error:ratio_rate{w}{{slo=\"availability\"}} / on() direct:error_ratio:rate{w} - 1) <= bool {tol}\n    eval_time: {minute}m\n    exp_samples:\n    - labels: '{{}}'\n      value: 1\n"
            ));
        }
    }
    let test = format!(
        "rule_files: [sloxide.yml, direct.yml]\nevaluation_interval: 1m\ngroup_eval_order: [\"sloxide:hello-api:availability\", direct]\ntests:\n- interval: 1m\n  input_series:\n  - series: 'http_requests_total{{job=\"hello-api\",code=\"200\"}}'\n    values: '{}'\n  - series: 'http_requests_total{{job=\"hello-api\",code=\"500\"}}'\n    values: '{}'\n  promql_expr_test:\n{checks}",
        values(&ok),
        values(&bad)
    );
    std::fs::write(dir.path().join("test.yml"), test).unwrap();
    let out = promtool()
        .args(["test", "rules", "test.yml"])
        .current_dir(dir.path())
        .output()
        .expect("promtool runs");
    assert!(
        out.status.success(),
        "derived windows differ from direct computation beyond tolerance:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn derived_windows_match_direct_computation_on_steady_traffic() {
    run_case(
        &[(8 * 60, 600, 6)],
        &[7 * 60, 8 * 60],
        "",
        &[("2h", "1e-9"), ("6h", "1e-9")],
    );
}

#[test]
fn derived_windows_match_direct_computation_on_changing_traffic() {
    let minutes: u64 = STEPPY.iter().map(|s| s.0).sum();
    let evals: Vec<u64> = (6 * 60 + 30..=minutes).step_by(10).collect();
    run_case(
        STEPPY,
        &evals,
        " offset 150s",
        &[("2h", "0.07"), ("6h", "0.01")],
    );
    run_case(STEPPY, &evals, "", &[("2h", "0.15"), ("6h", "0.02")]);
}

#[test]
fn tolerance_is_not_vacuous() {
    // The same comparison with a far tighter bound must fail on changing traffic.
    let result = std::panic::catch_unwind(|| {
        let evals: Vec<u64> = (6 * 60 + 30..=600).step_by(10).collect();
        run_case(STEPPY, &evals, " offset 150s", &[("2h", "0.01")]);
    });
    assert!(
        result.is_err(),
        "a 1% bound for 2h should not hold on abruptly changing traffic"
    );
}
