//! Sentry-specific checks: project slugs (they become file paths and API paths) and the
//! queries that issue alerts turn into per-field filters.

use super::ctx::Ctx;
use crate::diag::Code;
use crate::model::{ImpactLevel, NotifyTarget, Service, Severity, SliKind, search};
use crate::span::Spanned;

/// Reports a project that is not a Sentry project slug.
pub fn project(ctx: &mut Ctx, project: &Spanned<String>) {
    if !search::is_project_slug(&project.value) {
        ctx.error(
            Code::SentryProject,
            project.span,
            format!("`{}` is not a Sentry project slug", project.value),
            "not a slug",
            "write the project slug as Sentry shows it: lowercase letters, digits, `-` and `_`, at most 50 characters",
        );
    }
}

/// Reports a query that issue-alert filters cannot express.
pub fn filter_query(ctx: &mut Ctx, query: &Spanned<String>) {
    if let Err(why) = search::filter_terms(&query.value) {
        ctx.error(
            Code::SentryQuery,
            query.span,
            format!("this Sentry query cannot become issue-alert filters: {why}"),
            "not expressible as filters",
            "use space-separated `key:value` terms (optionally `!key:value`, quoted values, `*` at either end)",
        );
    }
}

/// Reports a metric-alert query whose parentheses or quotes do not pair up: sloxide
/// scopes such queries (`is_transaction:true (<query>)`), and an unbalanced query could
/// escape that scope.
pub fn metric_query(ctx: &mut Ctx, query: &Spanned<String>) {
    if let Err(why) = search::balanced(&query.value) {
        ctx.error(
            Code::SentryQuery,
            query.span,
            format!("this Sentry query is not balanced: {why}"),
            "unbalanced",
            "close every `(` and `\"` inside the query; sloxide wraps the query in its own parentheses",
        );
    }
}

/// Reports each severity for which the service's Sentry rules would notify nobody: Sentry
/// can deliver to PagerDuty, Slack and e-mail targets or to `owners.team`, not to a plain
/// webhook. Pages come from burn-rate page rows, whole-step failures and high-impact known
/// errors; tickets from ticket rows and medium-impact known errors.
pub fn reachable(ctx: &mut Ctx, name: &Spanned<crate::spec::Ident>, service: &Service) {
    if service.owners.team.is_some() {
        return;
    }
    for severity in [Severity::Page, Severity::Ticket] {
        let deliverable = service
            .notify
            .for_severity(severity)
            .iter()
            .any(|t| !matches!(t, NotifyTarget::Webhook(_)));
        if deliverable || !sentry_rules_of(service, severity) {
            continue;
        }
        let key = match severity {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        };
        ctx.error(
            Code::NotifyTarget,
            name.span,
            format!("Sentry {key} alerts of service `{}` would notify nobody", service.name),
            format!("no notify.{key} target Sentry can use"),
            format!("add a pagerduty, slack or email target under notify.{key}, or owners.team (Sentry cannot call a plain webhook)"),
        );
    }
}

fn sentry_rules_of(service: &Service, severity: Severity) -> bool {
    let slo_rows = service.slos.iter().any(|slo| {
        let sentry = match &slo.sli.kind {
            SliKind::Ratio { sentry, .. } | SliKind::Latency { sentry, .. } => sentry.is_some(),
            SliKind::JourneyDuration { .. } => false,
        };
        sentry && slo.alerting.alerts.iter().any(|a| a.severity == severity)
    });
    let steps = service
        .journeys
        .iter()
        .flat_map(|j| &j.steps)
        .filter(|s| s.sentry.is_some());
    let from_steps = steps.clone().any(|_| severity == Severity::Page)
        || steps.flat_map(|s| &s.known_errors).any(|e| {
            matches!(
                (e.impact, severity),
                (ImpactLevel::High, Severity::Page) | (ImpactLevel::Medium, Severity::Ticket)
            )
        });
    slo_rows || from_steps
}
