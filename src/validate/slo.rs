//! SLOs: SLI references, objective, window, bands, exclusions, alerting, and the
//! journey's dependency bound.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::{allow, journey, quantity, sli};
use crate::diag::Code;
use crate::model::{
    AlertPolicy, Bands, Bound, BurnRateAlert, CompareOp, Duration, Journey, Ratio, SentryDataset,
    Sli, SliKind, Slo,
};
use crate::span::{Span, Spanned};
use crate::spec::{self, PercentText, Spec};

/// Burn-rate bounds: with budgets of at least 1e-8 (see [`quantity::MAX_RATIO_SCALE`])
/// every threshold, detection time and budget share computed from them is exact.
const MIN_BURN_RATE: rust_decimal::Decimal = rust_decimal::Decimal::from_parts(1, 0, 0, false, 3);
const MAX_BURN_RATE: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(10_000, 0, 0, false, 0);
/// Largest `min_events` (generated tests and searches multiply it by small factors).
const MAX_MIN_EVENTS: u64 = 1_000_000_000;

/// Default rolling window when neither the SLO nor the defaults set one.
pub const DEFAULT_WINDOW_DAYS: u64 = 30;

/// Resolves the SLIs and SLOs of a spec; `None` if any SLO could not be resolved.
pub fn resolve_all(ctx: &mut Ctx, spec: &Spec, journeys: &[Journey]) -> Option<Vec<Slo>> {
    ctx.unique_names("SLI", spec.slis.iter().map(|s| &s.name));
    ctx.unique_names("SLO", spec.slos.iter().map(|s| &s.name));
    unique_alert_stems(ctx, spec);
    let journey_names: Vec<String> = spec
        .journeys
        .iter()
        .map(|j| j.name.value.0.clone())
        .collect();
    let mut slis: BTreeMap<String, Option<(Sli, Option<String>)>> = BTreeMap::new();
    for s in &spec.slis {
        if let Some(j) = &s.journey
            && !journey_names.contains(&j.value.0)
        {
            ctx.unknown_ref("journey", j, &journey_names);
        }
        let resolved =
            sli::resolve(ctx, s).map(|r| (r, s.journey.as_ref().map(|j| j.value.0.clone())));
        slis.entry(s.name.value.0.clone()).or_insert(resolved);
        if !spec.slos.iter().any(|o| o.sli.value == s.name.value) {
            ctx.warning(
                Code::SliUnused,
                s.name.span,
                format!("SLI `{}` is not used by any SLO", s.name.value.0),
                "unused",
                "add an SLO for it or remove it",
            );
        }
    }
    for j in &spec.journeys {
        let measured = spec.slis.iter().any(|s| {
            s.journey.as_ref().is_some_and(|r| r.value == j.name.value)
                && spec.slos.iter().any(|o| o.sli.value == s.name.value)
        });
        if !measured && j.out_of_scope.is_none() {
            ctx.warning(
                Code::JourneyNoSlo,
                j.name.span,
                format!("journey `{}` has no SLO", j.name.value.0),
                "not measured",
                "add an SLI with `journey:` set and an SLO for it, or say why in `out_of_scope:`",
            );
        }
    }
    let sli_names: Vec<String> = slis.keys().cloned().collect();
    let defaults = spec.defaults.as_ref();
    let mut out = Vec::new();
    let mut ok = true;
    for o in &spec.slos {
        let Some(entry) = slis.get(&o.sli.value.0) else {
            ctx.unknown_ref("SLI", &o.sli, &sli_names);
            ok = false;
            continue;
        };
        let allow = allow::resolve(ctx, o);
        match (entry, resolve(ctx, o, defaults, &allow)) {
            (Some((sli, journey)), Some(parts)) => {
                let mut slo = assemble(o, sli.clone(), journey.clone(), parts, journeys);
                slo.allow = allow;
                if !sentry_expressible(ctx, o, &slo) {
                    ok = false;
                }
                out.push(slo);
            }
            _ => ok = false,
        }
    }
    check_bounds(ctx, spec, &out, journeys);
    ok.then_some(out)
}

struct Parts {
    objective: Ratio,
    window: Duration,
    bands: Option<Bands>,
    exclusions: Vec<crate::model::Exclusion>,
    alerting: AlertPolicy,
}

fn resolve(
    ctx: &mut Ctx,
    o: &spec::Slo,
    defaults: Option<&spec::Defaults>,
    allow: &[crate::model::Allowed],
) -> Option<Parts> {
    let objective = quantity::percent(ctx, &o.objective, "objective").and_then(|r| {
        // `0.9995%` keeps 0.0005% of events good: a ratio written with a % sign. Said
        // here, instead of by every alert that then can never fire.
        if r.0 >= rust_decimal::Decimal::new(1, 2) {
            return Some(r);
        }
        let written = o.objective.value.0.trim();
        let meant = Ratio(r.0 * rust_decimal::Decimal::ONE_HUNDRED);
        ctx.error(
            Code::ObjectiveTiny,
            o.objective.span,
            format!(
                "objective `{written}` is below 1%: only {} of events would have to be good",
                r.percent()
            ),
            "below 1%",
            format!(
                "did you mean {} (a percentage) or {} (a ratio)?",
                meant.percent(),
                meant.decimal()
            ),
        );
        None
    });
    let window = match o
        .window
        .as_ref()
        .or(defaults.and_then(|d| d.window.as_ref()))
    {
        Some(w) => quantity::window(ctx, w),
        None => Some(Duration::from_secs(DEFAULT_WINDOW_DAYS * 86_400)),
    };
    let exclusions = journey::exclusions(ctx, &o.exclusions, None);
    let objective = objective?;
    let bands = match (&o.bands, defaults.and_then(|d| d.bands.as_ref())) {
        (Some(b), _) => Some(bands(ctx, b, objective)?),
        (None, Some(b)) => {
            let parsed = bands(ctx, b, objective)?;
            if parsed.red.value > objective {
                // Bands written for a stricter SLO: RED would fire while this SLO still
                // meets its objective with most of its budget left.
                ctx.error(
                    Code::BandsObjective,
                    o.objective.span,
                    format!(
                        "the bands inherited from `defaults` are red at {}, above this SLO's objective {}",
                        parsed.red,
                        objective.percent()
                    ),
                    "inherits bands made for a stricter objective",
                    format!(
                        "RED would fire while the SLO is met; give this SLO its own `bands:` (e.g. green \">= {}\", red \"<= {}\") or change the defaults",
                        Ratio(objective.0 + (rust_decimal::Decimal::ONE - objective.0) / rust_decimal::Decimal::TWO).percent(),
                        objective.percent()
                    ),
                );
                return None;
            }
            Some(parsed)
        }
        (None, None) => None,
    };
    let window = window?;
    let alerting = alerting(ctx, o, defaults, objective, window, allow)?;
    Some(Parts {
        objective,
        window,
        bands,
        exclusions,
        alerting,
    })
}

fn assemble(
    o: &spec::Slo,
    sli: Sli,
    journey: Option<String>,
    parts: Parts,
    journeys: &[Journey],
) -> Slo {
    let mut exclusions = journey
        .as_ref()
        .and_then(|j| journeys.iter().find(|x| &x.name == j))
        .map(|j| j.exclusions.clone())
        .unwrap_or_default();
    exclusions.extend(parts.exclusions);
    Slo {
        name: o.name.value.0.clone(),
        title: o.title.clone().unwrap_or_else(|| o.name.value.0.clone()),
        description: o.description.clone(),
        rationale: o.rationale.clone(),
        journey,
        sli,
        objective: parts.objective,
        window: parts.window,
        bands: parts.bands,
        exclusions,
        alerting: parts.alerting,
        allow: Vec::new(),
    }
}

/// Refuses a latency objective with a Sentry source on the spans dataset that no Sentry
/// percentile function expresses (Sentry alerts compare `pNN(duration)` with the
/// threshold; `EAP_FUNCTIONS` has no `percentile(column, q)`, the transactions dataset has).
fn sentry_expressible(ctx: &mut Ctx, o: &spec::Slo, slo: &Slo) -> bool {
    let SliKind::Latency {
        sentry: Some(source),
        ..
    } = &slo.sli.kind
    else {
        return true;
    };
    if slo.sentry_percentile().is_some() || source.dataset == SentryDataset::Transactions {
        return true;
    }
    ctx.error(
        Code::SentryPercentile,
        o.objective.span,
        format!(
            "Sentry cannot alert on {} of events within the latency threshold on the spans dataset: it has no percentile function for it",
            slo.objective.percent()
        ),
        "no Sentry function",
        "use an objective of 50%, 75%, 90%, 95% or 99%; or `dataset: transactions` (self-hosted Sentry), which has percentile(transaction.duration, q); or remove the sentry: source of the SLI",
    );
    false
}

/// Warns when an objective exceeds its journey's composed dependency bound, and about an
/// acknowledgement of that warning when it does not occur.
fn check_bounds(ctx: &mut Ctx, spec: &Spec, slos: &[Slo], journeys: &[Journey]) {
    for (o, slo) in spec.slos.iter().filter_map(|o| {
        slos.iter()
            .find(|s| s.name == o.name.value.0)
            .map(|s| (o, s))
    }) {
        if !above_dependencies(ctx, o, slo, journeys) {
            for d in allow::unused(slo, &[Code::SloAboveDependencies], &[]) {
                ctx.push(d);
            }
        }
    }
}

/// Reports `slo` when its objective is above its journey's dependency bound; whether it did.
fn above_dependencies(ctx: &mut Ctx, o: &spec::Slo, slo: &Slo, journeys: &[Journey]) -> bool {
    let Some(j) = slo
        .journey
        .as_ref()
        .and_then(|j| journeys.iter().find(|x| &x.name == j))
    else {
        return false;
    };
    let Some(bound) = j.availability_bound else {
        return false;
    };
    if slo.objective <= bound {
        return false;
    }
    let mut parts: Vec<&str> = Vec::new();
    for d in j.steps.iter().flat_map(|s| &s.depends_on) {
        if !parts.contains(&d.as_str()) {
            parts.push(d);
        }
    }
    ctx.warning_acknowledged(
        Code::SloAboveDependencies,
        o.objective.span,
        format!("objective {} is above the {} that journey `{}` can reach through its dependencies", slo.objective.percent(), round_percent(bound), j.name),
        format!("dependencies allow at most {}", round_percent(bound)),
        format!("the journey needs {} in series (product of their SLAs); lower the objective, or add redundancy and say so in the rationale (or acknowledge it: allow: [{{code: sloxide::slo::above-dependencies, reason: ...}}])", parts.join(" × ")),
        slo.acknowledges(Code::SloAboveDependencies),
    );
    true
}

fn round_percent(r: Ratio) -> String {
    Ratio(r.0.round_dp(4)).percent()
}

fn bands(ctx: &mut Ctx, b: &spec::Bands, objective: Ratio) -> Option<Bands> {
    let green = bound(ctx, &b.green, "green", &[CompareOp::Ge, CompareOp::Gt]);
    let red = bound(ctx, &b.red, "red", &[CompareOp::Le, CompareOp::Lt]);
    let yellow = b
        .yellow
        .as_ref()
        .map(|y| (y, bound(ctx, y, "yellow", &[CompareOp::Ge, CompareOp::Gt])));
    let (green, red) = (green?, red?);
    if green.value <= red.value {
        ctx.error(
            Code::BandsOrder,
            b.green.span,
            format!("green ({green}) does not start above red ({red})"),
            "overlaps red or leaves no yellow band",
            "green's threshold must be higher than red's, with yellow in between, e.g. green \">= 99.995%\", red \"<= 99.99%\"",
        );
        return None;
    }
    if let Some((y, parsed)) = yellow {
        let expected = Bound {
            op: red.op.negate(),
            value: red.value,
        };
        if parsed? != expected {
            ctx.error(Code::BandsOrder, y.span, format!("yellow `{}` is not what lies between red and green", y.value), format!("expected \"{expected}\""), format!("yellow is everything above red ({red}) and below green ({green}); write \"{expected}\" or leave yellow out"));
            return None;
        }
    }
    if red.value < objective {
        ctx.error(
            Code::BandsObjective,
            b.red.span,
            format!(
                "red ({red}) does not cover every SLI below the objective {}",
                objective.percent()
            ),
            format!(
                "SLI values between {} and {} break the SLO but would not be red",
                red.value.percent(),
                objective.percent()
            ),
            format!(
                "red must start at the objective or above it: e.g. red \"<= {}\" or \"< {}\"",
                objective.percent(),
                objective.percent()
            ),
        );
        return None;
    }
    Some(Bands { green, red })
}

fn bound(
    ctx: &mut Ctx,
    text: &Spanned<String>,
    band: &str,
    allowed: &[CompareOp],
) -> Option<Bound> {
    let raw = text.value.trim();
    let ops = [CompareOp::Ge, CompareOp::Le, CompareOp::Gt, CompareOp::Lt];
    let Some(op) = ops.into_iter().find(|op| raw.starts_with(op.symbol())) else {
        ctx.error(
            Code::BandsSyntax,
            text.span,
            format!("{band} band `{raw}` has no comparison"),
            "expected an operator and a percentage",
            format!("write e.g. {band}: \"{} 99.99%\"", allowed[0].symbol()),
        );
        return None;
    };
    if !allowed.contains(&op) {
        let list: Vec<&str> = allowed.iter().map(|o| o.symbol()).collect();
        ctx.error(
            Code::BandsSyntax,
            text.span,
            format!("{band} band cannot use `{}`", op.symbol()),
            "wrong direction",
            format!(
                "{band} is a {} bound: use {}",
                if allowed[0] == CompareOp::Le {
                    "upper"
                } else {
                    "lower"
                },
                list.join(" or ")
            ),
        );
        return None;
    }
    let rest = raw[op.symbol().len()..].trim().to_owned();
    let value = quantity::percent(
        ctx,
        &Spanned::new(PercentText(rest), text.span),
        &format!("{band} band threshold"),
    )?;
    Some(Bound { op, value })
}

fn alerting(
    ctx: &mut Ctx,
    o: &spec::Slo,
    defaults: Option<&spec::Defaults>,
    objective: Ratio,
    window: Duration,
    allow: &[crate::model::Allowed],
) -> Option<AlertPolicy> {
    let own = o.alerting.as_ref();
    let inherited = defaults.and_then(|d| d.alerting.as_ref());
    let table = own
        .and_then(|a| a.burn_rates.as_ref())
        .or(inherited.and_then(|a| a.burn_rates.as_ref()));
    let min_events = own
        .and_then(|a| a.min_events.as_ref())
        .or(inherited.and_then(|a| a.min_events.as_ref()));
    if let Some(m) = min_events
        && !(1..=MAX_MIN_EVENTS).contains(&m.value)
    {
        ctx.error(Code::AlertMinEvents, m.span, format!("min_events must be between 1 and {MAX_MIN_EVENTS}"), "out of range", "set the smallest number of events in the long window that makes an alert meaningful, e.g. 100");
    }
    // Each alert with the spans to blame: its burn rate, and its long window (for a
    // default-policy alert, the objective and the SLO window the user did write).
    let window_span = o
        .window
        .as_ref()
        .or(defaults.and_then(|d| d.window.as_ref()))
        .map_or(o.objective.span, |w| w.span);
    let alerts: Vec<(BurnRateAlert, Span, Span)> = match table {
        Some(rows) => {
            if rows.value.is_empty() {
                ctx.error(Code::SchemaOther, rows.span, "burn_rates is empty", "no alerts", "list at least one burn-rate alert, or remove burn_rates to use the SRE Workbook defaults");
                return None;
            }
            rows.value
                .iter()
                .map(|r| burn_rate_row(ctx, r))
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<_>>()?
        }
        None => AlertPolicy::sre_workbook()
            .into_iter()
            .map(|a| (a, o.objective.span, window_span))
            .collect(),
    };
    let mut ok = true;
    let mut ids: Vec<String> = Vec::new();
    // Rows of the built-in table that cannot fire at this objective are left out (rows
    // the user wrote stay errors below).
    let mut alerts = alerts;
    let mut dropped = Vec::new();
    if table.is_none() {
        alerts.retain(|(a, ..)| {
            let fires = a.burn_rate * (rust_decimal::Decimal::ONE - objective.0)
                < rust_decimal::Decimal::ONE;
            if !fires {
                dropped.push(a.clone());
            }
            fires
        });
    }
    let reason = allow
        .iter()
        .find(|a| a.code == Code::AlertDefaultRowsDropped)
        .map(|a| a.reason.as_str());
    if dropped.is_empty() {
        for d in allow::unused_of(
            &o.name.value.0,
            allow,
            &[Code::AlertDefaultRowsDropped],
            &[],
        ) {
            ctx.push(d);
        }
    } else {
        let row = |a: &BurnRateAlert| {
            format!(
                "{} {}x over {}/{}",
                severity_word(a.severity),
                a.burn_rate.normalize(),
                a.long_window,
                a.short_window
            )
        };
        let gone: Vec<String> = dropped.iter().map(row).collect();
        let kept: Vec<String> = alerts.iter().map(|(a, ..)| row(a)).collect();
        ctx.warning_acknowledged(
            Code::AlertDefaultRowsDropped,
            o.objective.span,
            format!(
                "at objective {} the default {} can never fire and {} left out; the SLO alerts with {}",
                objective.percent(),
                gone.join(" and "),
                if gone.len() == 1 { "is" } else { "are" },
                kept.join(", ")
            ),
            "default alert rows left out",
            "set `alerting.burn_rates` to choose the rows yourself, or acknowledge this with allow: [{code: sloxide::alerting::default-rows-dropped, reason: ...}]",
            reason,
        );
    }
    for (alert, rate_span, long_span) in &alerts {
        let id = alert.id();
        if ids.contains(&id) {
            ctx.error(
                Code::NameDuplicate,
                *long_span,
                format!(
                    "two {} alerts use the long window {}",
                    if alert.severity == spec::Severity::Page {
                        "page"
                    } else {
                        "ticket"
                    },
                    alert.long_window
                ),
                "duplicate alert",
                "each severity can use a long window once; merge or change one of the rows",
            );
            ok = false;
        }
        ids.push(id);
        let threshold = alert.burn_rate * (rust_decimal::Decimal::ONE - objective.0);
        if threshold >= rust_decimal::Decimal::ONE {
            ctx.error(
                Code::AlertNeverFires,
                *rate_span,
                format!("the {}x {} alert over {}/{} can never fire at objective {}", alert.burn_rate.normalize(), severity_word(alert.severity), alert.long_window, alert.short_window, objective.percent()),
                format!("needs an error ratio above {}%", (threshold * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
                format!("with an error budget of {}, burn rates must stay below {}; set `alerting.burn_rates` for this SLO (e.g. page at 6x over 6h/30m)", objective.complement().percent(), (rust_decimal::Decimal::ONE / (rust_decimal::Decimal::ONE - objective.0)).round_dp(2).normalize()),
            );
            ok = false;
        }
        if alert.long_window > window {
            ctx.error(Code::WindowShorterThanAlert, *long_span, format!("alert window {} is longer than the SLO window {}", alert.long_window, window), "longer than the SLO window", "alert windows must fit in the SLO window; shorten the alert window or lengthen the SLO window");
            ok = false;
        }
    }
    let mut alerts: Vec<BurnRateAlert> = alerts.into_iter().map(|(a, _, _)| a).collect();
    alerts.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.burn_rate.cmp(&a.burn_rate))
            .then(a.long_window.cmp(&b.long_window))
    });
    ok.then(|| AlertPolicy {
        alerts,
        min_events: min_events.map(|m| m.value),
    })
}

/// Two SLOs whose names differ only in `-`/`_` placement would share alert names
/// (`pay-ok` and `pay_ok` both alert as `PayOk…`).
fn unique_alert_stems(ctx: &mut Ctx, spec: &Spec) {
    let mut seen: BTreeMap<String, &Spanned<spec::Ident>> = BTreeMap::new();
    for slo in &spec.slos {
        let stem = crate::model::alert_stem(&slo.name.value.0);
        match seen.get(&stem) {
            Some(first) if first.value != slo.name.value => {
                let (first_span, span) = (ctx.span(first), ctx.span(&slo.name));
                ctx.push(
                    crate::diag::Diagnostic::error(
                        Code::NameAlertCollision,
                        span,
                        format!(
                            "SLOs `{}` and `{}` would both produce alerts named `{stem}…`",
                            first.value.0, slo.name.value.0
                        ),
                        "same alert names as another SLO",
                    )
                    .with_label(first_span, "this SLO's alerts")
                    .with_help("alert names drop `-` and `_` and capitalise each word; rename one of the SLOs"),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(stem, &slo.name);
            }
        }
    }
}

fn severity_word(s: spec::Severity) -> &'static str {
    match s {
        spec::Severity::Page => "page",
        spec::Severity::Ticket => "ticket",
    }
}

fn burn_rate_row(ctx: &mut Ctx, r: &spec::BurnRateAlert) -> Option<(BurnRateAlert, Span, Span)> {
    let rate = quantity::number(ctx, &r.burn_rate, "burn rate");
    let max = Duration::from_secs(90 * 86_400);
    let long = quantity::duration(
        ctx,
        &r.long_window,
        "long window",
        Duration::from_secs(60),
        max,
    );
    let short = quantity::duration(
        ctx,
        &r.short_window,
        "short window",
        Duration::from_secs(60),
        max,
    );
    let (rate, long, short) = (rate?, long?, short?);
    if rate < MIN_BURN_RATE || rate > MAX_BURN_RATE || rate.scale() > 6 {
        ctx.error(
            Code::AlertBurnRate,
            r.burn_rate.span,
            format!("burn rate {rate} is outside what an alert can use"),
            "out of range",
            format!("use a burn rate between {MIN_BURN_RATE} and {MAX_BURN_RATE} with at most 6 decimal places, e.g. 14.4"),
        );
        return None;
    }
    if short >= long {
        ctx.error(Code::AlertWindows, r.short_window.span, format!("short window {short} is not shorter than the long window {long}"), "must be shorter", "the short window makes the alert reset quickly; use about 1/12 of the long window (e.g. 1h/5m)");
        return None;
    }
    if long.millis() % 60_000 != 0 || short.millis() % 60_000 != 0 {
        ctx.error(
            Code::AlertWindows,
            r.long_window.span,
            "alert windows must be whole minutes",
            "not whole minutes",
            "use windows such as 5m, 1h, 6h, 1d",
        );
        return None;
    }
    Some((
        BurnRateAlert {
            severity: r.severity.value,
            burn_rate: rate,
            long_window: long,
            short_window: short,
        },
        r.burn_rate.span,
        r.long_window.span,
    ))
}
