//! The Grafana dashboards of the examples: every query parses as PromQL and reads only
//! series the generated rules record (or `ALERTS`), each SLO gets its panels, and uids,
//! ids and the grid are what Grafana accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use promql_parser::parser::{self, Expr};
use promql_parser::util::{ExprVisitor, walk_expr};
use serde_json::Value;
use sloxide::emit::Target;
use sloxide::model::{Model, SliKind};

mod common;

fn examples() -> Model {
    common::examples_model()
}

fn built(model: &Model) -> BTreeMap<String, String> {
    common::emitted(model, &[Target::Prometheus, Target::Grafana])
}

fn dashboards(files: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".dashboard.json"))
        .map(|(p, c)| (p.clone(), serde_json::from_str(c).unwrap()))
        .collect()
}

/// The names the generated Prometheus rules record.
fn recorded_names(files: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rules.yml")) {
        let doc: Value = serde_saphyr::from_str(text).unwrap();
        for group in doc["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                if let Some(r) = rule["record"].as_str() {
                    out.insert(r.to_owned());
                }
            }
        }
        assert!(!out.is_empty(), "{path}");
    }
    out
}

/// Every query of a dashboard: panel targets and annotation queries.
fn queries(d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in d["panels"].as_array().unwrap() {
        for t in p["targets"].as_array().into_iter().flatten() {
            out.push(t["expr"].as_str().unwrap().to_owned());
        }
    }
    for a in d["annotations"]["list"].as_array().unwrap() {
        if let Some(e) = a["expr"].as_str() {
            out.push(e.to_owned());
        }
    }
    out
}

struct Selectors(Vec<(String, BTreeMap<String, String>)>);

impl ExprVisitor for Selectors {
    type Error = String;
    fn pre_visit(&mut self, e: &Expr) -> Result<bool, String> {
        let vs = match e {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => Some(&ms.vs),
            _ => None,
        };
        if let Some(vs) = vs {
            let name = vs.name.clone().ok_or("a selector without a metric name")?;
            let labels = vs
                .matchers
                .matchers
                .iter()
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect();
            self.0.push((name, labels));
        }
        Ok(true)
    }
}

/// The metric names and label matchers a query selects.
fn selectors(query: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let expr = parser::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let mut v = Selectors(Vec::new());
    walk_expr(&mut v, &expr).unwrap_or_else(|e| panic!("{query}: {e}"));
    v.0
}

/// What is wrong with the queries of `dashboards`: a selector of a series no generated
/// rule records (other than `ALERTS`), a `window` or `quantile` no rule records, or, on a
/// service's dashboard, a selector of another service or of no SLO of the service; and
/// how many selectors were checked.
fn query_problems(
    files: &BTreeMap<String, String>,
    dashboards: &BTreeMap<String, Value>,
) -> (Vec<String>, usize) {
    let recorded = recorded_names(files);
    let shared = &files["prometheus/sloxide.windows.rules.yml"];
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, d) in dashboards {
        let service = path
            .trim_start_matches("grafana/")
            .trim_end_matches(".dashboard.json");
        let rules = files
            .get(&format!("prometheus/{service}.rules.yml"))
            .cloned()
            .unwrap_or_default();
        for q in queries(d) {
            for (name, labels) in selectors(&q) {
                checked += 1;
                if name != "ALERTS" && !recorded.contains(&name) {
                    problems.push(format!("{path}: `{q}` reads {name}, which no rule records"));
                }
                if let Some(w) = labels.get("window")
                    && !shared.contains(&format!("      window: {w}\n"))
                {
                    problems.push(format!("{path}: `{q}`: no rule records window {w}"));
                }
                if let Some(qt) = labels.get("quantile")
                    && !rules.contains(&format!("      quantile: \"{qt}\"\n"))
                {
                    problems.push(format!("{path}: `{q}`: no rule records quantile {qt}"));
                }
                if path == "grafana/sloxide.overview.dashboard.json" {
                    continue;
                }
                if labels.get("service").map(String::as_str) != Some(service) {
                    problems.push(format!("{path}: `{q}` is not {service}'s"));
                }
                let slo_ok = labels.get("slo").is_some_and(|slo| {
                    rules.contains(&format!("- name: sloxide:{service}:{slo}\n"))
                });
                if !slo_ok {
                    problems.push(format!("{path}: `{q}` is not one of {service}'s SLOs"));
                }
            }
        }
    }
    (problems, checked)
}

#[test]
fn every_query_reads_recorded_series_of_its_own_slo() {
    let files = built(&examples());
    let dashboards = dashboards(&files);
    assert_eq!(dashboards.len(), 6, "five services and the overview");
    let (problems, checked) = query_problems(&files, &dashboards);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 100, "{checked} selectors");
}

#[test]
fn queries_of_raw_series_unrecorded_windows_or_other_slos_are_caught() {
    // Negative controls for the cross-check above, on edited copies of one dashboard
    // (the JSON text escapes the quotes of PromQL strings).
    let files = built(&examples());
    let path = "grafana/hello-api.dashboard.json";
    let text = &files[path];
    for (what, from, to) in [
        (
            "a raw series",
            "slo:sli_counts:window{",
            "http_requests_total{",
        ),
        (
            "an unrecorded window",
            r#"window=\"1h\""#,
            r#"window=\"7h\""#,
        ),
        (
            "another SLO",
            r#"slo=\"availability\""#,
            r#"slo=\"latency\""#,
        ),
        (
            "another service",
            r#"service=\"hello-api\""#,
            r#"service=\"card-platform\""#,
        ),
    ] {
        assert!(text.contains(from), "{what}: the edit must apply ({from})");
        let edited: Value = serde_json::from_str(&text.replacen(from, to, 1)).unwrap();
        let (problems, _) = query_problems(&files, &BTreeMap::from([(path.to_owned(), edited)]));
        assert!(!problems.is_empty(), "{what} must be caught");
    }
}

#[test]
fn each_slo_gets_its_panels_with_its_thresholds() {
    let model = examples();
    let files = built(&model);
    let dashboards = dashboards(&files);
    for service in &model.services {
        let path = format!("grafana/{}.dashboard.json", service.name);
        let rules = files
            .get(&format!("prometheus/{}.rules.yml", service.name))
            .cloned()
            .unwrap_or_default();
        let prometheus_slos: Vec<_> = service
            .slos
            .iter()
            .filter(|s| rules.contains(&format!("- name: sloxide:{}:{}\n", service.name, s.name)))
            .collect();
        let burn_alerts = rules
            .lines()
            .filter(|l| l.starts_with("  - alert: ") && l.contains("BurnRate"))
            .count();
        let Some(d) = dashboards.get(&path) else {
            assert!(prometheus_slos.is_empty(), "{path} missing");
            continue;
        };
        let panels = d["panels"].as_array().unwrap();
        let count = |kind: &str| panels.iter().filter(|p| p["type"] == kind).count();
        assert_eq!(count("stat"), prometheus_slos.len(), "{path}: SLI per SLO");
        assert_eq!(
            count("gauge"),
            prometheus_slos.len(),
            "{path}: budget per SLO"
        );
        assert_eq!(
            count("state-timeline"),
            prometheus_slos.len(),
            "{path}: alerts per SLO"
        );
        let with_percentiles = prometheus_slos
            .iter()
            .filter(|s| matches!(&s.sli.kind, SliKind::Latency { percentiles, .. } if !percentiles.is_empty()))
            .count();
        assert_eq!(
            count("timeseries"),
            prometheus_slos.len() + burn_alerts + with_percentiles,
            "{path}: traffic per SLO, a burn-rate panel per burn-rate alert, percentiles where declared"
        );
        let journeys: BTreeSet<_> = prometheus_slos.iter().map(|s| &s.journey).collect();
        assert_eq!(count("row"), journeys.len(), "{path}: a row per journey");
        // Unique ids, the grid within 24 columns, a uid Grafana accepts.
        let ids: BTreeSet<u64> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        assert_eq!(ids.len(), panels.len(), "{path}");
        for p in panels {
            let g = &p["gridPos"];
            assert!(
                g["x"].as_u64().unwrap() + g["w"].as_u64().unwrap() <= 24,
                "{path}"
            );
        }
        assert!(d["uid"].as_str().unwrap().len() <= 40);
        // The SLI's colours are the SLO's bands (or its objective).
        for slo in &prometheus_slos {
            let stat = panels
                .iter()
                .find(|p| {
                    p["type"] == "stat"
                        && p["title"]
                            .as_str()
                            .unwrap()
                            .starts_with(&format!("{}: ", slo.title))
                })
                .unwrap_or_else(|| panic!("{path}: no SLI panel for {}", slo.name));
            let steps: Vec<String> = stat["fieldConfig"]["defaults"]["thresholds"]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .skip(1)
                .map(|s| s["value"].to_string())
                .collect();
            let want: Vec<String> = match slo.bands {
                Some(b) => vec![b.red.value.decimal(), b.green.value.decimal()],
                None => vec![slo.objective.decimal()],
            };
            assert_eq!(steps, want, "{path}: {}", slo.name);
        }
    }
    let uids: BTreeSet<&str> = dashboards
        .values()
        .map(|d| d["uid"].as_str().unwrap())
        .collect();
    assert_eq!(uids.len(), dashboards.len(), "uids are unique");
}

#[test]
fn the_provisioning_file_points_grafana_at_the_dashboards() {
    let files = built(&examples());
    let doc: Value = serde_saphyr::from_str(&files["grafana/provisioning/sloxide.yml"]).unwrap();
    assert_eq!(doc["apiVersion"], 1);
    let p = &doc["providers"][0];
    assert_eq!(p["type"], "file");
    assert_eq!(p["options"]["path"], "/var/lib/grafana/dashboards/sloxide");
}

/// Grafana's classic dashboard type as JSON Schema: generated from the TypeScript types
/// Grafana publishes in npm `@grafana/schema` 13.2.3
/// (`dist/types/raw/dashboard/x/types.gen.d.ts`) by `ts-json-schema-generator` 2.4.0
/// (`--type Dashboard --no-type-check`); `.ci/run` regenerates it and checks that the
/// committed copy is identical.
fn grafana_schema() -> jsonschema::Validator {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("schema/grafana/dashboard.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

fn schema_problems(v: &jsonschema::Validator, d: &Value) -> Vec<String> {
    v.iter_errors(d)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn dashboards_match_grafanas_own_dashboard_type() {
    let files = built(&examples());
    let v = grafana_schema();
    let dashboards = dashboards(&files);
    for (path, d) in &dashboards {
        let problems = schema_problems(&v, d);
        assert!(problems.is_empty(), "{path}:\n{}", problems.join("\n"));
    }
    // Negative controls: what Grafana's type forbids is caught.
    let d = &dashboards["grafana/hello-api.dashboard.json"];
    let mut no_height = d.clone();
    no_height["panels"][1]["gridPos"]
        .as_object_mut()
        .unwrap()
        .remove("h");
    let mut unknown = d.clone();
    unknown["refreshEvery"] = Value::from("1m");
    let mut bad_variable = d.clone();
    bad_variable["templating"]["list"][0]["type"] = Value::from("prometheus-datasource");
    for (what, broken) in [
        ("a panel without a height", no_height),
        ("an unknown dashboard key", unknown),
        ("an unknown variable type", bad_variable),
    ] {
        assert!(!schema_problems(&v, &broken).is_empty(), "{what} must fail");
    }
}
