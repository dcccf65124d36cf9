//! Exclusion windows in zones with daylight saving time, on the real Prometheus engine:
//! rules for an SLO with a Europe/Berlin and an America/New_York window are evaluated by
//! `promtool test rules` at instants of 2026 around each window on winter and summer days
//! and across the DST transition nights, and `slo:exclusion:active` must be 1 exactly
//! while the zone's local wall clock is inside a window. The expected values come from
//! chrono-tz directly, not from sloxide's transition table. promtool comes from Debian's
//! `prometheus` package (`apt-get install -y --no-install-recommends prometheus`).

use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{Value, json};
use sloxide::emit::{self, Options, Target};

mod common;
use common::{promtool, run};

/// Daily 01:30–02:30 in Berlin (inside the spring-forward gap, twice in the autumn
/// overlap) and Sundays 22:00–23:30 in New York (Monday in UTC, shifted by DST).
const SPEC: &str = r#"apiVersion: sloxide/v1
service:
  name: dst-api
  owners:
    product_owner: Priya Natarajan
    tech_lead: Tomás Ortega
slis:
  - name: availability
    ratio:
      prometheus:
        total: http_requests_total{job="dst-api"}
        bad: http_requests_total{job="dst-api",code=~"5.."}
slos:
  - name: availability
    sli: availability
    objective: 99.9%
    exclusions:
      - name: nightly-batch
        reason: Nightly reconciliation batch.
        from: "01:30"
        to: "02:30"
        timezone: Europe/Berlin
      - name: weekly-maintenance
        reason: Weekly maintenance of the US ledger.
        days: [sun]
        from: "22:00"
        to: "23:30"
        timezone: America/New_York
"#;

/// (zone, weekday required, local from minute, local to minute) of the windows in `SPEC`.
const WINDOWS: [(&str, Option<chrono::Weekday>, u32, u32); 2] = [
    ("Europe/Berlin", None, 90, 150),
    ("America/New_York", Some(chrono::Weekday::Sun), 1320, 1410),
];

/// Whether an exclusion of `SPEC` is active at epoch second `t`, by chrono-tz.
fn truly_active(t: i64) -> bool {
    WINDOWS.iter().any(|(zone, day, from, to)| {
        let tz: Tz = zone.parse().unwrap();
        let local = tz.timestamp_opt(t, 0).unwrap().naive_local();
        let minute = local.hour() * 60 + local.minute();
        day.is_none_or(|d| local.weekday() == d) && minute >= *from && minute < *to
    })
}

/// `t` seconds after the epoch as a promtool duration (test time starts at epoch 0).
fn promtool_duration(t: i64) -> String {
    let (days, rest) = (t / 86_400, t % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{days}d{h}h{m}m{s}s")
}

fn utc(y: i32, mo: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// Instants to check on the UTC day starting at `day`: every second at which the truth
/// changes and the second before it, and the middle of every stretch between changes.
fn instants(day: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut stretch_start = day;
    for t in (day..day + 86_400).step_by(60).skip(1) {
        if truly_active(t) != truly_active(t - 60) {
            out.extend([(stretch_start + t) / 2, t - 1, t]);
            stretch_start = t;
        }
    }
    out.push((stretch_start + day + 86_400) / 2);
    out
}

/// Builds `SPEC` with `--emit-tests` into `dir` and returns the rules file's text.
fn build(dir: &Path) -> String {
    std::fs::write(dir.join("dst.yaml"), SPEC).unwrap();
    let checked = sloxide::cli::check(&[dir.join("dst.yaml")]);
    let model = checked.model.expect("the DST spec is valid");
    let codes: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.is_empty(), "unexpected diagnostics: {codes:?}");
    let options = Options {
        emit_tests: true,
        ..Options::default()
    };
    let emitted = emit::emit(&model, &[Target::Prometheus], &options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    for f in &emitted.files {
        std::fs::write(
            dir.join(f.path.trim_start_matches("prometheus/")),
            &f.contents,
        )
        .unwrap();
    }
    std::fs::read_to_string(dir.join("dst-api.rules.yml")).unwrap()
}

/// The `slo:exclusion:active` recording rule, verbatim.
fn active_rule(rules: &str) -> Value {
    let file: Value = serde_saphyr::from_str(rules).unwrap();
    file["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .find(|r| r["record"] == "slo:exclusion:active")
        .expect("an slo:exclusion:active rule")
        .clone()
}

#[test]
fn dst_exclusions_follow_local_time_in_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let rules = build(dir.path());
    let rule = active_rule(&rules);
    let expr = rule["expr"].as_str().unwrap().to_owned();
    // promtool evaluates the rules at every interval from the epoch to the last test
    // instant (this expression costs about 20 ms per evaluation there), so the recorded
    // series is checked on a 100-day grid with only this rule loaded: UTC midnight is
    // 02:00 in Berlin in summer (inside 01:30–02:30) and 01:00 in winter (outside).
    let only_active = json!({ "groups": [{ "name": "exclusion", "rules": [rule] }] });
    std::fs::write(
        dir.path().join("active.rules.yml"),
        serde_json::to_string_pretty(&only_active).unwrap(),
    )
    .unwrap();
    let mut tests: Vec<Value> = Vec::new();
    let mut seasons = [0, 0];
    let grid = (0..).map(|k| k * 100 * 86_400);
    for t in grid
        .skip_while(|t| *t < utc(2020, 1, 1))
        .take_while(|t| *t < utc(2026, 11, 1))
    {
        let want = truly_active(t);
        seasons[usize::from(want)] += 1;
        tests.push(json!({
            "expr": "max(slo:exclusion:active)",
            "eval_time": promtool_duration(t),
            "exp_samples": [{ "labels": "{}", "value": u8::from(want) }],
        }));
    }
    assert!(seasons[0] >= 5 && seasons[1] >= 5, "{seasons:?}");

    // The rule's expression at second-exact instants around every window edge: a winter
    // and a summer weekday, Sunday/Monday in both seasons for New York, and the nights
    // of the four 2026 transitions (Berlin 29 March and 25 October, New York 8 March and
    // 1 November).
    let checked_days = [
        utc(2026, 1, 11),
        utc(2026, 1, 12),
        utc(2026, 1, 14),
        utc(2026, 7, 12),
        utc(2026, 7, 13),
        utc(2026, 7, 15),
        utc(2026, 3, 28),
        utc(2026, 3, 29),
        utc(2026, 10, 24),
        utc(2026, 10, 25),
        utc(2026, 3, 8),
        utc(2026, 3, 9),
        utc(2026, 11, 1),
        utc(2026, 11, 2),
    ];
    let mut inside = 0;
    let mut edges = 0;
    for day in checked_days {
        for t in instants(day) {
            let want = truly_active(t);
            inside += usize::from(want);
            edges += usize::from(truly_active(t + 1) != want);
            tests.push(json!({
                "expr": expr,
                "eval_time": promtool_duration(t),
                "exp_samples": [{ "labels": "{}", "value": u8::from(want) }],
            }));
        }
    }
    // The Berlin window on the spring night falls into the gap after 01:00 UTC (so it
    // ends early) and on the autumn night occurs twice.
    let autumn: Vec<i64> = instants(utc(2026, 10, 24))
        .into_iter()
        .chain(instants(utc(2026, 10, 25)))
        .filter(|t| truly_active(*t) && !truly_active(t - 1))
        .collect();
    assert_eq!(
        autumn,
        [
            utc(2026, 10, 24) + 23 * 3600 + 1800,
            utc(2026, 10, 25) + 3600
        ]
    );
    assert!(inside > 20 && edges > 30, "inside {inside}, edges {edges}");

    let test_file = json!({
        "rule_files": ["active.rules.yml"],
        "evaluation_interval": "100d",
        "tests": [{ "interval": "100d", "input_series": [], "promql_expr_test": tests }],
    });
    std::fs::write(
        dir.path().join("dst.test.yml"),
        serde_json::to_string_pretty(&test_file).unwrap(),
    )
    .unwrap();
    run(
        promtool()
            .args(["test", "rules", "dst.test.yml"])
            .current_dir(dir.path()),
        "promtool test rules (DST instants)",
    );
}

#[test]
fn promtool_durations_count_from_the_epoch() {
    assert_eq!(promtool_duration(0), "0d0h0m0s");
    assert_eq!(promtool_duration(utc(2026, 3, 29) + 3599), "20541d0h59m59s");
    let back = DateTime::from_timestamp(20_541 * 86_400, 0).unwrap();
    assert_eq!(
        back.date_naive(),
        NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
    );
}
