//! `sloxide explain`: the error budget arithmetic of one SLO, in words and numbers.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::model::{Model, Service, Slo};

/// Finds an SLO by `service/slo` or by a bare SLO name that is unique across services.
pub fn find<'m>(model: &'m Model, query: &str) -> Result<(&'m Service, &'m Slo), String> {
    let (svc, slo) = match query.split_once('/') {
        Some((s, o)) => (Some(s), o),
        None => (None, query),
    };
    let hits: Vec<(&Service, &Slo)> = model
        .services
        .iter()
        .filter(|s| svc.is_none_or(|n| s.name == n))
        .flat_map(|s| s.slos.iter().map(move |o| (s, o)))
        .filter(|(_, o)| o.name == slo)
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => {
            let all: Vec<String> = model
                .services
                .iter()
                .flat_map(|s| s.slos.iter().map(move |o| format!("{}/{}", s.name, o.name)))
                .collect();
            Err(format!("no SLO `{query}`; known SLOs: {}", all.join(", ")))
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|(s, o)| format!("{}/{}", s.name, o.name))
                .collect();
            Err(format!(
                "`{query}` is ambiguous: {}; write service/slo",
                names.join(", ")
            ))
        }
    }
}

/// Renders the budget math of `slo`.
pub fn render(service: &Service, slo: &Slo) -> String {
    let mut o = String::new();
    let budget = slo.error_budget();
    let _ = writeln!(o, "SLO {}/{} ({})", service.name, slo.name, slo.title);
    let _ = writeln!(
        o,
        "  objective       {} of events good over a rolling {}",
        slo.objective.percent(),
        slo.window
    );
    let _ = writeln!(
        o,
        "  error budget    {} of events ({})",
        budget.percent(),
        budget.decimal()
    );
    let _ = writeln!(
        o,
        "                  = {} of full outage per {}",
        slo.budget_time().human(),
        slo.window
    );
    if let Some(m) = slo.alerting.min_events {
        let _ = writeln!(
            o,
            "  low traffic     alerts need at least {m} events in their long window"
        );
    }
    let _ = writeln!(
        o,
        "\n  burn rate → budget exhausted after (from a full budget)"
    );
    let mut rates: Vec<Decimal> = vec![Decimal::ONE, Decimal::TWO];
    rates.extend(slo.alerting.alerts.iter().map(|a| a.burn_rate));
    rates.sort();
    rates.dedup();
    for r in rates {
        let _ = writeln!(
            o,
            "    {:>6}x   {}",
            r.normalize(),
            slo.time_to_exhaustion(r).human()
        );
    }
    let _ = writeln!(o, "\n  alerts (both windows must exceed the threshold)");
    let _ = writeln!(
        o,
        "    {:<8} {:>6} {:>10} {:>12} {:>16} {:>22}",
        "severity", "burn", "long/short", "error ratio", "budget consumed", "full-outage detection"
    );
    for a in &slo.alerting.alerts {
        let sev = match a.severity {
            crate::model::Severity::Page => "page",
            crate::model::Severity::Ticket => "ticket",
        };
        let _ = writeln!(
            o,
            "    {:<8} {:>6} {:>10} {:>12} {:>16} {:>22}",
            sev,
            format!("{}x", a.burn_rate.normalize()),
            format!("{}/{}", a.long_window, a.short_window),
            format!(
                "> {}%",
                (slo.alert_threshold(a) * Decimal::ONE_HUNDRED).normalize()
            ),
            format!(
                "{}%",
                (slo.budget_consumed(a) * Decimal::ONE_HUNDRED)
                    .round_dp(2)
                    .normalize()
            ),
            slo.detection_time(a).human(),
        );
    }
    let _ = writeln!(
        o,
        "\n  detection time = burn rate × budget × long window (a full outage after steady traffic);"
    );
    let _ = writeln!(
        o,
        "  budget consumed = burn rate × long window / SLO window, when the alert fires at its threshold."
    );
    o
}
