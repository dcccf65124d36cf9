//! Names shared across backends: runbook files and anchors that every alert links to.
//!
//! Anchors are stable identifiers built from identifiers (which are already lowercase
//! slugs), so they survive Markdown renderers and are safe in URLs.
//!
//! Uniqueness: identifiers match `^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$`, so they may contain `-`
//! but never `.`. Anchors made of several identifiers therefore start with a kind word
//! (`alert`, `error`, `failing`, `exclusion`) and separate every component with `.`:
//! two anchors are equal only if they have the same kind and the same components.
//! `slo-{name}` and `journey-{name}` hold a single identifier after a prefix no other
//! anchor (including the runbook's fixed section anchors) starts with, and SLO and journey
//! names are unique in a service, so they keep their original, shorter form.

use crate::model::{BurnRateAlert, Exclusion, Service, Slo};

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

/// Anchor of an exclusion window's entry in the runbook. A journey-level window is keyed
/// by its journey (one entry shared by the journey's SLOs, whatever `owner` is); an
/// SLO-level window by `owner`, the SLO that declares it.
pub fn exclusion_anchor(owner: &str, exclusion: &Exclusion) -> String {
    match &exclusion.journey {
        Some(journey) => format!("exclusion.journey.{journey}.{}", exclusion.name),
        None => format!("exclusion.slo.{owner}.{}", exclusion.name),
    }
}

/// Anchor of a burn-rate alert's catalogue entry (shared by every backend that implements
/// the same policy row).
pub fn burn_alert_anchor(slo: &Slo, alert: &BurnRateAlert) -> String {
    format!("alert.{}.{}", slo.name, alert.id())
}

/// Anchor of a band alert's catalogue entry (`yellow` or `red`).
pub fn band_alert_anchor(slo: &Slo, band: &str) -> String {
    format!("alert.{}.band-{band}", slo.name)
}

/// Anchor of a known error's catalogue entry (Sentry issue alerts).
pub fn known_error_anchor(journey: &str, step: &str, error: &str) -> String {
    format!("error.{journey}.{step}.{error}")
}

/// Anchor of a step's whole-step failure catalogue entry (Sentry issue alerts).
pub fn step_failure_anchor(journey: &str, step: &str) -> String {
    format!("failing.{journey}.{step}")
}

/// The Grafana dashboard uid of service `name` (a service, or `overview`): `sloxide-<name>` within
/// Grafana's 40 characters, the name cut and followed by a hash of it when longer, so
/// uids are stable across builds and distinct for distinct names.
pub fn dashboard_uid(name: &str) -> String {
    let full = format!("sloxide-{name}");
    if full.len() <= 40 {
        return full;
    }
    // FNV-1a, 64 bits: stable across platforms and Rust versions. The `H` and the
    // uppercase hex cannot occur in a service name, so a cut uid never equals an uncut
    // one; two names whose cut uids collide are refused by the Grafana backend.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("sloxide-{}-H{:014X}", &name[..16], hash >> 8)
}

/// The uid of the overview dashboard: uppercase, so no service's uid can equal it.
pub const OVERVIEW_UID: &str = "sloxide-OVERVIEW";

/// The address of `service`'s Grafana dashboard, when its `grafana_url` is set.
pub fn dashboard_url(service: &Service) -> Option<String> {
    service
        .grafana_url
        .as_ref()
        .map(|base| format!("{base}/d/{}", dashboard_uid(&service.name)))
}

/// URL of `anchor` in the service's published runbook; a path relative to the output
/// directory when no `runbook_base_url` is set.
pub fn runbook_url(service: &Service, anchor: &str) -> String {
    match &service.runbook_base_url {
        Some(base) => format!("{base}/{}.md#{anchor}", service.name),
        None => format!("{}#{anchor}", runbook_path(service)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_uids_fit_grafana_and_stay_distinct() {
        assert_eq!(dashboard_uid("payments"), "sloxide-payments");
        let long = "a".repeat(63);
        let other = format!("{}b", "a".repeat(62));
        assert_eq!(dashboard_uid(&long).len(), 40);
        assert_ne!(dashboard_uid(&long), dashboard_uid(&other));
        assert_eq!(dashboard_uid(&long), dashboard_uid(&long));
        // A cut uid carries an uppercase `H`, which no service name (and so no uncut
        // uid) has; the overview's uid is uppercase too.
        assert!(dashboard_uid(&long).contains("-H"));
        assert_ne!(dashboard_uid("overview"), OVERVIEW_UID);
    }
}
