//! sloxide compiles SLO specs (YAML, `apiVersion: sloxide/v1`) into monitoring
//! configuration.
//!
//! # Pipeline
//! 1. **Load** ([`load`]): find spec files, parse YAML with spans (serde-saphyr, strict
//!    YAML 1.2, limits), check structure against the JSON Schema in `schema/`, read the
//!    typed [`spec::Spec`].
//! 2. **Validate and resolve** ([`validate`]): semantic checks across all files
//!    (references, objectives, bands, windows, time zones, alert policies) producing
//!    [`diag::Diagnostic`]s, and the resolved [`model::Model`].
//! 3. **Emit** ([`emit`]): one module per backend turns the model into files.
//! 4. **Write** ([`output`]): atomic, deterministic writes that never touch files
//!    sloxide does not own; `--check` compares instead of writing.

pub mod cli;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod fsguard;
pub mod load;
pub mod model;
pub mod output;
pub mod source;
pub mod span;
pub mod spec;
pub mod validate;
