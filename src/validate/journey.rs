//! Journeys: steps, dependency references, known errors, exclusion windows and the
//! composed availability bound.

use rust_decimal::Decimal;

use super::ctx::Ctx;
use super::{quantity, sentry};
use crate::diag::Code;
use crate::model::{
    Dependency, Exclusion, ImpactPolicy, Journey, KnownError, Ratio, Step, StepSentry,
};
use crate::spec;

/// Resolves all journeys of a spec.
///
/// `dep_names` are all declared dependency names (also those whose SLA failed to parse,
/// so one mistake is not reported twice); `deps` are the resolved ones.
pub fn resolve_all(
    ctx: &mut Ctx,
    raw: &[spec::Journey],
    dep_names: &[String],
    deps: &[Dependency],
    impact: &ImpactPolicy,
) -> Vec<Journey> {
    ctx.unique_names("journey", raw.iter().map(|j| &j.name));
    raw.iter()
        .map(|j| resolve(ctx, j, dep_names, deps, impact))
        .collect()
}

fn resolve(
    ctx: &mut Ctx,
    j: &spec::Journey,
    dep_names: &[String],
    deps: &[Dependency],
    impact: &ImpactPolicy,
) -> Journey {
    if j.steps.value.is_empty() {
        ctx.error(
            Code::JourneyEmpty,
            j.steps.span,
            format!("journey `{}` has no steps", j.name.value.0),
            "empty list",
            "list the steps of the journey in order, each with its actor",
        );
    }
    ctx.unique_names("step", j.steps.value.iter().map(|s| &s.name));
    let steps: Vec<Step> = j
        .steps
        .value
        .iter()
        .enumerate()
        .map(|(i, s)| {
            for d in &s.depends_on {
                if !dep_names.contains(&d.value.0) {
                    ctx.unknown_ref("dependency", d, dep_names);
                }
            }
            if let Some(x) = &s.sentry {
                sentry::project(ctx, &x.project);
                if let Some(q) = &x.query {
                    sentry::filter_query(ctx, q);
                }
            }
            for q in s
                .known_errors
                .iter()
                .filter_map(|k| k.sentry_query.as_ref())
            {
                sentry::filter_query(ctx, q);
            }
            ctx.unique_names("known error", s.known_errors.iter().map(|k| &k.name));
            let known_errors = s
                .known_errors
                .iter()
                .filter_map(|k| known_error(ctx, &s.name.value.0, k, impact))
                .collect();
            Step {
                name: s.name.value.0.clone(),
                position: i + 1,
                description: s.description.clone(),
                actor: s.actor,
                depends_on: s.depends_on.iter().map(|d| d.value.0.clone()).collect(),
                sentry: s.sentry.as_ref().map(|x| StepSentry {
                    project: x.project.value.clone(),
                    query: x.query.as_ref().map(|q| q.value.clone()),
                }),
                known_errors,
            }
        })
        .collect();
    let exclusions = exclusions(ctx, &j.exclusions, Some(&j.name.value.0));
    let availability_bound = bound(&steps, deps);
    Journey {
        name: j.name.value.0.clone(),
        title: j.title.clone().unwrap_or_else(|| j.name.value.0.clone()),
        description: j.description.clone(),
        importance: j.importance,
        out_of_scope: j.out_of_scope.clone(),
        steps,
        exclusions,
        availability_bound,
    }
}

/// The product of the SLAs of the distinct dependencies of all steps: a journey that
/// needs every dependency in series cannot be more available than that.
fn bound(steps: &[Step], deps: &[Dependency]) -> Option<Ratio> {
    let mut seen: Vec<&str> = Vec::new();
    for s in steps {
        for d in &s.depends_on {
            if !seen.contains(&d.as_str()) {
                seen.push(d);
            }
        }
    }
    let slas: Vec<Decimal> = seen
        .iter()
        .filter_map(|n| deps.iter().find(|d| d.name == *n))
        .map(|d| d.sla.0)
        .collect();
    if slas.is_empty() {
        return None;
    }
    Some(Ratio(
        slas.into_iter()
            .fold(Decimal::ONE, |acc, s| acc * s)
            .normalize(),
    ))
}

fn known_error(
    ctx: &mut Ctx,
    step: &str,
    k: &spec::KnownError,
    impact: &ImpactPolicy,
) -> Option<KnownError> {
    let workaround = k.workaround.value;
    let Some(rule) = impact
        .matrix
        .iter()
        .find(|r| r.matches_step(step, k.count, workaround))
    else {
        ctx.error(
            Code::ImpactUnmatched,
            k.name.span,
            format!("known error `{}` in step `{step}` matches no row of the impact matrix", k.name.value.0),
            "impact cannot be classified",
            "add a matrix row for this scope, count and workaround (or use `any`) so the error is routed",
        );
        return None;
    };
    Some(KnownError {
        name: k.name.value.0.clone(),
        description: k.description.clone(),
        sentry_query: k.sentry_query.as_ref().map(|q| q.value.clone()),
        count: k.count,
        workaround,
        escalating: k.escalating,
        impact: rule.impact,
    })
}

/// Resolves exclusion windows (used by journeys and SLOs); `journey` is the declaring
/// journey, `None` for an SLO's own windows.
pub fn exclusions(ctx: &mut Ctx, raw: &[spec::Exclusion], journey: Option<&str>) -> Vec<Exclusion> {
    ctx.unique_names("exclusion window", raw.iter().map(|e| &e.name));
    raw.iter()
        .filter_map(|e| {
            let from = quantity::time_of_day(ctx, &e.from);
            let to = quantity::time_of_day(ctx, &e.to);
            let tz = quantity::timezone(ctx, &e.timezone);
            let mut days: Vec<_> = e.days.iter().map(|d| d.value).collect();
            days.sort();
            days.dedup();
            if days.len() != e.days.len() {
                ctx.error(Code::NameDuplicate, e.days[0].span, "a weekday is listed twice", "repeated day", "list each weekday once");
            }
            let (from, to, timezone) = (from?, to?, tz?);
            if from == to {
                ctx.error(Code::ExclusionEmpty, e.to.span, format!("exclusion `{}` starts and ends at {from}", e.name.value.0), "same as `from`", "an exclusion window needs a length; `to` may be earlier than `from` to cross midnight");
                return None;
            }
            Some(Exclusion {
                name: e.name.value.0.clone(),
                journey: journey.map(str::to_owned),
                reason: e.reason.value.clone(),
                customer_notice: e.customer_notice.clone(),
                days,
                from,
                to,
                timezone,
            })
        })
        .collect()
}
