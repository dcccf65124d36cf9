//! The options shared by commands: the project file, reporting, and the build options,
//! merged with `sloxide.toml` (the command line wins).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ValueEnum;

use super::config;
use super::values::{parse_date, parse_label, parse_namespace, parse_secrets_dir};
use crate::emit::{self, PrometheusFormat, SentryFormat};

#[derive(Debug, clap::Args)]
pub(super) struct ProjectArgs {
    /// The project file (default: the nearest sloxide.toml from the working directory up
    /// to the repository root).
    #[arg(long)]
    pub(super) config: Option<PathBuf>,
    /// Ignore sloxide.toml.
    #[arg(long, conflicts_with = "config")]
    pub(super) no_config: bool,
    /// Skip spec files whose path (relative to the project) matches this glob (`*`, `**`,
    /// `?`); repeatable, added to `exclude` of sloxide.toml.
    #[arg(long)]
    pub(super) exclude: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub(super) struct ReportArgs {
    /// Diagnostic output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(super) format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(super) deny_warnings: bool,
    /// Reject Splunk base searches that write, send, delete or call out (delete,
    /// sendemail, collect, outputlookup, script, rest, map, …), macros and subsearches.
    #[arg(long)]
    pub(super) strict_queries: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct BackendArgs {
    /// Prometheus output: plain rule files (default), or also Prometheus Operator manifests.
    #[arg(long, value_enum)]
    pub(super) prometheus_format: Option<PrometheusFormat>,
    /// Also write promtool unit tests next to the Prometheus rules.
    #[arg(long)]
    pub(super) emit_tests: bool,
    /// The ruler that evaluates the Prometheus rules (default prometheus): with `mimir`,
    /// build warns where the rule layout exceeds Mimir's default limits and says how to
    /// raise them.
    #[arg(long, value_enum)]
    pub(super) ruler: Option<emit::Ruler>,
    /// Namespace of the PrometheusRule objects (operator format).
    #[arg(long, value_parser = parse_namespace)]
    pub(super) operator_namespace: Option<String>,
    /// Label KEY=VALUE added to the PrometheusRule objects (repeatable), e.g.
    /// `release=kube-prometheus-stack` for that chart's default ruleSelector.
    #[arg(long, value_parser = parse_label)]
    pub(super) operator_label: Vec<(String, String)>,
    /// Directory Alertmanager reads PagerDuty routing keys and Slack API URLs from
    /// (default /etc/alertmanager/secrets). Command line only: the project file is
    /// pull-request input, and this path decides which files Alertmanager sends out.
    #[arg(long, value_parser = parse_secrets_dir)]
    pub(super) alertmanager_secrets: Option<String>,
    /// Sentry output: current API (detectors/workflows, default), legacy alert rules, or
    /// Terraform.
    #[arg(long, value_enum)]
    pub(super) sentry_format: Option<SentryFormat>,
    /// Directory whose templates override the built-in runbook templates.
    #[arg(long)]
    pub(super) templates: Option<PathBuf>,
    /// Date (YYYY-MM-DD) for worked examples in runbooks (default: a fixed date, so
    /// output does not change from day to day).
    #[arg(long, value_parser = parse_date)]
    pub(super) example_date: Option<chrono::NaiveDate>,
}

impl BackendArgs {
    /// The build options: the command line first, then `project`'s file, then defaults.
    pub(super) fn options(
        self,
        project: Option<&config::Project>,
    ) -> Result<emit::Options, String> {
        let c = project.map(|p| &p.config);
        let parse = |key: &str, text: &str, values: &[&str]| -> Result<(), String> {
            if values.contains(&text) {
                Ok(())
            } else {
                Err(format!(
                    "{}: `{key}` = \"{text}\" is not one of {}",
                    config::FILE,
                    values.join(", ")
                ))
            }
        };
        let prometheus_format = match (
            self.prometheus_format,
            c.and_then(|c| c.prometheus_format.as_deref()),
        ) {
            (Some(f), _) => f,
            (None, Some(t)) => {
                parse("prometheus_format", t, &["plain", "operator"])?;
                PrometheusFormat::from_str(t, false).map_err(|e| e.to_string())?
            }
            (None, None) => PrometheusFormat::Plain,
        };
        let ruler = match (self.ruler, c.and_then(|c| c.ruler.as_deref())) {
            (Some(r), _) => r,
            (None, Some(t)) => {
                parse("ruler", t, &["prometheus", "mimir"])?;
                emit::Ruler::from_str(t, false).map_err(|e| e.to_string())?
            }
            (None, None) => emit::Ruler::Prometheus,
        };
        let sentry_format = match (
            self.sentry_format,
            c.and_then(|c| c.sentry_format.as_deref()),
        ) {
            (Some(f), _) => f,
            (None, Some(t)) => {
                parse("sentry_format", t, &["api", "legacy", "terraform"])?;
                SentryFormat::from_str(t, false).map_err(|e| e.to_string())?
            }
            (None, None) => SentryFormat::Api,
        };
        let bad = |key: &str, e: String| format!("{}: `{key}`: {e}", config::FILE);
        let namespace = match (
            self.operator_namespace,
            c.and_then(|c| c.operator_namespace.as_deref()),
        ) {
            (Some(n), _) => Some(n),
            (None, Some(t)) => Some(parse_namespace(t).map_err(|e| bad("operator_namespace", e))?),
            (None, None) => None,
        };
        let mut labels = BTreeMap::new();
        for (k, v) in c.map(|c| &c.operator_labels).into_iter().flatten() {
            let (k, v) = parse_label(&format!("{k}={v}")).map_err(|e| bad("operator_labels", e))?;
            labels.insert(k, v);
        }
        labels.extend(self.operator_label);
        let templates = match (
            self.templates,
            project.zip(c.and_then(|c| c.templates.as_deref())),
        ) {
            (Some(t), _) => Some(t),
            (None, Some((p, t))) => Some(p.path("templates", t)?),
            (None, None) => None,
        };
        let example_date = match (self.example_date, c.and_then(|c| c.example_date.as_deref())) {
            (Some(d), _) => Some(d),
            (None, Some(t)) => Some(parse_date(t).map_err(|e| bad("example_date", e))?),
            (None, None) => None,
        };
        Ok(emit::Options {
            prometheus_format,
            emit_tests: self.emit_tests || c.is_some_and(|c| c.emit_tests),
            ruler,
            operator: emit::OperatorMeta { namespace, labels },
            alertmanager_secrets: self.alertmanager_secrets,
            sentry_format,
            templates,
            example_date,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// Annotated excerpts of the specs, on stderr.
    Human,
    /// One JSON document on stdout (with `build`, also what happened to the output).
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request), on stdout.
    Github,
    /// A SARIF 2.1.0 log for code scanning, on stdout.
    Sarif,
}
