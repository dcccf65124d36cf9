//! The command line: argument parsing and the commands.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Code, Diagnostic, Level, render};
use crate::emit::{self, PrometheusFormat, SentryFormat, Target};
use crate::validate::Checked;
use crate::{load, validate};

mod config;
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
        /// from standard input. Default: `paths` of sloxide.toml, else `.`.
        paths: Vec<PathBuf>,
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Validate, then generate each backend's files into the output directory.
    Build {
        /// Spec files or directories; `-` reads one spec from standard input. Default:
        /// `paths` of sloxide.toml, else `.`.
        paths: Vec<PathBuf>,
        /// Output directory (default: `out` of sloxide.toml).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Backends to generate (comma separated); default: `targets` of sloxide.toml,
        /// else all.
        #[arg(long, value_delimiter = ',')]
        target: Vec<Target>,
        /// Do not write; exit 1 and list the files when the output directory is stale.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        backend: BackendArgs,
        #[command(flatten)]
        project: ProjectArgs,
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
struct ProjectArgs {
    /// The project file (default: the nearest sloxide.toml from the working directory up
    /// to the repository root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore sloxide.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Skip spec files whose path (relative to the project) matches this glob (`*`, `**`,
    /// `?`); repeatable, added to `exclude` of sloxide.toml.
    #[arg(long)]
    exclude: Vec<String>,
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
    /// Prometheus output: plain rule files (default), or also Prometheus Operator manifests.
    #[arg(long, value_enum)]
    prometheus_format: Option<PrometheusFormat>,
    /// Also write promtool unit tests next to the Prometheus rules.
    #[arg(long)]
    emit_tests: bool,
    /// The ruler that evaluates the Prometheus rules (default prometheus): with `mimir`,
    /// build warns where the rule layout exceeds Mimir's default limits and says how to
    /// raise them.
    #[arg(long, value_enum)]
    ruler: Option<emit::Ruler>,
    /// Namespace of the PrometheusRule objects (operator format).
    #[arg(long, value_parser = parse_namespace)]
    operator_namespace: Option<String>,
    /// Label KEY=VALUE added to the PrometheusRule objects (repeatable), e.g.
    /// `release=kube-prometheus-stack` for that chart's default ruleSelector.
    #[arg(long, value_parser = parse_label)]
    operator_label: Vec<(String, String)>,
    /// Sentry output: current API (detectors/workflows, default), legacy alert rules, or
    /// Terraform.
    #[arg(long, value_enum)]
    sentry_format: Option<SentryFormat>,
    /// Directory whose templates override the built-in runbook templates.
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Date (YYYY-MM-DD) for worked examples in runbooks (default: a fixed date, so
    /// output does not change from day to day).
    #[arg(long, value_parser = parse_date)]
    example_date: Option<chrono::NaiveDate>,
}

impl BackendArgs {
    /// The build options: the command line first, then `project`'s file, then defaults.
    fn options(self, project: Option<&config::Project>) -> Result<emit::Options, String> {
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
            sentry_format,
            templates,
            example_date,
        })
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
        Command::Check {
            paths,
            project,
            mut report,
        } => {
            let (project, load) = match setup(&project, &mut report) {
                Ok(x) => x,
                Err(e) => return usage(&e),
            };
            let paths = match spec_paths(paths, project.as_ref()) {
                Ok(p) => p,
                Err(e) => return usage(&e),
            };
            let checked = check_with(&paths, &load, policy(&report));
            report_diagnostics(&checked, &report, &[])
        }
        Command::Build {
            paths,
            out,
            target,
            check: only_check,
            backend,
            project,
            mut report,
        } => {
            let (project, load) = match setup(&project, &mut report) {
                Ok(x) => x,
                Err(e) => return usage(&e),
            };
            let resolved = spec_paths(paths, project.as_ref()).and_then(|paths| {
                let out = match (
                    out,
                    project
                        .as_ref()
                        .and_then(|p| p.config.out.as_deref().map(|o| (p, o))),
                ) {
                    (Some(o), _) => o,
                    (None, Some((p, o))) => p.path("out", o)?,
                    (None, None) => {
                        return Err(
                            "build needs an output directory: -o DIR, or `out` in sloxide.toml"
                                .into(),
                        );
                    }
                };
                let target = if target.is_empty() {
                    project
                        .as_ref()
                        .map(|p| &p.config.targets)
                        .into_iter()
                        .flatten()
                        .map(|t| {
                            Target::from_str(t, false).map_err(|_| {
                                format!("{}: `targets`: unknown backend `{t}`", config::FILE)
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?
                } else {
                    target
                };
                Ok((paths, out, target, backend.options(project.as_ref())?))
            });
            let (paths, out, target, options) = match resolved {
                Ok(x) => x,
                Err(e) => return usage(&e),
            };
            let checked = check_with(&paths, &load, policy(&report));
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
            let options = match backend.options(None) {
                Ok(o) => o,
                Err(e) => return usage(&e),
            };
            let d = crate::diff::diff(b, h, &options);
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
    check_with(
        paths,
        &load::Options::default(),
        validate::Policy::default(),
    )
}

fn check_with(paths: &[PathBuf], load: &load::Options, policy: validate::Policy) -> Checked {
    validate::check_with(load::load_with(paths, load), policy)
}

/// Prints a usage problem and returns its exit status.
fn usage(message: &str) -> u8 {
    eprintln!("error: {}", render::terminal_text(message));
    USAGE
}

/// Finds the project file and merges its report settings into `report`; returns it with
/// the load options (project directory, exclude globs).
fn setup(
    args: &ProjectArgs,
    report: &mut ReportArgs,
) -> Result<(Option<config::Project>, load::Options), String> {
    let project = config::discover(args.config.as_deref(), args.no_config)?;
    let mut exclude = args.exclude.clone();
    if let Some(p) = &project {
        report.deny_warnings |= p.config.deny_warnings;
        report.strict_queries |= p.config.strict_queries;
        exclude.extend(p.config.exclude.iter().cloned());
    }
    let options = load::Options {
        base: project.as_ref().map(|p| p.dir.clone()),
        exclude,
    };
    Ok((project, options))
}

/// The spec paths: those given, else the project file's, else `.`.
fn spec_paths(
    given: Vec<PathBuf>,
    project: Option<&config::Project>,
) -> Result<Vec<PathBuf>, String> {
    if !given.is_empty() {
        return Ok(given);
    }
    match project {
        Some(p) if !p.config.paths.is_empty() => {
            p.config.paths.iter().map(|s| p.path("paths", s)).collect()
        }
        _ => Ok(vec![PathBuf::from(".")]),
    }
}

fn policy(report: &ReportArgs) -> validate::Policy {
    validate::Policy {
        strict_queries: report.strict_queries,
    }
}
