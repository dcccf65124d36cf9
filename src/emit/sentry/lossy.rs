//! What Sentry rules cannot express of the spec: each item becomes a
//! `sloxide::build::lossy` warning, a `lossy` entry of the service manifest and a line in
//! the runbook.

use std::collections::BTreeMap;

use super::plan::{self, RuleKind, Source};
use crate::emit::{Lossy, Target};
use crate::model::{NotifyTarget, Service, Severity, SliKind, Slo};

/// The losses of `service`'s Sentry rules.
pub fn lossy(service: &Service) -> Vec<Lossy> {
    let item = |slo: Option<&Slo>, what: String| Lossy {
        target: Target::Sentry,
        service: service.name.clone(),
        slo: slo.map(|s| s.name.clone()),
        what,
    };
    // The window each policy row is really evaluated over: the window of the rule that
    // carries it (a paired ticket row shares its page row's rule).
    let rules = plan::plan(service, &mut Vec::new()).rules;
    let mut windows: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for rule in &rules {
        if let (Source::Slo { slo, alerts }, RuleKind::Metric(m)) = (&rule.source, &rule.kind) {
            for id in alerts {
                windows.insert((slo, id), m.window_minutes);
            }
        }
    }
    let mut out = Vec::new();
    let mut any = false;
    for slo in &service.slos {
        if plan::sentry_source(slo).is_none() {
            continue;
        }
        any = true;
        let latency = matches!(slo.sli.kind, SliKind::Latency { .. });
        for row in &slo.alerting.alerts {
            let id = row.id();
            let Some(&minutes) = windows.get(&(slo.name.as_str(), id.as_str())) else {
                out.push(item(
                    Some(slo),
                    format!("{id}: no Sentry rule (its threshold can never be reached by the SLI Sentry measures)"),
                ));
                continue;
            };
            let mut what = format!(
                "{id}: evaluated over {minutes} min only; the short window {} is not (a Sentry rule has one window, so the alert resets only when the whole window recovers)",
                row.short_window
            );
            let long = row.long_window.secs();
            if u64::from(minutes) * 60 != long {
                let why = if u64::from(minutes) == long / 60 {
                    "Sentry windows are whole minutes"
                } else if minutes == plan::MAX_WINDOW_MINUTES && long > 60 * u64::from(minutes) {
                    "the longest window Sentry accepts"
                } else {
                    "this ticket row shares the rule of its page row"
                };
                what.push_str(&format!(
                    "; the long window {} becomes {minutes} min ({why})",
                    row.long_window
                ));
            }
            if latency && row.burn_rate != rust_decimal::Decimal::ONE {
                what.push_str(&format!(
                    "; a percentile rule fires when the window misses the objective (burn rate 1), not at {}x",
                    row.burn_rate.normalize()
                ));
            }
            out.push(item(Some(slo), what));
        }
        if let Some(min) = slo.alerting.min_events {
            out.push(item(
                Some(slo),
                format!(
                    "min_events {min} is not evaluated: Sentry rules have no low-traffic guard"
                ),
            ));
        }
        if !slo.exclusions.is_empty() {
            let names: Vec<&str> = slo.exclusions.iter().map(|e| e.name.as_str()).collect();
            out.push(item(
                Some(slo),
                format!(
                    "exclusion windows ({}) are not applied: Sentry alerts during them too",
                    names.join(", ")
                ),
            ));
        }
    }
    let steps = service
        .journeys
        .iter()
        .flat_map(|j| &j.steps)
        .any(|s| s.sentry.is_some());
    if any || steps {
        for severity in [Severity::Page, Severity::Ticket] {
            let key = severity_key(severity);
            for target in service.notify.for_severity(severity) {
                let what = match target {
                    NotifyTarget::Webhook(url) => format!(
                        "notify.{key} webhook {url}: Sentry has no plain-webhook action, so Sentry rules do not notify it"
                    ),
                    // The email action takes a user, a team or the issue owners, by id
                    // (email_handler.py; legacy NotifyEmailAction: Member/Team/IssueOwners).
                    NotifyTarget::Email(address) => format!(
                        "notify.{key} e-mail {address}: Sentry e-mails only its members, teams and issue owners, so the rules e-mail the member `${{user:{address}}}` (replace it with that member's user id); an address that is not a Sentry member, such as a mailing list, is not notified by Sentry"
                    ),
                    NotifyTarget::Pagerduty(_) | NotifyTarget::Slack(_) => continue,
                };
                out.push(item(None, what));
            }
        }
    }
    out
}

fn severity_key(severity: Severity) -> &'static str {
    match severity {
        Severity::Page => "page",
        Severity::Ticket => "ticket",
    }
}
