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
        .map(|l| Span::from_location(file, &l))
        .filter(|s| s.start <= text.len())
        .unwrap_or(Span::new(file, 0, 0));
    let message = first_line(&err.without_snippet().to_string());
    match err {
        serde_saphyr::Error::DuplicateMappingKey { .. } => Diagnostic::error(
            Code::YamlDuplicateKey,
            span,
            message,
            "this key was already given",
        )
        .with_help("remove one of the two entries; YAML mappings cannot repeat a key"),
        serde_saphyr::Error::Budget { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => Diagnostic::error(
            Code::YamlLimits,
            span,
            format!("document exceeds the parser's limits: {message}"),
            "limit reached here",
        )
        .with_help("spec files are small; split the spec or remove deep nesting and alias chains"),
        serde_saphyr::Error::MergeKeyNotAllowed { .. } => Diagnostic::error(
            Code::YamlSyntax,
            span,
            message,
            "merge keys are not allowed",
        )
        .with_help("write the keys out; `<<` merge keys are a YAML 1.1 feature that hides values"),
        _ => Diagnostic::error(
            Code::YamlSyntax,
            span,
            format!("invalid YAML: {message}"),
            "here",
        )
        .with_help("check indentation, quoting and that every `key:` is followed by a space"),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}
