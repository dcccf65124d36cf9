//! What the commands print: diagnostics (human or JSON) with the exit status they imply,
//! and the result of writing or checking the output directory.

use std::io::{IsTerminal, Write};

use super::{FAILED, Format, OK, ReportArgs, USAGE};
use crate::diag::{Code, Diagnostic, Level, ci, render};
use crate::emit;
use crate::model::{Model, Slo};
use crate::output;
use crate::validate::Checked;

/// The SLO `service/slo` of `model`.
fn slo_of<'m>(model: &'m Model, service: &str, slo: &str) -> Option<&'m Slo> {
    model
        .services
        .iter()
        .find(|s| s.name == service)
        .and_then(|s| s.slos.iter().find(|o| o.name == slo))
}

/// Why `service/slo` acknowledges `code`, if it does.
fn acknowledged<'m>(model: &'m Model, service: &str, slo: &str, code: Code) -> Option<&'m str> {
    slo_of(model, service, slo).and_then(|o| o.acknowledges(code))
}

pub(super) fn skipped_warning(model: &Model, s: &emit::Skipped) -> Diagnostic {
    let mut d = Diagnostic::unplaced(
        Code::BackendNoSource,
        None,
        format!(
            "SLO {}/{} has no {} source; nothing generated for it there",
            s.service, s.slo, s.target
        ),
    );
    d.level = Level::Warning;
    d.with_help(format!(
        "add a {} source to its SLI, or leave {} out of --target",
        s.target, s.target
    ))
    .acknowledged(acknowledged(
        model,
        &s.service,
        &s.slo,
        Code::BackendNoSource,
    ))
}

/// For a default build (every backend): per backend one warning for the SLOs it skips,
/// and one acknowledged warning for those whose spec says that is fine.
pub(super) fn skipped_summary(
    model: &Model,
    target: emit::Target,
    skipped: &[emit::Skipped],
) -> Vec<Diagnostic> {
    let mut open = Vec::new();
    let mut accepted = Vec::new();
    let mut reasons: Vec<&str> = Vec::new();
    for s in skipped.iter().filter(|s| s.target == target) {
        let name = format!("{}/{}", s.service, s.slo);
        match acknowledged(model, &s.service, &s.slo, Code::BackendNoSource) {
            Some(reason) => {
                accepted.push(name);
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            None => open.push(name),
        }
    }
    let warning = |names: &[String]| {
        let mut d = Diagnostic::unplaced(
            Code::BackendNoSource,
            None,
            format!(
                "{target}: {} SLO(s) have no {target} source and are skipped there: {}",
                names.len(),
                names.join(", ")
            ),
        );
        d.level = Level::Warning;
        d.with_help(format!(
            "add a {target} source to those SLIs, or build only the backends they have with --target"
        ))
    };
    let mut out = Vec::new();
    if !open.is_empty() {
        out.push(warning(&open));
    }
    if !accepted.is_empty() {
        out.push(warning(&accepted).acknowledged(Some(&reasons.join("; "))));
    }
    out
}

/// Warnings about acknowledgements of build-only codes that a default build did not raise.
pub(super) fn unused_build_acknowledgements(
    model: &Model,
    skipped: &[emit::Skipped],
    lossy: &[emit::Lossy],
) -> Vec<Diagnostic> {
    let codes: Vec<Code> = Code::ACKNOWLEDGEABLE
        .iter()
        .copied()
        .filter(|c| c.is_build_only())
        .collect();
    let mut out = Vec::new();
    for service in &model.services {
        for slo in &service.slos {
            let mut used = Vec::new();
            if skipped
                .iter()
                .any(|s| s.service == service.name && s.slo == slo.name)
            {
                used.push(Code::BackendNoSource);
            }
            if lossy
                .iter()
                .any(|l| l.service == service.name && l.slo.as_deref() == Some(slo.name.as_str()))
            {
                used.push(Code::BuildLossy);
            }
            out.extend(crate::validate::unused_acknowledgements(slo, &codes, &used));
        }
    }
    out
}

pub(super) fn lossy_warning(service: &crate::model::Service, l: &emit::Lossy) -> Diagnostic {
    let subject = match &l.slo {
        Some(slo) => format!("SLO {}/{slo}", l.service),
        None => format!("service {}", l.service),
    };
    let mut d = Diagnostic::unplaced(
        Code::BuildLossy,
        Some(service.spec_path.clone()),
        format!("{}: {subject}: {}", l.target, l.what),
    );
    d.level = Level::Warning;
    let reason = l.slo.as_ref().and_then(|slo| {
        service
            .slos
            .iter()
            .find(|o| &o.name == slo)
            .and_then(|o| o.acknowledges(Code::BuildLossy))
    });
    d.with_help(format!(
        "the {} output evaluates less than the spec says here; its manifest (where it has one) and the runbook list this",
        l.target
    ))
    .acknowledged(reason)
}

/// Prints `checked`'s diagnostics plus `extra` in the chosen format and returns the exit
/// status they imply.
pub(super) fn report_diagnostics(checked: &Checked, args: &ReportArgs, extra: &[Diagnostic]) -> u8 {
    let diags = all(checked, extra);
    print_report(checked, args, &diags, None);
    status(checked, args, &diags)
}

/// `checked`'s diagnostics followed by `extra`.
pub(super) fn all(checked: &Checked, extra: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut diags = checked.diagnostics.clone();
    diags.extend_from_slice(extra);
    diags
}

/// The exit status `diags` imply: usage for I/O problems, failure for errors (and
/// warnings with `--deny-warnings`) or no model, success otherwise.
pub(super) fn status(checked: &Checked, args: &ReportArgs, diags: &[Diagnostic]) -> u8 {
    let io_problem = diags.iter().any(|d| d.code.is_io());
    let failed = diags
        .iter()
        .any(|d| d.is_error() || (args.deny_warnings && d.fails_strict()));
    if io_problem {
        USAGE
    } else if failed || checked.model.is_none() {
        FAILED
    } else {
        OK
    }
}

/// Prints `diags` in the chosen format; the JSON report also carries `output`, what
/// `build` did to (or found in) the output directory.
pub(super) fn print_report(
    checked: &Checked,
    args: &ReportArgs,
    diags: &[Diagnostic],
    output: Option<&OutputReport>,
) {
    match args.format {
        Format::Json => {
            let report = render::json(diags, &checked.sources);
            let mut value = serde_json::to_value(&report).expect("report serializes");
            if let Some(o) = output {
                value["output"] = serde_json::to_value(o).expect("output serializes");
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&value).expect("report serializes")
            );
        }
        Format::Github => {
            print!("{}", ci::github(&render::json(diags, &checked.sources)));
            if let Some(o) = output.filter(|o| o.status == "stale") {
                for (what, paths) in [
                    ("missing", &o.missing),
                    ("differs from what the specs produce", &o.differs),
                    ("is no longer generated", &o.stale),
                    ("is an interrupted build's temporary file", &o.leftover),
                ] {
                    for p in paths {
                        let file = format!("{}/{p}", o.dir);
                        let report = render::JsonReport::single(
                            Code::OutputStale,
                            Level::Error,
                            format!("{file} {what}; run `sloxide build` and commit the result"),
                            Some(file),
                        );
                        print!("{}", ci::github(&report));
                    }
                }
            }
        }
        Format::Sarif => {
            let report = render::json(diags, &checked.sources);
            println!(
                "{}",
                serde_json::to_string_pretty(&ci::sarif(&report)).expect("SARIF serializes")
            );
        }
        Format::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(render::human(diags, &checked.sources, color).as_bytes());
            let files = checked.sources.files().count();
            let _ = writeln!(err, "checked {files} file(s): {}", render::summary(diags));
        }
    }
}

/// What `build` did to the output directory, or found in it with `--check`.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct OutputReport {
    /// The output directory as given.
    pub dir: String,
    /// `written`, `up-to-date`, `stale` or `refused` (nothing written or deleted).
    pub status: &'static str,
    /// Files created, or missing with `--check`.
    pub missing: Vec<String>,
    /// Files rewritten, or differing with `--check`.
    pub differs: Vec<String>,
    /// Files no longer generated: deleted, or to delete with `--check`.
    pub stale: Vec<String>,
    /// Temporary files of an interrupted build.
    pub leftover: Vec<String>,
    /// Files that already had the generated contents.
    pub unchanged: usize,
}

/// Writes `files` into `dir` (or, with `only_check`, compares them), tells people on
/// stderr, and returns the exit status with the report for machine formats.
pub(super) fn write_output(
    dir: &std::path::Path,
    files: &[emit::OutputFile],
    only_check: bool,
) -> (u8, OutputReport) {
    let mut report = OutputReport {
        dir: dir.display().to_string(),
        status: "refused",
        ..OutputReport::default()
    };
    let result = if only_check {
        output::check(dir, files)
    } else {
        output::write(dir, files)
    };
    let changes = match result {
        Err(e @ output::OutputError::NotOwned(_)) => {
            eprintln!(
                "error[{}]: {}",
                Code::OutputConflict.as_str(),
                render::terminal_text(&e.to_string())
            );
            eprintln!(
                "help: sloxide never overwrites files it did not write; move them away or choose another output directory"
            );
            return (FAILED, report);
        }
        Err(e) => {
            eprintln!(
                "error[{}]: {}",
                Code::OutputUnsafe.as_str(),
                render::terminal_text(&e.to_string())
            );
            eprintln!(
                "help: sloxide never follows symlinks in the output directory; remove them (and any foreign manifest entries) and build again"
            );
            eprintln!("nothing was written or deleted");
            return (FAILED, report);
        }
        Ok(changes) => changes,
    };
    let dirty = changes.is_dirty();
    report.missing = changes.created;
    report.differs = changes.updated;
    report.stale = changes.removed;
    report.leftover = changes.leftover;
    report.unchanged = changes.unchanged;
    if !only_check {
        report.status = "written";
        eprintln!(
            "wrote {}: {} created, {} updated, {} removed, {} unchanged",
            dir.display(),
            report.missing.len(),
            report.differs.len(),
            report.stale.len(),
            report.unchanged
        );
        return (OK, report);
    }
    if !dirty {
        report.status = "up-to-date";
        eprintln!(
            "{} is up to date ({} file(s))",
            dir.display(),
            report.unchanged
        );
        return (OK, report);
    }
    report.status = "stale";
    eprintln!(
        "error[{}]: {} is not up to date with the specs:",
        Code::OutputStale.as_str(),
        dir.display()
    );
    for (tag, paths) in [
        ("missing  ", &report.missing),
        ("differs  ", &report.differs),
        ("stale    ", &report.stale),
    ] {
        for p in paths {
            eprintln!("  {tag} {p}");
        }
    }
    for p in &report.leftover {
        eprintln!("  leftover  {p} (an interrupted build's temporary file)");
    }
    eprintln!("help: run `sloxide build` without --check and commit the result");
    (FAILED, report)
}
