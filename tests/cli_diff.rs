//! `sloxide diff` on pairs of spec trees: the operational changes in Markdown and JSON,
//! and the exit code a CI step can use.

use serde_json::Value;

mod common;
use common::bin::{code, root, sloxide, stderr, stdout};

/// A base tree (the quickstart and the KYC example) and a head tree edited by `edit`.
fn pair(edit: &dyn Fn(&str, String) -> String) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for side in ["base", "head"] {
        std::fs::create_dir(dir.path().join(side)).unwrap();
        for f in ["quickstart.yaml", "s4-kyc-verification.yaml"] {
            let text = std::fs::read_to_string(root().join("examples").join(f)).unwrap();
            let text = if side == "head" { edit(f, text) } else { text };
            std::fs::write(dir.path().join(side).join(f), text).unwrap();
        }
    }
    let p = |s: &str| dir.path().join(s).to_str().unwrap().to_string();
    let (b, h) = (p("base"), p("head"));
    (dir, b, h)
}

fn run(base: &str, head: &str) -> (i32, String, Value) {
    let md = sloxide(&["diff", base, head]);
    let json = sloxide(&["diff", base, head, "--format", "json"]);
    assert_eq!(code(&md), code(&json), "{}", stderr(&md));
    (
        code(&md),
        stdout(&md),
        serde_json::from_str(&stdout(&json)).unwrap(),
    )
}

fn change<'v>(d: &'v Value, slo: Option<&str>, field: &str) -> &'v Value {
    d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field && c["slo"].as_str() == slo)
        .unwrap_or_else(|| panic!("no change of {field}: {d:#}"))
}

#[test]
fn an_objective_change_shows_the_budget_as_time_and_every_alert() {
    let (_d, b, h) = pair(&|f, t| {
        if f == "quickstart.yaml" {
            t.replace("objective: 99.9%", "objective: 99.95%")
        } else {
            t
        }
    });
    let (status, md, json) = run(&b, &h);
    assert_eq!(status, 1);
    let budget = change(&json, Some("availability"), "error budget");
    assert_eq!(budget["before"], "43m 12s (0.1% of events) per 30d");
    assert_eq!(budget["after"], "21m 36s (0.05% of events) per 30d");
    let page = change(&json, Some("availability"), "alert page-1h");
    assert_eq!(
        page["before"],
        "14.4x over 1h/5m: fires above 1.44% errors; a full outage fires it after 52s"
    );
    assert_eq!(
        page["after"],
        "14.4x over 1h/5m: fires above 0.72% errors; a full outage fires it after 26s"
    );
    assert!(md.contains("### `hello-api` / `availability`"), "{md}");
    assert!(
        md.contains("`43m 12s (0.1% of events) per 30d` → `21m 36s"),
        "{md}"
    );
    assert!(md.contains("`prometheus/hello-api.rules.yml`"), "{md}");
    // Nothing else of the KYC service changed.
    assert!(
        json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["service"] == "hello-api"),
        "{json:#}"
    );
}

#[test]
fn a_removed_alert_and_a_changed_notify_target() {
    let (_d, b, h) = pair(&|f, t| {
        if f == "s4-kyc-verification.yaml" {
            t.replace("- slack: \"#kyc-triage\"", "- slack: \"#kyc-oncall\"")
                .replace(
                    "        - { severity: ticket, burn_rate: 1, long_window: 3d, short_window: 6h }\n",
                    "",
                )
        } else {
            t
        }
    });
    let (status, md, json) = run(&b, &h);
    assert_eq!(status, 1);
    let notify = change(&json, None, "notify ticket");
    assert_eq!(notify["before"], "Slack #kyc-triage");
    assert_eq!(notify["after"], "Slack #kyc-oncall");
    let removed = change(&json, Some("verification-latency"), "alert ticket-3d");
    assert!(removed["after"].is_null());
    assert!(
        removed["before"]
            .as_str()
            .unwrap()
            .starts_with("1x over 3d/6h")
    );
    assert!(
        md.contains("**alert ticket-3d** removed (was `1x over 3d/6h"),
        "{md}"
    );
    assert!(
        md.contains("`Slack #kyc-triage` → `Slack #kyc-oncall`"),
        "{md}"
    );
}

#[test]
fn a_description_edit_is_no_operational_change() {
    let (_d, b, h) = pair(&|f, t| {
        if f == "quickstart.yaml" {
            t.replacen(
                "objective: 99.9%",
                "objective: 99.9%\n    description: Now documented.",
                1,
            )
        } else {
            t
        }
    });
    let (status, md, json) = run(&b, &h);
    assert_eq!(status, 0, "{md}");
    assert_eq!(json["changes"], serde_json::json!([]));
    assert!(md.contains("No operational change"), "{md}");
    // The runbook still changes, and the diff says so.
    assert!(
        json["files"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "runbook/hello-api.md"),
        "{json:#}"
    );
    // Identical trees: nothing at all, also when they sit at different paths (the spec
    // paths in generated headers are taken relative to each tree).
    let (status, _, json) = run(&b, &b);
    assert_eq!(status, 0);
    assert_eq!(json["files"]["changed"], serde_json::json!([]));
    let (_d2, b2, h2) = pair(&|_, t| t);
    let (status, _, json) = run(&b2, &h2);
    assert_eq!(status, 0);
    assert_eq!(json["files"]["changed"], serde_json::json!([]), "{json:#}");
}

#[test]
fn a_latency_threshold_change_is_operational() {
    let (_d, b, h) = pair(&|f, t| {
        if f == "s4-kyc-verification.yaml" {
            t.replace("threshold: 3s", "threshold: 5s")
        } else {
            t
        }
    });
    let (status, _, json) = run(&b, &h);
    assert_eq!(status, 1);
    let c = change(&json, Some("verification-latency"), "indicator");
    assert!(
        c["before"]
            .as_str()
            .unwrap()
            .starts_with("latency within 3s"),
        "{c}"
    );
    assert!(
        c["after"]
            .as_str()
            .unwrap()
            .starts_with("latency within 5s"),
        "{c}"
    );
}

#[test]
fn spec_text_cannot_mention_or_link_in_the_comment() {
    let (_d, b, h) = pair(&|f, t| {
        if f == "s4-kyc-verification.yaml" {
            t.replace(
                "- pagerduty: kyc-primary",
                "- pagerduty: \"@acme/security\"",
            )
        } else {
            t
        }
    });
    let (_, md, _) = run(&b, &h);
    assert!(md.contains("`PagerDuty @acme/security`"), "{md}");
}

#[test]
fn an_invalid_side_exits_2() {
    let (dir, b, _) = pair(&|_, t| t);
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: sloxide/v1\n").unwrap();
    let o = sloxide(&["diff", &b, bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("both sides must validate"),
        "{}",
        stderr(&o)
    );
}
