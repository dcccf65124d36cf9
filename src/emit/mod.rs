//! Stage 3 of the pipeline: backends. Each backend turns the [`Model`] into files; none
//! of them reads YAML or re-checks what validation guarantees.

use std::fmt;

use crate::model::Model;

/// A file a backend produces: a path relative to the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with `/` separators, e.g. `prometheus/payments.rules.yml`.
    pub path: String,
    /// File contents.
    pub contents: String,
}

/// A note a backend reports about what it skipped (e.g. an SLO without a source for it).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Target {
    /// Prometheus recording and alerting rules.
    Prometheus,
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
            Target::Splunk => "splunk",
            Target::Sentry => "sentry",
            Target::Runbook => "runbook",
        })
    }
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
}

/// Runs the requested backends over `model`.
pub fn emit(model: &Model, targets: &[Target]) -> Emitted {
    let mut out = Emitted::default();
    for target in targets {
        out.unavailable.push(*target);
    }
    let _ = model;
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
