//! Stage 3 of the pipeline: backends. Each backend turns the [`Model`] into files; none
//! of them reads YAML or re-checks what validation guarantees.
//!
//! Backends share two contracts, defined in [`naming`]: the runbook anchors every alert
//! links to, and the [`CatalogueEntry`] list each backend gives of the alerts it emits,
//! which the runbook backend turns into its alert catalogue.

mod alertmanager;
mod grafana;
pub mod naming;
mod prometheus;
mod runbook;
/// The Markdown escapers of the runbook backend, shared by `sloxide diff`.
pub(crate) use runbook::escape as markdown;
mod sentry;
mod splunk;
mod yaml;
pub mod zone;

use std::fmt;
use std::path::PathBuf;

use crate::model::{Model, Service};

/// A file a backend produces: a path relative to the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with `/` separators, e.g. `prometheus/payments.rules.yml`.
    pub path: String,
    /// File contents.
    pub contents: String,
}

/// An SLO a requested backend had no source for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Service name.
    pub service: String,
    /// SLO name.
    pub slo: String,
    /// Backend that skipped it.
    pub target: Target,
}

/// The backends sloxide can emit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Prometheus recording and alerting rules.
    Prometheus,
    /// Alertmanager routes and receivers for the Prometheus alerts.
    Alertmanager,
    /// Grafana dashboards over the Prometheus recording rules.
    Grafana,
    /// Splunk saved searches.
    Splunk,
    /// Sentry alert rules.
    Sentry,
    /// Markdown runbooks.
    Runbook,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Prometheus => "prometheus",
            Target::Alertmanager => "alertmanager",
            Target::Grafana => "grafana",
            Target::Splunk => "splunk",
            Target::Sentry => "sentry",
            Target::Runbook => "runbook",
        })
    }
}

/// Layout of Prometheus rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PrometheusFormat {
    /// Plain rule files (`promtool check rules`, Thanos/Mimir rulers).
    #[default]
    Plain,
    /// Plain rule files plus Prometheus Operator `PrometheusRule` manifests.
    Operator,
}

/// Shape of Sentry output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SentryFormat {
    /// Current API: detectors and workflows.
    #[default]
    Api,
    /// Legacy metric-alert and issue-alert rule APIs.
    Legacy,
    /// Terraform for the Sentry provider.
    Terraform,
}

/// Metadata of Prometheus Operator `PrometheusRule` objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorMeta {
    /// `metadata.namespace` (unset: the namespace the deployment tool applies).
    pub namespace: Option<String>,
    /// Labels added to sloxide's own `app.kubernetes.io/*` labels (they win on a clash).
    pub labels: std::collections::BTreeMap<String, String>,
}

/// The rule evaluator the Prometheus rules are meant for; it decides which limits
/// `build` checks the rule layout against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Ruler {
    /// Prometheus, Thanos Ruler, Cortex: no per-group or per-tenant rule limits by default.
    #[default]
    Prometheus,
    /// Grafana Mimir: at most 20 rules per group and 70 groups per tenant by default
    /// (`-ruler.max-rules-per-rule-group`, `-ruler.max-rule-groups-per-tenant`).
    Mimir,
}

/// Backend options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Prometheus layout.
    pub prometheus_format: PrometheusFormat,
    /// Also write promtool unit tests next to the rules.
    pub emit_tests: bool,
    /// Metadata of `PrometheusRule` objects (operator format).
    pub operator: OperatorMeta,
    /// Absolute directory Alertmanager reads routing keys and Slack URLs from (unset:
    /// `/etc/alertmanager/secrets`).
    pub alertmanager_secrets: Option<String>,
    /// The ruler whose limits the rule layout is checked against.
    pub ruler: Ruler,
    /// Sentry output shape.
    pub sentry_format: SentryFormat,
    /// Directory with runbook template overrides.
    pub templates: Option<PathBuf>,
    /// Date (YYYY-MM-DD) used for worked examples in runbooks; a fixed default keeps
    /// output reproducible.
    pub example_date: Option<chrono::NaiveDate>,
}

/// What a build produced for a set of targets.
#[derive(Debug, Default)]
pub struct Emitted {
    /// Files, sorted by path.
    pub files: Vec<OutputFile>,
    /// SLOs a requested backend had no source for.
    pub skipped: Vec<Skipped>,
    /// Targets that are not implemented yet.
    pub unavailable: Vec<Target>,
    /// Problems a backend hit that validation could not foresee (e.g. a broken user
    /// template); the build fails when this is not empty.
    pub errors: Vec<String>,
    /// Limits of the target system the output exceeds (`--ruler mimir`), with how to
    /// raise them; reported as warnings.
    pub limits: Vec<String>,
}

/// Something the spec says that a backend cannot express: reported as a
/// `sloxide::build::lossy` warning, listed in the backend's manifest (where it has one) and
/// in the runbook next to the SLO.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lossy {
    /// Backend that loses it.
    pub target: Target,
    /// Service name.
    pub service: String,
    /// SLO concerned, or `None` for service-wide settings (notification targets).
    pub slo: Option<String>,
    /// What is lost and what the backend evaluates instead.
    pub what: String,
}

/// One alert a backend emits, for the runbook catalogue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogueEntry {
    /// Backend emitting it.
    pub target: Target,
    /// Runbook anchor it links to (see [`naming`]); alerts of different backends that
    /// implement the same policy row share an anchor.
    pub anchor: String,
    /// The name as it appears in the backend (alertname, saved search name, rule name).
    pub name: String,
}

/// Runs the requested backends over `model`.
pub fn emit(model: &Model, targets: &[Target], options: &Options) -> Emitted {
    let mut out = Emitted::default();
    for target in targets {
        // A panic in a backend is a bug in sloxide; it must fail the build, never drop
        // a service's files (which the output stage would then delete as stale).
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
            Target::Prometheus => prometheus::emit(model, options, &mut out),
            Target::Alertmanager => alertmanager::emit(model, options, &mut out),
            Target::Grafana => grafana::emit(model, options, &mut out),
            Target::Splunk => splunk::emit(model, options, &mut out),
            Target::Sentry => sentry::emit(model, options, &mut out),
            Target::Runbook => runbook::emit(model, options, &mut out),
        }));
        if ran.is_err() {
            out.errors.push(format!(
                "{target}: internal error (a bug in sloxide; please report it)"
            ));
        }
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    // Two backends (or two services) writing one path would silently keep only one.
    for pair in out.files.windows(2) {
        if pair[0].path == pair[1].path {
            out.errors.push(format!(
                "{}: written twice (a bug in sloxide; please report it)",
                pair[0].path
            ));
        }
    }
    out
}

/// What each backend cannot express of `service` (Prometheus expresses everything), in
/// backend order; like the catalogue, independent of the requested targets.
pub fn lossy(service: &Service) -> Vec<Lossy> {
    let mut out = alertmanager::lossy(service);
    out.extend(splunk::lossy(service));
    out.extend(sentry::lossy(service));
    out
}

/// The alerts every alerting backend emits for `service`, for the runbook catalogue.
pub fn catalogue(service: &Service, options: &Options) -> Vec<CatalogueEntry> {
    let mut entries = prometheus::catalogue(service, options);
    entries.extend(splunk::catalogue(service, options));
    entries.extend(sentry::catalogue(service, options));
    entries
}
