//! Corpus bench (not a timed test): 1,000 generated services × 10 SLOs, loaded, validated
//! and compiled to Prometheus rules. Prints wall times and peak memory (VmHWM).
//! Run: `cargo bench --bench prometheus_corpus` (goal: < 1 s and < 200 MB).

use std::fmt::Write as _;
use std::time::Instant;

use sloxide::emit::{self, Options, Target};

const SERVICES: usize = 1000;
const SLOS: usize = 10;

fn spec(i: usize) -> String {
    let mut s = format!(
        "apiVersion: sloxide/v1\nservice:\n  name: svc-{i:04}\n  owners: {{ product_owner: P, tech_lead: T }}\n  labels: {{ tier: \"{}\" }}\n  notify:\n    page: [ {{ pagerduty: svc-{i:04} }} ]\njourneys:\n  - name: main\n    steps: [ {{ name: call, actor: end_user }} ]\n    exclusions:\n      - {{ name: batch, reason: nightly batch, days: [mon, tue, wed, thu, fri], from: \"02:00\", to: \"02:30\", timezone: Asia/Tokyo }}\nslis:\n",
        i % 3
    );
    for j in 0..SLOS {
        if j % 2 == 0 {
            let journey = if j == 0 { "    journey: main\n" } else { "" };
            let _ = write!(
                s,
                "  - name: avail-{j}\n{journey}    ratio:\n      prometheus:\n        total: http_requests_total{{job=\"svc-{i:04}\",route=\"r{j}\"}}\n        bad: http_requests_total{{job=\"svc-{i:04}\",route=\"r{j}\",code=~\"5..\"}}\n"
            );
        } else {
            let _ = write!(
                s,
                "  - name: latency-{j}\n    latency:\n      threshold: 3s\n      prometheus:\n        histogram: http_request_duration_seconds{{job=\"svc-{i:04}\",route=\"r{j}\"}}\n        buckets: [0.5, 1, 3, 10]\n"
            );
        }
    }
    s.push_str("slos:\n");
    for j in 0..SLOS {
        let sli = if j % 2 == 0 {
            format!("avail-{j}")
        } else {
            format!("latency-{j}")
        };
        let extra = if j % 3 == 0 {
            "    bands: { green: \">= 99.95%\", red: \"<= 99.9%\" }\n    alerting: { min_events: 100 }\n"
        } else {
            ""
        };
        let objective = if j % 2 == 0 { "99.9%" } else { "95%" };
        let _ = write!(
            s,
            "  - name: slo-{j}\n    sli: {sli}\n    objective: {objective}\n{extra}"
        );
    }
    s
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..SERVICES {
        std::fs::write(dir.path().join(format!("svc-{i:04}.yaml")), spec(i)).expect("write spec");
    }
    let start = Instant::now();
    let checked = sloxide::cli::check(&[dir.path().to_path_buf()]);
    let checked_at = start.elapsed();
    let model = checked.model.expect("corpus is valid");
    let emit_start = Instant::now();
    let out = emit::emit(&model, &[Target::Prometheus], &Options::default());
    let emitted = emit_start.elapsed();
    let total = start.elapsed();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let bytes: usize = out.files.iter().map(|f| f.contents.len()).sum();
    let rules: usize = out
        .files
        .iter()
        .map(|f| {
            f.contents.matches("\n  - record: ").count()
                + f.contents.matches("\n  - alert: ").count()
        })
        .sum();
    println!(
        "corpus: {SERVICES} services x {SLOS} SLOs -> {} files, {rules} rules, {:.1} MB",
        out.files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "load+validate {:.3} s, prometheus emit {:.3} s, total {:.3} s",
        checked_at.as_secs_f64(),
        emitted.as_secs_f64(),
        total.as_secs_f64()
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.0} MB"),
        None => println!("peak memory: /proc/self/status not available"),
    }
}
