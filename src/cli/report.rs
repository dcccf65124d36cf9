//! What the commands print: diagnostics (human or JSON) with the exit status they imply,
//! and the result of writing or checking the output directory.

use std::io::{IsTerminal, Write};

use super::{FAILED, Format, OK, ReportArgs, USAGE};
use crate::diag::{Code, Diagnostic, Level, render};
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

pub(super) fn report_diagnostics(checked: &Checked, args: &ReportArgs, extra: &[Diagnostic]) -> u8 {
    let mut diags = checked.diagnostics.clone();
    diags.extend_from_slice(extra);
    match args.format {
        Format::Json => {
            let report = render::json(&diags, &checked.sources);
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("report serializes")
            );
        }
        Format::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(render::human(&diags, &checked.sources, color).as_bytes());
            let files = checked.sources.files().count();
            let _ = writeln!(err, "checked {files} file(s): {}", render::summary(&diags));
        }
    }
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

pub(super) fn write_output(
    dir: &std::path::Path,
    files: &[emit::OutputFile],
    only_check: bool,
) -> u8 {
    let result = if only_check {
        output::check(dir, files)
    } else {
        output::write(dir, files)
    };
    match result {
        Err(e @ output::OutputError::NotOwned(_)) => {
            eprintln!(
                "error[{}]: {}",
                Code::OutputConflict.as_str(),
                render::terminal_text(&e.to_string())
            );
            eprintln!(
                "help: sloxide never overwrites files it did not write; move them away or choose another output directory"
            );
            FAILED
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
            FAILED
        }
        Ok(changes) if only_check => {
            if changes.is_dirty() {
                eprintln!(
                    "error[{}]: {} is not up to date with the specs:",
                    Code::OutputStale.as_str(),
                    dir.display()
                );
                for p in &changes.created {
                    eprintln!("  missing   {p}");
                }
                for p in &changes.updated {
                    eprintln!("  differs   {p}");
                }
                for p in &changes.removed {
                    eprintln!("  stale     {p}");
                }
                for p in &changes.leftover {
                    eprintln!("  leftover  {p} (an interrupted build's temporary file)");
                }
                eprintln!("help: run `sloxide build` without --check and commit the result");
                FAILED
            } else {
                eprintln!(
                    "{} is up to date ({} file(s))",
                    dir.display(),
                    changes.unchanged
                );
                OK
            }
        }
        Ok(changes) => {
            eprintln!(
                "wrote {}: {} created, {} updated, {} removed, {} unchanged",
                dir.display(),
                changes.created.len(),
                changes.updated.len(),
                changes.removed.len(),
                changes.unchanged
            );
            OK
        }
    }
}
