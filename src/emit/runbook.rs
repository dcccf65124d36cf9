//! The runbook backend (not implemented yet: it reports itself unavailable).

use super::{Emitted, Options, Target};
use crate::model::Model;

/// Emits runbook files for every SLO that has a source for it.
pub fn emit(_model: &Model, _options: &Options, out: &mut Emitted) {
    out.unavailable.push(Target::Runbook);
}
