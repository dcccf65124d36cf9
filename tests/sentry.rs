//! The Sentry backend: every payload of every format validates against the schemas in
//! `schema/sentry/` (Sentry's documented constraints) and the cross-item rules the schema
//! cannot state; the KYC example routes by impact; hostile text stays valid.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};
use sloxide::emit::{self, Options, SentryFormat, Target};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = root()
        .join("schema/sentry")
        .join(format!("{name}.schema.json"));
    let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&value).unwrap()
}

fn build(paths: &[PathBuf], format: SentryFormat) -> BTreeMap<String, Value> {
    let checked = sloxide::cli::check(paths);
    let model = checked.model.expect("specs are valid");
    let options = Options {
        sentry_format: format,
        ..Options::default()
    };
    let emitted = emit::emit(&model, &[Target::Sentry], &options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    emitted
        .files
        .into_iter()
        .map(|f| {
            assert!(
                f.contents.ends_with("}\n"),
                "{} lacks a trailing newline",
                f.path
            );
            let value = serde_json::from_str(&f.contents)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.path));
            (f.path, value)
        })
        .collect()
}

fn examples(format: SentryFormat) -> BTreeMap<String, Value> {
    build(&[root().join("examples")], format)
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect()
}

fn schema_for(path: &str, format: SentryFormat) -> &'static str {
    match format {
        SentryFormat::Api => "api",
        SentryFormat::Legacy => "legacy",
        SentryFormat::Terraform => {
            assert!(path.ends_with(".tf.json"), "{path}");
            "terraform"
        }
    }
}

/// Thresholds of a payload's triggers in order (critical first), whatever the format.
fn thresholds(path: &str, v: &Value) -> Option<(Vec<f64>, Option<f64>)> {
    let num = |v: &Value| v.as_f64().unwrap();
    if let Some(triggers) = v["triggers"]
        .as_array()
        .filter(|_| v["aggregate"].is_string())
    {
        return Some((
            triggers.iter().map(|t| num(&t["alertThreshold"])).collect(),
            None,
        ));
    }
    let conditions = if path.ends_with(".detector.json") {
        v["conditionGroup"]["conditions"].as_array()?
    } else {
        v["resource"]["sentry_metric_monitor"]
            .as_object()?
            .values()
            .next()?["condition_group"]["conditions"]
            .as_array()?
    };
    let result = |c: &Value| {
        c.get("conditionResult")
            .or(c.get("condition_result"))
            .cloned()
    };
    let alerts = conditions
        .iter()
        .filter(|c| result(c) != Some(json!(0)))
        .map(|c| num(&c["comparison"]))
        .collect();
    let resolve = conditions
        .iter()
        .find(|c| result(c) == Some(json!(0)))
        .map(|c| num(&c["comparison"]));
    Some((alerts, resolve))
}

#[test]
fn every_payload_of_every_format_validates() {
    for format in [
        SentryFormat::Api,
        SentryFormat::Legacy,
        SentryFormat::Terraform,
    ] {
        // The examples and the contract fixture (no environment, e-mail and webhook
        // targets, min_events, escalating on and off, both datasets, a custom percentile).
        let files = build(
            &[
                root().join("examples"),
                root().join("tests/fixtures/contracts"),
            ],
            format,
        );
        let payloads: Vec<_> = files
            .iter()
            .filter(|(p, _)| !p.ends_with("/manifest.json"))
            .collect();
        assert!(payloads.len() > 10, "{format:?}: {}", payloads.len());
        for (path, value) in payloads {
            let validator = schema(schema_for(path, format));
            let errs = errors(&validator, value);
            assert!(errs.is_empty(), "{format:?} {path}: {errs:#?}");
            if let Some((alerts, resolve)) = thresholds(path, value) {
                // AlertRuleSerializer._validate_critical_warning_triggers: above → critical ≥ warning.
                assert!(
                    alerts.windows(2).all(|w| w[0] >= w[1]),
                    "{path}: {alerts:?}"
                );
                // Resolution must sit at or below the lowest alert threshold.
                if let Some(r) = resolve {
                    assert!(alerts.iter().all(|a| r <= *a), "{path}");
                }
            }
        }
    }
}

#[test]
fn schemas_reject_what_sentry_rejects() {
    let files = examples(SentryFormat::Legacy);
    let legacy = schema("legacy");
    let metric = files
        .iter()
        .find(|(p, _)| p.ends_with("alert.verification-availability.page-1h.json"))
        .map(|(_, v)| v.clone())
        .unwrap();
    let issue = files
        .iter()
        .find(|(p, _)| p.ends_with("error.verification.operator-review.db-deadlock.json"))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(errors(&legacy, &metric).is_empty());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut v = metric.clone();
        f(&mut v);
        v
    };
    for bad in [
        broken(&|v| v["timeWindow"] = json!(1441)),
        broken(&|v| v["timeWindow"] = json!(3)),
        broken(&|v| v["thresholdType"] = json!(2)),
        broken(&|v| v["aggregate"] = json!("percentile(span.duration,0.9)")),
        broken(&|v| v["dataset"] = json!("transactions")),
        broken(&|v| v["projects"] = json!(["a", "b"])),
        broken(&|v| v["query"] = json!("release:latest")),
        broken(&|v| v["triggers"][0]["label"] = json!("warning")),
        broken(&|v| v["triggers"][1]["actions"] = json!([])),
        broken(&|v| v["triggers"][0]["actions"][0]["targetType"] = json!("user")),
        broken(&|v| v["owner"] = json!("kyc-platform")),
    ] {
        assert!(!errors(&legacy, &bad).is_empty(), "accepted {bad:#}");
    }
    let mut bad = issue.clone();
    bad["frequency"] = json!(1);
    assert!(!errors(&legacy, &bad).is_empty());
    let mut bad = issue;
    bad["filters"][0]["match"] = json!("like");
    assert!(!errors(&legacy, &bad).is_empty());

    let api = schema("api");
    let files = examples(SentryFormat::Api);
    let detector = files
        .iter()
        .find(|(p, _)| p.ends_with("alert.verification-availability.page-1h.detector.json"))
        .map(|(_, v)| v.clone())
        .unwrap();
    for (window, why) in [
        (60 * 60 * 24 + 60, "longer than a day"),
        (240, "under 5 min on spans"),
        (3630, "not whole minutes"),
    ] {
        let mut bad = detector.clone();
        bad["dataSources"][0]["timeWindow"] = json!(window);
        assert!(!errors(&api, &bad).is_empty(), "{window} s: {why}");
    }
    let mut bad = detector.clone();
    bad["conditionGroup"]["conditions"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert!(
        !errors(&api, &bad).is_empty(),
        "resolution condition is required"
    );
    let mut bad = detector;
    bad["conditionGroup"]["conditions"][0]["conditionResult"] = json!(100);
    assert!(!errors(&api, &bad).is_empty());
}

fn kyc(format: SentryFormat) -> BTreeMap<String, Value> {
    build(&[root().join("examples/s4-kyc-verification.yaml")], format)
}

#[test]
fn kyc_routes_known_errors_by_impact() {
    let files = kyc(SentryFormat::Api);
    let dir = "sentry/kyc-verification";
    // Step 3 deadlock (no workaround): medium → triage ticket on Slack with the deadline,
    // also when the archived issue escalates; never paged.
    let review = &files
        [&format!("{dir}/kyc-worker/error.verification.operator-review.db-deadlock.workflow.json")];
    let filter = &review["actionFilters"][0];
    let actions = filter["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["type"], "slack");
    assert_eq!(actions[0]["config"]["targetDisplay"], "#kyc-triage");
    assert!(
        actions[0]["data"]["notes"]
            .as_str()
            .unwrap()
            .contains("triage within 3 business days")
    );
    assert!(review["name"].as_str().unwrap().contains("3 business days"));
    let triggers: Vec<&str> = review["triggers"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert!(triggers.contains(&"reappeared_event"), "{triggers:?}");
    assert!(filter["conditions"].as_array().unwrap().iter().any(|c| {
        c["comparison"]
            == json!({"attribute": "exception.type", "match": "eq", "value": "DeadlockDetected"})
    }));

    // A whole step failing for everyone: high → page (PagerDuty) at once.
    for step in [
        "kyc-api/failing.verification.request-verification",
        "kyc-web/failing.verification.submit-documents",
        "kyc-worker/failing.verification.operator-review",
        "kyc-api/failing.verification.return-result",
    ] {
        let detector = &files[&format!("{dir}/{step}.detector.json")];
        assert_eq!(
            detector["conditionGroup"]["conditions"][0]["conditionResult"],
            75
        );
        assert_eq!(detector["dataSources"][0]["aggregate"], "failure_rate()");
        let workflow = &files[&format!("{dir}/{step}.workflow.json")];
        assert_eq!(
            workflow["actionFilters"][0]["actions"][0]["type"],
            "pagerduty"
        );
        assert_eq!(
            workflow["actionFilters"][0]["actions"][0]["data"]["priority"],
            "critical"
        );
    }

    // Step 2 deadlock (user resubmits): low → no rule at all, listed as archive + review.
    assert!(
        !files
            .keys()
            .any(|p| p.contains("submit-documents-db-deadlock")),
        "{:?}",
        files.keys()
    );
    let manifest = &files[&format!("{dir}/manifest.json")];
    let quiet = manifest["unalerted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["step"] == "submit-documents" && u["error"] == "db-deadlock")
        .unwrap();
    assert_eq!(quiet["impact"], "low");
    assert!(quiet["reason"].as_str().unwrap().contains("weekly review"));

    // The same routing in the legacy format.
    let legacy = kyc(SentryFormat::Legacy);
    let rule =
        &legacy[&format!("{dir}/kyc-worker/error.verification.operator-review.db-deadlock.json")];
    assert_eq!(
        rule["actions"][0]["id"],
        "sentry.integrations.slack.notify_action.SlackNotifyServiceAction"
    );
    assert!(rule["conditions"].as_array().unwrap().contains(
        &json!({"id": "sentry.rules.conditions.reappeared_event.ReappearedEventCondition"})
    ));
    assert!(
        !legacy
            .keys()
            .any(|p| p.contains("submit-documents-db-deadlock"))
    );
}

#[test]
fn burn_rates_map_onto_sentry_windows() {
    let files = kyc(SentryFormat::Legacy);
    let dir = "sentry/kyc-verification/kyc-api";
    // 99.9%: page 14.4x over 1h → 60 min, critical 0.0144; paired ticket 3x → warning 0.003.
    let fast = &files[&format!("{dir}/alert.verification-availability.page-1h.json")];
    assert_eq!(fast["timeWindow"], 60);
    assert_eq!(fast["aggregate"], "failure_rate()");
    assert_eq!(fast["triggers"][0]["alertThreshold"], json!(0.0144));
    assert_eq!(fast["triggers"][1]["alertThreshold"], json!(0.003));
    // 6h is not among the UI's windows, but the server takes any whole minutes up to a
    // day: kept at 360 min.
    let slow = &files[&format!("{dir}/alert.verification-availability.page-6h.json")];
    assert_eq!(slow["timeWindow"], 360);
    // Latency 90% within 3 s → p90(span.duration) > 3000 ms on the spans dataset (the
    // default: sentry.io refuses new transaction-based alerts), one rule per row; the 3d
    // ticket row is capped at Sentry's longest window, 1 day.
    let latency = &files[&format!("{dir}/alert.verification-latency.page-1h.json")];
    assert_eq!(latency["aggregate"], "p90(span.duration)");
    assert_eq!(latency["dataset"], "events_analytics_platform");
    assert_eq!(latency["eventTypes"], json!(["trace_item_span"]));
    assert!(
        latency["query"]
            .as_str()
            .unwrap()
            .starts_with("is_transaction:true")
    );
    assert_eq!(latency["triggers"][0]["alertThreshold"], json!(3000));
    let ticket = &files[&format!("{dir}/alert.verification-latency.ticket-3d.json")];
    assert_eq!(ticket["timeWindow"], 1440);
    assert_eq!(ticket["triggers"][0]["actions"][0]["type"], "slack");

    // S5 latency: ticket rows 1d and 3d both land on the 1-day window with the same
    // threshold, so they share one rule instead of notifying twice.
    let s5 = build(
        &[root().join("examples/s5-mobile-payments.yaml")],
        SentryFormat::Legacy,
    );
    let dir = "sentry/qr-payments/wallet-api";
    assert!(!s5.contains_key(&format!("{dir}/alert.payment-latency.ticket-3d.json")));
    let merged = &s5["sentry/qr-payments/manifest.json"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "alert.payment-latency.ticket-1d")
        .unwrap()
        .clone();
    assert_eq!(
        merged["source"]["alerts"],
        json!(["ticket-1d", "ticket-3d"])
    );
    assert_eq!(merged["anchors"].as_array().unwrap().len(), 2);
}

#[test]
fn every_catalogued_anchor_is_linked_and_every_rule_is_in_the_manifest() {
    let checked = sloxide::cli::check(&[root().join("examples")]);
    let model = checked.model.unwrap();
    let files = examples(SentryFormat::Api);
    for service in &model.services {
        let entries: Vec<_> = emit::catalogue(service, &Options::default())
            .into_iter()
            .filter(|e| e.target == Target::Sentry)
            .collect();
        let dir = format!("sentry/{}/", service.name);
        let texts: String = files
            .iter()
            .filter(|(p, _)| p.starts_with(&dir))
            .map(|(_, v)| v.to_string())
            .collect();
        for e in &entries {
            let url = emit::naming::runbook_url(service, &e.anchor);
            assert!(texts.contains(&url), "{} not linked", e.anchor);
        }
        if entries.is_empty() {
            continue;
        }
        let manifest = &files[&format!("{dir}manifest.json")];
        let listed: Vec<&str> = manifest["rules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["requests"].as_array().unwrap())
            .map(|r| r["file"].as_str().unwrap())
            .collect();
        let on_disk: Vec<String> = files
            .keys()
            .filter(|p| p.starts_with(&dir) && !p.ends_with("manifest.json"))
            .map(|p| p[dir.len()..].to_string())
            .collect();
        assert_eq!(listed.len(), on_disk.len());
        assert!(on_disk.iter().all(|f| listed.contains(&f.as_str())));
        let placeholders = manifest["placeholders"].to_string();
        for (_, v) in files.iter().filter(|(p, _)| p.starts_with(&dir)) {
            for token in v.to_string().split('"').filter(|t| t.starts_with("${")) {
                assert!(placeholders.contains(token), "{token} not in manifest");
            }
        }
    }
}

#[test]
fn output_is_deterministic() {
    for format in [
        SentryFormat::Api,
        SentryFormat::Legacy,
        SentryFormat::Terraform,
    ] {
        assert_eq!(examples(format), examples(format));
    }
}

const HOSTILE: &str = r##"apiVersion: sloxide/v1
service:
  name: edge
  owners: { product_owner: "Zoë \"Z\" O'Neil", tech_lead: 李雷, team: edge-sre }
  notify:
    page: [{ email: oncall@example.com }]
    ticket: [{ slack: "#edge-triage" }]
journeys:
  - name: pay
    steps:
      - name: submit
        actor: end_user
        sentry: { project: edge-api, query: 'transaction:"POST /pay: \"now\" ü"' }
        known_errors:
          - name: timeout
            sentry_query: 'error.value:"Timeout: \"upstream\" 東京" !level:info'
            count: few
            workaround: false
impact:
  matrix:
    - { scope: step, count: any, workaround: any, impact: medium }
slis:
  - name: ok
    journey: pay
    ratio:
      sentry:
        project: edge-api
        dataset: spans
        query: 'transaction:"POST /pay: \"now\" ü" OR http.status_code:500'
slos:
  - name: ok
    title: "Payments \"succeed\": {always} | `really` ✓ ${var.x} %{if}"
    sli: ok
    objective: 99%
"##;

#[test]
fn quotes_colons_and_unicode_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edge.yaml");
    std::fs::write(&spec, HOSTILE).unwrap();
    for format in [
        SentryFormat::Api,
        SentryFormat::Legacy,
        SentryFormat::Terraform,
    ] {
        let files = build(std::slice::from_ref(&spec), format);
        for (path, value) in files.iter().filter(|(p, _)| !p.ends_with("manifest.json")) {
            let errs = errors(&schema(schema_for(path, format)), value);
            assert!(errs.is_empty(), "{format:?} {path}: {errs:#?}");
        }
        let text: String = files.values().map(Value::to_string).collect();
        let title = match format {
            // Terraform JSON strings are templates: user text must not interpolate.
            SentryFormat::Terraform => {
                r#"Payments \"succeed\": {always} | `really` ✓ $${var.x} %%{if}"#
            }
            _ => r#"Payments \"succeed\": {always} | `really` ✓ ${var.x} %{if}"#,
        };
        assert!(text.contains(title), "{format:?}");
    }
    let files = build(std::slice::from_ref(&spec), SentryFormat::Api);
    let d = "sentry/edge/edge-api";
    // Metric queries keep the user's Sentry syntax intact, scoped with parentheses on spans.
    let detector = &files[&format!("{d}/alert.ok.page-1h.detector.json")];
    assert_eq!(
        detector["dataSources"][0]["query"],
        r#"is_transaction:true (transaction:"POST /pay: \"now\" ü" OR http.status_code:500)"#
    );
    // Issue-alert filters carry the unquoted values exactly.
    let workflow = &files[&format!("{d}/error.pay.submit.timeout.workflow.json")];
    let conditions = &workflow["actionFilters"][0]["conditions"];
    assert_eq!(
        conditions[0]["comparison"],
        json!({"key": "transaction", "match": "eq", "value": "POST /pay: \"now\" ü"})
    );
    assert_eq!(
        conditions[1]["comparison"],
        json!({"attribute": "exception.value", "match": "eq", "value": "Timeout: \"upstream\" 東京"})
    );
    assert_eq!(
        conditions[2]["comparison"],
        json!({"key": "level", "match": "ne", "value": "info"})
    );
}

fn codes_of(yaml: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.yaml");
    std::fs::write(&spec, yaml).unwrap();
    sloxide::cli::check(&[spec])
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str().to_string())
        .collect()
}

#[test]
fn validation_refuses_what_sentry_cannot_express() {
    let latency = HOSTILE.replace(
        "    ratio:\n      sentry:\n        project: edge-api\n        dataset: spans\n",
        "    latency:\n      threshold: 2s\n      sentry:\n        project: edge-api\n        dataset: spans\n",
    );
    assert!(codes_of(&latency).is_empty(), "{:?}", codes_of(&latency));
    let odd = latency.replace("objective: 99%", "objective: 99.9%");
    assert_eq!(codes_of(&odd), ["sloxide::sentry::percentile"]);
    // The transactions dataset has percentile(transaction.duration, q): p99.9 builds there.
    let transactions = odd.replace("dataset: spans", "dataset: transactions");
    assert!(
        codes_of(&transactions).is_empty(),
        "{:?}",
        codes_of(&transactions)
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edge.yaml");
    std::fs::write(&spec, &transactions).unwrap();
    for format in [
        SentryFormat::Api,
        SentryFormat::Legacy,
        SentryFormat::Terraform,
    ] {
        let files = build(std::slice::from_ref(&spec), format);
        let text = serde_json::to_string(&files).unwrap();
        assert!(
            text.contains("percentile(transaction.duration,0.999)"),
            "{format:?}"
        );
        for (path, value) in files.iter().filter(|(p, _)| !p.ends_with("manifest.json")) {
            let e = errors(&schema(schema_for(path, format)), value);
            assert!(e.is_empty(), "{path}: {e:?}");
        }
    }
    let free_text = HOSTILE.replace("!level:info", "OR level:info");
    assert_eq!(codes_of(&free_text), ["sloxide::sentry::query"]);
    let slug = HOSTILE.replace("project: edge-api, query", "project: ../Edge, query");
    assert_eq!(codes_of(&slug), ["sloxide::sentry::project"]);
}

/// The first object under `v` (depth first) that has `key`, for editing a copy.
fn first_with<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    if v.get(key).is_some() {
        return Some(v);
    }
    match v {
        Value::Object(map) => map.values_mut().find_map(|c| first_with(c, key)),
        Value::Array(items) => items.iter_mut().find_map(|c| first_with(c, key)),
        _ => None,
    }
}

/// Negative controls for the Terraform contract (jianyuan/sentry v0.15.4,
/// `internal/provider/resource_alert_gen.go`): PagerDuty needs `service_name`, Slack
/// `tags` is a string, and the module pins a provider version that has fractional
/// thresholds (v0.15.3).
#[test]
fn terraform_schema_rejects_what_the_provider_rejects() {
    let tf = schema("terraform");
    let files = examples(SentryFormat::Terraform);
    let pick = |key: &str| {
        files
            .iter()
            .find_map(|(p, v)| {
                let mut copy = v.clone();
                first_with(&mut copy, key)
                    .is_some()
                    .then(|| (p.clone(), v.clone()))
            })
            .unwrap_or_else(|| panic!("no file has {key}"))
    };
    for key in ["pagerduty", "slack", "required_providers"] {
        let (path, good) = pick(key);
        assert!(
            errors(&tf, &good).is_empty(),
            "{path}: {:?}",
            errors(&tf, &good)
        );
        let mut bad = good.clone();
        let at = first_with(&mut bad, key).unwrap();
        match key {
            "pagerduty" => {
                at[key].as_object_mut().unwrap().remove("service_name");
            }
            "slack" => at[key]["tags"] = json!(["environment", "level"]),
            _ => {
                at[key]["sentry"].as_object_mut().unwrap().remove("version");
            }
        }
        assert!(
            !errors(&tf, &bad).is_empty(),
            "{path}: accepted broken {key}"
        );
    }
}

/// What breaks the metric-workflow contract of Sentry's own alert-rule migration
/// (getsentry/sentry `workflow_engine/migration_helpers/alert_rule.py`): each action filter
/// holds `issue_priority_greater_or_equal P` and `issue_priority_deescalating P` under
/// `logicType: any`, so the trigger notifies when the issue reaches P and again when it
/// falls back or resolves.
fn metric_filter_problems(workflow: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (i, f) in workflow["actionFilters"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if f["logicType"] != "any" {
            out.push(format!("filter {i}: logicType {}", f["logicType"]));
        }
        let of = |kind: &str| {
            f["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["type"] == kind)
                .map(|c| c["comparison"].clone())
        };
        match (
            of("issue_priority_greater_or_equal"),
            of("issue_priority_deescalating"),
        ) {
            (Some(a), Some(b)) if a == b => {}
            other => out.push(format!("filter {i}: priority conditions {other:?}")),
        }
    }
    out
}

#[test]
fn metric_workflows_notify_resolution() {
    let files = examples(SentryFormat::Api);
    let metric: Vec<(&String, &Value)> = files
        .iter()
        .filter(|(p, _)| {
            p.ends_with(".workflow.json") && (p.contains("/alert.") || p.contains("/failing."))
        })
        .collect();
    assert!(metric.len() >= 10, "{}", metric.len());
    for (path, w) in &metric {
        assert_eq!(metric_filter_problems(w), Vec::<String>::new(), "{path}");
    }
    // Negative controls: without the de-escalation condition, or with `all`, it fails.
    let mut bad = metric[0].1.clone();
    bad["actionFilters"][0]["conditions"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["type"] != "issue_priority_deescalating");
    assert!(!metric_filter_problems(&bad).is_empty());
    let mut bad = metric[0].1.clone();
    bad["actionFilters"][0]["logicType"] = json!("all");
    assert!(!metric_filter_problems(&bad).is_empty());
}

/// A journey with one high-impact known error (every request of the step fails, no
/// workaround) and one medium one.
const KNOWN_ERRORS: &str = r##"apiVersion: sloxide/v1
service:
  name: ledger
  owners: { product_owner: P, tech_lead: T, team: ledger-team }
  notify:
    page: [ { pagerduty: ledger-primary } ]
    ticket: [ { slack: "#ledger" }, { email: ledger-list@example.com } ]
journeys:
  - name: post
    steps:
      - name: write
        actor: system
        sentry: { project: ledger-api }
        known_errors:
          - name: disk-full
            sentry_query: "error.type:DiskFull"
            count: all
            workaround: false
          - name: retry-storm
            sentry_query: "error.type:RetryStorm"
            count: few
            workaround: false
impact:
  triage_business_days: 2
  matrix:
    - { scope: step, count: all, workaround: none, impact: high }
    - { scope: step, count: few, workaround: any, impact: medium }
slis:
  - name: errors
    journey: post
    ratio:
      sentry: { project: ledger-api, query: "transaction:/post*", environment: production }
slos:
  - name: availability
    sli: errors
    objective: 99.9%
"##;

#[test]
fn high_impact_known_errors_page_on_every_event_of_an_open_issue() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("ledger.yaml");
    std::fs::write(&spec, KNOWN_ERRORS).unwrap();
    let base = "sentry/ledger/ledger-api/error.post.write";
    // API: a page rule has no trigger condition (every event passes; `frequency` 5 min
    // throttles per issue); the ticket rule still waits for first-seen or regression.
    let api = build(std::slice::from_ref(&spec), SentryFormat::Api);
    let page = &api[&format!("{base}.disk-full.workflow.json")];
    assert_eq!(page["triggers"]["conditions"], json!([]));
    assert_eq!(page["config"]["frequency"], 5);
    assert_eq!(page["actionFilters"][0]["actions"][0]["type"], "pagerduty");
    let ticket = &api[&format!("{base}.retry-storm.workflow.json")];
    let kinds: Vec<&Value> = ticket["triggers"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["type"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("first_seen_event"), &json!("regression_event")]
    );
    // Legacy: "seen more than 0 times in 1m" joins the state conditions under `any`.
    let legacy = build(std::slice::from_ref(&spec), SentryFormat::Legacy);
    let rule = &legacy[&format!("{base}.disk-full.json")];
    assert_eq!(rule["actionMatch"], "any");
    assert!(rule["conditions"].as_array().unwrap().contains(&json!({
        "id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
        "interval": "1m", "value": 0, "comparisonType": "count",
    })));
    let ticket = &legacy[&format!("{base}.retry-storm.json")];
    assert!(
        !ticket["conditions"]
            .to_string()
            .contains("EventFrequencyCondition")
    );
    // Terraform: empty trigger conditions for the page rule only.
    let tf = build(std::slice::from_ref(&spec), SentryFormat::Terraform);
    let alert = |name: &str| {
        tf[&format!("{base}.{name}.tf.json")]["resource"]["sentry_alert"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .clone()
    };
    assert_eq!(alert("disk-full")["trigger_conditions"], json!([]));
    assert_eq!(
        alert("retry-storm")["trigger_conditions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Every payload still validates, and the schema rejects a frequency condition
    // without its value (negative control).
    for (format, files) in [
        (SentryFormat::Api, &api),
        (SentryFormat::Legacy, &legacy),
        (SentryFormat::Terraform, &tf),
    ] {
        for (path, value) in files.iter().filter(|(p, _)| !p.ends_with("manifest.json")) {
            let e = errors(&schema(schema_for(path, format)), value);
            assert!(e.is_empty(), "{path}: {e:?}");
        }
    }
    let mut broken = rule.clone();
    for c in broken["conditions"].as_array_mut().unwrap() {
        if let Some(o) = c.as_object_mut() {
            o.remove("value");
        }
    }
    assert!(!errors(&schema("legacy"), &broken).is_empty());
    // The e-mail list is not a Sentry member: said, not dropped silently.
    let checked = sloxide::cli::check(std::slice::from_ref(&spec));
    let model = checked.model.unwrap();
    assert!(
        emit::lossy(&model.services[0])
            .iter()
            .any(|l| l.target == Target::Sentry
                && l.what.starts_with(
                    "notify.ticket e-mail ledger-list@example.com: Sentry e-mails only its members"
                ))
    );
}
