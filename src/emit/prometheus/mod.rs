//! The Prometheus backend: one rule file per service (`prometheus/<service>.rules.yml`),
//! optionally Prometheus Operator manifests and promtool unit tests.
//!
//! # Rules of one SLO, and the shared window group
//!
//! Two groups per SLO: `sloxide:<service>:<slo>` (`interval: 30s`: the running totals
//! and the burn-rate alerts) and `sloxide:<service>:<slo>:budget`
//! (`interval: 3m`: metadata, the budget, bands and band alerts). Two groups for the
//! whole build, in `prometheus/sloxide.windows.rules.yml` ([`shared`]): `sloxide:windows`
//! (`interval: 30s`) counts every window of every SLO from the totals, and
//! `sloxide:budget` (`interval: 3m`) publishes the per-window ratios and the resume
//! points. Every series carries the labels `service`, `journey` (when the SLI measures
//! one), `slo` and the service's user labels; rules select their inputs by `service`,
//! `journey`, `slo`.
//!
//! | record | group | meaning |
//! |---|---|---|
//! | `slo:sli_counts:total{sloxide_count}` | alerting | the SLO's two counts ([`counts::Pair`]: `events` and `errors` or `good`; `good` and `errors` when one counter's series are split by a label) since its rules first ran: the previous total plus the events since the previous evaluation, each raw counter's newest sample minus its newest sample one step earlier (reset-aware, bridging scrape gaps up to 20m), masked during exclusion windows |
//! | `slo:sli_counts:window_start{window}` | shared | the totals at the start of every window that reaches back past the head block |
//! | `slo:sli_counts:window{window}` | shared | both counts over every window the policy needs and the SLO window: the total now minus the total one window ago |
//! | `slo:sli_error:ratio{window}` | shared | error ratio of every window |
//! | `slo:sli_error:ratio_min<long>_<short>` | shared | the smaller error ratio of the two windows of a burn-rate row (only where both have events); the alerts read it |
//! | `slo:sli_counts:checkpoint1h` | shared budget | the totals once an hour |
//! | `slo:sli_error:ratio_rate<W>` | shared budget | the same ratio under the per-window name |
//! | `slo:sli_counts:resume` | shared budget | where each total resumes after a gap in the evaluations over 20m: the newest checkpoint, or 0 for a new SLO |
//! | `slo:objective:ratio`, `slo:error_budget:ratio` | budget | constants of the SLO |
//! | `slo:sli:ratio_rate<SLO window>` | budget | the SLI over the SLO window |
//! | `slo:error_budget_remaining:ratio` | budget | 1 - error ratio / error budget over the SLO window |
//! | `slo:band:info{band="green"\|"yellow"\|"red"}` | budget | 1 for the current margin band (SLOs with bands) |
//! | `slo:exclusion:active` | budget | 1 while an exclusion window is active, else 0 (SLOs with exclusions) |
//!
//! Raw series are read once per evaluation, over one step and the gap bridge, through
//! one selector when a label of the series tells the two counts apart. A window
//! is the difference of two totals, so it holds exactly the steps inside it; the totals
//! chain from one evaluation to the next, so the alerting and shared window groups' rules
//! assume their 30 s interval; the budget groups are stateless. The alerts read the
//! windows the shared group counted at its previous evaluation: one step after the
//! counts. `tests/prometheus_timing.rs` checks windows, budgets and alert timing against
//! exact counts with promtool.
//!
//! A burn-rate alert fires when the long and the short window are both above burn rate ×
//! budget (and the long window holds at least `min_events` events when set); band alerts
//! follow the SLI over the SLO window.

mod alerts;
mod counts;
mod exclusion;
mod operator;
mod promql;
mod recording;
mod rules;
mod series;
mod shared;
mod unittest;
mod windows;

use std::collections::BTreeMap;

use super::yaml::to_yaml;
use super::{
    CatalogueEntry, Emitted, Options, OutputFile, PrometheusFormat, Ruler, Skipped, Target,
};
use crate::model::{Duration, Model, Service, SliKind, Slo};
pub(super) use alerts::severity_label;
use promql::Source;
use rules::{Group, RuleFile};
pub(super) use windows::RATE;

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
    let slos: Vec<(&Service, &Slo)> = model
        .services
        .iter()
        .flat_map(|service| service.slos.iter().map(move |slo| (service, slo)))
        .filter(|(_, slo)| Source::of(&slo.sli.kind).is_some())
        .collect();
    let groups = shared::groups(&slos);
    if groups.is_empty() {
        return;
    }
    let file = RuleFile { groups };
    let header = "Generated by sloxide. Do not edit: change the specs and rebuild.\nThe window counts of every SLO of this build: deploy it with the services' rule files.";
    push(
        out,
        format!("{}.rules.yml", shared::BASE),
        to_yaml(header, &file),
    );
    if options.prometheus_format == PrometheusFormat::Operator {
        let manifest = operator::shared_manifest(&file, &options.operator);
        push(
            out,
            format!("{}.prometheusrule.yml", shared::BASE),
            to_yaml(header, &manifest),
        );
    }
    if options.ruler == Ruler::Mimir {
        for g in &file.groups {
            if g.rules.len() > MIMIR_RULES_PER_GROUP {
                out.limits.push(mimir_rules_limit(g));
            }
        }
        let groups = slos.len() * GROUPS_PER_SLO + file.groups.len();
        if groups > MIMIR_GROUPS_PER_TENANT {
            out.limits.push(format!(
                "the build has {groups} rule groups (two per SLO and two shared) and Mimir allows {MIMIR_GROUPS_PER_TENANT} per tenant by default (-ruler.max-rule-groups-per-tenant): set ruler_max_rule_groups_per_tenant: {groups} or more for the tenant in Mimir's runtime configuration"
            ));
        }
    }
}

/// Rule groups per SLO: alerting and budget.
const GROUPS_PER_SLO: usize = 2;

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
                groups.extend(groups_of(service, slo, source));
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
            out.limits.push(mimir_rules_limit(g));
        }
    }
    let file = RuleFile { groups };
    let header = format!(
        "Generated by sloxide from {}. Do not edit: change the spec and rebuild.\nService: {}",
        service.spec_path, service.name
    );
    let base = format!("prometheus/{}", service.name);
    push(out, format!("{base}.rules.yml"), to_yaml(&header, &file));
    if options.prometheus_format == PrometheusFormat::Operator {
        let manifest = operator::manifest(service, &file, &options.operator);
        push(
            out,
            format!("{base}.prometheusrule.yml"),
            to_yaml(&header, &manifest),
        );
    }
    if options.emit_tests {
        let rules_path = format!("{}.rules.yml", service.name);
        let tests = unittest::tests(service, &slos, &file, &rules_path, &shared_path());
        push(
            out,
            format!("{base}.rules.test.yml"),
            to_yaml(&header, &tests),
        );
    }
}

/// The limit message of a group over Mimir's rules-per-group default.
fn mimir_rules_limit(g: &Group) -> String {
    format!(
        "rule group {} has {} rules and Mimir allows {MIMIR_RULES_PER_GROUP} per group by default (-ruler.max-rules-per-rule-group): set ruler_max_rules_per_rule_group: {} or more for the tenant in Mimir's runtime configuration",
        g.name,
        g.rules.len(),
        g.rules.len()
    )
}

fn push(out: &mut Emitted, path: String, contents: Result<String, String>) {
    match contents {
        Ok(contents) => out.files.push(OutputFile { path, contents }),
        Err(e) => out.errors.push(format!("{path}: {e}")),
    }
}

/// The SLOs of `service` this backend writes rules and alerts for (those with a
/// Prometheus source).
pub fn alerting_slos(service: &Service) -> impl Iterator<Item = &Slo> {
    service
        .slos
        .iter()
        .filter(|slo| Source::of(&slo.sli.kind).is_some())
}

/// PromQL over the series this backend records for one SLO, for dashboards: nothing
/// here reads a raw series.
pub struct Recorded {
    /// Selector matchers of the SLO's series, e.g. `{service="a",slo="b"}`.
    pub matchers: String,
    /// The SLI over the SLO window.
    pub sli: String,
    /// The error budget left over the SLO window (1 = untouched).
    pub budget_remaining: String,
    /// 1 while an exclusion window is active, for SLOs with exclusions.
    pub exclusion: Option<String>,
    /// The events of the last [`Recorded::rate_window`], per second.
    pub events_per_second: String,
    /// The window of events/s and of the percentiles (5 minutes).
    pub rate_window: Duration,
    /// The latency percentiles the SLI declares, as (label, query), e.g. `p95`.
    pub percentiles: Vec<(String, String)>,
    /// The latency threshold of a latency SLI.
    pub latency_threshold: Option<Duration>,
}

impl Recorded {
    /// The error ratio over window `w`.
    pub fn error_ratio(&self, w: Duration) -> String {
        format!(
            "{}{}",
            recording::WINDOW_RATIO,
            recording::window_matchers(&self.matchers, w)
        )
    }
}

/// The recorded series of `slo` (`None` when it has no Prometheus source).
pub fn recorded(service: &Service, slo: &Slo) -> Option<Recorded> {
    let source = Source::of(&slo.sli.kind)?;
    let matchers = promql::selector("", &identity(service, slo));
    let sel = |name: &str| format!("{name}{matchers}");
    let events = source
        .pair()
        .events(&recording::window_matchers(&matchers, windows::RATE));
    Some(Recorded {
        sli: sel(&recording::sli(slo)),
        budget_remaining: sel("slo:error_budget_remaining:ratio"),
        exclusion: (!slo.exclusions.is_empty()).then(|| sel(recording::EXCLUSION)),
        events_per_second: format!("{events} / {}", windows::RATE.secs()),
        rate_window: windows::RATE,
        percentiles: match &slo.sli.kind {
            SliKind::Latency { percentiles, .. } => percentiles
                .iter()
                .map(|p| {
                    let inner = matchers.trim_start_matches('{').trim_end_matches('}');
                    let q = p.quantile().normalize();
                    (
                        p.label(),
                        format!("{}{{{inner},quantile=\"{q}\"}}", recording::QUANTILE),
                    )
                })
                .collect(),
            _ => Vec::new(),
        },
        latency_threshold: match &slo.sli.kind {
            SliKind::Latency { threshold, .. } => Some(*threshold),
            _ => None,
        },
        matchers,
    })
}

/// The burn-rate rows of `slo` this backend alerts on, with their alert names.
pub fn alert_rows(slo: &Slo) -> Vec<(String, &crate::model::BurnRateAlert)> {
    windows::alerts(slo)
        .map(|a| (alerts::burn_name(slo, a), a))
        .collect()
}

/// The alerts this backend emits for `service`, with their runbook anchors.
pub fn catalogue(service: &Service, _options: &Options) -> Vec<CatalogueEntry> {
    alerting_slos(service)
        .flat_map(alerts::planned)
        .map(|(anchor, name)| CatalogueEntry {
            target: Target::Prometheus,
            anchor,
            name,
        })
        .collect()
}

/// The shared rule file's path relative to a service's rule file (they sit side by side).
fn shared_path() -> String {
    let base = shared::BASE.rsplit('/').next().unwrap_or(shared::BASE);
    format!("{base}.rules.yml")
}

/// When the Prometheus burn-rate alerts of `slo` fire relative to the SRE Workbook
/// detection time, in a few words (`None` when `slo` has no Prometheus source).
pub fn alert_timing(slo: &Slo) -> Option<String> {
    let step = windows::STEP;
    Source::of(&slo.sli.kind).map(|source| {
        if source.exact() {
            format!(
                "fires at the second {step} evaluation after it, at most {} later",
                Duration::from_millis(2 * step.millis()).human()
            )
        } else {
            format!(
                "fires up to {} later: a query-form SLI is smoothed over {}",
                Duration::from_millis(windows::RATE.millis() + 2 * step.millis()).human(),
                windows::RATE
            )
        }
    })
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

/// The two groups of `slo`: alerting (step counts, totals, burn-rate alerts) and budget
/// (SLO window, metadata, bands).
fn groups_of(service: &Service, slo: &Slo, source: Source<'_>) -> [Group; GROUPS_PER_SLO] {
    let (burn, band) = alerts::rules(service, slo);
    let mut alerting = recording::alerting(service, slo, source);
    alerting.extend(burn);
    let mut budget = recording::budget(service, slo);
    budget.extend(band);
    [
        Group {
            name: group_name(service, slo),
            interval: windows::STEP.to_prom(),
            rules: alerting,
        },
        Group {
            name: format!("{}:budget", group_name(service, slo)),
            interval: windows::BUDGET_STEP.to_prom(),
            rules: budget,
        },
    ]
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
                .filter_map(|slo| Some(groups_of(service, slo, Source::of(&slo.sli.kind)?)))
                .flat_map(|gs| gs.into_iter().flat_map(|g| g.rules))
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
