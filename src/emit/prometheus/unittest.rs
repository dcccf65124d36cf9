//! promtool unit tests generated from the model (`--emit-tests`).

use serde::Serialize;

use super::rules::RuleFile;
use crate::model::{Service, Slo};

/// A promtool unit-test file.
#[derive(Debug, Serialize)]
pub struct TestFile {
    rule_files: Vec<String>,
}

/// The unit tests of `slos` of `service` against `file` (named `rules_path`).
pub fn tests(_service: &Service, _slos: &[&Slo], _file: &RuleFile, rules_path: &str) -> TestFile {
    TestFile {
        rule_files: vec![rules_path.to_owned()],
    }
}
