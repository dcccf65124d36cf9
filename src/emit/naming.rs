//! Names shared across backends: runbook files and anchors that every alert links to.
//!
//! Anchors are stable identifiers built from identifiers (which are already lowercase
//! slugs), so they survive Markdown renderers and are safe in URLs.

use crate::model::{BurnRateAlert, Service, Slo};

/// Path of a service's runbook in the output directory.
pub fn runbook_path(service: &Service) -> String {
    format!("runbook/{}.md", service.name)
}

/// Anchor of an SLO's section in the runbook.
pub fn slo_anchor(slo: &Slo) -> String {
    format!("slo-{}", slo.name)
}

/// Anchor of a journey's section in the runbook.
pub fn journey_anchor(journey: &str) -> String {
    format!("journey-{journey}")
}

/// Anchor of an exclusion window's entry in the runbook.
pub fn exclusion_anchor(exclusion: &str) -> String {
    format!("exclusion-{exclusion}")
}

/// Anchor of a burn-rate alert's catalogue entry (shared by every backend that implements
/// the same policy row).
pub fn burn_alert_anchor(slo: &Slo, alert: &BurnRateAlert) -> String {
    format!("alert-{}-{}", slo.name, alert.id())
}

/// Anchor of a band alert's catalogue entry (`yellow` or `red`).
pub fn band_alert_anchor(slo: &Slo, band: &str) -> String {
    format!("alert-{}-band-{band}", slo.name)
}

/// Anchor of a known error's catalogue entry (Sentry issue alerts).
pub fn known_error_anchor(journey: &str, step: &str, error: &str) -> String {
    format!("alert-{journey}-{step}-{error}")
}

/// Anchor of a step's whole-step failure catalogue entry (Sentry issue alerts).
pub fn step_failure_anchor(journey: &str, step: &str) -> String {
    format!("alert-{journey}-{step}-failing")
}

/// URL of `anchor` in the service's published runbook; a path relative to the output
/// directory when no `runbook_base_url` is set.
pub fn runbook_url(service: &Service, anchor: &str) -> String {
    match &service.runbook_base_url {
        Some(base) => format!("{base}/{}.md#{anchor}", service.name),
        None => format!("{}#{anchor}", runbook_path(service)),
    }
}
