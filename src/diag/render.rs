//! Rendering diagnostics: human (miette's graphical handler) and JSON for machines.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use serde::Serialize;

use super::excerpt::Excerpt;
pub use super::excerpt::terminal_text;
use super::{Code, Diagnostic, Level};
use crate::source::SourceMap;

/// Renders `diags` for people. `color` selects the themed or plain Unicode output.
pub fn human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diag in diags {
        let report = MietteView::new(diag, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!(
                "{}: {}\n",
                diag.code.as_str(),
                terminal_text(&diag.message)
            ));
        }
    }
    out
}

/// A one-line summary such as `2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().filter(|d| d.level == Level::Warning).count();
    let notes = diags.iter().filter(|d| d.level == Level::Note).count();
    let acknowledged = diags.iter().filter(|d| d.acknowledged.is_some()).count();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if acknowledged > 0 {
        out.push_str(&format!(" ({acknowledged} acknowledged)"));
    }
    if notes > 0 {
        out.push_str(&format!(", {}", plural(notes, "note")));
    }
    out
}

/// The JSON document printed by `--format json`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// One diagnostic in JSON, with 1-based line/column positions.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// Stable code.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: Level,
    /// Summary.
    pub message: String,
    /// File path.
    pub file: Option<String>,
    /// Start line.
    pub line: Option<usize>,
    /// Start column (characters).
    pub column: Option<usize>,
    /// End line.
    pub end_line: Option<usize>,
    /// End column (exclusive).
    pub end_column: Option<usize>,
    /// Label on the primary span.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Further places.
    pub related: Vec<JsonLocation>,
    /// The spec's reason when the warning is acknowledged (`allow:`); such warnings do
    /// not fail `--deny-warnings`.
    pub acknowledged: Option<String>,
}

/// A secondary location.
#[derive(Debug, Serialize)]
pub struct JsonLocation {
    /// File path.
    pub file: String,
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
    /// What it shows.
    pub message: String,
}

impl JsonReport {
    /// A report of one diagnostic that has no place in a spec (e.g. a stale output file).
    pub fn single(code: Code, severity: Level, message: String, file: Option<String>) -> Self {
        let errors = usize::from(severity == Level::Error);
        JsonReport {
            errors,
            warnings: 1 - errors,
            diagnostics: vec![JsonDiagnostic {
                code: code.as_str(),
                severity,
                message: terminal_text(&message),
                file: file.map(|f| terminal_text(&f)),
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                label: None,
                help: None,
                related: Vec::new(),
                acknowledged: None,
            }],
        }
    }
}

/// Builds the JSON report of `diags`. Texts pass through [`terminal_text`] as in the
/// human output: JSON reports are printed into CI logs too.
pub fn json(diags: &[Diagnostic], sources: &SourceMap) -> JsonReport {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    JsonReport {
        errors,
        warnings: diags.iter().filter(|d| d.level == Level::Warning).count(),
        diagnostics: diags
            .iter()
            .map(|d| {
                let start = d.primary.as_ref().map(|l| sources.line_col(l.span));
                let end = d.primary.as_ref().map(|l| sources.end_line_col(l.span));
                JsonDiagnostic {
                    code: d.code.as_str(),
                    severity: d.level,
                    message: terminal_text(&d.message),
                    file: d
                        .primary
                        .as_ref()
                        .map(|l| sources.get(l.span.file).path.clone())
                        .or_else(|| d.path.clone()),
                    line: start.map(|p| p.line),
                    column: start.map(|p| p.column),
                    end_line: end.map(|p| p.line),
                    end_column: end.map(|p| p.column),
                    label: d.primary.as_ref().map(|l| terminal_text(&l.message)),
                    help: d.help.as_deref().map(terminal_text),
                    related: d
                        .secondary
                        .iter()
                        .map(|l| {
                            let p = sources.line_col(l.span);
                            JsonLocation {
                                file: sources.get(l.span.file).path.clone(),
                                line: p.line,
                                column: p.column,
                                message: terminal_text(&l.message),
                            }
                        })
                        .collect(),
                    acknowledged: d.acknowledged.as_deref().map(terminal_text),
                }
            })
            .collect(),
    }
}

/// Adapts a [`Diagnostic`] to miette for graphical rendering: the source is a bounded,
/// terminal-safe [`Excerpt`], all text is passed through [`terminal_text`], and labels in
/// other files (or outside the excerpt) are turned into notes with their position.
struct MietteView {
    message: String,
    code: &'static str,
    level: Level,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
}

impl MietteView {
    fn new(diag: &Diagnostic, sources: &SourceMap) -> Self {
        let mut notes: Vec<String> = diag.help.iter().cloned().collect();
        if let Some(reason) = &diag.acknowledged {
            notes.insert(0, format!("acknowledged in the spec: {reason}"));
        }
        let mut labels = Vec::new();
        let mut source = None;
        if let Some(primary) = &diag.primary {
            let file = sources.get(primary.span.file);
            let same_file: Vec<_> = std::iter::once(primary)
                .chain(&diag.secondary)
                .filter(|l| l.span.file == primary.span.file)
                .map(|l| (l.span.start, l.span.len))
                .collect();
            let excerpt = Excerpt::new(&file.path, file.text.clone(), &same_file);
            for (i, l) in std::iter::once(primary).chain(&diag.secondary).enumerate() {
                let shown = (l.span.file == primary.span.file)
                    .then(|| excerpt.span(l.span.start, l.span.len))
                    .flatten();
                match shown {
                    Some(span) if i == 0 => labels.push(LabeledSpan::new_primary_with_span(
                        Some(terminal_text(&l.message)),
                        span,
                    )),
                    Some(span) => labels.push(LabeledSpan::new_with_span(
                        Some(terminal_text(&l.message)),
                        span,
                    )),
                    None => {
                        let p = sources.line_col(l.span);
                        notes.push(format!(
                            "{}: {}:{}:{}",
                            l.message,
                            sources.get(l.span.file).path,
                            p.line,
                            p.column
                        ));
                    }
                }
            }
            source = Some(excerpt);
        }
        let message = match (&diag.primary, &diag.path) {
            (None, Some(path)) => format!("{path}: {}", diag.message),
            _ => diag.message.clone(),
        };
        MietteView {
            message: terminal_text(&message),
            code: diag.code.as_str(),
            level: diag.level,
            help: (!notes.is_empty()).then(|| terminal_text(&notes.join("\n"))),
            source,
            labels,
        }
    }
}

impl fmt::Debug for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
            Level::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
