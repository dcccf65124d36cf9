//! The groups shared by every SLO of a build (in `prometheus/sloxide.windows.rules.yml`).
//!
//! Prometheus pays for every rule on each evaluation (it prints and parses the
//! expression, and each selector opens every block its range touches) about as much for
//! one series as for a few hundred, so the window counts are not per SLO.
//! `sloxide:windows` (every 30 s) counts each window once for every SLO of the services
//! that need it, from the running totals the SLOs' own groups record (a window reaching
//! back past the head block reads the totals at its start in a rule of its own, so the
//! rule reading the totals now stays in the head); one rule turns every count into an
//! error ratio, and one per pair of alert windows keeps the smaller ratio of the two
//! (what a burn-rate alert compares with its threshold). `sloxide:budget` (every 3
//! minutes) publishes the ratios under their per-window names, checkpoints the totals
//! hourly and says where each total resumes after a long gap (the only read that
//! reaches back weeks, once for all SLOs). The
//! selectors name this build's services, so builds from other repositories in the same
//! Prometheus keep their own groups.

use std::collections::{BTreeMap, BTreeSet};

use super::counts::{self, Count, Pair};
use super::promql::Source;
use super::recording::{self, WINDOW_RATIO, record};
use super::rules::{Group, Rule};
use super::windows;
use crate::model::{Duration, Service, Slo};
use crate::validate::promql::quote;

/// Name of the shared window group.
pub const GROUP: &str = "sloxide:windows";
/// Name of the shared budget group (the per-window ratios under their public names).
pub const BUDGET_GROUP: &str = "sloxide:budget";
/// Path of the shared rule file without its extension (`.rules.yml`,
/// `.prometheusrule.yml`); no service name can contain a `.`, so it never collides
/// with a service's file.
pub const BASE: &str = "prometheus/sloxide.windows";

/// `{service=~"a|b"}`: a selector body matching the series of `services`.
fn services_matcher<'a>(services: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = services.into_iter().collect();
    format!("{{service=~{}}}", quote(&names.join("|")))
}

/// The smaller error ratio of windows `long` and `short` of every SLO `selector` selects
/// that has a number for both (a window without events has none, so its SLO is left out,
/// as a comparison of each window with the threshold would leave it out).
fn pair_min(long: Duration, short: Duration, selector: &str) -> String {
    let inner = selector.trim_start_matches('{').trim_end_matches('}');
    let both = format!(
        "{WINDOW_RATIO}{{{inner},window=~\"{}|{}\"}}",
        long.to_prom(),
        short.to_prom()
    );
    format!("min without(window) ({both})\nand\ncount without(window) ({both} >= 0) == 2")
}

/// The shared groups for the SLOs of `slos` (each with its service): the window group and
/// the budget group; none when the build has no SLO with a Prometheus source.
pub fn groups(slos: &[(&Service, &Slo)]) -> Vec<Group> {
    if slos.is_empty() {
        return Vec::new();
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
    let mut rules: Vec<Rule> = Vec::new();
    for (w, services) in &by_window {
        let labels = BTreeMap::from([("window".to_owned(), w.to_prom())]);
        let sel = services_matcher(services.iter().copied());
        if windows::starts_outside_head(*w) {
            rules.push(record(
                counts::WINDOW_START,
                counts::start(*w, &sel),
                &labels,
            ));
            rules.push(record(
                counts::WINDOW,
                counts::window_from_recorded_start(*w, &sel),
                &labels,
            ));
        } else {
            rules.push(record(counts::WINDOW, counts::window(*w, &sel), &labels));
        }
    }
    let pairs: BTreeSet<Pair> = slos
        .iter()
        .filter_map(|(_, slo)| Source::of(&slo.sli.kind))
        .map(|s| s.pair())
        .collect();
    let ratio: Vec<String> = pairs.iter().map(|p| p.error_ratio(&all)).collect();
    rules.push(record(WINDOW_RATIO, ratio.join("\nor\n"), &BTreeMap::new()));
    let mut by_pair: BTreeMap<(Duration, Duration), BTreeSet<&str>> = BTreeMap::new();
    for (service, slo) in slos {
        for a in windows::alerts(slo) {
            by_pair
                .entry((a.long_window, a.short_window))
                .or_default()
                .insert(&service.name);
        }
    }
    for ((long, short), services) in &by_pair {
        let sel = services_matcher(services.iter().copied());
        rules.push(record(
            &recording::pair_min(*long, *short),
            pair_min(*long, *short, &sel),
            &BTreeMap::new(),
        ));
    }
    let mut budget: Vec<Rule> = by_window
        .iter()
        .map(|(w, services)| {
            let sel = recording::window_matchers(&services_matcher(services.iter().copied()), *w);
            record(
                &recording::ratio(*w),
                format!("max without(window) ({WINDOW_RATIO}{sel})"),
                &BTreeMap::new(),
            )
        })
        .collect();
    budget.push(record(
        counts::CHECKPOINT,
        counts::checkpoint(&all, windows::BUDGET_STEP),
        &BTreeMap::new(),
    ));
    let seeds: BTreeSet<Count> = pairs.iter().flat_map(|p| p.counts()).collect();
    budget.push(record(
        counts::RESUME,
        counts::resume(&all, &seeds.into_iter().collect::<Vec<_>>()),
        &BTreeMap::new(),
    ));
    vec![
        Group {
            name: GROUP.to_owned(),
            interval: windows::STEP.to_prom(),
            rules,
        },
        Group {
            name: BUDGET_GROUP.to_owned(),
            interval: windows::BUDGET_STEP.to_prom(),
            rules: budget,
        },
    ]
}
