//! The Prometheus backend: one rule file per service (`prometheus/<service>.rules.yml`),
//! optionally Prometheus Operator manifests and promtool unit tests.
//!
//! # Rules of one SLO (one group `sloxide:<service>:<slo>`, evaluated in order)
//!
//! Every series carries the labels `service`, `journey` (when the SLI measures one), `slo`
//! and the service's user labels; rules select their inputs by `service`, `journey`, `slo`.
//!
//! | record | meaning |
//! |---|---|
//! | `slo:sli_events:rate5m`, `slo:sli_errors:rate5m` | all / bad events per second over the 5m base window, read once from the raw series (bad = total - good for good-event sources); masked during exclusion windows |
//! | `slo:sli_error:ratio_rate<W>` | error ratio over every window `W` the policy needs and the SLO window (a ratio of sums) |
//! | `slo:objective:ratio`, `slo:error_budget:ratio` | constants of the SLO |
//! | `slo:sli:ratio_rate<SLO window>` | the SLI over the SLO window |
//! | `slo:error_budget_remaining:ratio` | 1 - error ratio / error budget over the SLO window |
//! | `slo:band:info{band="green"\|"yellow"\|"red"}` | 1 for the current margin band (SLOs with bands) |
//! | `slo:exclusion:active` | 1 while an exclusion window is active, else 0 (SLOs with exclusions) |
//!
//! Windows up to [`windows::DIRECT_MAX`] are computed straight from the raw series when the
//! SLO has no exclusions (exact timing for fast pages, cheap). Longer windows (and all
//! windows of SLOs with exclusions) are *derived* from the 5m recordings as
//! `sum_over_time(errors[W]) / sum_over_time(events[W])`: the ratio stays traffic-weighted,
//! and the cost no longer grows with the number of raw series. The derived value is the
//! windowed ratio with its edges smoothed over the 5m base window (exact for steady traffic;
//! a step change is seen at most 2.5 minutes later); `tests/prometheus_derived.rs` checks it
//! against the direct computation with promtool.
//!
//! Alerts follow the group's recordings (same group, so they see this evaluation's values):
//! one rule per burn-rate row (long AND short window above burn rate × budget, AND at least
//! `min_events` events in the long window when set), and band alerts for SLOs with bands.

mod alerts;
mod exclusion;
mod operator;
mod promql;
mod recording;
mod rules;
mod series;
mod unittest;
mod windows;

use std::collections::BTreeMap;

use super::{
    CatalogueEntry, Emitted, Options, OutputFile, PrometheusFormat, Ruler, Skipped, Target,
};
use crate::model::{Model, Service, Slo};
use promql::Source;
use rules::{Group, RuleFile};

/// Emits the Prometheus files of every service with at least one SLO that has a
/// Prometheus source; other SLOs are reported as skipped.
pub fn emit(model: &Model, options: &Options, out: &mut Emitted) {
    // Services are independent: compile them on all cores, then merge in model order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = model.services.len().div_ceil(threads).max(1);
    let parts: Vec<Emitted> = std::thread::scope(|scope| {
        let handles: Vec<_> = model
            .services
            .chunks(chunk)
            .map(|services| {
                scope.spawn(move || {
                    let mut part = Emitted::default();
                    for service in services {
                        emit_service(service, options, &mut part);
                    }
                    part
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| Emitted {
                    errors: vec!["prometheus backend thread panicked".into()],
                    ..Emitted::default()
                })
            })
            .collect()
    });
    for part in parts {
        out.files.extend(part.files);
        out.skipped.extend(part.skipped);
        out.errors.extend(part.errors);
        out.limits.extend(part.limits);
    }
    if options.ruler == Ruler::Mimir {
        let groups: usize = model
            .services
            .iter()
            .flat_map(|s| &s.slos)
            .filter(|slo| Source::of(&slo.sli.kind).is_some())
            .count();
        if groups > MIMIR_GROUPS_PER_TENANT {
            out.limits.push(format!(
                "the build has {groups} rule groups (one per SLO) and Mimir allows {MIMIR_GROUPS_PER_TENANT} per tenant by default (-ruler.max-rule-groups-per-tenant): set ruler_max_rule_groups_per_tenant: {groups} or more for the tenant in Mimir's runtime configuration"
            ));
        }
    }
}

/// Grafana Mimir's default `-ruler.max-rules-per-rule-group` (grafana/mimir
/// `pkg/util/validation/limits.go` @ aa3dce83; enforced in `pkg/ruler/api.go` with HTTP 400).
const MIMIR_RULES_PER_GROUP: usize = 20;
/// Grafana Mimir's default `-ruler.max-rule-groups-per-tenant`.
const MIMIR_GROUPS_PER_TENANT: usize = 70;

fn emit_service(service: &Service, options: &Options, out: &mut Emitted) {
    let mut groups = Vec::new();
    let mut slos = Vec::new();
    for slo in &service.slos {
        match Source::of(&slo.sli.kind) {
            Some(source) => {
                groups.push(group(service, slo, source));
                slos.push(slo);
            }
            None => out.skipped.push(Skipped {
                service: service.name.clone(),
                slo: slo.name.clone(),
                target: Target::Prometheus,
            }),
        }
    }
    if groups.is_empty() {
        return;
    }
    if options.ruler == Ruler::Mimir {
        for g in groups
            .iter()
            .filter(|g| g.rules.len() > MIMIR_RULES_PER_GROUP)
        {
            out.limits.push(format!(
                "rule group {} has {} rules and Mimir allows {MIMIR_RULES_PER_GROUP} per group by default (-ruler.max-rules-per-rule-group): set ruler_max_rules_per_rule_group: {} or more for the tenant in Mimir's runtime configuration",
                g.name,
                g.rules.len(),
                g.rules.len()
            ));
        }
    }
    let file = RuleFile { groups };
    let header = format!(
        "Generated by sloxide from {}. Do not edit: change the spec and rebuild.\nService: {}",
        service.spec_path, service.name
    );
    let base = format!("prometheus/{}", service.name);
    push(
        out,
        format!("{base}.rules.yml"),
        rules::to_yaml(&header, &file),
    );
    if options.prometheus_format == PrometheusFormat::Operator {
        let manifest = operator::manifest(service, &file, &options.operator);
        push(
            out,
            format!("{base}.prometheusrule.yml"),
            rules::to_yaml(&header, &manifest),
        );
    }
    if options.emit_tests {
        let rules_path = format!("{}.rules.yml", service.name);
        let tests = unittest::tests(service, &slos, &file, &rules_path);
        push(
            out,
            format!("{base}.rules.test.yml"),
            rules::to_yaml(&header, &tests),
        );
    }
}

fn push(out: &mut Emitted, path: String, contents: Result<String, String>) {
    match contents {
        Ok(contents) => out.files.push(OutputFile { path, contents }),
        Err(e) => out.errors.push(format!("{path}: {e}")),
    }
}

/// The alerts this backend emits for `service`, with their runbook anchors.
pub fn catalogue(service: &Service, _options: &Options) -> Vec<CatalogueEntry> {
    service
        .slos
        .iter()
        .filter(|slo| Source::of(&slo.sli.kind).is_some())
        .flat_map(alerts::planned)
        .map(|(anchor, name)| CatalogueEntry {
            target: Target::Prometheus,
            anchor,
            name,
        })
        .collect()
}

/// Name of the rule group of `slo`.
fn group_name(service: &Service, slo: &Slo) -> String {
    format!("sloxide:{}:{}", service.name, slo.name)
}

/// Labels identifying the series of `slo` (used in selectors).
fn identity(service: &Service, slo: &Slo) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([
        ("service".to_owned(), service.name.clone()),
        ("slo".to_owned(), slo.name.clone()),
    ]);
    if let Some(j) = &slo.journey {
        labels.insert("journey".to_owned(), j.clone());
    }
    labels
}

/// Every label of `slo`'s series: user labels, then the identity labels.
fn all_labels(service: &Service, slo: &Slo) -> BTreeMap<String, String> {
    let mut labels = service.labels.clone();
    labels.extend(identity(service, slo));
    labels
}

fn group(service: &Service, slo: &Slo, source: Source<'_>) -> Group {
    let mut rules = recording::rules(service, slo, source);
    rules.extend(alerts::rules(service, slo));
    Group {
        name: group_name(service, slo),
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::naming;

    fn examples() -> Model {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        crate::cli::check(&[dir]).model.expect("examples are valid")
    }

    #[test]
    fn catalogue_lists_exactly_the_emitted_alerts() {
        let model = examples();
        for service in &model.services {
            let emitted: Vec<(String, String)> = service
                .slos
                .iter()
                .filter_map(|slo| Some(group(service, slo, Source::of(&slo.sli.kind)?)))
                .flat_map(|g| g.rules)
                .filter_map(|r| match r {
                    rules::Rule::Alert(a) => Some((a.alert, a.annotations["runbook_url"].clone())),
                    rules::Rule::Record(_) => None,
                })
                .collect();
            let catalogue: Vec<(String, String)> = catalogue(service, &Options::default())
                .into_iter()
                .map(|e| (e.name, naming::runbook_url(service, &e.anchor)))
                .collect();
            assert_eq!(emitted, catalogue, "service {}", service.name);
        }
    }

    #[test]
    fn slos_without_prometheus_source_are_skipped() {
        let mut out = Emitted::default();
        emit(&examples(), &Options::default(), &mut out);
        let skipped: Vec<String> = out
            .skipped
            .iter()
            .map(|s| format!("{}/{}", s.service, s.slo))
            .collect();
        assert!(skipped.contains(&"securities-deposit/deposit-within-60s".to_owned()));
        assert!(skipped.contains(&"kyc-verification/verification-latency".to_owned()));
        assert!(!skipped.contains(&"card-platform/repayment-latency".to_owned()));
        assert!(
            !out.files
                .iter()
                .any(|f| f.path.contains("kyc-verification"))
        );
    }

    #[test]
    fn alert_names_are_unique_metric_names() {
        for service in &examples().services {
            let names: Vec<String> = catalogue(service, &Options::default())
                .into_iter()
                .map(|e| e.name)
                .collect();
            let mut unique = names.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), names.len());
            for n in &names {
                assert!(n.chars().all(|c| c.is_ascii_alphanumeric()), "{n}");
                assert!(n.starts_with(|c: char| c.is_ascii_alphabetic()), "{n}");
            }
        }
    }
}
