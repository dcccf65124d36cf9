//! The command line: argument parsing and the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Code, Diagnostic, Level, render};
use crate::emit::{self, PrometheusFormat, SentryFormat, Target};
use crate::validate::Checked;
use crate::{load, validate};

mod report;
mod values;

use report::{lossy_warning, report_diagnostics, skipped_summary, skipped_warning, write_output};
use values::{parse_date, parse_label, parse_namespace};

/// SLO-as-code compiler: validate SLO specs and generate Prometheus, Splunk, Sentry and
/// runbook outputs.
#[derive(Debug, Parser)]
#[command(name = "sloxide", version = env!("SLOXIDE_VERSION"), about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate specs; exit 0 when clean, 1 on errors, 2 on usage or I/O problems.
    Check {
        /// Spec files or directories (searched for *.yaml / *.yml); `-` reads one spec
        /// from standard input.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Validate, then generate each backend's files into the output directory.
    Build {
        /// Spec files or directories; `-` reads one spec from standard input.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output directory.
        #[arg(short, long)]
        out: PathBuf,
        /// Backends to generate (comma separated); default all.
        #[arg(long, value_delimiter = ',')]
        target: Vec<Target>,
        /// Do not write; exit 1 and list the files when the output directory is stale.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        backend: BackendArgs,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Print the JSON Schema of the spec language.
    Schema,
    /// Print the error budget math of one SLO (`service/slo` or a unique SLO name).
    Explain {
        /// The SLO.
        slo: String,
        /// Spec files or directories.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// What a change of the specs means operationally: objectives, error budgets as time,
    /// alerts (thresholds, full-outage detection time), bands, exclusions, notification
    /// targets and the generated files that change. Exit 0 when nothing operational
    /// changes, 1 when something does, 2 when either side does not validate.
    Diff {
        /// The specs before (a file or directory, e.g. a `git worktree` of the base branch).
        base: PathBuf,
        /// The specs after.
        head: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// List every diagnostic code and what it means.
    Codes,
    /// Print a shell completion script, e.g. `sloxide completions bash > /etc/bash_completion.d/sloxide`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Diagnostic output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Reject Splunk base searches that write, send, delete or call out (delete,
    /// sendemail, collect, outputlookup, script, rest, map, …), macros and subsearches.
    #[arg(long)]
    strict_queries: bool,
}

#[derive(Debug, clap::Args)]
struct BackendArgs {
    /// Prometheus output: plain rule files, or also Prometheus Operator manifests.
    #[arg(long, value_enum, default_value_t = PrometheusFormat::Plain)]
    prometheus_format: PrometheusFormat,
    /// Also write promtool unit tests next to the Prometheus rules.
    #[arg(long)]
    emit_tests: bool,
    /// The ruler that evaluates the Prometheus rules: with `mimir`, build warns where the
    /// rule layout exceeds Mimir's default limits and says how to raise them.
    #[arg(long, value_enum, default_value_t = emit::Ruler::Prometheus)]
    ruler: emit::Ruler,
    /// Namespace of the PrometheusRule objects (operator format).
    #[arg(long, value_parser = parse_namespace)]
    operator_namespace: Option<String>,
    /// Label KEY=VALUE added to the PrometheusRule objects (repeatable), e.g.
    /// `release=kube-prometheus-stack` for that chart's default ruleSelector.
    #[arg(long, value_parser = parse_label)]
    operator_label: Vec<(String, String)>,
    /// Sentry output: current API (detectors/workflows), legacy alert rules, or Terraform.
    #[arg(long, value_enum, default_value_t = SentryFormat::Api)]
    sentry_format: SentryFormat,
    /// Directory whose templates override the built-in runbook templates.
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Date (YYYY-MM-DD) for worked examples in runbooks (default: a fixed date, so
    /// output does not change from day to day).
    #[arg(long, value_parser = parse_date)]
    example_date: Option<chrono::NaiveDate>,
}

impl BackendArgs {
    fn options(self) -> emit::Options {
        emit::Options {
            prometheus_format: self.prometheus_format,
            emit_tests: self.emit_tests,
            ruler: self.ruler,
            operator: emit::OperatorMeta {
                namespace: self.operator_namespace,
                labels: self.operator_label.into_iter().collect(),
            },
            sentry_format: self.sentry_format,
            templates: self.templates,
            example_date: self.example_date,
        }
    }
}

/// Output of `sloxide diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON document.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Annotated excerpts of the specs, on stderr.
    Human,
    /// One JSON document on stdout (with `build`, also what happened to the output).
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request), on stdout.
    Github,
    /// A SARIF 2.1.0 log for code scanning, on stdout.
    Sarif,
}

/// Exit status: success.
const OK: u8 = 0;
/// Exit status: spec errors, or stale output with `--check`.
const FAILED: u8 = 1;
/// Exit status: usage or I/O problems.
const USAGE: u8 = 2;

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    ExitCode::from(run(cli.command))
}

fn run(command: Command) -> u8 {
    match command {
        Command::Check { paths, report } => {
            let checked = check_with(&paths, policy(&report));
            report_diagnostics(&checked, &report, &[])
        }
        Command::Build {
            paths,
            out,
            target,
            check: only_check,
            backend,
            report,
        } => {
            let checked = check_with(&paths, policy(&report));
            let Some(model) = &checked.model else {
                return report_diagnostics(&checked, &report, &[]);
            };
            let requested = !target.is_empty();
            let targets = if requested {
                dedup(target)
            } else {
                Target::value_variants().to_vec()
            };
            let emitted = emit::emit(model, &targets, &backend.options());
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
                d.with_help("or split the SLOs over more tenants; the rules themselves are valid Prometheus")
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
        Command::Schema => {
            print!("{}", load::schema::SCHEMA_JSON);
            OK
        }
        Command::Explain { slo, paths } => {
            let checked = check(&paths);
            let Some(model) = &checked.model else {
                return report_diagnostics(
                    &checked,
                    &ReportArgs {
                        format: Format::Human,
                        deny_warnings: false,
                        strict_queries: false,
                    },
                    &[],
                );
            };
            match crate::explain::find(model, &slo) {
                Ok((service, slo)) => {
                    print!("{}", crate::explain::render(service, slo));
                    OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    USAGE
                }
            }
        }
        Command::Diff {
            base,
            head,
            format,
            backend,
        } => {
            let sides = [
                check(std::slice::from_ref(&base)),
                check(std::slice::from_ref(&head)),
            ];
            let (Some(b), Some(h)) = (&sides[0].model, &sides[1].model) else {
                for side in sides.iter().filter(|s| s.model.is_none()) {
                    let quiet = ReportArgs {
                        format: Format::Human,
                        deny_warnings: false,
                        strict_queries: false,
                    };
                    report_diagnostics(side, &quiet, &[]);
                }
                eprintln!("error: both sides must validate to be compared");
                return USAGE;
            };
            let d = crate::diff::diff(b, h, &backend.options());
            match format {
                DiffFormat::Markdown => print!("{}", crate::diff::markdown(&d)),
                DiffFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&d).expect("diff serializes")
                ),
            }
            if d.is_operationally_same() {
                OK
            } else {
                FAILED
            }
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            use std::io::Write;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "sloxide", &mut script);
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(&script);
            OK
        }
        Command::Codes => {
            for code in Code::ALL {
                println!("{:<40} {}", code.as_str(), code.summary());
            }
            OK
        }
    }
}

fn dedup(mut targets: Vec<Target>) -> Vec<Target> {
    targets.sort();
    targets.dedup();
    targets
}

/// Loads and validates `paths` under the default policy.
pub fn check(paths: &[PathBuf]) -> Checked {
    check_with(paths, validate::Policy::default())
}

fn check_with(paths: &[PathBuf], policy: validate::Policy) -> Checked {
    validate::check_with(load::load(paths), policy)
}

fn policy(report: &ReportArgs) -> validate::Policy {
    validate::Policy {
        strict_queries: report.strict_queries,
    }
}
