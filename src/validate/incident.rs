//! Impact matrix, incident response and their defaults.

use super::ctx::Ctx;
use super::service::is_slack_channel;
use crate::diag::Code;
use crate::model::{
    AreaAssignment, CountMatch, ImpactLevel, ImpactPolicy, ImpactRule, IncidentResponse,
    ReviewCadence, RoleAssignment, Scope, WorkaroundMatch,
};
use crate::span::Spanned;
use crate::spec;

/// Default hotline channel.
pub const DEFAULT_HOTLINE: &str = "#hotline";
/// Default incident channel pattern.
pub const DEFAULT_CHANNEL_PATTERN: &str = "#incident_{date}_{title}";
/// Default triage deadline for medium impact, in business days.
pub const DEFAULT_TRIAGE_DAYS: u32 = 2;

/// The default impact matrix (S4).
pub fn default_matrix() -> Vec<ImpactRule> {
    let row = |scope, count, workaround, impact| ImpactRule {
        scope,
        steps: Vec::new(),
        count,
        workaround,
        impact,
    };
    vec![
        row(
            Scope::Journey,
            CountMatch::All,
            WorkaroundMatch::None,
            ImpactLevel::High,
        ),
        row(
            Scope::Step,
            CountMatch::All,
            WorkaroundMatch::None,
            ImpactLevel::High,
        ),
        row(
            Scope::Step,
            CountMatch::Few,
            WorkaroundMatch::None,
            ImpactLevel::Medium,
        ),
        row(
            Scope::Step,
            CountMatch::Few,
            WorkaroundMatch::Exists,
            ImpactLevel::Low,
        ),
        row(
            Scope::Step,
            CountMatch::All,
            WorkaroundMatch::Exists,
            ImpactLevel::Medium,
        ),
    ]
}

/// Resolves the impact policy; step names in matrix rows must exist in some journey.
pub fn impact(
    ctx: &mut Ctx,
    raw: Option<&spec::Impact>,
    journeys: &[spec::Journey],
) -> ImpactPolicy {
    let step_names: Vec<String> = journeys
        .iter()
        .flat_map(|j| j.steps.value.iter().map(|s| s.name.value.0.clone()))
        .collect();
    let matrix = match raw.and_then(|r| r.matrix.as_ref()) {
        Some(rows) => {
            if rows.value.is_empty() {
                ctx.error(Code::SchemaOther, rows.span, "the impact matrix is empty", "no rows", "list rows (scope, count, workaround → impact) or remove `matrix` to use the default");
            }
            rows.value
                .iter()
                .map(|r| {
                    for s in &r.steps {
                        if !step_names.contains(&s.value.0) {
                            ctx.unknown_ref("step", s, &step_names);
                        }
                    }
                    if r.scope == Scope::Journey && !r.steps.is_empty() {
                        ctx.error(
                            Code::SchemaOther,
                            r.steps[0].span,
                            "a journey-scoped row cannot name steps",
                            "steps only apply to scope: step",
                            "remove `steps` or set `scope: step`",
                        );
                    }
                    ImpactRule {
                        scope: r.scope,
                        steps: r.steps.iter().map(|s| s.value.0.clone()).collect(),
                        count: r.count,
                        workaround: r.workaround,
                        impact: r.impact,
                    }
                })
                .collect()
        }
        None => default_matrix(),
    };
    let triage_business_days = match raw.and_then(|r| r.triage_business_days.as_ref()) {
        Some(d) if d.value == 0 || d.value > 30 => {
            ctx.error(
                Code::SchemaOther,
                d.span,
                "triage_business_days must be between 1 and 30",
                "out of range",
                "medium-impact errors need a real triage deadline, e.g. 2 business days",
            );
            DEFAULT_TRIAGE_DAYS
        }
        Some(d) => d.value,
        None => DEFAULT_TRIAGE_DAYS,
    };
    ImpactPolicy {
        matrix,
        triage_business_days,
        low_review: raw
            .and_then(|r| r.low_review)
            .unwrap_or(ReviewCadence::Weekly),
    }
}

/// Resolves incident response with defaults for what is left out.
pub fn incident(ctx: &mut Ctx, raw: Option<&spec::Incident>) -> IncidentResponse {
    let hotline = match raw.and_then(|r| r.hotline.as_ref()) {
        Some(h) => {
            if !is_slack_channel(&h.value) {
                ctx.error(
                    Code::NotifyTarget,
                    h.span,
                    format!("hotline `{}` is not a channel name", h.value),
                    "not a channel",
                    "write a channel such as #hotline (lowercase letters, digits, - and _)",
                );
            }
            h.value.clone()
        }
        None => DEFAULT_HOTLINE.to_owned(),
    };
    let channel_pattern = match raw.and_then(|r| r.channel_pattern.as_ref()) {
        Some(p) => {
            channel_pattern(ctx, p);
            p.value.clone()
        }
        None => DEFAULT_CHANNEL_PATTERN.to_owned(),
    };
    let bridges = match raw.map(|r| &r.bridges) {
        Some(b) if !b.is_empty() => b.iter().map(|x| x.value.clone()).collect(),
        _ => vec!["system recovery".to_owned(), "customer handling".to_owned()],
    };
    let mut roles: Vec<RoleAssignment> = Vec::new();
    for r in raw.map(|r| r.roles.as_slice()).unwrap_or_default() {
        if roles.iter().any(|x| x.role == r.role.value) {
            ctx.error(
                Code::NameDuplicate,
                r.role.span,
                "this role is listed twice",
                "second entry",
                "list each role once with its whole chain",
            );
            continue;
        }
        roles.push(RoleAssignment {
            role: r.role.value,
            chain: chain(ctx, &r.chain),
        });
    }
    ctx.unique_names(
        "area",
        raw.map(|r| r.areas.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|a| &a.name),
    );
    let areas = raw
        .map(|r| r.areas.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|a| AreaAssignment {
            name: a.name.value.0.clone(),
            chain: chain(ctx, &a.chain),
        })
        .collect();
    IncidentResponse {
        hotline,
        channel_pattern,
        bridges,
        roles,
        areas,
        rehearsal: raw.and_then(|r| r.rehearsal.clone()),
    }
}

/// Longest responsibility chain: a primary and three deputies (S3).
pub const MAX_CHAIN: usize = 4;

fn chain(ctx: &mut Ctx, c: &Spanned<Vec<Spanned<String>>>) -> Vec<String> {
    if c.value.is_empty() {
        ctx.error(
            Code::IncidentChain,
            c.span,
            "responsibility chain is empty",
            "nobody fills this",
            "name the primary, then up to three deputies in order",
        );
    }
    if let Some(extra) = c.value.get(MAX_CHAIN) {
        ctx.error(
            Code::IncidentChain,
            extra.span,
            format!(
                "responsibility chain has {} people; at most {MAX_CHAIN} are allowed",
                c.value.len()
            ),
            "one too many",
            "a chain is a primary and up to three deputies; a longer chain is never reached in practice — move the rest to another role or area",
        );
    }
    let mut people: Vec<String> = Vec::new();
    for p in &c.value {
        let name = p.value.trim();
        if name.is_empty() {
            ctx.error(
                Code::IncidentChain,
                p.span,
                "empty name in a responsibility chain",
                "empty",
                "write the person's name or handle",
            );
        } else if people.iter().any(|x| x == name) {
            ctx.error(
                Code::IncidentChain,
                p.span,
                format!("`{name}` appears twice in the same chain"),
                "already in this chain",
                "a deputy must be a different person from the primary and the other deputies",
            );
        } else {
            people.push(name.to_owned());
        }
    }
    people
}

fn channel_pattern(ctx: &mut Ctx, p: &Spanned<String>) {
    let v = &p.value;
    let mut rest = v.as_str();
    let mut bad_placeholder = None;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c);
        match close {
            Some(c) if matches!(&rest[open + 1..c], "date" | "title") => rest = &rest[c + 1..],
            _ => {
                bad_placeholder = Some(rest[open..].chars().take(12).collect::<String>());
                break;
            }
        }
    }
    if let Some(bad) = bad_placeholder {
        ctx.error(
            Code::IncidentPattern,
            p.span,
            format!("unknown placeholder `{bad}` in the channel pattern"),
            "only {date} and {title} are known",
            "use {date} (YYYYMMDD) and {title}, e.g. #incident_{date}_{title}",
        );
    } else if !v.contains("{title}") {
        ctx.error(
            Code::IncidentPattern,
            p.span,
            "channel pattern has no {title}",
            "every incident would get the same channel",
            "include {title}, e.g. #incident_{date}_{title}",
        );
    } else if !is_slack_channel(&v.replace("{date}", "20260101").replace("{title}", "x")) {
        ctx.error(
            Code::IncidentPattern,
            p.span,
            format!("channel pattern `{v}` does not give a valid channel name"),
            "not a channel name",
            "start with # and use lowercase letters, digits, - and _ besides the placeholders",
        );
    }
}
