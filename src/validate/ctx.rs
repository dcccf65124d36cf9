//! The validation context: the file being checked and the diagnostics collected so far.

use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span, Spanned};

/// Collects diagnostics for one spec file. Spans read by serde carry file 0; the context
/// puts the right file on every span it reports.
pub struct Ctx<'a> {
    /// File being validated.
    pub file: FileId,
    /// The policy of this run.
    pub policy: super::Policy,
    /// The file's text, for reading a value exactly as written.
    pub text: std::sync::Arc<str>,
    diags: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// A context for `file` that appends to `diags`, under the default policy.
    pub fn new(file: FileId, diags: &'a mut Vec<Diagnostic>) -> Self {
        Ctx {
            file,
            policy: super::Policy::default(),
            text: std::sync::Arc::from(""),
            diags,
        }
    }

    /// The source text of `span` (empty when the span is outside the file's text).
    pub fn source(&self, span: Span) -> &str {
        self.text
            .get(span.start..span.start + span.len)
            .unwrap_or_default()
    }

    /// `span` placed in this context's file.
    pub fn at(&self, span: Span) -> Span {
        Span {
            file: self.file,
            ..span
        }
    }

    /// The span of `value` in this file.
    pub fn span<T>(&self, value: &Spanned<T>) -> Span {
        self.at(value.span)
    }

    /// Reports an error at `span` with a label and a help line.
    pub fn error(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error(code, self.at(span), message, label).with_help(help);
        self.diags.push(d);
    }

    /// Reports a diagnostic built by the caller (spans already in this file).
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reports a warning at `span` with a label and a help line.
    pub fn warning(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.warning_acknowledged(code, span, message, label, help, None);
    }

    /// Reports a warning that `allow:` may have acknowledged with `reason`.
    pub fn warning_acknowledged(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
        reason: Option<&str>,
    ) {
        let d = Diagnostic::warning(code, self.at(span), message, label)
            .with_help(help)
            .acknowledged(reason);
        self.diags.push(d);
    }

    /// Reports every name in `names` that repeats an earlier one, labelling both.
    pub fn unique_names<'n, I>(&mut self, kind: &str, names: I)
    where
        I: IntoIterator<Item = &'n Spanned<crate::spec::Ident>>,
    {
        let mut seen: Vec<&Spanned<crate::spec::Ident>> = Vec::new();
        for name in names {
            if let Some(first) = seen.iter().find(|n| n.value == name.value) {
                let d = Diagnostic::error(
                    Code::NameDuplicate,
                    self.span(name),
                    format!("{kind} `{}` is defined twice", name.value.0),
                    "second definition",
                )
                .with_label(self.span(first), "first defined here")
                .with_help(format!("rename one of them; {kind} names must be unique"));
                self.diags.push(d);
            } else {
                seen.push(name);
            }
        }
    }

    /// Reports an unknown reference to a `kind` called `name`, suggesting the closest of
    /// `known`.
    pub fn unknown_ref(
        &mut self,
        kind: &str,
        name: &Spanned<crate::spec::Ident>,
        known: &[String],
    ) {
        let help = match crate::load::schema::closest(&name.value.0, known) {
            Some(best) => format!("did you mean `{best}`?"),
            None if known.is_empty() => format!("no {kind} is defined in this spec"),
            None => format!("defined {kind}s: {}", known.join(", ")),
        };
        self.error(
            Code::RefUnknown,
            name.span,
            format!("unknown {kind} `{}`", name.value.0),
            format!("no {kind} has this name"),
            help,
        );
    }
}
