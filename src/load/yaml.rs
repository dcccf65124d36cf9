//! Parsing YAML with serde-saphyr under strict options and limits, and turning its
//! errors into diagnostics.

use serde::de::DeserializeOwned;
use serde_saphyr::{DuplicateKeyPolicy, MergeKeyPolicy, Options};

use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// Largest spec file accepted, in bytes. Real specs are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Parser options for spec files: YAML 1.2 booleans only, duplicate keys and merge keys
/// rejected, unknown tags rejected, numbers with leading zeros kept as text, and tight
/// budgets against alias bombs and pathological nesting.
pub fn options() -> Options {
    serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: DuplicateKeyPolicy::Error,
        merge_keys: MergeKeyPolicy::Error,
        reject_unsupported_tags: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_nodes: 50_000,
            max_depth: 48,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_events: 200_000,
        },
    }
}

/// Parses `text` as a `T`, or returns the parser's error as a diagnostic in `file`.
pub fn parse<T: DeserializeOwned>(file: FileId, text: &str) -> Result<T, Box<Diagnostic>> {
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|e| Box::new(to_diagnostic(file, text, &e)))
}

fn to_diagnostic(file: FileId, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let span = err
        .location()
        .and_then(|l| locate(file, text, &l))
        .unwrap_or(Span::new(file, 0, 0));
    let message = first_line(&err.without_snippet().to_string());
    match original(err) {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => Diagnostic::error(
            Code::YamlDuplicateKey,
            span,
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_owned(),
            },
            "this key was already given",
        )
        .with_help("remove one of the two entries; YAML mappings cannot repeat a key"),
        serde_saphyr::Error::Budget { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => limits(span, &message),
        // The scanner's own nesting guard (deep flow collections) has no variant of its
        // own; it is a limit, not a syntax mistake.
        serde_saphyr::Error::ExternalMessage { msg, .. } if msg.contains("recursion limit") => {
            limits(span, &message)
        }
        serde_saphyr::Error::MergeKeyNotAllowed { .. } => Diagnostic::error(
            Code::YamlSyntax,
            span,
            "merge keys (`<<`) are not allowed in specs",
            "merge keys are not allowed",
        )
        .with_help("write the keys out; `<<` merge keys are a YAML 1.1 feature that hides values"),
        _ if message.contains("tab") => match indentation_tab(file, text, span) {
            // The scanner reports a tab where the token before it ended, often the end of
            // the previous line: point at the tab itself.
            Some(tab) => Diagnostic::error(
                Code::YamlSyntax,
                tab,
                "a tab in the indentation: YAML indents with spaces only",
                "tab",
            )
            .with_help("replace the tab with spaces (the same number as the sibling keys use)"),
            None => syntax(span, &message),
        },
        _ => syntax(span, &message),
    }
}

fn syntax(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(
        Code::YamlSyntax,
        span,
        format!("invalid YAML: {message}"),
        "here",
    )
    .with_help("check indentation, quoting and that every `key:` is followed by a space")
}

/// The first tab in the leading whitespace of a line at or after `near`, within a few
/// lines.
fn indentation_tab(file: FileId, text: &str, near: Span) -> Option<Span> {
    let line_start = text[..near.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let mut offset = line_start;
    for line in text[line_start..].split_inclusive('\n').take(4) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent].find('\t') {
            return Some(Span::new(file, offset + i, 1));
        }
        offset += line.len();
    }
    None
}

fn limits(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(
        Code::YamlLimits,
        span,
        format!("document exceeds the parser's limits: {message}"),
        "limit reached here",
    )
    .with_help("spec files are small; split the spec or remove deep nesting and alias chains")
}

/// The error inside snippet and alias wrappers, which decides the diagnostic code.
fn original(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::WithSnippet { error, .. }
    | serde_saphyr::Error::AliasError { error, .. } = err
    {
        err = error;
    }
    err
}

/// The span of a parser location in `text`. Scanner errors carry only a line and column
/// (no byte offset); those are converted so the label still sits where the parser stopped.
fn locate(file: FileId, text: &str, loc: &serde_saphyr::Location) -> Option<Span> {
    if loc.span().byte_offset().is_some() {
        return Some(Span::from_location(file, loc)).filter(|s| s.start <= text.len());
    }
    let (line, column) = (
        usize::try_from(loc.line()).ok()?,
        usize::try_from(loc.column()).ok()?,
    );
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_text = text[line_start..].split('\n').next().unwrap_or_default();
    let offset = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    Some(Span::new(file, line_start + offset, 0))
}

/// The first line of a parser message, without the trailing `at line L, column C` that
/// the diagnostic shows as its position anyway.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    match line.find(" at line ") {
        Some(i) if line[i..].contains(", column ") => line[..i].trim_end().to_owned(),
        _ => line.to_owned(),
    }
}
