//! Format-neutral plan of a service's Sentry rules: which rules exist, their windows,
//! thresholds, filters, routing and runbook anchors. The format modules only serialize it.
//!
//! Burn-rate mapping (Sentry evaluates one aggregate over one window per rule):
//! - each multi-window row keeps its burn rate and its *long* window, in whole minutes and
//!   at most [`MAX_WINDOW_MINUTES`]; the short window is dropped, so a rule resets only
//!   when the long window's value falls back under the threshold;
//! - ratio SLOs pair the i-th page row (critical trigger) with the i-th ticket row (warning
//!   trigger) in one rule evaluated on the page row's window; rows left over get a rule
//!   of their own (first trigger, which Sentry requires to be labelled `critical`);
//! - latency SLOs compare `pNN(duration)` with the threshold, which holds exactly when the
//!   window misses the objective (burn rate ≥ 1): every row gets its own rule on its own
//!   window (rows of one severity whose windows map to the same Sentry window share one)
//!   and the burn-rate factor is lost.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::emit::naming;
use crate::model::StepSentry;
use crate::model::search::{self, SearchTerm};
use crate::model::{
    BurnRateAlert, Duration, ImpactLevel, KnownError, NotifyTarget, ReviewCadence, SentryDataset,
    SentrySource, Service, Severity, SliKind, Slo, Step,
};

/// Longest window of a Sentry metric alert, in minutes: the alert-rule serializer's
/// `time_window = IntegerField(min_value=1, max_value=1440)`; the detector API takes any
/// number of seconds up to the same day (its documented enum, 1 … 1440 min, is a UI subset).
pub const MAX_WINDOW_MINUTES: u32 = 1440;

/// Shortest window on the transactions dataset, in minutes.
const MIN_WINDOW: u32 = 1;

/// Shortest window on the spans dataset (`_validate_time_window`: "at least 5 minutes").
const SPANS_MIN_WINDOW: u32 = 5;

/// Failure rate above which a step counts as failing for everyone (95%).
const STEP_FAILURE_RATE: Decimal = Decimal::from_parts(95, 0, 0, false, 2);

/// Window of the step-failure rules, in minutes.
const STEP_FAILURE_WINDOW: u32 = 5;

/// Sentry's limits on rule names (detectors: 200 characters; legacy rules: 256).
const NAME_MAX: usize = 200;

/// Action throttle of page-level issue alerts, in minutes (Sentry minimum: 5).
const PAGE_FREQUENCY: u32 = 5;

/// Action throttle of ticket-level issue alerts, in minutes (once a day per issue).
const TICKET_FREQUENCY: u32 = 1440;

/// Every rule of one service, plus the known errors that deliberately get none.
#[derive(Debug)]
pub struct ServicePlan {
    /// Rules in emission order.
    pub rules: Vec<Rule>,
    /// Known errors without a notification, and why.
    pub unalerted: Vec<Unalerted>,
}

/// One Sentry rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable key, unique within the service: the runbook anchor of its first trigger.
    pub key: String,
    /// Sentry project slug.
    pub project: String,
    /// Rule name as shown in Sentry.
    pub name: String,
    /// Description (shown in notifications) with the runbook link.
    pub description: String,
    /// What in the spec the rule comes from.
    pub source: Source,
    /// Metric or issue alert.
    pub kind: RuleKind,
    /// Owner team (`owners.team`).
    pub team: Option<String>,
}

/// Metric or issue alert.
#[derive(Debug)]
pub enum RuleKind {
    /// A metric alert (detector).
    Metric(Metric),
    /// An issue alert (workflow on the project's error detector).
    Issue(Issue),
}

/// A metric alert: one aggregate over one window with up to two triggers.
#[derive(Debug)]
pub struct Metric {
    /// Dataset queried.
    pub dataset: SentryDataset,
    /// Aggregate, e.g. `failure_rate()` or `p90(transaction.duration)`.
    pub aggregate: String,
    /// Search query.
    pub query: String,
    /// Environment, if any.
    pub environment: Option<String>,
    /// Window in minutes, 1 (5 on spans) ..= [`MAX_WINDOW_MINUTES`].
    pub window_minutes: u32,
    /// Triggers, highest threshold first (Sentry: critical, then warning).
    pub triggers: Vec<Trigger>,
}

/// One threshold of a metric alert.
#[derive(Debug)]
pub struct Trigger {
    /// Fires when the aggregate is above this.
    pub threshold: Decimal,
    /// Who is notified.
    pub severity: Severity,
    /// Runbook anchors of the policy rows it implements (several when rows coincide in
    /// Sentry, e.g. latency rows of one severity whose windows map to the same window).
    pub anchors: Vec<String>,
    /// Notification targets.
    pub targets: Vec<Target>,
}

/// An issue alert on new, regressed (and, when asked, escalating) issues, or on every
/// event of a matching issue.
#[derive(Debug)]
pub struct Issue {
    /// Environment, if any.
    pub environment: Option<String>,
    /// Also fire when an archived issue escalates.
    pub escalating: bool,
    /// Fire on every matching event, throttled per issue by `frequency_minutes`, not only
    /// when the issue is new or regresses: a known error is usually an issue that is
    /// already open, so a page that waited for first-seen would never come.
    pub every_event: bool,
    /// Filters, all of which must match.
    pub filters: Vec<SearchTerm>,
    /// Who is notified.
    pub severity: Severity,
    /// Action throttle per issue, in minutes.
    pub frequency_minutes: u32,
    /// Notification targets.
    pub targets: Vec<Target>,
    /// Extra notification text (the triage deadline for medium impact).
    pub notes: Option<String>,
}

/// A notification target Sentry can route to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// PagerDuty service.
    PagerDuty(String),
    /// Slack channel.
    Slack(String),
    /// E-mail to a member.
    Email(String),
    /// E-mail to the owner team (fallback when a severity has no routable target).
    Team(String),
}

/// What in the spec a rule comes from (written to the manifest).
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Burn-rate rows of an SLO.
    Slo {
        /// SLO name.
        slo: String,
        /// Burn-rate row ids, e.g. `page-1h`.
        alerts: Vec<String>,
    },
    /// A known error class of a step.
    KnownError {
        /// Journey.
        journey: String,
        /// Step.
        step: String,
        /// Known error.
        error: String,
        /// Classified impact.
        impact: ImpactLevel,
    },
    /// A whole step failing for everyone.
    StepFailure {
        /// Journey.
        journey: String,
        /// Step.
        step: String,
    },
}

/// A known error that gets no notification.
#[derive(Debug, Serialize)]
pub struct Unalerted {
    /// Journey.
    pub journey: String,
    /// Step.
    pub step: String,
    /// Known error.
    pub error: String,
    /// Classified impact.
    pub impact: ImpactLevel,
    /// Why, and what happens instead.
    pub reason: String,
}

/// Plans every Sentry rule of `service`; `skipped` receives the SLOs without a source.
pub fn plan(service: &Service, skipped: &mut Vec<String>) -> ServicePlan {
    let mut plan = ServicePlan {
        rules: Vec::new(),
        unalerted: Vec::new(),
    };
    for slo in &service.slos {
        match slo_rules(service, slo) {
            Some(rules) => plan.rules.extend(rules),
            None => skipped.push(slo.name.clone()),
        }
    }
    let env = service_environment(service);
    for journey in &service.journeys {
        for step in &journey.steps {
            let Some(sentry) = &step.sentry else {
                continue;
            };
            plan.rules
                .push(step_failure(service, &journey.name, step, sentry, &env));
            for error in &step.known_errors {
                match known_error(service, &journey.name, step, sentry, error, &env) {
                    Ok(rule) => plan.rules.push(rule),
                    Err(reason) => plan.unalerted.push(Unalerted {
                        journey: journey.name.clone(),
                        step: step.name.clone(),
                        error: error.name.clone(),
                        impact: error.impact,
                        reason,
                    }),
                }
            }
        }
    }
    plan
}

/// The dataset of the service's Sentry SLIs when they all agree on one, else spans (what
/// sentry.io accepts): step-failure rules use it, so a self-hosted service that measures
/// on transactions keeps its step rules there too.
fn service_dataset(service: &Service) -> SentryDataset {
    let mut sets: Vec<SentryDataset> = service
        .slos
        .iter()
        .filter_map(|s| sentry_source(s).map(|x| x.dataset))
        .collect();
    sets.dedup();
    match sets.as_slice() {
        [one] => *one,
        _ => SentryDataset::Spans,
    }
}

/// The environment of the service's Sentry SLIs when they all agree on one.
fn service_environment(service: &Service) -> Option<String> {
    let mut envs: Vec<&String> = service
        .slos
        .iter()
        .filter_map(|s| sentry_source(s).and_then(|x| x.environment.as_ref()))
        .collect();
    envs.sort();
    envs.dedup();
    match envs.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The Sentry source of `slo`'s SLI, if it has one.
pub fn sentry_source(slo: &Slo) -> Option<&SentrySource> {
    match &slo.sli.kind {
        SliKind::Ratio { sentry, .. } | SliKind::Latency { sentry, .. } => sentry.as_ref(),
        SliKind::JourneyDuration { .. } => None,
    }
}

/// The rules of one SLO, or `None` when its SLI has no Sentry source.
fn slo_rules(service: &Service, slo: &Slo) -> Option<Vec<Rule>> {
    let source = sentry_source(slo)?;
    let (aggregate, latency_ms) = match &slo.sli.kind {
        SliKind::Latency { threshold, .. } => {
            // `pNN` where Sentry has it; otherwise `percentile(column, q)`, which only the
            // transactions dataset offers (validation refuses the rest).
            let aggregate = match (slo.sentry_percentile(), source.dataset) {
                (Some(f), SentryDataset::Transactions) => format!("{f}(transaction.duration)"),
                (Some(f), SentryDataset::Spans) => format!("{f}(span.duration)"),
                (None, SentryDataset::Transactions) => format!(
                    "percentile(transaction.duration,{})",
                    slo.objective.0.normalize()
                ),
                (None, SentryDataset::Spans) => return None,
            };
            (aggregate, Some(threshold.millis()))
        }
        _ => ("failure_rate()".to_string(), None),
    };
    let threshold = |alert: &BurnRateAlert| match latency_ms {
        Some(ms) => Decimal::from(ms),
        None => slo.alert_threshold(alert).normalize(),
    };
    let alerts: Vec<&BurnRateAlert> = slo
        .alerting
        .alerts
        .iter()
        .filter(|a| latency_ms.is_some() || slo.alert_can_fire(a))
        .collect();
    let pages: Vec<&BurnRateAlert> = alerts
        .iter()
        .copied()
        .filter(|a| a.severity == Severity::Page)
        .collect();
    let tickets: Vec<&BurnRateAlert> = alerts
        .iter()
        .copied()
        .filter(|a| a.severity == Severity::Ticket)
        .collect();
    // Rule → triggers → the policy rows each trigger implements.
    let mut groups: Vec<Vec<Vec<&BurnRateAlert>>> = Vec::new();
    if latency_ms.is_some() {
        for a in alerts {
            let window = sentry_window(a.long_window, source.dataset);
            // Rows of one severity on the same Sentry window would be identical rules.
            match groups.iter_mut().find(|g| {
                g[0][0].severity == a.severity
                    && sentry_window(g[0][0].long_window, source.dataset) == window
            }) {
                Some(group) => group[0].push(a),
                None => groups.push(vec![vec![a]]),
            }
        }
    } else {
        for i in 0..pages.len().max(tickets.len()) {
            match (pages.get(i), tickets.get(i)) {
                (Some(p), Some(t)) if threshold(t) <= threshold(p) => {
                    groups.push(vec![vec![p], vec![t]])
                }
                (p, t) => groups.extend([p, t].into_iter().flatten().map(|a| vec![vec![*a]])),
            }
        }
    }
    let rules = groups
        .into_iter()
        .map(|group| {
            let window = sentry_window(group[0][0].long_window, source.dataset);
            let triggers: Vec<Trigger> = group
                .iter()
                .map(|rows| Trigger {
                    threshold: threshold(rows[0]),
                    severity: rows[0].severity,
                    anchors: rows
                        .iter()
                        .map(|a| naming::burn_alert_anchor(slo, a))
                        .collect(),
                    targets: targets(service, rows[0].severity),
                })
                .collect();
            let rows: Vec<&BurnRateAlert> = group.iter().flatten().copied().collect();
            let ids: Vec<String> = rows.iter().map(|a| a.id()).collect();
            let description = slo_description(
                service,
                slo,
                &rows,
                window,
                &aggregate,
                &threshold,
                latency_ms.is_some(),
            );
            Rule {
                key: naming::burn_alert_anchor(slo, rows[0]),
                project: source.project.clone(),
                name: name(
                    service,
                    &format!("{} burn rate ({})", slo.title, ids.join(", ")),
                ),
                description,
                source: Source::Slo {
                    slo: slo.name.clone(),
                    alerts: ids,
                },
                kind: RuleKind::Metric(Metric {
                    dataset: source.dataset,
                    aggregate: aggregate.clone(),
                    query: metric_query(source.dataset, source.query.as_deref()),
                    environment: source.environment.clone(),
                    window_minutes: window,
                    triggers,
                }),
                team: service.owners.team.clone(),
            }
        })
        .collect();
    Some(rules)
}

/// The Sentry window of a long window `long`: its whole minutes, within the dataset's
/// minimum and [`MAX_WINDOW_MINUTES`].
pub fn sentry_window(long: Duration, dataset: SentryDataset) -> u32 {
    let min = match dataset {
        SentryDataset::Transactions => MIN_WINDOW,
        SentryDataset::Spans => SPANS_MIN_WINDOW,
    };
    u32::try_from(long.secs() / 60)
        .unwrap_or(MAX_WINDOW_MINUTES)
        .clamp(min, MAX_WINDOW_MINUTES)
}

/// The query of a metric alert: the user's query, scoped to transactions on spans.
fn metric_query(dataset: SentryDataset, query: Option<&str>) -> String {
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    match (dataset, query) {
        (SentryDataset::Transactions, q) => q.unwrap_or_default().to_string(),
        (SentryDataset::Spans, None) => "is_transaction:true".to_string(),
        (SentryDataset::Spans, Some(q)) => format!("is_transaction:true ({q})"),
    }
}

fn slo_description(
    service: &Service,
    slo: &Slo,
    rows: &[&BurnRateAlert],
    window: u32,
    aggregate: &str,
    threshold: &dyn Fn(&BurnRateAlert) -> Decimal,
    latency: bool,
) -> String {
    let mut text = format!(
        "SLO {}: {} of events good over {}. Sentry evaluates {aggregate} over {window} min{}.",
        slo.name,
        slo.objective.percent(),
        slo.window,
        if latency {
            "; it exceeds the threshold (ms) exactly when the window misses the objective, so the rule fires at burn rate 1 over its window whatever the row's factor"
        } else {
            ""
        }
    );
    for row in rows {
        let who = match row.severity {
            Severity::Page => "Page",
            Severity::Ticket => "Ticket",
        };
        text.push_str(&format!(
            "\n{who} row {}: burn rate {}x over {} (short window {} not expressible in Sentry), threshold {}. Runbook: {}",
            row.id(),
            row.burn_rate.normalize(),
            row.long_window,
            row.short_window,
            threshold(row),
            naming::runbook_url(service, &naming::burn_alert_anchor(slo, row))
        ));
    }
    text
}

fn step_failure(
    service: &Service,
    journey: &str,
    step: &Step,
    sentry: &StepSentry,
    env: &Option<String>,
) -> Rule {
    let anchor = naming::step_failure_anchor(journey, &step.name);
    let dataset = service_dataset(service);
    let threshold = STEP_FAILURE_RATE;
    let percent = crate::model::Ratio(threshold).percent();
    Rule {
        key: anchor.clone(),
        project: sentry.project.clone(),
        name: name(
            service,
            &format!("{journey} step {} failing for everyone", step.name),
        ),
        description: format!(
            "Step {} ({}) of journey {journey} fails for everyone: more than {} of its transactions failed in the last {STEP_FAILURE_WINDOW} min (impact high, page at once). Runbook: {}",
            step.position,
            step.name,
            percent,
            naming::runbook_url(service, &anchor)
        ),
        source: Source::StepFailure {
            journey: journey.to_string(),
            step: step.name.clone(),
        },
        kind: RuleKind::Metric(Metric {
            dataset,
            aggregate: "failure_rate()".into(),
            query: metric_query(dataset, sentry.query.as_deref()),
            environment: env.clone(),
            window_minutes: STEP_FAILURE_WINDOW,
            triggers: vec![Trigger {
                threshold,
                severity: Severity::Page,
                anchors: vec![anchor],
                targets: targets(service, Severity::Page),
            }],
        }),
        team: service.owners.team.clone(),
    }
}

fn known_error(
    service: &Service,
    journey: &str,
    step: &Step,
    sentry: &StepSentry,
    error: &KnownError,
    env: &Option<String>,
) -> Result<Rule, String> {
    let severity = match error.impact {
        ImpactLevel::High => Severity::Page,
        ImpactLevel::Medium => Severity::Ticket,
        ImpactLevel::Low => {
            let cadence = match service.impact.low_review {
                ReviewCadence::Weekly => "weekly",
                ReviewCadence::Biweekly => "biweekly",
                ReviewCadence::Monthly => "monthly",
            };
            return Err(format!(
                "low impact: no notification; archive the issue in Sentry and review it in the {cadence} review"
            ));
        }
    };
    let Some(query) = &error.sentry_query else {
        return Err(
            "no sentry_query to tell it apart; the step-failure rule covers the step failing for everyone"
                .into(),
        );
    };
    let mut filters = Vec::new();
    for q in [
        step.sentry.as_ref().and_then(|s| s.query.as_ref()),
        Some(query),
    ]
    .into_iter()
    .flatten()
    {
        // Validation refuses queries that are not filter terms.
        filters.extend(search::filter_terms(q).map_err(|e| e.to_string())?);
    }
    let anchor = naming::known_error_anchor(journey, &step.name, &error.name);
    let url = naming::runbook_url(service, &anchor);
    let (what, notes) = match severity {
        Severity::Page => (
            format!(
                "impact high: page at once, and again every {PAGE_FREQUENCY} min while it keeps happening"
            ),
            None,
        ),
        Severity::Ticket => {
            let deadline = format!(
                "impact medium: triage within {} business days",
                service.impact.triage_business_days
            );
            (
                deadline.clone(),
                Some(format!("{deadline}. Runbook: {url}")),
            )
        }
    };
    Ok(Rule {
        key: anchor,
        project: sentry.project.clone(),
        name: name(
            service,
            &format!("{journey} step {} {} ({what})", step.name, error.name),
        ),
        description: format!(
            "Known error {} in step {} ({}) of journey {journey}: {what}{}. Runbook: {url}",
            error.name,
            step.position,
            step.name,
            if error.escalating {
                "; also alerts when the archived issue escalates"
            } else {
                ""
            }
        ),
        source: Source::KnownError {
            journey: journey.to_string(),
            step: step.name.clone(),
            error: error.name.clone(),
            impact: error.impact,
        },
        kind: RuleKind::Issue(Issue {
            environment: env.clone(),
            escalating: error.escalating,
            every_event: severity == Severity::Page,
            filters,
            severity,
            frequency_minutes: match severity {
                Severity::Page => PAGE_FREQUENCY,
                Severity::Ticket => TICKET_FREQUENCY,
            },
            targets: targets(service, severity),
            notes,
        }),
        team: service.owners.team.clone(),
    })
}

/// The routable targets for `severity`; the owner team by e-mail when there are none
/// (webhooks have no Sentry alert action and are left to other backends).
fn targets(service: &Service, severity: Severity) -> Vec<Target> {
    let mut out: Vec<Target> = service
        .notify
        .for_severity(severity)
        .iter()
        .filter_map(|t| match t {
            NotifyTarget::Pagerduty(s) => Some(Target::PagerDuty(s.clone())),
            NotifyTarget::Slack(c) => Some(Target::Slack(c.clone())),
            NotifyTarget::Email(a) => Some(Target::Email(a.clone())),
            NotifyTarget::Webhook(_) => None,
        })
        .collect();
    if out.is_empty()
        && let Some(team) = &service.owners.team
    {
        out.push(Target::Team(team.clone()));
    }
    out
}

/// `[sloxide <service>] <what>`, clipped to Sentry's name limit.
fn name(service: &Service, what: &str) -> String {
    format!("[sloxide {}] {what}", service.name)
        .chars()
        .take(NAME_MAX)
        .collect()
}
