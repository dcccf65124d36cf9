//! The real Prometheus engine on every generated file: `promtool check rules --lint=all
//! --lint-fatal` on each rule file of a build of `examples/` (with `--emit-tests`), and
//! `promtool test rules` on each generated unit-test file (the contract fixture in
//! `tests/fixtures/contracts` too). promtool comes from Debian's
//! `prometheus` package (`apt-get install -y --no-install-recommends prometheus`); these
//! tests fail with that hint when it is missing.

use std::path::{Path, PathBuf};

use sloxide::emit::{self, Options, PrometheusFormat, Target};

mod common;
use common::{promtool, run};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(options: &Options) -> (tempfile::TempDir, Vec<String>) {
    let model = sloxide::cli::check(&[
        root().join("examples"),
        root().join("tests/fixtures/contracts"),
    ])
    .model
    .expect("examples and the contract fixture are valid");
    let emitted = emit::emit(&model, &[Target::Prometheus], options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for f in emitted.files {
        let full = dir.path().join(&f.path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, f.contents).unwrap();
        paths.push(f.path);
    }
    (dir, paths)
}

fn files<'a>(paths: &'a [String], suffix: &'a str) -> impl Iterator<Item = &'a String> {
    paths.iter().filter(move |p| p.ends_with(suffix))
}

#[test]
fn every_generated_rule_file_passes_promtool_lint() {
    let options = Options {
        prometheus_format: PrometheusFormat::Operator,
        emit_tests: true,
        ..Options::default()
    };
    let (dir, paths) = build(&options);
    let rule_files: Vec<&String> = files(&paths, ".rules.yml").collect();
    assert!(
        rule_files.len() >= 5,
        "expected a rule file per example service: {paths:?}"
    );
    for path in rule_files {
        run(
            promtool()
                .args(["check", "rules", "--lint=all", "--lint-fatal"])
                .arg(dir.path().join(path)),
            &format!("promtool check rules {path}"),
        );
        let manifest = path.replace(".rules.yml", ".prometheusrule.yml");
        assert!(paths.contains(&manifest), "no operator manifest for {path}");
    }
}

#[test]
fn every_generated_unit_test_passes_promtool() {
    let options = Options {
        emit_tests: true,
        ..Options::default()
    };
    let (dir, paths) = build(&options);
    let tests: Vec<&String> = files(&paths, ".rules.test.yml").collect();
    // One test file per service's rule file; the shared window group's file has none
    // of its own (every service's tests load it).
    assert_eq!(
        tests.len() + 1,
        files(&paths, ".rules.yml").count(),
        "one test file per service rule file"
    );
    assert!(paths.contains(&"prometheus/sloxide.windows.rules.yml".to_owned()));
    // One promtool process per file, in parallel.
    let children: Vec<_> = tests
        .iter()
        .map(|t| {
            let file = dir.path().join(t);
            let child = promtool()
                .args(["test", "rules"])
                .arg(file.file_name().unwrap())
                .current_dir(file.parent().unwrap_or(Path::new(".")))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("promtool starts");
            (t, child)
        })
        .collect();
    let mut failures = Vec::new();
    for (t, child) in children {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failures.push(format!(
                "{t}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "promtool test rules failed:\n{}",
        failures.join("\n")
    );
}

/// A spec whose user text is hostile to YAML, PromQL and Go templates.
const HOSTILE: &str = r#"apiVersion: sloxide/v1
service:
  name: hostile
  title: "Hostile \"quotes\""
  owners: { product_owner: "A \"B\" C", tech_lead: "D {{ E }}" }
  labels:
    team: "pay\"ments\\ {{ .Labels }}\nnext: line"
    note: "`backtick` | pipe } brace"
  notify:
    page: [ { pagerduty: hostile } ]
slis:
  - name: availability
    ratio:
      prometheus:
        total: http_requests_total{job="a\"b",path=~"/x|/y"}
        good: http_requests_total{job="a\"b",path=~"/x|/y",code!~"5.."}
slos:
  - name: availability
    title: "Checkout {{ $value }} \"works\"\nsecond line `x` }}"
    sli: availability
    objective: 99.5%
    alerting:
      min_events: 20
"#;

#[test]
fn hostile_user_text_survives_yaml_promql_and_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hostile.yaml"), HOSTILE).unwrap();
    let checked = sloxide::cli::check(&[dir.path().join("hostile.yaml")]);
    let model = checked.model.expect("hostile spec is valid");
    let options = Options {
        emit_tests: true,
        ..Options::default()
    };
    let emitted = emit::emit(&model, &[Target::Prometheus], &options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for f in &emitted.files {
        std::fs::write(
            out.join(f.path.trim_start_matches("prometheus/")),
            &f.contents,
        )
        .unwrap();
    }
    run(
        promtool()
            .args(["check", "rules", "--lint=all", "--lint-fatal"])
            .arg(out.join("hostile.rules.yml")),
        "promtool check rules (hostile)",
    );
    // The generated tests expect the annotations to render to the original user text.
    let tests = std::fs::read_to_string(out.join("hostile.rules.test.yml")).unwrap();
    assert!(
        tests.contains("exp_annotations"),
        "no alert expectations:\n{tests}"
    );
    run(
        promtool()
            .args(["test", "rules", "hostile.rules.test.yml"])
            .current_dir(&out),
        "promtool test rules (hostile)",
    );
}

#[test]
fn generated_tests_catch_a_wrong_threshold() {
    // Negative control: the same tests against rules whose fast page threshold is 20% too
    // high or 45% too low must fail (30 s steps resolve the 52 s detection time to two
    // evaluations, so the page fires one evaluation later or earlier).
    let (dir, _) = build(&Options {
        emit_tests: true,
        ..Options::default()
    });
    let rules = dir.path().join("prometheus/hello-api.rules.yml");
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(text.contains("> 0.0144"));
    for wrong in ["0.01728", "0.0079"] {
        std::fs::write(&rules, text.replace("> 0.0144", &format!("> {wrong}"))).unwrap();
        let out = promtool()
            .args(["test", "rules", "hello-api.rules.test.yml"])
            .current_dir(dir.path().join("prometheus"))
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the generated tests did not notice a page threshold of {wrong} instead of 0.0144"
        );
    }
}

/// The latency percentiles a latency SLI declares are recorded from the whole histogram:
/// 30 observations per 30 s scrape, 10 up to 0.1 s, 10 more up to 0.5 s and 10 up to
/// 1 s, so the median is interpolated at 0.3 s and p90 at 0.85 s.
#[test]
fn declared_percentiles_are_recorded_from_the_histogram() {
    let spec = r#"apiVersion: sloxide/v1
service:
  name: timing
  owners: { product_owner: P, tech_lead: T }
slis:
  - name: latency
    latency:
      threshold: 500ms
      percentiles: [p50, p90]
      prometheus:
        histogram: req_seconds{job="t"}
        buckets: [0.1, 0.5, 1]
slos:
  - { name: latency, sli: latency, objective: 90% }
"#;
    let (rules, shared, dir) = common::traffic::rules_of(spec);
    std::fs::write(dir.path().join("rules.yml"), &rules).unwrap();
    std::fs::write(dir.path().join("shared.yml"), &shared).unwrap();
    let check = |q: &str, v: &str| {
        format!(
            "  - {{expr: 'count(abs(slo:sli_latency_seconds:quantile_rate5m{{quantile=\"{q}\"}} - {v}) < 1e-9)', eval_time: 20m, exp_samples: [{{labels: '{{}}', value: 1}}]}}\n"
        )
    };
    let series = |le: &str, step: u32| {
        format!(
            "  - series: 'req_seconds_bucket{{job=\"t\",le=\"{le}\"}}'\n    values: '0+{step}x60'\n"
        )
    };
    let test = format!(
        "rule_files: [rules.yml, shared.yml]\nevaluation_interval: 30s\ntests:\n- interval: 30s\n  input_series:\n{}{}{}{}  - series: 'req_seconds_count{{job=\"t\"}}'\n    values: '0+30x60'\n  promql_expr_test:\n{}{}",
        series("0.1", 10),
        series("0.5", 20),
        series("1", 30),
        series("+Inf", 30),
        check("0.5", "0.3"),
        check("0.9", "0.85"),
    );
    assert!(rules.contains(
        "histogram_quantile(0.9, sum by (le) (rate(req_seconds_bucket{job=\"t\"}[5m])))"
    ));
    common::traffic::promtool_test(dir.path(), &test).unwrap();
    // Negative control: a wrong expectation fails.
    let wrong = test.replace("- 0.85)", "- 0.8)");
    assert!(common::traffic::promtool_test(dir.path(), &wrong).is_err());
}
