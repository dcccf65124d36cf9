//! `sloxide build`: validate, generate every requested backend, then write the output
//! directory (or, with `--check`, compare it).

use std::path::PathBuf;

use clap::ValueEnum;

use super::options::{BackendArgs, Format, ProjectArgs, ReportArgs};
use super::report::{
    self, lossy_warning, report_diagnostics, skipped_summary, skipped_warning, write_output,
};
use super::{FAILED, OK, check_with, config, policy, setup, usage};
use crate::diag::{Code, Diagnostic, Level, render};
use crate::emit::{self, Target};

/// The arguments of `build`.
#[derive(Debug, clap::Args)]
pub(super) struct BuildArgs {
    /// Spec files or directories; `-` reads one spec from standard input. Default:
    /// `paths` of sloxide.toml, else `.`.
    pub(super) paths: Vec<PathBuf>,
    /// Output directory (default: `out` of sloxide.toml).
    #[arg(short, long)]
    pub(super) out: Option<PathBuf>,
    /// Backends to generate (comma separated); default: `targets` of sloxide.toml,
    /// else all.
    #[arg(long, value_delimiter = ',')]
    pub(super) target: Vec<Target>,
    /// Do not write; exit 1 and list the files when the output directory is stale.
    #[arg(long)]
    pub(super) check: bool,
    #[command(flatten)]
    pub(super) backend: BackendArgs,
    #[command(flatten)]
    pub(super) project: ProjectArgs,
    #[command(flatten)]
    pub(super) report: ReportArgs,
}

/// Runs `build`.
pub(super) fn run(args: BuildArgs) -> u8 {
    let BuildArgs {
        paths,
        out,
        target,
        check: only_check,
        backend,
        project,
        mut report,
    } = args;
    let setup = match setup(&project, &mut report, paths) {
        Ok(x) => x,
        Err(e) => return usage(&e),
    };
    let (out, target, options) = match resolve(out, target, backend, setup.project.as_ref()) {
        Ok(x) => x,
        Err(e) => return usage(&e),
    };
    let checked = check_with(&setup.paths, &setup.load, policy(&report));
    let Some(model) = &checked.model else {
        return report_diagnostics(&checked, &report, &[]);
    };
    let requested = !target.is_empty();
    let targets = if requested {
        dedup(target)
    } else {
        Target::value_variants().to_vec()
    };
    let emitted = emit::emit(model, &targets, &options);
    // A backend the user asked for by name that cannot serve an SLO is worth a
    // warning per SLO; when building everything by default, one line per backend.
    let mut notes: Vec<Diagnostic> = if requested {
        emitted
            .skipped
            .iter()
            .map(|s| skipped_warning(model, s))
            .collect()
    } else {
        targets
            .iter()
            .flat_map(|t| skipped_summary(model, *t, &emitted.skipped))
            .collect()
    };
    notes.extend(emitted.limits.iter().map(|text| {
        let mut d = Diagnostic::unplaced(Code::BuildRulerLimit, None, text.clone());
        d.level = Level::Warning;
        d.with_help(
            "or split the SLOs over more tenants; the rules themselves are valid Prometheus",
        )
    }));
    let lossy: Vec<emit::Lossy> = model
        .services
        .iter()
        .flat_map(emit::lossy)
        .filter(|l| targets.contains(&l.target))
        .collect();
    for l in &lossy {
        let service = model.services.iter().find(|s| s.name == l.service);
        notes.extend(service.map(|s| lossy_warning(s, l)));
    }
    // Acknowledgements of build-only warnings can be judged only when every
    // backend is built.
    if !requested {
        notes.extend(report::unused_build_acknowledgements(
            model,
            &emitted.skipped,
            &lossy,
        ));
    }
    let diags = report::all(&checked, &notes);
    let status = report::status(&checked, &report, &diags);
    if status != OK {
        report::print_report(&checked, &report, &diags, None);
        return status;
    }
    if !emitted.errors.is_empty() {
        report::print_report(&checked, &report, &diags, None);
        for e in &emitted.errors {
            eprintln!(
                "error[{}]: {}",
                Code::BuildBackend.as_str(),
                render::terminal_text(e)
            );
        }
        eprintln!("nothing was written or deleted");
        return FAILED;
    }
    for t in &emitted.unavailable {
        eprintln!(
            "note: the {t} backend is not available in this version; nothing was generated for it"
        );
    }
    // People read the diagnostics before what happened to the files; machine
    // formats get one document that holds both.
    let human = report.format == Format::Human;
    if human {
        report::print_report(&checked, &report, &diags, None);
    }
    let (status, written) = write_output(&out, &emitted.files, only_check);
    if !human {
        report::print_report(&checked, &report, &diags, Some(&written));
    }
    status
}

/// The output directory, targets and build options: the command line, else the project
/// file, else the defaults (every backend).
fn resolve(
    out: Option<PathBuf>,
    target: Vec<Target>,
    backend: BackendArgs,
    project: Option<&config::Project>,
) -> Result<(PathBuf, Vec<Target>, emit::Options), String> {
    let out = match (
        out,
        project.and_then(|p| p.config.out.as_deref().map(|o| (p, o))),
    ) {
        (Some(o), _) => o,
        (None, Some((p, o))) => p.path("out", o)?,
        (None, None) => {
            return Err("build needs an output directory: -o DIR, or `out` in sloxide.toml".into());
        }
    };
    let target = if target.is_empty() {
        project
            .map(|p| &p.config.targets)
            .into_iter()
            .flatten()
            .map(|t| {
                Target::from_str(t, false)
                    .map_err(|_| format!("{}: `targets`: unknown backend `{t}`", config::FILE))
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        target
    };
    Ok((out, target, backend.options(project)?))
}

fn dedup(mut targets: Vec<Target>) -> Vec<Target> {
    targets.sort();
    targets.dedup();
    targets
}
