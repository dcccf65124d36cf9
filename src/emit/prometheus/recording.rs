//! Recording rules of one SLO: the alerting group's step counts and running totals, and
//! the budget group's SLO window, per-window ratios, metadata, bands and exclusion state.

use std::collections::BTreeMap;

use super::counts::{self, COUNT_LABEL};
use super::promql::{self, Source};
use super::rules::{Record, Rule};
use super::windows;
use super::{all_labels, exclusion, identity};
use crate::model::{Band, Bound, Duration, Service, SliKind, Slo};
use crate::validate::promql::quote;

/// Name of the per-window error ratio the alerts read (label `window`).
pub const WINDOW_RATIO: &str = "slo:sli_error:ratio";

/// Name of the error-ratio recording over `w`.
pub fn ratio(w: Duration) -> String {
    format!("slo:sli_error:ratio_rate{}", w.to_prom())
}

/// Name of the recording of the smaller error ratio of windows `long` and `short`, e.g.
/// `slo:sli_error:ratio_min1h_5m`: a burn-rate row fires when it is above the threshold.
pub fn pair_min(long: Duration, short: Duration) -> String {
    format!(
        "slo:sli_error:ratio_min{}_{}",
        long.to_prom(),
        short.to_prom()
    )
}

/// Name of the latency percentiles of a latency SLI's histogram (label `quantile`).
pub const QUANTILE: &str = "slo:sli_latency_seconds:quantile_rate5m";

/// Name of the SLI recording over the SLO window.
pub fn sli(slo: &Slo) -> String {
    format!("slo:sli:ratio_rate{}", slo.window.to_prom())
}

/// Name of the objective recording.
pub const OBJECTIVE: &str = "slo:objective:ratio";
/// Name of the band recording.
pub const BAND: &str = "slo:band:info";
/// Name of the exclusion recording.
pub const EXCLUSION: &str = "slo:exclusion:active";

/// Minutes an exclusion mask outlasts the exclusion: a step that ends just after it still
/// holds events from inside it, and a query-form SLI's step spreads its 5m rate.
pub fn mask_widen_minutes(source: Source<'_>) -> u32 {
    let spread = if source.exact() {
        0
    } else {
        windows::RATE.secs() / 60
    };
    1 + spread as u32
}

/// `{...}` selecting the series of one window.
pub fn window_matchers(matchers: &str, w: Duration) -> String {
    let inner = matchers.trim_start_matches('{').trim_end_matches('}');
    format!("{{{inner},window=\"{}\"}}", w.to_prom())
}

pub(super) fn record(name: &str, expr: String, labels: &BTreeMap<String, String>) -> Rule {
    Rule::Record(Record {
        record: name.to_owned(),
        expr,
        labels: labels.clone(),
    })
}

/// The recording rules of the alerting group (every [`windows::STEP`]), in order.
pub fn alerting(service: &Service, slo: &Slo, source: Source<'_>) -> Vec<Rule> {
    let labels = all_labels(service, slo);
    let matchers = promql::selector("", &identity(service, slo));
    let mask = exclusion::condition(&slo.exclusions, mask_widen_minutes(source));
    let masked = |expr: String| match &mask {
        Some(mask) => format!("(({expr}) unless on() ({mask}) or vector(0))"),
        None => format!("({expr} or vector(0))"),
    };
    let step = match source.split() {
        Some(split) => {
            let rows = format!(
                "sum by ({COUNT_LABEL}) (label_replace(\n  {},\n  \"{COUNT_LABEL}\", \"{}\", {}, {}\n))",
                promql::step_rows(&split.selector),
                split.matched.label(),
                quote(&split.label),
                quote(&split.regex)
            );
            counts::split_step(&masked(rows), split.matched, split.unmatched)
        }
        None => counts::step(
            &masked(source.events()),
            &masked(source.counted().0),
            source.counted_count(),
        ),
    };
    vec![record(
        counts::TOTAL,
        counts::total(&step, &matchers),
        &labels,
    )]
}

/// The recording rules of the budget group (every [`windows::BUDGET_STEP`]), in order.
pub fn budget(service: &Service, slo: &Slo) -> Vec<Rule> {
    let labels = all_labels(service, slo);
    let matchers = promql::selector("", &identity(service, slo));
    let sel = |name: &str| format!("{name}{matchers}");
    let mut out = Vec::new();
    if let Some(active) = exclusion::condition(&slo.exclusions, 0) {
        out.push(record(
            EXCLUSION,
            format!("(vector(1) and on() ({active})) or vector(0)"),
            &labels,
        ));
    }
    let budget = slo.error_budget().decimal();
    out.push(record(
        OBJECTIVE,
        format!("vector({})", slo.objective.decimal()),
        &labels,
    ));
    out.push(record(
        "slo:error_budget:ratio",
        format!("vector({budget})"),
        &labels,
    ));
    let slo_ratio = format!(
        "max without(window) ({WINDOW_RATIO}{})",
        window_matchers(&matchers, slo.window)
    );
    out.push(record(&sli(slo), format!("1 - {slo_ratio}"), &labels));
    out.push(record(
        "slo:error_budget_remaining:ratio",
        format!("1 - {slo_ratio} / {budget}"),
        &labels,
    ));
    if let Some(bands) = &slo.bands {
        let sli_now = sel(&sli(slo));
        let (above_red, below_green) = bands.yellow();
        for (band, cond) in [
            (Band::Green, compare(&sli_now, bands.green)),
            (
                Band::Yellow,
                format!(
                    "{} and {}",
                    compare(&sli_now, above_red),
                    compare(&sli_now, below_green)
                ),
            ),
            (Band::Red, compare(&sli_now, bands.red)),
        ] {
            let mut l = labels.clone();
            l.insert("band".into(), band_name(band).into());
            out.push(record(BAND, format!("({cond}) * 0 + 1"), &l));
        }
    }
    if let SliKind::Latency {
        prometheus: Some(h),
        percentiles,
        ..
    } = &slo.sli.kind
    {
        for p in percentiles {
            let mut l = labels.clone();
            l.insert("quantile".into(), p.quantile().normalize().to_string());
            out.push(record(
                QUANTILE,
                promql::quantile(h, p.quantile(), windows::RATE),
                &l,
            ));
        }
    }
    out
}

/// `expr <op> value` as a PromQL filter.
pub fn compare(expr: &str, bound: Bound) -> String {
    format!("{expr} {} {}", bound.op.symbol(), bound.value.decimal())
}

/// Lowercase band name used in labels and anchors.
pub fn band_name(band: Band) -> &'static str {
    match band {
        Band::Green => "green",
        Band::Yellow => "yellow",
        Band::Red => "red",
    }
}
