//! Prometheus Operator `PrometheusRule` manifests wrapping a rule file's groups.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::{Group, RuleFile};
use crate::emit::OperatorMeta;
use crate::model::Service;

/// A `monitoring.coreos.com/v1` `PrometheusRule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusRule<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: Spec<'a>,
}

#[derive(Debug, Serialize)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct Spec<'a> {
    groups: &'a [Group],
}

/// The Kubernetes object name of `service`'s rules: `sloxide-<service>` with `_` spelled
/// `-`, a valid DNS-1123 subdomain (identifiers are lowercase letters, digits, `-` and `_`,
/// at most 63 characters, and validation keeps the result unique per build).
pub fn object_name(service: &Service) -> String {
    format!("sloxide-{}", service.name.replace('_', "-"))
}

/// The manifest of `service` holding the groups of `file`, in `meta.namespace` (or the
/// deployment tool's namespace when unset) with `meta.labels` added to sloxide's own (so a
/// Prometheus `ruleSelector` such as kube-prometheus-stack's `release: <name>` selects it).
pub fn manifest<'a>(
    service: &Service,
    file: &'a RuleFile,
    meta: &OperatorMeta,
) -> PrometheusRule<'a> {
    object(object_name(service), &service.name, file, meta)
}

/// The manifest of the shared window group, named `sloxide.windows` (no service's object
/// name can contain a `.`), part of `sloxide`.
pub fn shared_manifest<'a>(file: &'a RuleFile, meta: &OperatorMeta) -> PrometheusRule<'a> {
    object("sloxide.windows".to_owned(), "sloxide", file, meta)
}

fn object<'a>(
    name: String,
    part_of: &str,
    file: &'a RuleFile,
    meta: &OperatorMeta,
) -> PrometheusRule<'a> {
    let mut labels = BTreeMap::from([
        ("app.kubernetes.io/component".into(), "slo".into()),
        ("app.kubernetes.io/managed-by".into(), "sloxide".into()),
        ("app.kubernetes.io/part-of".into(), part_of.to_owned()),
    ]);
    labels.extend(meta.labels.clone());
    PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: Metadata {
            name,
            namespace: meta.namespace.clone(),
            labels,
        },
        spec: Spec {
            groups: &file.groups,
        },
    }
}
