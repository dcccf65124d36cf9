//! The real binary: exit codes, human and JSON diagnostics, `schema`, `explain`, `build`.

use std::path::Path;

use serde_json::Value;

mod common;
use common::bin::{build_quickstart, code, root, sloxide, stderr, stdout};

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn check_examples_exits_0() {
    let o = sloxide(&["check", "examples/"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("checked 6 file(s): 0 errors"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_spec_exits_1_with_position_code_and_help() {
    let o = sloxide(&["check", "tests/invalid/objective-100.yaml"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("tests/invalid/objective-100.yaml:22:16"),
        "{err}"
    );
    assert!(err.contains("sloxide::percent::range"), "{err}");
    assert!(err.contains("help: use a value strictly between"), "{err}");
    assert!(err.contains("1 error"), "{err}");
}

#[test]
fn unknown_key_gets_did_you_mean() {
    let o = sloxide(&["check", "tests/invalid/unknown-key-typo.yaml"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("tests/invalid/unknown-key-typo.yaml:23:5"),
        "{err}"
    );
    assert!(err.contains("did you mean `window`?"), "{err}");
}

#[test]
fn json_format_is_valid_json_with_stable_fields() {
    let o = sloxide(&[
        "check",
        "--format",
        "json",
        "tests/invalid/objective-100.yaml",
        "tests/invalid/unknown-sli.yaml",
    ]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    // Both files define service hello-api: that is reported across files too.
    assert_eq!(v["errors"], 3);
    assert_eq!(v["warnings"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 4);
    let keys: Vec<&str> = diags[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "label",
        "help",
        "related",
        "acknowledged",
    ];
    expected.sort();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, expected);
    let first = &diags[0];
    assert_eq!(first["code"], "sloxide::percent::range");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "tests/invalid/objective-100.yaml");
    assert_eq!(first["line"], 22);
    assert_eq!(first["column"], 16);
    assert_eq!(first["end_line"], 22);
    assert_eq!(first["end_column"], 20);
    // Sorted by file, then position, errors and warnings interleaved.
    let order: Vec<(&str, &str, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            ("tests/invalid/objective-100.yaml", "error", 22),
            ("tests/invalid/unknown-sli.yaml", "error", 4),
            ("tests/invalid/unknown-sli.yaml", "warning", 14),
            ("tests/invalid/unknown-sli.yaml", "error", 21),
        ]
    );
    // Nothing but the JSON document on stdout, nothing on stderr.
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn json_related_locations_point_at_the_first_definition() {
    let o = sloxide(&[
        "check",
        "--format",
        "json",
        "tests/invalid/duplicate-slo-name.yaml",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "sloxide::name::duplicate");
    assert_eq!(d["related"][0]["line"], 20);
    assert_eq!(d["related"][0]["column"], 11);
    assert_eq!(d["related"][0]["message"], "first defined here");
}

#[test]
fn deny_warnings_makes_warnings_fatal() {
    // The card-platform example's two warnings are acknowledged: they pass.
    let s2 = "examples/s2-card-platform.yaml";
    let o = sloxide(&["check", s2]);
    assert_eq!(code(&o), 0);
    assert!(
        stderr(&o).contains("0 errors, 2 warnings (2 acknowledged)"),
        "{}",
        stderr(&o)
    );
    let o = sloxide(&["check", "--deny-warnings", s2]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A warning nobody acknowledged fails: an SLI no SLO uses.
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string("examples/quickstart.yaml").unwrap();
    let path = dir.path().join("q.yaml");
    let spec = spec.replacen(
        "slis:\n",
        "slis:\n  - name: spare\n    ratio:\n      prometheus: { total: a_total, bad: a_total }\n",
        1,
    );
    std::fs::write(&path, spec).unwrap();
    let o = sloxide(&["check", path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sloxide::sli::unused"),
        "{}",
        stderr(&o)
    );
    let o = sloxide(&["check", "--deny-warnings", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
}

#[test]
fn missing_path_exits_2() {
    let o = sloxide(&["check", "no/such/dir"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
    let empty = tempfile::tempdir().unwrap();
    let o = sloxide(&["check", empty.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no spec files"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&sloxide(&["frobnicate"])), 2);
    assert_eq!(code(&sloxide(&["check", "--format", "xml", "examples"])), 2);
}

#[test]
fn schema_prints_the_committed_schema() {
    let o = sloxide(&["schema"]);
    assert_eq!(code(&o), 0);
    let committed = std::fs::read_to_string(root().join("schema/sloxide.schema.json")).unwrap();
    assert_eq!(stdout(&o), committed);
}

#[test]
fn explain_prints_the_budget_math() {
    let o = sloxide(&["explain", "hello-api/availability", "examples/"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("43m 12s"), "{out}");
    let page = out
        .lines()
        .find(|l| l.contains("14.4x") && l.contains("1h/5m"))
        .expect("page alert row");
    assert!(page.trim_end().ends_with("52s"), "{page}");
}

#[test]
fn explain_of_an_unknown_slo_exits_2() {
    let o = sloxide(&["explain", "hello-api/nope", "examples/"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("hello-api/availability"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn build_of_an_invalid_spec_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = sloxide(&[
        "build",
        "tests/invalid/objective-100.yaml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(!out.exists());
}

#[test]
fn build_writes_only_what_it_can_honour_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let o = sloxide(&["build", "examples/", "-o", out_s]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    let expected = sloxide::emit::emit(
        &sloxide::cli::check(&[root().join("examples")])
            .model
            .unwrap(),
        &[
            sloxide::emit::Target::Prometheus,
            sloxide::emit::Target::Alertmanager,
            sloxide::emit::Target::Grafana,
            sloxide::emit::Target::Splunk,
            sloxide::emit::Target::Sentry,
            sloxide::emit::Target::Runbook,
        ],
        &sloxide::emit::Options::default(),
    );
    for t in &expected.unavailable {
        assert!(
            err.contains(&format!("the {t} backend is not available")),
            "{err}"
        );
    }
    let mut files: Vec<String> = expected.files.iter().map(|f| f.path.clone()).collect();
    if !files.is_empty() {
        files.push(sloxide::output::MANIFEST.to_owned());
    }
    files.sort();
    assert_eq!(tree(&out), files, "only generated files and the manifest");
    // No temporary files are left behind, and a second --check run is clean.
    assert!(
        tree(&out)
            .iter()
            .all(|f| !f.contains(".sloxide-") || f.ends_with("manifest"))
    );
    let o = sloxide(&["build", "examples/", "-o", out_s, "--check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn build_check_on_a_fresh_dir_lists_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fresh");
    let o = sloxide(&["build", "examples/", "-o", out.to_str().unwrap(), "--check"]);
    let model = sloxide::cli::check(&[root().join("examples")])
        .model
        .unwrap();
    let all = [
        sloxide::emit::Target::Prometheus,
        sloxide::emit::Target::Alertmanager,
        sloxide::emit::Target::Grafana,
        sloxide::emit::Target::Splunk,
        sloxide::emit::Target::Sentry,
        sloxide::emit::Target::Runbook,
    ];
    let expected = sloxide::emit::emit(&model, &all, &sloxide::emit::Options::default());
    if expected.files.is_empty() {
        // No backend yet: nothing would be generated, so nothing is stale.
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    } else {
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("sloxide::build::stale"), "{err}");
        for f in &expected.files {
            assert!(err.contains(&format!("missing   {}", f.path)), "{err}");
        }
    }
    assert!(!out.exists(), "--check must not create anything");
}

#[test]
fn strict_queries_refuse_writing_splunk_commands_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(root().join("examples/quickstart.yaml"))
        .unwrap()
        .replace(
            "        bad: http_requests_total{job=\"hello-api\",code=~\"5..\"}\n",
            "        bad: http_requests_total{job=\"hello-api\",code=~\"5..\"}\n      splunk: { search: \"index=web | delete\", bad: status>=500 }\n",
        );
    assert!(spec.contains("| delete"));
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, spec).unwrap();
    let path = path.to_str().unwrap();
    let lenient = sloxide(&["check", path]);
    assert_eq!(code(&lenient), 0, "{}", stderr(&lenient));
    let strict = sloxide(&["check", "--strict-queries", path]);
    assert_eq!(code(&strict), 1, "{}", stderr(&strict));
    assert!(
        stderr(&strict).contains("sloxide::splunk::strict"),
        "{}",
        stderr(&strict)
    );
    assert!(
        stderr(&strict).contains("the `delete` command"),
        "{}",
        stderr(&strict)
    );
    // The examples' own searches comply with the strict policy.
    let examples = sloxide(&["check", "--strict-queries", "examples/"]);
    assert_eq!(code(&examples), 0, "{}", stderr(&examples));
}

#[test]
fn operator_objects_take_a_namespace_and_extra_labels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = sloxide(&[
        "build",
        "examples/quickstart.yaml",
        "-o",
        out.to_str().unwrap(),
        "--target",
        "prometheus",
        "--prometheus-format",
        "operator",
        "--operator-namespace",
        "monitoring",
        "--operator-label",
        "release=kube-prometheus-stack",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text =
        std::fs::read_to_string(out.join("prometheus/hello-api.prometheusrule.yml")).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(doc["metadata"]["namespace"], "monitoring");
    assert_eq!(doc["metadata"]["name"], "sloxide-hello-api");
    assert_eq!(
        doc["metadata"]["labels"]["release"],
        "kube-prometheus-stack"
    );
    assert_eq!(
        doc["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "sloxide"
    );
    // Malformed metadata is a usage error, and nothing is written.
    for bad in [
        ["--operator-namespace", "Monitoring"],
        ["--operator-label", "release"],
        ["--operator-label", "bad key=x"],
        ["--operator-label", "release=-x"],
    ] {
        let other = dir.path().join("other");
        let o = build_quickstart(&other, &bad);
        assert_eq!(code(&o), 2, "{bad:?}: {}", stderr(&o));
        assert!(!other.exists(), "{bad:?}");
    }
}

#[test]
fn lossy_mappings_are_warned_listed_in_the_manifest_and_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let o = sloxide(&["build", "examples/", "-o", out_s, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lossy: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "sloxide::build::lossy")
        .collect();
    assert!(lossy.iter().all(|d| d["severity"] == "warning"));
    let says = |needle: &str| {
        lossy
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains(needle))
    };
    // Sentry drops the short window of every row (6h stays 360 min).
    assert!(says(
        "sentry: SLO kyc-verification/verification-availability: page-6h: evaluated over 360 min only; the short window 30m is not"
    ));
    // A paired ticket row is judged over its page row's window.
    assert!(says("ticket-1d: evaluated over 60 min only"));
    // Splunk pages through the PagerDuty app, whose integration sloxide cannot set.
    assert!(says(
        "splunk: service card-platform: notify.page PagerDuty card-platform-primary: the searches page the PagerDuty app's global integration"
    ));
    // The Sentry manifest and the runbook say the same.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("sentry/kyc-verification/manifest.json")).unwrap(),
    )
    .unwrap();
    let entries = manifest["lossy"].as_array().unwrap();
    assert!(entries.iter().any(|e| {
        e["slo"] == "verification-availability"
            && e["what"]
                .as_str()
                .unwrap()
                .starts_with("page-6h: evaluated over 360 min")
    }));
    let runbook = std::fs::read_to_string(out.join("runbook/kyc-verification.md")).unwrap();
    assert!(runbook.contains("- Sentry: page-6h: evaluated over 360 min only"));
    let card = std::fs::read_to_string(out.join("runbook/card-platform.md")).unwrap();
    assert!(
        card.contains("- Splunk: notify.page PagerDuty card-platform-primary: the searches page")
    );
    // A build of Prometheus alone loses nothing and warns of nothing lossy.
    let other = dir.path().join("prom");
    let o = sloxide(&[
        "build",
        "examples/",
        "-o",
        other.to_str().unwrap(),
        "--target",
        "prometheus",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("sloxide::build::lossy"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ruler_mimir_names_the_exceeded_limit_and_how_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = [
        "build",
        "examples/",
        "-o",
        out.to_str().unwrap(),
        "--target",
        "prometheus",
    ];
    let plain = sloxide(&args);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    assert!(!stderr(&plain).contains("sloxide::build::ruler-limit"));
    let limits = |args: &[&str]| -> Vec<String> {
        let mut args = args.to_vec();
        args.extend(["--ruler", "mimir", "--format", "json"]);
        let o = sloxide(&args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "sloxide::build::ruler-limit")
            .map(|d| d["message"].as_str().unwrap().to_owned())
            .collect()
    };
    // Every group of the examples fits Mimir's defaults (at most 17 rules of 20).
    assert_eq!(limits(&args), Vec::<String>::new());
    // 35 SLOs are 72 groups with the two shared ones, over Mimir's 70 per tenant.
    let mut spec = String::from(
        "apiVersion: sloxide/v1\nservice:\n  name: many\n  owners: { product_owner: P, tech_lead: T }\n  notify:\n    page: [ { pagerduty: many } ]\nslis:\n  - name: a\n    ratio:\n      prometheus:\n        total: x_total\n        bad: x_total{code=\"500\"}\nslos:\n",
    );
    for i in 0..35 {
        spec.push_str(&format!("  - {{ name: s{i}, sli: a, objective: 99.9% }}\n"));
    }
    let specs = dir.path().join("many.yaml");
    std::fs::write(&specs, spec).unwrap();
    let many_out = dir.path().join("many-out");
    let many = limits(&[
        "build",
        specs.to_str().unwrap(),
        "-o",
        many_out.to_str().unwrap(),
        "--target",
        "prometheus",
    ]);
    assert_eq!(many.len(), 1, "{many:?}");
    assert!(
        many[0].contains("72 rule groups (two per SLO and two shared)"),
        "{}",
        many[0]
    );
    assert!(
        many[0].contains("ruler_max_rule_groups_per_tenant: 72"),
        "{}",
        many[0]
    );
    // The rules written are the same with either ruler.
    let again = sloxide(&[&args[..], &["--ruler", "mimir", "--check"]].concat());
    assert_eq!(code(&again), 0, "{}", stderr(&again));
}
