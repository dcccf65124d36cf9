//! Diagnostics as data: a stable code, a level, a message, labels on spans and a help
//! line. Rendering (human via miette, JSON) lives in [`render`].

pub mod ci;
mod code;
mod excerpt;
pub mod render;

pub use code::Code;

use crate::span::Span;

/// Whether a diagnostic fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The spec is wrong; nothing is generated.
    Error,
    /// Probably a mistake; fatal with `--deny-warnings`.
    Warning,
    /// For information (e.g. a file that is not a spec was skipped); never fatal.
    Note,
}

/// A label: a message attached to a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// One problem found in the specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `sloxide::ref::unknown`.
    pub code: Code,
    /// Error or warning.
    pub level: Level,
    /// One-line summary.
    pub message: String,
    /// The exact value at fault (absent only for problems without a place, e.g. I/O).
    pub primary: Option<Label>,
    /// Further places that explain the problem (e.g. the first definition of a duplicate).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// File the diagnostic belongs to when it has no span (e.g. an unreadable file).
    pub path: Option<String>,
    /// The reason given in the spec's `allow:` when this warning is acknowledged: it is
    /// still shown, but does not fail `--deny-warnings`.
    pub acknowledged: Option<String>,
}

impl Diagnostic {
    /// An error with `code` and `message` at `span`, labelled `label`.
    pub fn error(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self::new(Level::Error, code, span, message, label)
    }

    /// A warning with `code` and `message` at `span`, labelled `label`.
    pub fn warning(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self::new(Level::Warning, code, span, message, label)
    }

    fn new(
        level: Level,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            level,
            message: message.into(),
            primary: Some(Label {
                span,
                message: label.into(),
            }),
            secondary: Vec::new(),
            help: None,
            path: None,
            acknowledged: None,
        }
    }

    /// An error about a whole file or the run, without a span.
    pub fn unplaced(code: Code, path: Option<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: Level::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            path,
            acknowledged: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Marks this warning acknowledged with `reason` (from `allow:`).
    pub fn acknowledged(mut self, reason: Option<&str>) -> Self {
        self.acknowledged = reason.map(str::to_string);
        self
    }

    /// Whether this diagnostic fails the run under `--deny-warnings`: an error, or a
    /// warning nobody acknowledged (never a note).
    pub fn fails_strict(&self) -> bool {
        match self.level {
            Level::Error => true,
            Level::Warning => self.acknowledged.is_none(),
            Level::Note => false,
        }
    }

    /// Whether this diagnostic is an error.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Sorts diagnostics by file, position, then code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.primary.as_ref().map(|l| (l.span.file, l.span.start)),
                d.code,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}
