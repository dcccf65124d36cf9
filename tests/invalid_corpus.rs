//! The invalid-spec corpus: every file under `tests/invalid/` is one mistake a user makes
//! in an otherwise valid spec. Each file states the diagnostics it must produce in comments:
//!
//! ```text
//! # expect: sloxide::ref::unknown 23:10 unknown SLI
//! ```
//!
//! (code, 1-based line:column of the primary label, a substring of the message). The set
//! of errors must equal the expectations exactly; warnings are ignored unless expected.

use std::path::{Path, PathBuf};

use sloxide::diag::{Code, Diagnostic};
use sloxide::source::SourceMap;

/// Codes a single spec file cannot trigger: I/O and build-output codes, and codes
/// reserved for backends.
const NOT_FROM_A_SPEC_FILE: &[Code] = &[
    Code::IoRead,
    Code::IoUnsafePath,
    Code::IoLimits,
    Code::IoNoSpecs,
    Code::SplunkStrict,
    Code::BackendNoSource,
    Code::BuildLossy,
    Code::BuildRulerLimit,
    Code::BuildBackend,
    Code::OutputUnsafe,
    Code::OutputConflict,
    Code::OutputStale,
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expect {
    code: String,
    line: usize,
    column: usize,
    message: String,
    /// A substring the help line must hold (`# help:` right after the `# expect:`).
    help: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    code: &'static str,
    error: bool,
    line: usize,
    column: usize,
    message: String,
    help: String,
}

impl Found {
    fn matches(&self, e: &Expect) -> bool {
        self.code == e.code
            && self.line == e.line
            && self.column == e.column
            && self.message.contains(&e.message)
            && e.help
                .as_ref()
                .is_none_or(|h| self.help.contains(h.as_str()))
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/invalid exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Parses the `# expect:` lines of `text`.
fn expectations(text: &str) -> Result<Vec<Expect>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(help) = line.trim_start().strip_prefix("# help:") {
            let last: &mut Expect = out
                .last_mut()
                .ok_or_else(|| format!("`# help:` before any `# expect:`: {line}"))?;
            last.help = Some(help.trim().to_owned());
            continue;
        }
        let Some(rest) = line.trim_start().strip_prefix("# expect:") else {
            continue;
        };
        let mut parts = rest.trim().splitn(3, ' ');
        let (Some(code), Some(pos), Some(message)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("malformed expectation: {line}"));
        };
        let (l, c) = pos
            .split_once(':')
            .ok_or_else(|| format!("position must be line:column in: {line}"))?;
        out.push(Expect {
            code: code.to_owned(),
            line: l.parse().map_err(|_| format!("bad line in: {line}"))?,
            column: c.parse().map_err(|_| format!("bad column in: {line}"))?,
            message: message.trim().to_owned(),
            help: None,
        });
    }
    Ok(out)
}

fn found(diags: &[Diagnostic], sources: &SourceMap) -> Vec<Found> {
    diags
        .iter()
        .map(|d| {
            let pos = d.primary.as_ref().map(|l| sources.line_col(l.span));
            Found {
                code: d.code.as_str(),
                error: d.is_error(),
                line: pos.map_or(0, |p| p.line),
                column: pos.map_or(0, |p| p.column),
                message: d.message.clone(),
                help: d.help.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// Checks one corpus file; returns a description of every mismatch.
fn check_file(path: &Path) -> Result<Vec<Found>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let expected = expectations(&text)?;
    if expected.is_empty() {
        return Err("no `# expect:` lines".into());
    }
    let checked = sloxide::cli::check(&[path.to_path_buf()]);
    let got = found(&checked.diagnostics, &checked.sources);
    let mut problems = Vec::new();
    for e in &expected {
        if !got.iter().any(|f| f.matches(e)) {
            problems.push(format!(
                "expected {} {}:{} `{}` was not reported",
                e.code, e.line, e.column, e.message
            ));
        }
    }
    for f in got.iter().filter(|f| f.error) {
        if !expected.iter().any(|e| f.matches(e)) {
            problems.push(format!(
                "unexpected error {} {}:{} {}",
                f.code, f.line, f.column, f.message
            ));
        }
    }
    if checked.model.is_some()
        && expected
            .iter()
            .any(|e| got.iter().any(|f| f.error && f.matches(e)))
    {
        problems.push("a model was built despite errors".into());
    }
    if problems.is_empty() {
        Ok(got)
    } else {
        let all: Vec<String> = got
            .iter()
            .map(|f| format!("    {} {}:{} {}", f.code, f.line, f.column, f.message))
            .collect();
        Err(format!(
            "{}\n  reported:\n{}",
            problems.join("\n  "),
            all.join("\n")
        ))
    }
}

#[test]
fn every_corpus_file_reports_exactly_its_expected_errors() {
    let files = corpus_files();
    assert!(
        files.len() >= 35,
        "the corpus needs at least 35 files, has {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut covered: Vec<&'static str> = Vec::new();
    for path in &files {
        match check_file(path) {
            Ok(got) => covered.extend(got.iter().map(|f| f.code)),
            Err(e) => failures.push(format!("{}:\n  {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !NOT_FROM_A_SPEC_FILE.contains(c))
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "no corpus file triggers: {}",
        missing.join(", ")
    );
}

#[test]
fn expectation_lines_are_parsed_strictly() {
    let e = expectations("# expect: sloxide::ref::unknown 23:10 unknown SLI `x`\n").unwrap();
    assert_eq!(
        e,
        vec![Expect {
            code: "sloxide::ref::unknown".into(),
            line: 23,
            column: 10,
            message: "unknown SLI `x`".into(),
            help: None,
        }]
    );
    assert!(expectations("# expect: sloxide::ref::unknown 23 unknown\n").is_err());
    assert!(expectations("# expect: sloxide::ref::unknown\n").is_err());
}

#[test]
fn a_file_without_expectations_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.yaml");
    std::fs::write(&path, "apiVersion: sloxide/v2\n").unwrap();
    assert!(check_file(&path).is_err());
}
