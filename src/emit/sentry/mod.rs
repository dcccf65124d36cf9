//! The Sentry backend: metric alerts from SLOs with a Sentry source and issue alerts from
//! the impact matrix (S4), as current-API detectors and workflows (default), legacy alert
//! rules, or Terraform JSON for the jianyuan/sentry provider. One file per rule under
//! `sentry/<service>/<project>/`, plus `sentry/<service>/manifest.json`.
//!
//! Constraints and their sources: `schema/sentry/*.schema.json`; the burn-rate mapping and
//! its loss: [`plan`].

mod api;
mod legacy;
mod lossy;
mod manifest;
mod plan;
mod terraform;
mod vocab;

use serde::Serialize;

use super::{CatalogueEntry, Emitted, Options, OutputFile, SentryFormat, Skipped, Target};
use crate::model::{Model, Service};
pub use lossy::lossy;
use manifest::{Manifest, ManifestRule, Request};
use plan::{Rule, RuleKind};

/// Emits sentry files for every SLO that has a source for it.
pub fn emit(model: &Model, options: &Options, out: &mut Emitted) {
    for service in &model.services {
        let mut skipped = Vec::new();
        let plan = plan::plan(service, &mut skipped);
        out.skipped.extend(skipped.into_iter().map(|slo| Skipped {
            service: service.name.clone(),
            slo,
            target: Target::Sentry,
        }));
        if plan.rules.is_empty() {
            continue;
        }
        for rule in &plan.rules {
            if has_no_targets(rule) {
                out.errors.push(format!(
                    "sentry: rule `{}` of service `{}` has nobody to notify: add a pagerduty, slack or email target for its severity, or owners.team",
                    rule.key, service.name
                ));
            }
        }
        let mut manifest_rules = Vec::new();
        let mut placeholders = Vec::new();
        for rule in &plan.rules {
            let mut requests = Vec::new();
            for (file, body, request) in rule_files(rule, options.sentry_format) {
                manifest::placeholders(&body, &mut placeholders);
                out.files.push(OutputFile {
                    path: format!("sentry/{}/{file}", service.name),
                    contents: pretty(&body),
                });
                requests.push(Request { file, ..request });
            }
            manifest_rules.push(ManifestRule {
                key: &rule.key,
                kind: match rule.kind {
                    RuleKind::Metric(_) => "metric",
                    RuleKind::Issue(_) => "issue",
                },
                project: &rule.project,
                name: &rule.name,
                source: &rule.source,
                anchors: anchors(rule),
                requests,
            });
        }
        if options.sentry_format == SentryFormat::Terraform {
            let mut projects: Vec<&str> = plan.rules.iter().map(|r| r.project.as_str()).collect();
            projects.sort();
            projects.dedup();
            for project in projects {
                out.files.push(OutputFile {
                    path: format!("sentry/{}/{project}/main.tf.json", service.name),
                    contents: pretty(&terraform::module()),
                });
            }
        }
        placeholders.sort();
        placeholders.dedup();
        let manifest = Manifest {
            service: &service.name,
            format: format_name(options.sentry_format),
            name_prefix: format!("[sloxide {}] ", service.name),
            rules: manifest_rules,
            unalerted: &plan.unalerted,
            placeholders,
            lossy: lossy(service)
                .into_iter()
                .map(|l| manifest::LossyEntry {
                    slo: l.slo,
                    what: l.what,
                })
                .collect(),
        };
        out.files.push(OutputFile {
            path: format!("sentry/{}/manifest.json", service.name),
            contents: pretty(&manifest),
        });
    }
}

/// The alerts this backend emits for `service`.
pub fn catalogue(service: &Service, _options: &Options) -> Vec<CatalogueEntry> {
    plan::plan(service, &mut Vec::new())
        .rules
        .iter()
        .flat_map(|rule| {
            anchors(rule).into_iter().map(|anchor| CatalogueEntry {
                target: Target::Sentry,
                anchor: anchor.to_string(),
                name: rule.name.clone(),
            })
        })
        .collect()
}

fn format_name(format: SentryFormat) -> &'static str {
    match format {
        SentryFormat::Api => "api",
        SentryFormat::Legacy => "legacy",
        SentryFormat::Terraform => "terraform",
    }
}

fn anchors(rule: &Rule) -> Vec<&str> {
    match &rule.kind {
        RuleKind::Metric(m) => m
            .triggers
            .iter()
            .flat_map(|t| t.anchors.iter().map(String::as_str))
            .collect(),
        RuleKind::Issue(_) => vec![rule.key.as_str()],
    }
}

fn has_no_targets(rule: &Rule) -> bool {
    match &rule.kind {
        RuleKind::Metric(m) => m.triggers.iter().any(|t| t.targets.is_empty()),
        RuleKind::Issue(i) => i.targets.is_empty(),
    }
}

/// The files of one rule (path below the service directory, body, creation request).
fn rule_files(rule: &Rule, format: SentryFormat) -> Vec<(String, serde_json::Value, Request)> {
    let stem = format!("{}/{}", rule.project, rule.key);
    let post = |path: String, provides: Option<String>| Request {
        file: String::new(),
        method: Some("POST"),
        path: Some(path),
        provides,
    };
    let project_detectors = format!(
        "/api/0/organizations/{{org}}/projects/{}/detectors/",
        rule.project
    );
    let workflows = "/api/0/organizations/{org}/workflows/".to_string();
    match (format, &rule.kind) {
        (SentryFormat::Api, RuleKind::Metric(m)) => vec![
            (
                format!("{stem}.detector.json"),
                value(&api::detector(rule, m)),
                post(
                    project_detectors,
                    Some(vocab::placeholder("detector", &rule.key)),
                ),
            ),
            (
                format!("{stem}.workflow.json"),
                value(&api::metric_workflow(rule, m)),
                post(workflows, None),
            ),
        ],
        (SentryFormat::Api, RuleKind::Issue(i)) => vec![(
            format!("{stem}.workflow.json"),
            value(&api::issue_workflow(rule, i)),
            post(workflows, None),
        )],
        (SentryFormat::Legacy, RuleKind::Metric(m)) => vec![(
            format!("{stem}.json"),
            value(&legacy::metric_rule(rule, m)),
            post("/api/0/organizations/{org}/alert-rules/".into(), None),
        )],
        (SentryFormat::Legacy, RuleKind::Issue(i)) => vec![(
            format!("{stem}.json"),
            value(&legacy::issue_rule(rule, i)),
            post(
                format!("/api/0/projects/{{org}}/{}/rules/", rule.project),
                None,
            ),
        )],
        (SentryFormat::Terraform, _) => vec![(
            format!("{stem}.tf.json"),
            terraform::rule(rule),
            Request {
                file: String::new(),
                method: None,
                path: None,
                provides: None,
            },
        )],
    }
}

fn value<T: Serialize>(body: &T) -> serde_json::Value {
    serde_json::to_value(body).unwrap_or(serde_json::Value::Null)
}

/// Pretty JSON with a trailing newline.
fn pretty<T: Serialize>(body: &T) -> String {
    let mut text = serde_json::to_string_pretty(body).unwrap_or_default();
    text.push('\n');
    text
}
