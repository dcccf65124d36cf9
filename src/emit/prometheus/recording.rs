//! Recording rules of one SLO: base event rates, per-window rates and ratios, metadata,
//! bands and the exclusion state.

use std::collections::BTreeMap;

use super::promql::{self, Source};
use super::rules::{Record, Rule};
use super::{all_labels, exclusion, identity, windows};
use crate::model::{Band, Bound, Duration, Polarity, Service, Slo};

/// Events per second over `w` as an expression: the base recording, the raw series for a
/// direct window, or the average of the base recording for a derived one.
pub fn events_in(slo: &Slo, source: Source<'_>, w: Duration, matchers: &str) -> String {
    if w == windows::BASE {
        format!("{}{matchers}", events(w))
    } else if windows::is_direct(slo, w) {
        source.events(w)
    } else {
        format!(
            "avg_over_time({}{matchers}[{}])",
            events(windows::BASE),
            w.to_prom()
        )
    }
}

/// Name of the event-rate recording over `w`.
pub fn events(w: Duration) -> String {
    format!("slo:sli_events:rate{}", w.to_prom())
}

/// Name of the bad-event-rate recording over `w`.
pub fn errors(w: Duration) -> String {
    format!("slo:sli_errors:rate{}", w.to_prom())
}

/// Name of the error-ratio recording over `w`.
pub fn ratio(w: Duration) -> String {
    format!("slo:sli_error:ratio_rate{}", w.to_prom())
}

/// Name of the SLI recording over the SLO window.
pub fn sli(slo: &Slo) -> String {
    format!("slo:sli:ratio_rate{}", slo.window.to_prom())
}

/// Name of the band recording.
pub const BAND: &str = "slo:band:info";
/// Name of the exclusion recording.
pub const EXCLUSION: &str = "slo:exclusion:active";

/// The recording rules of `slo`, in evaluation order.
pub fn rules(service: &Service, slo: &Slo, source: Source<'_>) -> Vec<Rule> {
    let labels = all_labels(service, slo);
    let id = identity(service, slo);
    let matchers = promql::selector("", &id);
    let sel = |name: &str| format!("{name}{matchers}");
    let record = |name: String, expr: String, labels: &BTreeMap<String, String>| {
        Rule::Record(Record {
            record: name,
            expr,
            labels: labels.clone(),
        })
    };
    let mut out = Vec::new();
    let mask = exclusion::condition(&slo.exclusions, windows::BASE.secs() as u32 / 60);
    if let Some(active) = exclusion::condition(&slo.exclusions, 0) {
        out.push(record(
            EXCLUSION.into(),
            format!("(vector(1) and on() ({active})) or vector(0)"),
            &labels,
        ));
    }
    for w in windows::needed(slo) {
        let (counted, polarity) = source.counted(w);
        let expr = if w == windows::BASE {
            let mut total = source.events(w);
            if let Some(mask) = &mask {
                total = format!("{total} unless on() ({mask})");
            }
            out.push(record(events(w), total, &labels));
            let events_now = sel(&events(w));
            let bad = match polarity {
                Polarity::Bad => format!("{counted} and on() {events_now}"),
                Polarity::Good => format!("clamp_min({events_now} - on() {counted}, 0)"),
            };
            out.push(record(errors(w), bad, &labels));
            format!("{} / {events_now}", sel(&errors(w)))
        } else if windows::is_direct(slo, w) {
            let total = source.events(w);
            match polarity {
                Polarity::Bad => format!("{counted} / {total}"),
                Polarity::Good => format!("clamp_min(1 - {counted} / {total}, 0)"),
            }
        } else {
            let range = w.to_prom();
            format!(
                "sum_over_time({}[{range}]) / sum_over_time({}[{range}])",
                sel(&errors(windows::BASE)),
                sel(&events(windows::BASE))
            )
        };
        out.push(record(ratio(w), expr, &labels));
    }
    let budget = slo.error_budget().decimal();
    out.push(record(
        "slo:objective:ratio".into(),
        format!("vector({})", slo.objective.decimal()),
        &labels,
    ));
    out.push(record(
        "slo:error_budget:ratio".into(),
        format!("vector({budget})"),
        &labels,
    ));
    let slo_ratio = sel(&ratio(slo.window));
    out.push(record(sli(slo), format!("1 - {slo_ratio}"), &labels));
    out.push(record(
        "slo:error_budget_remaining:ratio".into(),
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
            out.push(record(BAND.into(), format!("({cond}) * 0 + 1"), &l));
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
