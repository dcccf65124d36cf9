//! Alerting rules of one SLO: one rule per burn-rate row, and band alerts.
//!
//! Alert names are CamelCase metric names built from the SLO identifier, e.g.
//! `PaymentSuccessBurnRatePage1h`, `PaymentSuccessBandRed`. Annotations hold only static
//! text (no `$value`), so the same text appears in Alertmanager and in promtool tests.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::counts::Pair;
use super::promql::{self, Source};
use super::recording::{self, band_name};
use super::rules::{Alert, Rule};
use super::{all_labels, identity, windows};
use crate::emit::naming;
use crate::model::{Band, Bands, BurnRateAlert, Duration, Ratio, Service, Severity, Slo};

/// One alert this backend emits for an SLO.
enum Planned<'a> {
    Burn(&'a BurnRateAlert),
    Band(Band, Bands),
}

fn planned_alerts(slo: &Slo) -> Vec<Planned<'_>> {
    let mut out: Vec<Planned<'_>> = windows::alerts(slo).map(Planned::Burn).collect();
    if let Some(bands) = slo.bands {
        out.push(Planned::Band(Band::Yellow, bands));
        out.push(Planned::Band(Band::Red, bands));
    }
    out
}

/// `(anchor, alertname)` of every alert emitted for `slo`, in rule order.
pub fn planned(slo: &Slo) -> Vec<(String, String)> {
    planned_alerts(slo)
        .into_iter()
        .map(|p| match p {
            Planned::Burn(a) => (naming::burn_alert_anchor(slo, a), burn_name(slo, a)),
            Planned::Band(b, _) => (
                naming::band_alert_anchor(slo, band_name(b)),
                band_alert_name(slo, b),
            ),
        })
        .collect()
}

/// Alert name of a burn-rate row, e.g. `PaymentSuccessBurnRatePage1h`.
pub fn burn_name(slo: &Slo, a: &BurnRateAlert) -> String {
    format!(
        "{}BurnRate{}{}",
        slo.alert_stem(),
        severity_title(a.severity),
        a.long_window.to_prom()
    )
}

/// Alert name of a band alert, e.g. `PaymentSuccessBandRed`.
pub fn band_alert_name(slo: &Slo, band: Band) -> String {
    let b = band_name(band);
    format!(
        "{}Band{}{}",
        slo.alert_stem(),
        b[..1].to_uppercase(),
        &b[1..]
    )
}

fn severity_title(s: Severity) -> &'static str {
    match s {
        Severity::Page => "Page",
        Severity::Ticket => "Ticket",
    }
}

/// The `severity` label value.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Page => "page",
        Severity::Ticket => "ticket",
    }
}

/// User text made inert for Go templates. Go's template lexer acts only on the
/// delimiters `{{` and `}}`, so every brace that touches another brace becomes an action
/// printing it (`{{"{"}}`); the only delimiters left are those of these actions, and the
/// rendered annotation equals the original text. Lone braces (`{x}`, PromQL selectors)
/// stay as written.
pub fn template_text(s: &str) -> String {
    if !s.contains("{{") && !s.contains("}}") && !s.contains("{}") && !s.contains("}{") {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let is_brace = |i: usize| chars.get(i).is_some_and(|c| matches!(c, '{' | '}'));
    let mut out = String::with_capacity(s.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        let touching = is_brace(i + 1) || (i > 0 && is_brace(i - 1));
        match c {
            '{' if touching => out.push_str("{{\"{\"}}"),
            '}' if touching => out.push_str("{{\"}\"}}"),
            c => out.push(c),
        }
    }
    out
}

/// When a burn-rate alert of `slo` fires relative to the SRE Workbook detection time.
fn timing(slo: &Slo) -> String {
    match Source::of(&slo.sli.kind) {
        Some(source) if !source.exact() => format!(
            "plus up to {} on average, {} at most, and one {} evaluation: the windows of a query-form SLI are smoothed over {} and read one evaluation after they are counted",
            Duration::from_millis(windows::RATE.millis() / 2).human(),
            windows::RATE.human(),
            windows::STEP,
            windows::RATE
        ),
        _ => format!(
            "at the second {} evaluation after it: every window counts the exact events between samples, and the alert reads it one evaluation after it is counted",
            windows::STEP
        ),
    }
}

fn percent(d: Decimal) -> String {
    Ratio(d.round_dp(6)).percent()
}

/// The alert rules of `slo`, plus each rule's annotations before template escaping
/// (what Alertmanager shows), in the same order.
/// The alert rules of `slo`: the burn-rate rows (alerting group) and the band alerts
/// (budget group).
pub fn rules(service: &Service, slo: &Slo) -> (Vec<Rule>, Vec<Rule>) {
    let (burn, band): (Vec<Alert>, Vec<Alert>) = alert_texts(service, slo)
        .into_iter()
        .map(|(alert, _)| alert)
        .partition(|a| !a.labels.contains_key("band"));
    (
        burn.into_iter().map(Rule::Alert).collect(),
        band.into_iter().map(Rule::Alert).collect(),
    )
}

/// Each alert rule with its rendered annotations (what promtool and Alertmanager show).
pub fn alert_texts(service: &Service, slo: &Slo) -> Vec<(Alert, BTreeMap<String, String>)> {
    let id = identity(service, slo);
    let matchers = promql::selector("", &id);
    let sel = |name: &str| format!("{name}{matchers}");
    let title = if slo.title == slo.name {
        format!("{} / {}", service.name, slo.name)
    } else {
        format!("{} ({} / {})", slo.title, service.name, slo.name)
    };
    let budget = slo.error_budget();
    let window = slo.window.to_prom();
    let pair = Source::of(&slo.sli.kind).map_or(Pair::EventsErrors, |s| s.pair());
    planned_alerts(slo)
        .into_iter()
        .map(|p| {
            // The rule sets every label (a band alert's comparison and a burn-rate alert's
            // pair ratio carry them too, with the same values); Prometheus expands
            // templates in rule labels, so user text is made inert.
            let mut labels: BTreeMap<String, String> = all_labels(service, slo)
                .into_iter()
                .map(|(k, v)| (k, template_text(&v)))
                .collect();
            let (name, expr, anchor, summary, description) = match p {
                Planned::Burn(a) => {
                    let threshold = slo.alert_threshold(a);
                    let (long, short) = (a.long_window.to_prom(), a.short_window.to_prom());
                    // Both windows are above the threshold when the smaller one is.
                    let mut expr = format!(
                        "{}{matchers} > {}",
                        recording::pair_min(a.long_window, a.short_window),
                        threshold.normalize()
                    );
                    let mut guard = String::new();
                    if let Some(min) = slo.alerting.min_events {
                        let events = pair
                            .events(&recording::window_matchers(&matchers, a.long_window));
                        expr.push_str(&format!("\nand on()\n{events} >= {min}"));
                        guard = format!(" It needs at least {min} events in the last {long}.");
                    }
                    let timing = format!(" ({})", timing(slo));
                    labels.insert("severity".into(), severity_label(a.severity).into());
                    let summary = format!(
                        "{title}: error budget burning at {}x over {long} and {short}",
                        a.burn_rate.normalize()
                    );
                    let description = format!(
                        "The error ratio is above {} ({}x the {} error budget of the {} objective over {window}) over both the last {long} and the last {short}. Burning at this rate consumes {} of the {window} error budget in {long} and exhausts it in {}. A full outage fires this alert after {}{timing}.{guard}",
                        percent(threshold),
                        a.burn_rate.normalize(),
                        budget.percent(),
                        slo.objective.percent(),
                        percent(slo.budget_consumed(a)),
                        slo.time_to_exhaustion(a.burn_rate).human(),
                        slo.detection_time(a).human(),
                    );
                    (
                        burn_name(slo, a),
                        expr,
                        naming::burn_alert_anchor(slo, a),
                        summary,
                        description,
                    )
                }
                Planned::Band(band, bands) => {
                    let sli = sel(&recording::sli(slo));
                    labels.insert("severity".into(), "ticket".into());
                    let (expr, summary, description) = match band {
                        Band::Red => (
                            recording::compare(&sli, bands.red),
                            format!("{title}: SLI in the RED band over {window}"),
                            format!(
                                "The SLI over the last {window} is {} (objective {}): the SLO is breached or about to be, and the error budget is exhausted or nearly so. Apply the error budget policy.",
                                bands.red,
                                slo.objective.percent()
                            ),
                        ),
                        _ => {
                            let (lo, hi) = bands.yellow();
                            (
                                format!(
                                    "{}\nand\n{}",
                                    recording::compare(&sli, lo),
                                    recording::compare(&sli, hi)
                                ),
                                format!("{title}: SLI in the YELLOW band over {window}"),
                                format!(
                                    "The SLI over the last {window} is {lo} and {hi} (objective {}): the safety margin is used up. Review the error budget burn and plan fixes before the SLO is at risk.",
                                    slo.objective.percent()
                                ),
                            )
                        }
                    };
                    labels.insert("band".into(), band_name(band).into());
                    (
                        band_alert_name(slo, band),
                        expr,
                        naming::band_alert_anchor(slo, band_name(band)),
                        summary,
                        description,
                    )
                }
            };
            let mut rendered = BTreeMap::from([
                ("summary".to_owned(), summary),
                ("description".to_owned(), description),
                ("runbook_url".to_owned(), naming::runbook_url(service, &anchor)),
            ]);
            if let Some(url) = naming::dashboard_url(service) {
                rendered.insert("dashboard_url".to_owned(), url);
            }
            let annotations = rendered
                .iter()
                .map(|(k, v)| (k.clone(), template_text(v)))
                .collect();
            (
                Alert {
                    alert: name,
                    expr,
                    labels,
                    annotations,
                },
                rendered,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_braces_are_neutralised() {
        let (l, r) = ("{{\"{\"}}", "{{\"}\"}}");
        assert_eq!(
            template_text("a {{ .x }} b"),
            format!("a {l}{l} .x {r}{r} b")
        );
        assert_eq!(template_text("{}}`"), format!("{l}{r}{r}`"));
        assert_eq!(template_text("{{{"), format!("{l}{l}{l}"));
        assert_eq!(template_text("`x` {y}"), "`x` {y}");
        assert_eq!(template_text("plain {x}"), "plain {x}");
    }
}
