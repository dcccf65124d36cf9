//! What the commands print: diagnostics (human or JSON) with the exit status they imply,
//! and the result of writing or checking the output directory.

use std::io::{IsTerminal, Write};

use super::{FAILED, Format, OK, ReportArgs, USAGE};
use crate::diag::{Code, Diagnostic, Level, ci, render};
use crate::emit;
use crate::output;
use crate::validate::Checked;

pub(super) fn skipped_warning(s: &emit::Skipped) -> Diagnostic {
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
}

/// One warning per backend for the SLOs a default build (every backend) skips there.
pub(super) fn skipped_summary(
    target: emit::Target,
    skipped: &[emit::Skipped],
) -> Option<Diagnostic> {
    let names: Vec<String> = skipped
        .iter()
        .filter(|s| s.target == target)
        .map(|s| format!("{}/{}", s.service, s.slo))
        .collect();
    if names.is_empty() {
        return None;
    }
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
    Some(d.with_help(format!(
        "add a {target} source to those SLIs, or build only the backends they have with --target"
    )))
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
    d.with_help(format!(
        "the {} output evaluates less than the spec says here; its manifest (where it has one) and the runbook list this",
        l.target
    ))
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
        .any(|d| d.is_error() || (args.deny_warnings && d.level == Level::Warning));
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
