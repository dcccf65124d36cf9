//! The Prometheus Operator contract: every `PrometheusRule` sloxide writes (examples and the
//! hostile fixtures, with namespace and extra labels) validates against
//! `schema/kubernetes/prometheusrule.schema.json` (the CRD of prometheus-operator v0.93.0),
//! keeps group names unique (the CRD's list-map key) and stays under the operator's
//! rendered-size limit; broken copies of a real manifest must fail (negative controls).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};
use sloxide::emit::{self, OperatorMeta, Options, PrometheusFormat, Target};

/// `MaxConfigMapDataSize` (0.5 × `corev1.MaxSecretSize`) in prometheus-operator
/// `pkg/prometheus/rules.go`: a larger rendered object is rejected.
const MAX_RENDERED_BYTES: usize = 524_288;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let path = root().join("schema/kubernetes/prometheusrule.schema.json");
    let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&value).unwrap()
}

/// Every operator manifest of `dirs`, by path, parsed, with its size in bytes.
fn manifests(dirs: &[&str]) -> BTreeMap<String, (Value, usize)> {
    let paths: Vec<PathBuf> = dirs.iter().map(|d| root().join(d)).collect();
    let model = sloxide::cli::check(&paths).model.expect("valid specs");
    let options = Options {
        prometheus_format: PrometheusFormat::Operator,
        operator: OperatorMeta {
            namespace: Some("monitoring".into()),
            labels: BTreeMap::from([("release".into(), "kube-prometheus-stack".into())]),
        },
        ..Options::default()
    };
    let emitted = emit::emit(&model, &[Target::Prometheus], &options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    emitted
        .files
        .into_iter()
        .filter(|f| f.path.ends_with(".prometheusrule.yml"))
        .map(|f| {
            let value: Value =
                serde_saphyr::from_str(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            (f.path, (value, f.contents.len()))
        })
        .collect()
}

/// Everything that breaks the contract for one manifest.
fn problems(validator: &jsonschema::Validator, manifest: &Value, size: usize) -> Vec<String> {
    let mut out: Vec<String> = validator
        .iter_errors(manifest)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    let mut names = BTreeSet::new();
    for g in manifest["spec"]["groups"].as_array().into_iter().flatten() {
        if !names.insert(g["name"].to_string()) {
            out.push(format!("group {} twice", g["name"]));
        }
    }
    if size > MAX_RENDERED_BYTES {
        out.push(format!("{size} bytes, above {MAX_RENDERED_BYTES}"));
    }
    out
}

#[test]
fn every_prometheusrule_satisfies_the_crd() {
    let v = validator();
    let all = manifests(&[
        "examples",
        "tests/fixtures/hostile",
        "tests/fixtures/contracts",
    ]);
    assert!(all.len() >= 5, "{:?}", all.keys());
    for (path, (manifest, size)) in &all {
        assert_eq!(
            problems(&v, manifest, *size),
            Vec::<String>::new(),
            "{path}"
        );
        assert_eq!(manifest["metadata"]["namespace"], "monitoring", "{path}");
        assert_eq!(
            manifest["metadata"]["labels"]["release"],
            "kube-prometheus-stack"
        );
    }
    // The hostile fixture's `beta_svc` keeps a DNS-1123 name.
    assert!(
        all.values()
            .any(|(m, _)| m["metadata"]["name"] == "sloxide-beta-svc"),
        "{:?}",
        all.values()
            .map(|(m, _)| m["metadata"]["name"].clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_contract_rejects_what_kubernetes_and_the_operator_reject() {
    let v = validator();
    let all = manifests(&["examples"]);
    let (_, (good, size)) = all.iter().next().unwrap();
    assert!(problems(&v, good, *size).is_empty());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut m = good.clone();
        f(&mut m);
        m
    };
    let cases = [
        (
            "underscore in the name",
            broken(&|m| m["metadata"]["name"] = json!("sloxide-a_b")),
        ),
        (
            "trailing dash",
            broken(&|m| m["metadata"]["name"] = json!("sloxide-a-")),
        ),
        (
            "bad label value",
            broken(&|m| m["metadata"]["labels"]["release"] = json!("-x")),
        ),
        (
            "rule without expr",
            broken(&|m| {
                m["spec"]["groups"][0]["rules"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("expr");
            }),
        ),
        (
            "record and alert",
            broken(&|m| m["spec"]["groups"][0]["rules"][0]["alert"] = json!("X")),
        ),
        (
            "unknown rule key (pruned)",
            broken(&|m| m["spec"]["groups"][0]["rules"][0]["severity"] = json!("page")),
        ),
        (
            "bad for duration",
            broken(&|m| m["spec"]["groups"][0]["rules"][0]["for"] = json!("1.5h")),
        ),
        (
            "duplicate group",
            broken(&|m| {
                let first = m["spec"]["groups"][0].clone();
                m["spec"]["groups"].as_array_mut().unwrap().push(first);
            }),
        ),
        (
            "wrong apiVersion",
            broken(&|m| m["apiVersion"] = json!("monitoring.coreos.com/v2")),
        ),
    ];
    for (what, bad) in &cases {
        assert!(!problems(&v, bad, *size).is_empty(), "accepted: {what}");
    }
    assert!(
        !problems(&v, good, MAX_RENDERED_BYTES + 1).is_empty(),
        "accepted: oversize"
    );
}
