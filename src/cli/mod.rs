//! The command line: argument parsing and the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Code, render};
use crate::validate::Checked;
use crate::{load, validate};

mod build;
mod config;
mod options;
mod report;
mod values;

use options::{BackendArgs, Format, ProjectArgs, ReportArgs};
use report::report_diagnostics;

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
    Build(build::BuildArgs),
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

/// Output of `sloxide diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON document.
    Json,
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
            let setup = match setup(&project, &mut report, paths) {
                Ok(x) => x,
                Err(e) => return usage(&e),
            };
            let checked = check_with(&setup.paths, &setup.load, policy(&report));
            report_diagnostics(&checked, &report, &[])
        }
        Command::Build(args) => build::run(args),

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
            let (Some(mut b), Some(mut h)) = (sides[0].model.clone(), sides[1].model.clone())
            else {
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
            crate::diff::rebase(&mut b, &base);
            crate::diff::rebase(&mut h, &head);
            let d = crate::diff::diff(&b, &h, &options);
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

/// What a command reads: the project file (if any), the load options it implies and the
/// spec paths.
struct Setup {
    project: Option<config::Project>,
    load: load::Options,
    paths: Vec<PathBuf>,
}

/// Finds the project file, merges its report settings into `report`, and resolves the spec
/// paths: those given, else the project file's, else `.`.
fn setup(
    args: &ProjectArgs,
    report: &mut ReportArgs,
    given: Vec<PathBuf>,
) -> Result<Setup, String> {
    let project = config::discover(args.config.as_deref(), args.no_config)?;
    let mut exclude = args.exclude.clone();
    if let Some(p) = &project {
        report.deny_warnings |= p.config.deny_warnings;
        report.strict_queries |= p.config.strict_queries;
        exclude.extend(p.config.exclude.iter().cloned());
    }
    if exclude.len() > load::MAX_PATTERNS || exclude.iter().any(|g| g.len() > load::MAX_PATTERN) {
        return Err(format!(
            "at most {} exclude patterns of at most {} characters each",
            load::MAX_PATTERNS,
            load::MAX_PATTERN
        ));
    }
    let paths = match &project {
        _ if !given.is_empty() => given,
        Some(p) if !p.config.paths.is_empty() => p
            .config
            .paths
            .iter()
            .map(|s| p.path("paths", s))
            .collect::<Result<_, _>>()?,
        _ => vec![PathBuf::from(".")],
    };
    let load = load::Options {
        base: project.as_ref().map(|p| p.dir.clone()),
        exclude,
    };
    Ok(Setup {
        project,
        load,
        paths,
    })
}

fn policy(report: &ReportArgs) -> validate::Policy {
    validate::Policy {
        strict_queries: report.strict_queries,
    }
}
