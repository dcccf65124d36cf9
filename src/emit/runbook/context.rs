//! The template context: a serializable view of one service, built from the model with
//! every number already formatted (percentages, durations, burn rates) and every alert's
//! runbook anchor resolved. User text stays raw here; templates escape it with the filters
//! of [`super::escape`] (`md`, `cell`, `code`, `code_cell`, `fenced`, `mermaid`).
//!
//! # Template context (for `--templates DIR` overrides)
//!
//! `service.md.j2` (and every template it includes) receives `service` ([`ServiceCtx`]) and
//! `example` ([`ExampleCtx`]); `index.md.j2` receives `services` (a list of
//! [`ServiceCtx`]). Optional values are `none` when absent; lists are never absent. Field
//! names are those of the structs below.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::super::{CatalogueEntry, Lossy};
use crate::emit::naming;
use crate::model::{
    Actor, Bands, Bound, BurnRateAlert, Count, CountMatch, Exclusion, ImpactLevel, ImpactPolicy,
    Journey, NotifyTarget, Percentile, Polarity, PromRatio, ReviewCadence, Role, Scope,
    SentrySource, Service, Severity, SliKind, Slo, WorkaroundMatch,
};

/// One service, ready for the templates.
#[derive(Debug, Serialize)]
pub struct ServiceCtx {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// What the service does.
    pub description: Option<String>,
    /// Spec file path.
    pub spec_path: String,
    /// File name of the runbook relative to the index (e.g. `payments.md`).
    pub file: String,
    /// Product owner, tech lead and team.
    pub owners: OwnersCtx,
    /// Who is notified for pages.
    pub notify_page: Vec<NotifyCtx>,
    /// Who is notified for tickets.
    pub notify_ticket: Vec<NotifyCtx>,
    /// The service's Grafana dashboard, when `grafana_url` is set.
    pub dashboard_url: Option<String>,
    /// Dependencies with SLAs.
    pub dependencies: Vec<DependencyCtx>,
    /// Journeys in spec order.
    pub journeys: Vec<JourneyCtx>,
    /// SLOs in spec order.
    pub slos: Vec<SloCtx>,
    /// Exclusion windows of all journeys and SLOs, one per anchor.
    pub exclusions: Vec<ExclusionCtx>,
    /// Impact matrix, routing and known errors.
    pub impact: ImpactCtx,
    /// Incident response.
    pub incident: IncidentCtx,
    /// Error budget policy, if written.
    pub policy: Option<PolicyCtx>,
    /// Alerts a backend emits under an anchor no section of this runbook covers (kept so
    /// that every link resolves).
    pub other_alerts: Vec<OtherAlertCtx>,
    /// Service-wide settings a backend cannot express (notification targets).
    pub lossy: Vec<LossyCtx>,
}

/// Owners.
#[derive(Debug, Serialize)]
pub struct OwnersCtx {
    /// Product owner who agreed the SLOs.
    pub product_owner: String,
    /// Tech lead who agreed the SLOs.
    pub tech_lead: String,
    /// Owning team.
    pub team: Option<String>,
}

/// A notification target.
#[derive(Debug, Serialize)]
pub struct NotifyCtx {
    /// `PagerDuty`, `Slack`, `E-mail` or `Webhook`.
    pub kind: &'static str,
    /// Service key name, channel, address or URL.
    pub target: String,
}

/// A dependency.
#[derive(Debug, Serialize)]
pub struct DependencyCtx {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// SLA as a percentage, e.g. `99.95%`.
    pub sla: String,
    /// `internal` or `external`.
    pub scope: String,
    /// Mermaid node id in journey diagrams, e.g. `d1`.
    pub node: String,
}

/// A reference to an SLO section.
#[derive(Debug, Serialize)]
pub struct SloRef {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// Section anchor.
    pub anchor: String,
    /// Objective, e.g. `99.9%`.
    pub objective: String,
    /// Whether the objective is above the journey's composed availability bound.
    pub exceeds_bound: bool,
}

/// A journey with its diagram data.
#[derive(Debug, Serialize)]
pub struct JourneyCtx {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// Section anchor.
    pub anchor: String,
    /// What the user achieves.
    pub description: Option<String>,
    /// `critical`, `high`, `medium`, `low` or none.
    pub importance: Option<String>,
    /// Why it has no SLO, if so.
    pub out_of_scope: Option<String>,
    /// Steps in order.
    pub steps: Vec<StepCtx>,
    /// Distinct dependencies of all steps, in first-use order.
    pub dependencies: Vec<DependencyCtx>,
    /// Composed availability upper bound (product of SLAs), e.g. `99.93%`.
    pub availability_bound: Option<String>,
    /// SLOs measuring this journey.
    pub slos: Vec<SloRef>,
    /// Exclusion windows of the journey (anchors in the exclusions section).
    pub exclusions: Vec<NamedRef>,
}

/// A name and the anchor of its section.
#[derive(Debug, Serialize)]
pub struct NamedRef {
    /// Identifier.
    pub name: String,
    /// Anchor.
    pub anchor: String,
}

/// One step of a journey.
#[derive(Debug, Serialize)]
pub struct StepCtx {
    /// 1-based position.
    pub position: usize,
    /// Identifier.
    pub name: String,
    /// What happens.
    pub description: Option<String>,
    /// Actor in words, e.g. `end user`.
    pub actor: &'static str,
    /// Mermaid node id, e.g. `s1`.
    pub node: String,
    /// Dependencies it runs on (node ids match [`JourneyCtx::dependencies`]).
    pub depends_on: Vec<DependencyCtx>,
    /// Sentry project of its errors.
    pub sentry_project: Option<String>,
    /// Sentry query of its errors.
    pub sentry_query: Option<String>,
    /// Known error classes.
    pub known_errors: Vec<KnownErrorCtx>,
    /// Whole-step failure alert, when the step has a Sentry location.
    pub failure: Option<StepFailureCtx>,
}

/// A known error class and its triage.
#[derive(Debug, Serialize)]
pub struct KnownErrorCtx {
    /// Journey identifier.
    pub journey: String,
    /// Step identifier.
    pub step: String,
    /// Error identifier.
    pub name: String,
    /// Catalogue anchor.
    pub anchor: String,
    /// What it is.
    pub description: Option<String>,
    /// Sentry query matching it.
    pub sentry_query: Option<String>,
    /// `all` or `few` requests.
    pub count: &'static str,
    /// Whether users have a workaround.
    pub workaround: bool,
    /// Alert when suddenly frequent.
    pub escalating: bool,
    /// `high`, `medium` or `low`.
    pub impact: &'static str,
    /// Routing in words, e.g. `page now`.
    pub routing: String,
    /// Names of this alert in the backends.
    pub names: Vec<NameCtx>,
}

/// A whole-step failure alert.
#[derive(Debug, Serialize)]
pub struct StepFailureCtx {
    /// Catalogue anchor.
    pub anchor: String,
    /// Impact of every request failing without workaround, per the matrix (none when no
    /// row matches).
    pub impact: Option<&'static str>,
    /// Routing in words.
    pub routing: Option<String>,
    /// Names of this alert in the backends.
    pub names: Vec<NameCtx>,
}

/// An alert's name in one backend.
#[derive(Debug, Serialize)]
pub struct NameCtx {
    /// `Prometheus`, `Splunk` or `Sentry`.
    pub backend: &'static str,
    /// Name as it appears there.
    pub name: String,
}

/// An SLO.
#[derive(Debug, Serialize)]
pub struct SloCtx {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// Section anchor.
    pub anchor: String,
    /// What is promised.
    pub description: Option<String>,
    /// Why this target.
    pub rationale: Option<String>,
    /// Journey measured.
    pub journey: Option<NamedRef>,
    /// Journey title.
    pub journey_title: Option<String>,
    /// Composed availability bound of the journey, if known.
    pub journey_bound: Option<String>,
    /// Whether the objective is above that bound.
    pub exceeds_bound: bool,
    /// The indicator.
    pub sli: SliCtx,
    /// Objective, e.g. `99.9%`.
    pub objective: String,
    /// Window, e.g. `30d`.
    pub window: String,
    /// Error budget as a percentage, e.g. `0.1%`.
    pub budget_percent: String,
    /// Error budget as a ratio, e.g. `0.001`.
    pub budget_ratio: String,
    /// Error budget as time of full outage per window, e.g. `43m 12s`.
    pub budget_time: String,
    /// Margin bands.
    pub bands: Option<BandsCtx>,
    /// Exclusion windows.
    pub exclusions: Vec<NamedRef>,
    /// Burn-rate alerts, in policy order.
    pub alerts: Vec<BurnAlertCtx>,
    /// Minimum events before any alert may fire.
    pub min_events: Option<u64>,
    /// What a backend evaluates differently from the spec for this SLO.
    pub lossy: Vec<LossyCtx>,
    /// Warnings the spec acknowledges for this SLO (`allow:`).
    pub acknowledged: Vec<AcknowledgedCtx>,
}

/// A warning acknowledged in the spec.
#[derive(Debug, Serialize)]
pub struct AcknowledgedCtx {
    /// Diagnostic code, e.g. `sloxide::slo::above-dependencies`.
    pub code: &'static str,
    /// What the code means.
    pub meaning: &'static str,
    /// Why the team accepts it (plain text; escape with `md`).
    pub reason: String,
}

/// Something a backend cannot express, and what it evaluates instead.
#[derive(Debug, Serialize)]
pub struct LossyCtx {
    /// Backend name (`Sentry`, `Splunk`).
    pub backend: String,
    /// What is lost (plain text; escape with `md`).
    pub what: String,
}

fn lossy_ctx(lossy: &[Lossy], slo: Option<&str>) -> Vec<LossyCtx> {
    lossy
        .iter()
        .filter(|l| l.slo.as_deref() == slo)
        .map(|l| LossyCtx {
            backend: backend_name(l.target).to_owned(),
            what: l.what.clone(),
        })
        .collect()
}

/// An SLI in words and per backend.
#[derive(Debug, Serialize)]
pub struct SliCtx {
    /// Identifier.
    pub name: String,
    /// Plain-words description.
    pub description: Option<String>,
    /// `ratio`, `latency` or `journey_duration`.
    pub kind: &'static str,
    /// What makes an event good, in words.
    pub good: String,
    /// Percentiles watched, e.g. `p99`.
    pub percentiles: Vec<String>,
    /// How each backend measures it.
    pub sources: Vec<SourceCtx>,
}

/// How one backend measures an SLI.
#[derive(Debug, Serialize)]
pub struct SourceCtx {
    /// `Prometheus`, `Splunk` or `Sentry`.
    pub backend: &'static str,
    /// Labelled query parts, shown as code.
    pub parts: Vec<SourcePart>,
}

/// A labelled query part.
#[derive(Debug, Serialize)]
pub struct SourcePart {
    /// What it is, e.g. `all events`.
    pub label: String,
    /// The query text.
    pub query: String,
}

/// Margin bands.
#[derive(Debug, Serialize)]
pub struct BandsCtx {
    /// GREEN condition, e.g. `>= 99.97%`.
    pub green: String,
    /// YELLOW condition, e.g. `> 99.95% and < 99.97%`.
    pub yellow: String,
    /// RED condition.
    pub red: String,
    /// YELLOW band alert.
    pub yellow_alert: BandAlertCtx,
    /// RED band alert.
    pub red_alert: BandAlertCtx,
}

/// A band alert.
#[derive(Debug, Serialize)]
pub struct BandAlertCtx {
    /// `yellow` or `red`.
    pub band: &'static str,
    /// Catalogue anchor.
    pub anchor: String,
    /// Names in the backends.
    pub names: Vec<NameCtx>,
}

/// A burn-rate alert.
#[derive(Debug, Serialize)]
pub struct BurnAlertCtx {
    /// Catalogue anchor.
    pub anchor: String,
    /// Stable id, e.g. `page-1h`.
    pub id: String,
    /// `page` or `ticket`.
    pub severity: &'static str,
    /// Burn rate, e.g. `14.4`.
    pub burn_rate: String,
    /// Long window, e.g. `1h`.
    pub long_window: String,
    /// Short window, e.g. `5m`.
    pub short_window: String,
    /// Error ratio above which it fires, e.g. `1.44%`.
    pub threshold: String,
    /// Share of the budget consumed when it fires, e.g. `2%`.
    pub budget_consumed: String,
    /// Time from the start of a full outage until it fires, e.g. `52s`.
    pub detection_time: String,
    /// When the Prometheus alert fires relative to it (SLOs with a Prometheus source).
    pub prometheus_timing: Option<String>,
    /// Time until the budget is gone at this burn rate, e.g. `2d 2h`.
    pub exhaustion: String,
    /// Whether it can fire at all at this objective.
    pub can_fire: bool,
    /// Who is notified.
    pub notify: Vec<NotifyCtx>,
    /// Names in the backends.
    pub names: Vec<NameCtx>,
}

/// An exclusion window.
#[derive(Debug, Serialize)]
pub struct ExclusionCtx {
    /// Identifier.
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Why it is excluded.
    pub reason: String,
    /// How customers are told.
    pub customer_notice: Option<String>,
    /// Days in words, e.g. `Mon, Tue, Wed, Thu, Fri` or `every day`.
    pub days: String,
    /// Local start, `HH:MM`.
    pub from: String,
    /// Local end, `HH:MM`.
    pub to: String,
    /// Whether it ends the next day.
    pub overnight: bool,
    /// IANA time zone.
    pub timezone: String,
    /// SLOs it applies to.
    pub slos: Vec<SloRef>,
}

/// Impact matrix, routing and known errors.
#[derive(Debug, Serialize)]
pub struct ImpactCtx {
    /// Matrix rows in match order.
    pub matrix: Vec<MatrixRowCtx>,
    /// Triage deadline for medium impact, business days.
    pub triage_business_days: u32,
    /// Review cadence of low impact, e.g. `weekly`.
    pub low_review: &'static str,
    /// Routing per level in words.
    pub routing_high: String,
    /// Routing of medium impact.
    pub routing_medium: String,
    /// Routing of low impact.
    pub routing_low: String,
    /// Whether any step lists a known error.
    pub has_known_errors: bool,
}

/// One matrix row.
#[derive(Debug, Serialize)]
pub struct MatrixRowCtx {
    /// `journey` or `step`.
    pub scope: &'static str,
    /// Steps it is restricted to (empty: any).
    pub steps: Vec<String>,
    /// `all`, `few` or `any`.
    pub count: &'static str,
    /// `none`, `exists` or `any`.
    pub workaround: &'static str,
    /// Resulting impact.
    pub impact: &'static str,
    /// Routing in words.
    pub routing: String,
}

/// Incident response.
#[derive(Debug, Serialize)]
pub struct IncidentCtx {
    /// Hotline channel.
    pub hotline: String,
    /// Channel name pattern.
    pub channel_pattern: String,
    /// Bridge calls.
    pub bridges: Vec<String>,
    /// Formation roles in spec order.
    pub roles: Vec<ChainCtx>,
    /// Areas in spec order.
    pub areas: Vec<ChainCtx>,
    /// Rehearsal practice.
    pub rehearsal: Option<String>,
}

/// A role or area and its chain of people.
#[derive(Debug, Serialize)]
pub struct ChainCtx {
    /// Identifier (`first_aid`, `guest-customers`).
    pub name: String,
    /// Role title, e.g. `First aid` (the identifier for areas).
    pub title: String,
    /// What the role does (empty for areas).
    pub duty: &'static str,
    /// Primary.
    pub primary: String,
    /// Deputies in order.
    pub deputies: Vec<String>,
}

/// Error budget policy.
#[derive(Debug, Serialize)]
pub struct PolicyCtx {
    /// When the budget is exhausted.
    pub when_exhausted: String,
    /// When RED.
    pub when_red: Option<String>,
    /// When YELLOW.
    pub when_yellow: Option<String>,
    /// When healthy.
    pub when_healthy: Option<String>,
}

/// A catalogue anchor no built-in section covers.
#[derive(Debug, Serialize)]
pub struct OtherAlertCtx {
    /// Anchor.
    pub anchor: String,
    /// Names in the backends.
    pub names: Vec<NameCtx>,
}

/// The worked example of the incident channel name.
#[derive(Debug, Serialize)]
pub struct ExampleCtx {
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Incident title slug used in the example.
    pub title: String,
    /// The resulting channel name.
    pub channel: String,
}

impl ExampleCtx {
    /// The example for `service` on `date` (a valid date).
    pub fn new(service: &Service, date: chrono::NaiveDate) -> Self {
        let title = match service.journeys.first() {
            Some(j) => format!("{}-failing", j.name),
            None => format!("{}-down", service.name),
        };
        let channel = service
            .incident
            .channel_name(&date.format("%Y%m%d").to_string(), &title);
        ExampleCtx {
            date: date.format("%Y-%m-%d").to_string(),
            title,
            channel,
        }
    }
}

/// Builds the context of `service`; `catalogue` lists the alerts the backends emit and
/// `lossy` what they cannot express.
pub fn build(service: &Service, catalogue: &[CatalogueEntry], lossy: &[Lossy]) -> ServiceCtx {
    let mut names = Names::new(catalogue);
    let dep_nodes: BTreeMap<&str, usize> = service
        .dependencies
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i + 1))
        .collect();
    let dependency = |name: &str| -> Option<DependencyCtx> {
        let d = service.dependency(name)?;
        Some(DependencyCtx {
            name: d.name.clone(),
            title: d.title.clone(),
            sla: d.sla.percent(),
            scope: snake(&d.scope),
            node: format!("d{}", dep_nodes.get(name).copied().unwrap_or(0)),
        })
    };
    let slo_ref = |slo: &Slo| {
        let bound = slo
            .journey
            .as_deref()
            .and_then(|j| service.journey(j))
            .and_then(|j| j.availability_bound);
        SloRef {
            name: slo.name.clone(),
            title: slo.title.clone(),
            anchor: naming::slo_anchor(slo),
            objective: slo.objective.percent(),
            exceeds_bound: bound.is_some_and(|b| slo.objective > b),
        }
    };
    let impact = &service.impact;

    let journeys = service
        .journeys
        .iter()
        .map(|j| journey(service, j, impact, &mut names, &dependency, &slo_ref))
        .collect();
    let slos = service
        .slos
        .iter()
        .map(|s| slo(service, s, &mut names, lossy))
        .collect();

    // One entry per anchor: a journey's window (copied into each of its SLOs) is listed
    // once with all those SLOs; a journey without SLOs still gets its windows' entries.
    let mut exclusions: Vec<ExclusionCtx> = Vec::new();
    let owned = service.slos.iter().flat_map(|s| {
        s.exclusions
            .iter()
            .map(move |e| (s.name.as_str(), e, Some(s)))
    });
    let journeys_own = service
        .journeys
        .iter()
        .flat_map(|j| j.exclusions.iter().map(move |e| (j.name.as_str(), e, None)));
    for (owner, e, s) in owned.chain(journeys_own) {
        let anchor = naming::exclusion_anchor(owner, e);
        let i = match exclusions.iter().position(|x| x.anchor == anchor) {
            Some(i) => i,
            None => {
                exclusions.push(exclusion(e, anchor));
                exclusions.len() - 1
            }
        };
        if let Some(s) = s {
            exclusions[i].slos.push(slo_ref(s));
        }
    }

    ServiceCtx {
        name: service.name.clone(),
        title: service.title.clone(),
        description: service.description.clone(),
        spec_path: service.spec_path.clone(),
        file: format!("{}.md", service.name),
        owners: OwnersCtx {
            product_owner: service.owners.product_owner.clone(),
            tech_lead: service.owners.tech_lead.clone(),
            team: service.owners.team.clone(),
        },
        notify_page: notify(&service.notify.page),
        notify_ticket: notify(&service.notify.ticket),
        dashboard_url: crate::emit::naming::dashboard_url(service),
        dependencies: service
            .dependencies
            .iter()
            .filter_map(|d| dependency(&d.name))
            .collect(),
        journeys,
        slos,
        exclusions,
        impact: ImpactCtx {
            matrix: impact
                .matrix
                .iter()
                .map(|r| MatrixRowCtx {
                    scope: match r.scope {
                        Scope::Journey => "journey",
                        Scope::Step => "step",
                    },
                    steps: r.steps.clone(),
                    count: match r.count {
                        CountMatch::All => "all",
                        CountMatch::Few => "few",
                        CountMatch::Any => "any",
                    },
                    workaround: match r.workaround {
                        WorkaroundMatch::None => "none",
                        WorkaroundMatch::Exists => "exists",
                        WorkaroundMatch::Any => "any",
                    },
                    impact: level(r.impact),
                    routing: routing(impact, r.impact),
                })
                .collect(),
            triage_business_days: impact.triage_business_days,
            low_review: cadence(impact.low_review),
            routing_high: routing(impact, ImpactLevel::High),
            routing_medium: routing(impact, ImpactLevel::Medium),
            routing_low: routing(impact, ImpactLevel::Low),
            has_known_errors: service
                .journeys
                .iter()
                .flat_map(|j| &j.steps)
                .any(|s| !s.known_errors.is_empty()),
        },
        incident: IncidentCtx {
            hotline: service.incident.hotline.clone(),
            channel_pattern: service.incident.channel_pattern.clone(),
            bridges: service.incident.bridges.clone(),
            roles: service
                .incident
                .roles
                .iter()
                .map(|r| {
                    let (title, duty) = role(r.role);
                    chain(snake(&r.role), title.into(), duty, &r.chain)
                })
                .collect(),
            areas: service
                .incident
                .areas
                .iter()
                .map(|a| chain(a.name.clone(), a.name.clone(), "", &a.chain))
                .collect(),
            rehearsal: service.incident.rehearsal.clone(),
        },
        policy: service.error_budget_policy.as_ref().map(|p| PolicyCtx {
            when_exhausted: p.when_exhausted.clone(),
            when_red: p.when_red.clone(),
            when_yellow: p.when_yellow.clone(),
            when_healthy: p.when_healthy.clone(),
        }),
        other_alerts: names.rest(),
        lossy: lossy_ctx(lossy, None),
    }
}

fn journey(
    service: &Service,
    j: &Journey,
    impact: &ImpactPolicy,
    names: &mut Names,
    dependency: &dyn Fn(&str) -> Option<DependencyCtx>,
    slo_ref: &dyn Fn(&Slo) -> SloRef,
) -> JourneyCtx {
    let mut seen = BTreeSet::new();
    let dependencies = j
        .steps
        .iter()
        .flat_map(|s| s.depends_on.iter())
        .filter(|d| seen.insert(d.as_str()))
        .filter_map(|d| dependency(d))
        .collect();
    let steps = j
        .steps
        .iter()
        .map(|s| StepCtx {
            position: s.position,
            name: s.name.clone(),
            description: s.description.clone(),
            actor: actor(s.actor),
            node: format!("s{}", s.position),
            depends_on: s.depends_on.iter().filter_map(|d| dependency(d)).collect(),
            sentry_project: s.sentry.as_ref().map(|x| x.project.clone()),
            sentry_query: s.sentry.as_ref().and_then(|x| x.query.clone()),
            known_errors: s
                .known_errors
                .iter()
                .map(|e| {
                    let anchor = naming::known_error_anchor(&j.name, &s.name, &e.name);
                    KnownErrorCtx {
                        journey: j.name.clone(),
                        step: s.name.clone(),
                        name: e.name.clone(),
                        names: names.take(&anchor),
                        anchor,
                        description: e.description.clone(),
                        sentry_query: e.sentry_query.clone(),
                        count: match e.count {
                            Count::All => "all",
                            Count::Few => "few",
                        },
                        workaround: e.workaround,
                        escalating: e.escalating,
                        impact: level(e.impact),
                        routing: routing(impact, e.impact),
                    }
                })
                .collect(),
            failure: s.sentry.as_ref().map(|_| {
                let anchor = naming::step_failure_anchor(&j.name, &s.name);
                let level = impact
                    .matrix
                    .iter()
                    .find(|r| r.matches_step(&s.name, Count::All, false))
                    .map(|r| r.impact);
                StepFailureCtx {
                    names: names.take(&anchor),
                    anchor,
                    impact: level.map(self::level),
                    routing: level.map(|l| routing(impact, l)),
                }
            }),
        })
        .collect();
    JourneyCtx {
        name: j.name.clone(),
        title: j.title.clone(),
        anchor: naming::journey_anchor(&j.name),
        description: j.description.clone(),
        importance: j.importance.as_ref().map(snake),
        out_of_scope: j.out_of_scope.clone(),
        steps,
        dependencies,
        availability_bound: j.availability_bound.map(|b| percent(b.0, 4)),
        slos: service
            .slos
            .iter()
            .filter(|s| s.journey.as_deref() == Some(j.name.as_str()))
            .map(slo_ref)
            .collect(),
        exclusions: j
            .exclusions
            .iter()
            .map(|e| NamedRef {
                name: e.name.clone(),
                anchor: naming::exclusion_anchor(&j.name, e),
            })
            .collect(),
    }
}

fn slo(service: &Service, s: &Slo, names: &mut Names, lossy: &[Lossy]) -> SloCtx {
    let journey = s.journey.as_deref().and_then(|j| service.journey(j));
    let bound = journey.and_then(|j| j.availability_bound);
    let notify_for = |sev: Severity| notify(service.notify.for_severity(sev));
    SloCtx {
        name: s.name.clone(),
        title: s.title.clone(),
        anchor: naming::slo_anchor(s),
        description: s.description.clone(),
        rationale: s.rationale.clone(),
        journey: journey.map(|j| NamedRef {
            name: j.name.clone(),
            anchor: naming::journey_anchor(&j.name),
        }),
        journey_title: journey.map(|j| j.title.clone()),
        journey_bound: bound.map(|b| percent(b.0, 4)),
        exceeds_bound: bound.is_some_and(|b| s.objective > b),
        sli: sli(s),
        objective: s.objective.percent(),
        window: s.window.to_prom(),
        budget_percent: s.error_budget().percent(),
        budget_ratio: s.error_budget().decimal(),
        budget_time: s.budget_time().human(),
        bands: s.bands.map(|b| bands(s, &b, names)),
        exclusions: s
            .exclusions
            .iter()
            .map(|e| NamedRef {
                name: e.name.clone(),
                anchor: naming::exclusion_anchor(&s.name, e),
            })
            .collect(),
        alerts: s
            .alerting
            .alerts
            .iter()
            .map(|a| burn_alert(s, a, names, notify_for(a.severity)))
            .collect(),
        min_events: s.alerting.min_events,
        lossy: lossy_ctx(lossy, Some(&s.name)),
        acknowledged: s
            .allow
            .iter()
            .map(|a| AcknowledgedCtx {
                code: a.code.as_str(),
                meaning: a.code.summary(),
                reason: a.reason.clone(),
            })
            .collect(),
    }
}

fn burn_alert(
    s: &Slo,
    a: &BurnRateAlert,
    names: &mut Names,
    notify: Vec<NotifyCtx>,
) -> BurnAlertCtx {
    let anchor = naming::burn_alert_anchor(s, a);
    BurnAlertCtx {
        names: names.take(&anchor),
        anchor,
        id: a.id(),
        severity: match a.severity {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        },
        burn_rate: a.burn_rate.normalize().to_string(),
        long_window: a.long_window.to_prom(),
        short_window: a.short_window.to_prom(),
        threshold: percent(s.alert_threshold(a), 4),
        budget_consumed: percent(s.budget_consumed(a), 2),
        detection_time: s.detection_time(a).human(),
        prometheus_timing: crate::emit::prometheus::alert_timing(s),
        exhaustion: if a.burn_rate > Decimal::ZERO {
            s.time_to_exhaustion(a.burn_rate).human()
        } else {
            "never".into()
        },
        can_fire: s.alert_can_fire(a),
        notify,
    }
}

fn bands(s: &Slo, b: &Bands, names: &mut Names) -> BandsCtx {
    let (low, high) = b.yellow();
    let band = |band: &'static str, names: &mut Names| {
        let anchor = naming::band_alert_anchor(s, band);
        BandAlertCtx {
            band,
            names: names.take(&anchor),
            anchor,
        }
    };
    BandsCtx {
        green: bound(b.green),
        yellow: format!("{} and {}", bound(low), bound(high)),
        red: bound(b.red),
        yellow_alert: band("yellow", names),
        red_alert: band("red", names),
    }
}

fn sli(s: &Slo) -> SliCtx {
    let part = |label: &str, query: &str| SourcePart {
        label: label.into(),
        query: query.into(),
    };
    let counted = |p: Polarity| match p {
        Polarity::Good => "good events",
        Polarity::Bad => "bad events",
    };
    let sentry = |x: &SentrySource, extra: Option<String>| SourceCtx {
        backend: "Sentry",
        parts: [
            Some(part("project", &x.project)),
            Some(part("dataset", &snake(&x.dataset))),
            x.environment.as_deref().map(|e| part("environment", e)),
            x.query.as_deref().map(|q| part("query", q)),
            extra.map(|e| part("good when", &e)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let mut sources = Vec::new();
    let (kind, good, percentiles) = match &s.sli.kind {
        SliKind::Ratio {
            prometheus,
            splunk,
            sentry: sen,
        } => {
            if let Some(p) = prometheus {
                let (total, counted_q, pol) = match p {
                    PromRatio::Counters {
                        total,
                        counted,
                        polarity,
                    }
                    | PromRatio::Queries {
                        total,
                        counted,
                        polarity,
                    } => (total, counted, *polarity),
                };
                sources.push(SourceCtx {
                    backend: "Prometheus",
                    parts: vec![part("all events", total), part(counted(pol), counted_q)],
                });
            }
            if let Some(x) = splunk {
                sources.push(SourceCtx {
                    backend: "Splunk",
                    parts: vec![
                        part("search", &x.search),
                        part(counted(x.polarity), &x.condition),
                    ],
                });
            }
            if let Some(x) = sen {
                sources.push(sentry(x, None));
            }
            ("ratio", "it succeeds".to_string(), Vec::new())
        }
        SliKind::Latency {
            threshold,
            percentiles,
            prometheus,
            splunk,
            sentry: sen,
        } => {
            if let Some(p) = prometheus {
                let sep = if p.matchers.is_empty() { "" } else { "," };
                let le = threshold.secs_decimal().normalize();
                sources.push(SourceCtx {
                    backend: "Prometheus",
                    parts: vec![
                        part(
                            "all events",
                            &format!("{}_count{{{}}}", p.metric, p.matchers),
                        ),
                        part(
                            "good events",
                            &format!("{}_bucket{{{}{sep}le=\"{le}\"}}", p.metric, p.matchers),
                        ),
                    ],
                });
            }
            if let Some(x) = splunk {
                let (value, unit) = match x.unit {
                    crate::model::TimeUnit::Ms => (Decimal::from(threshold.millis()), "ms"),
                    crate::model::TimeUnit::S => (threshold.secs_decimal().normalize(), "s"),
                };
                sources.push(SourceCtx {
                    backend: "Splunk",
                    parts: vec![
                        part("search", &x.search),
                        part(
                            "good events",
                            &format!("{} <= {value} (field in {unit})", x.duration_field),
                        ),
                    ],
                });
            }
            if let Some(x) = sen {
                sources.push(sentry(
                    x,
                    Some(format!("transaction.duration <= {}ms", threshold.millis())),
                ));
            }
            (
                "latency",
                format!("it completes within {}", threshold.human()),
                percentiles.iter().map(|p: &Percentile| p.label()).collect(),
            )
        }
        SliKind::JourneyDuration { threshold, splunk } => {
            if let Some(x) = splunk {
                sources.push(SourceCtx {
                    backend: "Splunk",
                    parts: vec![
                        part("search", &x.search),
                        part("journey starts", &x.start),
                        part("journey ends", &x.end),
                        part("correlated by", &x.id_field),
                    ],
                });
            }
            (
                "journey_duration",
                format!("the journey ends within {} of its start", threshold.human()),
                Vec::new(),
            )
        }
    };
    SliCtx {
        name: s.sli.name.clone(),
        description: s.sli.description.clone(),
        kind,
        good,
        percentiles,
        sources,
    }
}

fn exclusion(e: &Exclusion, anchor: String) -> ExclusionCtx {
    let days = if e.days.is_empty() {
        "every day".to_string()
    } else {
        e.days
            .iter()
            .map(|d| {
                let s = snake(d);
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            })
            .collect::<Vec<String>>()
            .join(", ")
    };
    ExclusionCtx {
        name: e.name.clone(),
        anchor,
        reason: e.reason.clone(),
        customer_notice: e.customer_notice.clone(),
        days,
        from: e.from.to_string(),
        to: e.to.to_string(),
        overnight: e.to < e.from,
        timezone: e.timezone.clone(),
        slos: Vec::new(),
    }
}

fn chain(name: String, title: String, duty: &'static str, people: &[String]) -> ChainCtx {
    ChainCtx {
        name,
        title,
        duty,
        primary: people.first().cloned().unwrap_or_default(),
        deputies: people.iter().skip(1).cloned().collect(),
    }
}

fn notify(targets: &[NotifyTarget]) -> Vec<NotifyCtx> {
    targets
        .iter()
        .map(|t| match t {
            NotifyTarget::Pagerduty(x) => ("PagerDuty", x),
            NotifyTarget::Slack(x) => ("Slack", x),
            NotifyTarget::Email(x) => ("E-mail", x),
            NotifyTarget::Webhook(x) => ("Webhook", x),
        })
        .map(|(kind, target)| NotifyCtx {
            kind,
            target: target.clone(),
        })
        .collect()
}

fn role(r: Role) -> (&'static str, &'static str) {
    match r {
        Role::Commander => ("Commander", "Leads the response and decides."),
        Role::Investigator => ("Investigator", "Investigates the cause."),
        Role::FirstAid => (
            "First aid",
            "Restores service quickly (restart, failover, small fix).",
        ),
        Role::ImpactScope => (
            "Impact scope",
            "Finds out who and what is affected, and since when.",
        ),
        Role::PermanentFix => ("Permanent fix", "Owns the fix that stops a recurrence."),
        Role::Recorder => ("Recorder", "Keeps the timeline and the incident notes."),
        Role::Bridge => (
            "Bridge",
            "Sits in both bridge calls and translates between them.",
        ),
    }
}

fn actor(a: Actor) -> &'static str {
    match a {
        Actor::EndUser => "end user",
        Actor::Business => "business customer",
        Actor::Operator => "operator",
        Actor::ExternalSystem => "external system",
        Actor::System => "our system",
    }
}

fn level(l: ImpactLevel) -> &'static str {
    match l {
        ImpactLevel::High => "high",
        ImpactLevel::Medium => "medium",
        ImpactLevel::Low => "low",
    }
}

fn cadence(c: ReviewCadence) -> &'static str {
    match c {
        ReviewCadence::Weekly => "weekly",
        ReviewCadence::Biweekly => "every two weeks",
        ReviewCadence::Monthly => "monthly",
    }
}

fn routing(p: &ImpactPolicy, l: ImpactLevel) -> String {
    match l {
        ImpactLevel::High => "page now".into(),
        ImpactLevel::Medium => format!(
            "ticket, triage within {} business day{}",
            p.triage_business_days,
            if p.triage_business_days == 1 { "" } else { "s" }
        ),
        ImpactLevel::Low => format!("archive, {} review", cadence(p.low_review)),
    }
}

fn bound(b: Bound) -> String {
    b.to_string()
}

/// `d` as a percentage rounded to `dp` decimal places, without trailing zeros.
fn percent(d: Decimal, dp: u32) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(dp).normalize())
}

/// The serde spelling of a unit enum (`first_aid`, `end_user`).
fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The display name of a backend.
fn backend_name(target: crate::emit::Target) -> &'static str {
    match target {
        crate::emit::Target::Prometheus => "Prometheus",
        crate::emit::Target::Alertmanager => "Alertmanager",
        crate::emit::Target::Grafana => "Grafana",
        crate::emit::Target::Splunk => "Splunk",
        crate::emit::Target::Sentry => "Sentry",
        crate::emit::Target::Runbook => "Runbook",
    }
}

/// Catalogue names grouped by anchor; sections take theirs, the rest are reported.
struct Names(BTreeMap<String, Vec<NameCtx>>);

impl Names {
    fn new(catalogue: &[CatalogueEntry]) -> Self {
        let mut map: BTreeMap<String, Vec<NameCtx>> = BTreeMap::new();
        for e in catalogue {
            map.entry(e.anchor.clone()).or_default().push(NameCtx {
                backend: backend_name(e.target),
                name: e.name.clone(),
            });
        }
        Names(map)
    }

    fn take(&mut self, anchor: &str) -> Vec<NameCtx> {
        self.0.remove(anchor).unwrap_or_default()
    }

    fn rest(self) -> Vec<OtherAlertCtx> {
        self.0
            .into_iter()
            .map(|(anchor, names)| OtherAlertCtx { anchor, names })
            .collect()
    }
}
