//! Recording rules of one SLO: base event rates, per-window rates and ratios, metadata,
//! bands and the exclusion state.

use std::collections::BTreeMap;

use super::promql::{self, Source};
use super::rules::{Record, Rule};
use super::{all_labels, exclusion, identity, windows};
use crate::model::{Band, Bound, Duration, Polarity, Service, Slo};

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
        if windows::is_direct(slo, w) {
            let mut total = source.events(w);
            if let (true, Some(mask)) = (w == windows::BASE, &mask) {
                total = format!("{total} unless on() ({mask})");
            }
            out.push(record(events(w), total, &labels));
            let events_now = sel(&events(w));
            let (counted, polarity) = source.counted(w);
            let bad = match polarity {
                Polarity::Bad => format!("{counted} and on() {events_now}"),
                Polarity::Good => format!("clamp_min({events_now} - on() {counted}, 0)"),
            };
            out.push(record(errors(w), bad, &labels));
        } else {
            let range = w.to_prom();
            for name in [events, errors] {
                out.push(record(
                    name(w),
                    format!("avg_over_time({}[{range}])", sel(&name(windows::BASE))),
                    &labels,
                ));
            }
        }
        out.push(record(
            ratio(w),
            format!("{} / {}", sel(&errors(w)), sel(&events(w))),
            &labels,
        ));
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
