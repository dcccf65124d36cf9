//! Stage 2 of the pipeline: semantic checks and resolution of every loaded
//! [`Spec`] into one [`Model`], with all problems of all files reported at once.

mod allow;

pub use allow::unused as unused_acknowledgements;
mod ctx;
mod incident;
mod journey;
pub mod promql;
pub(crate) mod quantity;
mod sentry;
mod service;
mod sli;
mod slo;
mod splunk;

use crate::diag::{self, Code, Diagnostic};
use crate::load::Loaded;
use crate::model::Model;
use crate::source::SourceMap;
use crate::span::FileId;
use crate::spec::Spec;
use ctx::Ctx;

/// The outcome of a check: the model when there are no errors, and every diagnostic
/// (loading and semantic), sorted.
#[derive(Debug)]
pub struct Checked {
    /// All sources, for rendering diagnostics.
    pub sources: SourceMap,
    /// The model, present only when no error was found.
    pub model: Option<Model>,
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Validates loaded specs and resolves them into a model.
/// Rules a team can tighten from the command line (the CI configuration, which a pull
/// request does not control).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Reject Splunk searches that write, send, delete or call out, and macros and
    /// subsearches (`--strict-queries`).
    pub strict_queries: bool,
}

/// Validates `loaded` under the default policy.
pub fn check(loaded: Loaded) -> Checked {
    check_with(loaded, Policy::default())
}

/// Validates `loaded` under `policy`.
pub fn check_with(loaded: Loaded, policy: Policy) -> Checked {
    let Loaded {
        sources,
        specs,
        mut diagnostics,
    } = loaded;
    let mut services = Vec::new();
    for (file, spec) in &specs {
        let mut ctx = Ctx::new(*file, &mut diagnostics);
        ctx.policy = policy;
        ctx.text = sources.get(*file).text.clone();
        let path = sources.get(*file).path.clone();
        if let Some(service) = service::resolve(&mut ctx, spec, path) {
            services.push(service);
        }
    }
    unique_services(&specs, &mut diagnostics);
    diag::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error) || services.len() != specs.len();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    Checked {
        sources,
        model: (!failed).then_some(Model { services }),
        diagnostics,
    }
}

/// Service names are unique across a build, also after spelling `_` as `-` (Kubernetes
/// object names allow no `_`, so `billing_api` and `billing-api` would collide there).
fn unique_services(specs: &[(FileId, Spec)], diags: &mut Vec<Diagnostic>) {
    let key = |s: &Spec| s.service.name.value.0.replace('_', "-");
    for (i, (file, spec)) in specs.iter().enumerate() {
        let name = &spec.service.name;
        if let Some((first_file, first)) = specs[..i].iter().find(|(_, s)| key(s) == key(spec)) {
            let at = |f: FileId, s: crate::span::Span| crate::span::Span { file: f, ..s };
            let message = if first.service.name.value == name.value {
                format!("service `{}` is defined in two spec files", name.value.0)
            } else {
                format!(
                    "services `{}` and `{}` differ only in `_` and `-`, so their generated names collide",
                    first.service.name.value.0, name.value.0
                )
            };
            diags.push(
                Diagnostic::error(
                    Code::NameDuplicate,
                    at(*file, name.span),
                    message,
                    "second definition",
                )
                .with_label(
                    at(*first_file, first.service.name.span),
                    "first defined here",
                )
                .with_help(
                    "service names must be unique across a build; rename one or merge the files",
                ),
            );
        }
    }
}
