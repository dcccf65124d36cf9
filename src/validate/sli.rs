//! SLIs: exactly one kind, at least one source, well-formed sources.

use rust_decimal::Decimal;

use super::ctx::Ctx;
use super::promql::parse_selector;
use super::quantity;
use super::splunk::{Text, check_field, check_text};
use crate::diag::Code;
use crate::model::{
    self, Duration, Polarity, PromHistogram, PromRatio, Sli, SliKind, WINDOW_PLACEHOLDER,
};
use crate::span::{Span, Spanned};
use crate::spec;

/// Resolves an SLI; `None` when it is unusable (errors reported).
pub fn resolve(ctx: &mut Ctx, s: &spec::Sli) -> Option<Sli> {
    let kinds = [
        s.ratio.is_some(),
        s.latency.is_some(),
        s.journey_duration.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        ctx.error(
            Code::SliKind,
            s.name.span,
            format!("SLI `{}` must have exactly one of ratio, latency, journey_duration", s.name.value.0),
            if kinds.contains(&true) { "more than one kind" } else { "no kind given" },
            "an SLI measures one thing: add `ratio:`, `latency:` or `journey_duration:` (and only one)",
        );
        return None;
    }
    let kind = if let Some(r) = &s.ratio {
        ratio(ctx, s, r)?
    } else if let Some(l) = &s.latency {
        latency(ctx, s, l)?
    } else {
        let j = s.journey_duration.as_ref()?;
        let threshold = threshold(ctx, &j.threshold)?;
        no_source(ctx, s, j.splunk.is_none())?;
        if let Some(x) = &j.splunk {
            let ok = [
                check_text(ctx, &x.search, Text::Search),
                check_text(ctx, &x.start, Text::Condition),
                check_text(ctx, &x.end, Text::Condition),
                check_field(ctx, &x.id_field),
            ];
            ok.iter().all(|k| *k).then_some(())?;
        }
        SliKind::JourneyDuration {
            threshold,
            splunk: j.splunk.as_ref().map(|x| model::SplunkJourney {
                search: x.search.value.clone(),
                start: x.start.value.clone(),
                end: x.end.value.clone(),
                id_field: x.id_field.value.clone(),
            }),
        }
    };
    Some(Sli {
        name: s.name.value.0.clone(),
        description: s.description.clone(),
        kind,
    })
}

fn no_source(ctx: &mut Ctx, s: &spec::Sli, none: bool) -> Option<()> {
    if none {
        ctx.error(
            Code::SliNoSource,
            s.name.span,
            format!("SLI `{}` has no source", s.name.value.0),
            "nothing to measure it with",
            "add a prometheus:, splunk: or sentry: source under the SLI kind",
        );
        return None;
    }
    Some(())
}

fn threshold(ctx: &mut Ctx, t: &Spanned<spec::DurationText>) -> Option<Duration> {
    quantity::duration(
        ctx,
        t,
        "threshold",
        Duration::from_millis(1),
        Duration::from_secs(86_400),
    )
}

fn ratio(ctx: &mut Ctx, s: &spec::Sli, r: &spec::RatioSli) -> Option<SliKind> {
    no_source(
        ctx,
        s,
        r.prometheus.is_none() && r.splunk.is_none() && r.sentry.is_none(),
    )?;
    let prometheus = match &r.prometheus {
        Some(p) => Some(prom_ratio(ctx, p.span, p)?),
        None => None,
    };
    let splunk = match &r.splunk {
        Some(x) => {
            let (condition, polarity) =
                one_of(ctx, x.span, "splunk", ("good", &x.good), ("bad", &x.bad))?;
            let ok = [
                check_text(ctx, &x.search, Text::Search),
                check_text(ctx, condition, Text::Condition),
            ];
            ok.iter().all(|k| *k).then_some(())?;
            Some(model::SplunkRatio {
                search: x.search.value.clone(),
                condition: condition.value.clone(),
                polarity,
            })
        }
        None => None,
    };
    Some(SliKind::Ratio {
        prometheus,
        splunk,
        sentry: r.sentry.as_ref().map(|x| sentry(ctx, x)),
    })
}

fn prom_ratio(ctx: &mut Ctx, block: Span, p: &spec::PromRatio) -> Option<PromRatio> {
    let counters = p.total.is_some() || p.good.is_some() || p.bad.is_some();
    let queries = p.total_query.is_some() || p.good_query.is_some() || p.bad_query.is_some();
    if counters && queries {
        ctx.error(
            Code::SliPolarity,
            block,
            "prometheus source mixes selectors and raw queries",
            "choose one form",
            "use either total + good/bad selectors, or total_query + good_query/bad_query",
        );
        return None;
    }
    if queries {
        let total = required(ctx, block, "total_query", &p.total_query)?;
        let (counted, polarity) = one_of(
            ctx,
            block,
            "prometheus",
            ("good_query", &p.good_query),
            ("bad_query", &p.bad_query),
        )?;
        let ok = [total, counted].into_iter().all(|q| {
            let has = q.value.contains(WINDOW_PLACEHOLDER);
            if !has {
                ctx.error(Code::PromqlPlaceholder, q.span, "raw PromQL query has no {{window}} placeholder", "no range placeholder", "write the range as [{{window}}], e.g. sum(rate(http_requests_total[{{window}}]))");
            }
            let parsed = super::promql::check_query(&q.value);
            if let Err(why) = &parsed {
                ctx.error(Code::PromqlQuery, q.span, format!("Prometheus would refuse this query: {why}"), "not valid PromQL", "write an instant-vector expression such as sum(rate(http_requests_total{job=\"api\"}[{{window}}])); check it with `promtool query` or the Prometheus UI");
            }
            has && parsed.is_ok()
        });
        return ok.then(|| PromRatio::Queries {
            total: total.value.clone(),
            counted: counted.value.clone(),
            polarity,
        });
    }
    let total = required(ctx, block, "total", &p.total)?;
    let (counted, polarity) = one_of(ctx, block, "prometheus", ("good", &p.good), ("bad", &p.bad))?;
    let total_sel = selector(ctx, total);
    let counted_sel = selector(ctx, counted);
    Some(PromRatio::Counters {
        total: total_sel?.to_promql(),
        counted: counted_sel?.to_promql(),
        polarity,
    })
}

fn required<'a>(
    ctx: &mut Ctx,
    at: Span,
    key: &str,
    v: &'a Option<Spanned<String>>,
) -> Option<&'a Spanned<String>> {
    if v.is_none() {
        ctx.error(
            Code::SliPolarity,
            at,
            format!("prometheus source has no `{key}`"),
            "incomplete source",
            format!("add `{key}:` (all events) next to the good or bad events"),
        );
    }
    v.as_ref()
}

/// Exactly one of a good/bad pair must be given.
fn one_of<'a>(
    ctx: &mut Ctx,
    at: Span,
    source: &str,
    good: (&str, &'a Option<Spanned<String>>),
    bad: (&str, &'a Option<Spanned<String>>),
) -> Option<(&'a Spanned<String>, Polarity)> {
    match (good.1, bad.1) {
        (Some(g), None) => Some((g, Polarity::Good)),
        (None, Some(b)) => Some((b, Polarity::Bad)),
        (Some(_), Some(b)) => {
            ctx.error(
                Code::SliPolarity,
                b.span,
                format!("{source} source has both `{}` and `{}`", good.0, bad.0),
                "one of the two is redundant",
                format!(
                    "give either `{}` or `{}`; the other is implied by the total",
                    good.0, bad.0
                ),
            );
            None
        }
        (None, None) => {
            ctx.error(
                Code::SliPolarity,
                at,
                format!("{source} source has neither `{}` nor `{}`", good.0, bad.0),
                "what counts as good or bad?",
                format!("add `{}:` or `{}:`", good.0, bad.0),
            );
            None
        }
    }
}

fn selector(ctx: &mut Ctx, text: &Spanned<String>) -> Option<super::promql::Selector> {
    match parse_selector(&text.value) {
        Ok(s) => match super::promql::check_query(&s.to_promql()) {
            Ok(()) => Some(s),
            Err(why) => {
                ctx.error(Code::PromqlSelector, text.span, format!("Prometheus would refuse this selector: {why}"), "not a valid selector", "fix the matcher the message names; regular expressions use RE2 syntax, e.g. code=~\"5..\"");
                None
            }
        },
        Err(e) => {
            // Point at the offending character when the YAML value is a plain or simply
            // quoted scalar (its text then starts at the span or one byte later).
            ctx.error(Code::PromqlSelector, text.span, format!("invalid Prometheus selector: {} (at character {})", e.message, e.offset + 1), "not a valid selector", "write a metric selector such as http_requests_total{job=\"api\",code=~\"5..\"}; ranges and functions are added by sloxide");
            None
        }
    }
}

fn sentry(ctx: &mut Ctx, s: &spec::SentrySource) -> model::SentrySource {
    super::sentry::project(ctx, &s.project);
    if let Some(q) = &s.query {
        super::sentry::metric_query(ctx, q);
    }
    model::SentrySource {
        project: s.project.value.clone(),
        dataset: s.dataset.unwrap_or(spec::SentryDataset::Spans),
        query: s.query.as_ref().map(|q| q.value.clone()),
        environment: s.environment.as_ref().map(|e| e.value.clone()),
    }
}

fn latency(ctx: &mut Ctx, s: &spec::Sli, l: &spec::LatencySli) -> Option<SliKind> {
    let threshold = threshold(ctx, &l.threshold);
    let percentiles: Vec<_> = l
        .percentiles
        .iter()
        .map(|p| quantity::percentile(ctx, p))
        .collect();
    no_source(
        ctx,
        s,
        l.prometheus.is_none() && l.splunk.is_none() && l.sentry.is_none(),
    )?;
    let threshold = threshold?;
    if let Some(x) = &l.splunk {
        let ok = [
            check_text(ctx, &x.search, Text::Search),
            check_field(ctx, &x.duration_field),
        ];
        ok.iter().all(|k| *k).then_some(())?;
    }
    let prometheus = match &l.prometheus {
        Some(h) => Some(histogram(ctx, h, threshold, &l.threshold)?),
        None => None,
    };
    Some(SliKind::Latency {
        threshold,
        percentiles: percentiles.into_iter().collect::<Option<_>>()?,
        prometheus,
        splunk: l.splunk.as_ref().map(|x| model::SplunkLatency {
            search: x.search.value.clone(),
            duration_field: x.duration_field.value.clone(),
            unit: x.unit,
        }),
        sentry: l.sentry.as_ref().map(|x| sentry(ctx, x)),
    })
}

fn histogram(
    ctx: &mut Ctx,
    h: &spec::PromHistogram,
    threshold: Duration,
    threshold_text: &Spanned<spec::DurationText>,
) -> Option<PromHistogram> {
    let sel = selector(ctx, &h.histogram)?;
    let Some(metric) = sel.metric.clone() else {
        ctx.error(
            Code::PromqlSelector,
            h.histogram.span,
            "histogram selector has no metric name",
            "metric name missing",
            "write the histogram's base name, e.g. http_request_duration_seconds{job=\"api\"}",
        );
        return None;
    };
    if metric.ends_with("_bucket") || metric.ends_with("_count") || metric.ends_with("_sum") {
        ctx.error(
            Code::PromqlSelector,
            h.histogram.span,
            format!("histogram `{metric}` includes a series suffix"),
            "suffix not expected",
            "name the histogram without _bucket/_count/_sum; sloxide adds the suffixes",
        );
        return None;
    }
    if let Some(m) = sel.matchers.iter().find(|m| m.name == "le") {
        ctx.error(
            Code::PromqlSelector,
            h.histogram.span,
            format!("histogram selector sets `le{}`", m.op),
            "le is chosen from the threshold",
            "remove the le matcher; sloxide selects the bucket at the latency threshold",
        );
        return None;
    }
    let buckets: Vec<Decimal> = h
        .buckets
        .iter()
        .map(|b| quantity::number(ctx, b, "bucket boundary"))
        .collect::<Option<_>>()?;
    let secs = threshold.secs_decimal().normalize();
    if !buckets.is_empty() && !buckets.iter().any(|b| b.normalize() == secs) {
        let list: Vec<String> = buckets
            .iter()
            .map(|b| format!("{}s", b.normalize()))
            .collect();
        ctx.error(
            Code::LatencyBucket,
            threshold_text.span,
            format!("threshold {} is not a bucket boundary of `{metric}`", threshold_text.value.0),
            "no `le` bucket at this value",
            format!("a classic histogram can only count events up to one of its boundaries: {}; pick one or add the bucket to the instrumentation", list.join(", ")),
        );
        return None;
    }
    Some(PromHistogram {
        metric,
        matchers: sel.matchers_text(),
        buckets: buckets.into_iter().map(|b| b.normalize()).collect(),
    })
}
