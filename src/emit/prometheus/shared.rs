//! The window group shared by every SLO of a build (`sloxide:windows`, in
//! `prometheus/sloxide.windows.rules.yml`).
//!
//! Prometheus pays for every rule and every selector on each evaluation about as much
//! for one series as for a few hundred, so the window counts are not per SLO: one rule
//! per window counts it for every SLO of the services that need it, from the running
//! totals the SLOs' own groups record; one rule turns every count into an error ratio;
//! one rule checkpoints the totals hourly and one says where each total resumes after a
//! long gap (the only read that reaches back weeks, once for all SLOs). The selectors
//! name this build's services, so builds from other repositories in the same Prometheus
//! keep their own groups.

use std::collections::{BTreeMap, BTreeSet};

use super::counts::{self, COUNT_LABEL, Count};
use super::recording::{WINDOW_RATIO, record};
use super::rules::{Group, Rule};
use super::windows;
use crate::model::{Duration, Service, Slo};
use crate::validate::promql::quote;

/// Name of the shared group.
pub const GROUP: &str = "sloxide:windows";
/// Path of the shared rule file without its extension (`.rules.yml`,
/// `.prometheusrule.yml`); no service name can contain a `.`, so it never collides
/// with a service's file.
pub const BASE: &str = "prometheus/sloxide.windows";

/// `{service=~"a|b"}`: a selector body matching the series of `services`.
fn services_matcher<'a>(services: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = services.into_iter().collect();
    format!("{{service=~{}}}", quote(&names.join("|")))
}

/// The shared group for the SLOs of `slos` (each with its service), or `None` when the
/// build has none with a Prometheus source.
pub fn group(slos: &[(&Service, &Slo)]) -> Option<Group> {
    if slos.is_empty() {
        return None;
    }
    let mut by_window: BTreeMap<Duration, BTreeSet<&str>> = BTreeMap::new();
    for (service, slo) in slos {
        for w in windows::needed(slo) {
            by_window.entry(w).or_default().insert(&service.name);
        }
    }
    let all = services_matcher(
        slos.iter()
            .map(|(s, _)| s.name.as_str())
            .collect::<BTreeSet<_>>(),
    );
    let mut rules: Vec<Rule> = by_window
        .iter()
        .map(|(w, services)| {
            let labels = BTreeMap::from([("window".to_owned(), w.to_prom())]);
            record(
                counts::WINDOW,
                counts::window(*w, &services_matcher(services.iter().copied())),
                &labels,
            )
        })
        .collect();
    rules.push(record(
        WINDOW_RATIO,
        format!(
            "{w}{}\n/ ignoring({COUNT_LABEL})\n{w}{}",
            counts::only(&all, Count::Errors),
            counts::only(&all, Count::Events),
            w = counts::WINDOW
        ),
        &BTreeMap::new(),
    ));
    rules.push(record(
        counts::CHECKPOINT,
        counts::checkpoint(&all),
        &BTreeMap::new(),
    ));
    rules.push(record(
        counts::RESUME,
        counts::resume(&all),
        &BTreeMap::new(),
    ));
    Some(Group {
        name: GROUP.to_owned(),
        interval: windows::STEP.to_prom(),
        rules,
    })
}
