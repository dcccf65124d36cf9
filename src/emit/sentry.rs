//! The sentry backend (not implemented yet: it reports itself unavailable).

use super::{CatalogueEntry, Emitted, Options, Target};
use crate::model::{Model, Service};

/// Emits sentry files for every SLO that has a source for it.
pub fn emit(_model: &Model, _options: &Options, out: &mut Emitted) {
    out.unavailable.push(Target::Sentry);
}

/// The alerts this backend emits for `service`.
pub fn catalogue(_service: &Service, _options: &Options) -> Vec<CatalogueEntry> {
    Vec::new()
}
