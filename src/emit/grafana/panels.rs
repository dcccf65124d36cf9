//! The panels, variables and annotations of the dashboards: per SLO the SLI against its
//! objective and bands, the budget left, events and errors per second, the burn rate of
//! each alert row against its threshold and the alerts firing; the overview across
//! services. Queries come from [`prometheus::recorded`] and read recorded series only.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::emit::prometheus::{
    RATE, Recorded, alert_rows, alerting_slos, recorded, severity_label,
};
use crate::model::{Service, Slo};

/// Grafana's grid is 24 columns wide.
const WIDTH: u64 = 24;

fn datasource() -> Value {
    json!({"type": "prometheus", "uid": "${datasource}"})
}

/// The Prometheus data source variable every dashboard queries through (a service
/// dashboard's only variable: every SLO has its own panels).
pub fn datasource_variable() -> Vec<Value> {
    vec![json!({
        "name": "datasource",
        "label": "Prometheus",
        "type": "datasource",
        "query": "prometheus",
        "hide": 0,
        "refresh": 1,
        "options": [],
    })]
}

/// A JSON number for an exact decimal (thresholds are shown as written).
fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn target(ref_id: &str, expr: String, legend: &str) -> Value {
    json!({"refId": ref_id, "datasource": datasource(), "expr": expr, "legendFormat": legend, "range": true})
}

/// A panel at `(x, y)` of size `(w, h)`.
struct Place {
    x: u64,
    y: u64,
    w: u64,
    h: u64,
}

fn panel(kind: &str, title: &str, at: Place, targets: Vec<Value>, defaults: Value) -> Value {
    json!({
        "type": kind,
        "title": title,
        "datasource": datasource(),
        "gridPos": {"x": at.x, "y": at.y, "w": at.w, "h": at.h},
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {},
    })
}

fn steps(steps: &[(&str, Value)]) -> Value {
    let list: Vec<Value> = steps
        .iter()
        .map(|(color, value)| json!({"color": color, "value": value}))
        .collect();
    json!({"mode": "absolute", "steps": list})
}

/// The SLI's colours: the margin bands where the SLO has them, else red below the
/// objective and green at or above it.
fn sli_thresholds(slo: &Slo) -> Value {
    match slo.bands {
        Some(b) => steps(&[
            ("red", Value::Null),
            ("yellow", number(b.red.value.0)),
            ("green", number(b.green.value.0)),
        ]),
        None => steps(&[("red", Value::Null), ("green", number(slo.objective.0))]),
    }
}

/// Every panel of one service dashboard: a row per journey (SLOs without one under the
/// service's row), then per SLO its panels.
pub fn service(service: &Service) -> Vec<Value> {
    let mut slos: Vec<(&Slo, Recorded)> = alerting_slos(service)
        .filter_map(|slo| recorded(service, slo).map(|r| (slo, r)))
        .collect();
    slos.sort_by(|a, b| a.0.journey.cmp(&b.0.journey));
    let mut out = Vec::new();
    let mut y = 0;
    let mut journey: Option<Option<&String>> = None;
    for (slo, rec) in &slos {
        if journey != Some(slo.journey.as_ref()) {
            journey = Some(slo.journey.as_ref());
            let title = match &slo.journey {
                Some(j) => {
                    let t = service
                        .journeys
                        .iter()
                        .find(|x| &x.name == j)
                        .map_or(j.as_str(), |x| x.title.as_str());
                    format!("Journey: {t}")
                }
                None => format!("Service: {}", service.title),
            };
            out.push(json!({
                "type": "row",
                "title": title,
                "collapsed": false,
                "gridPos": {"x": 0, "y": y, "w": WIDTH, "h": 1},
                "panels": [],
            }));
            y += 1;
        }
        y = slo_panels(slo, rec, y, &mut out);
    }
    number_panels(&mut out);
    out
}

/// The panels of one SLO from row `y`; returns the next free row.
fn slo_panels(slo: &Slo, rec: &Recorded, mut y: u64, out: &mut Vec<Value>) -> u64 {
    let window = slo.window.to_prom();
    let title = &slo.title;
    out.push(panel(
        "stat",
        &format!("{title}: SLI over {window} (objective {})", slo.objective.percent()),
        Place { x: 0, y, w: 6, h: 6 },
        vec![target("A", rec.sli.clone(), "SLI")],
        json!({"unit": "percentunit", "decimals": 3, "thresholds": sli_thresholds(slo), "color": {"mode": "thresholds"}}),
    ));
    out.push(panel(
        "gauge",
        &format!("{title}: error budget left ({window})"),
        Place { x: 6, y, w: 6, h: 6 },
        vec![target("A", rec.budget_remaining.clone(), "budget left")],
        json!({"unit": "percentunit", "min": 0, "max": 1, "decimals": 1,
               "thresholds": steps(&[("red", Value::Null), ("yellow", json!(0)), ("green", json!(0.25))]),
               "color": {"mode": "thresholds"}}),
    ));
    let events = format!("sum({})", rec.events_per_second);
    let errors = format!("sum({}) * {events}", rec.error_ratio(rec.rate_window));
    let traffic_width = if rec.percentiles.is_empty() { 12 } else { 6 };
    out.push(panel(
        "timeseries",
        &format!(
            "{title}: events and errors per second ({})",
            rec.rate_window
        ),
        Place {
            x: 12,
            y,
            w: traffic_width,
            h: 6,
        },
        vec![
            target("A", events, "events/s"),
            target("B", errors, "errors/s"),
        ],
        json!({"unit": "reqps", "min": 0}),
    ));
    if !rec.percentiles.is_empty() {
        let targets = rec
            .percentiles
            .iter()
            .enumerate()
            .map(|(i, (label, query))| target(&format!("P{}", i + 1), query.clone(), label))
            .collect();
        let threshold = rec.latency_threshold.map_or(Value::Null, |t| {
            number(Decimal::from(t.millis()) / Decimal::ONE_THOUSAND)
        });
        out.push(panel(
            "timeseries",
            &format!("{title}: latency percentiles ({})", rec.rate_window),
            Place {
                x: 18,
                y,
                w: 6,
                h: 6,
            },
            targets,
            json!({"unit": "s", "min": 0,
                   "thresholds": steps(&[("green", Value::Null), ("red", threshold)]),
                   "custom": {"thresholdsStyle": {"mode": "line"}}}),
        ));
    }
    y += 6;
    let rows = alert_rows(slo);
    let n = rows.len().max(1) as u64;
    let budget = slo.error_budget().0;
    for (i, (name, row)) in rows.iter().enumerate() {
        let (long, short) = (row.long_window, row.short_window);
        let burn = |w: crate::model::Duration| {
            format!(
                "max without(window) ({}) / {}",
                rec.error_ratio(w),
                budget.normalize()
            )
        };
        let severity = severity_label(row.severity);
        let mut p = panel(
            "timeseries",
            &format!(
                "{title}: {severity} at {}x over {} and {} ({name})",
                row.burn_rate.normalize(),
                long.to_prom(),
                short.to_prom()
            ),
            Place {
                x: i as u64 * (WIDTH / n),
                y,
                w: WIDTH / n,
                h: 6,
            },
            vec![
                target("A", burn(long), &format!("burn rate {}", long.to_prom())),
                target("B", burn(short), &format!("burn rate {}", short.to_prom())),
            ],
            json!({"unit": "none", "min": 0, "decimals": 2,
                   "thresholds": steps(&[("green", Value::Null), ("red", number(row.burn_rate))]),
                   "custom": {"thresholdsStyle": {"mode": "line"}}}),
        );
        p["description"] = json!(format!(
            "Burn rate: error ratio / error budget ({}). The alert fires while both lines are above the threshold line.",
            slo.error_budget().percent()
        ));
        out.push(p);
    }
    if !rows.is_empty() {
        y += 6;
    }
    let firing = format!(
        "ALERTS{{alertstate=\"firing\",{}}}",
        rec.matchers.trim_start_matches('{').trim_end_matches('}')
    );
    let mut targets = vec![target("A", firing, "{{alertname}}")];
    let mut what = "alerts firing";
    if let Some(active) = &rec.exclusion {
        targets.push(target("B", active.clone(), "exclusion window (1 = active)"));
        what = "alerts firing and exclusion windows";
    }
    out.push(panel(
        "state-timeline",
        &format!("{title}: {what}"),
        Place {
            x: 0,
            y,
            w: WIDTH,
            h: 4,
        },
        targets,
        json!({"color": {"mode": "thresholds"},
               "thresholds": steps(&[("transparent", Value::Null), ("red", json!(1))])}),
    ));
    y + 4
}

/// Numbers every panel in order (Grafana wants a unique `id` per panel).
fn number_panels(panels: &mut [Value]) {
    for (i, p) in panels.iter_mut().enumerate() {
        p["id"] = json!(i + 1);
    }
}

/// The overview: the budget left, the burn rate over the window every SLO records (5m)
/// and the alerts firing of every SLO the variables pick.
pub fn overview() -> Vec<Value> {
    let scope = "service=~\"$service\",slo=~\"$slo\"";
    let mut out = vec![
        panel(
            "bargauge",
            "Error budget left per SLO",
            Place {
                x: 0,
                y: 0,
                w: 12,
                h: 12,
            },
            vec![target(
                "A",
                format!("slo:error_budget_remaining:ratio{{{scope}}}"),
                "{{service}} / {{slo}}",
            )],
            json!({"unit": "percentunit", "min": 0, "max": 1, "decimals": 1,
                   "thresholds": steps(&[("red", Value::Null), ("yellow", json!(0)), ("green", json!(0.25))]),
                   "color": {"mode": "thresholds"}}),
        ),
        panel(
            "timeseries",
            &format!("Burn rate over the last {RATE} per SLO"),
            Place {
                x: 12,
                y: 0,
                w: 12,
                h: 12,
            },
            vec![target(
                "A",
                format!(
                    "max without(window) (slo:sli_error:ratio{{{scope},window=\"{}\"}}) / on(service, slo) slo:error_budget:ratio{{{scope}}}",
                    RATE.to_prom()
                ),
                "{{service}} / {{slo}}",
            )],
            json!({"unit": "none", "min": 0, "decimals": 2}),
        ),
        panel(
            "table",
            "Alerts firing",
            Place {
                x: 0,
                y: 12,
                w: WIDTH,
                h: 8,
            },
            vec![target(
                "A",
                format!(
                    "count by (service, slo, severity, alertname) (ALERTS{{alertstate=\"firing\",{scope}}})"
                ),
                "",
            )],
            json!({}),
        ),
    ];
    let alerts = &mut out[2]["targets"][0];
    alerts["format"] = json!("table");
    alerts["instant"] = json!(true);
    alerts["range"] = json!(false);
    number_panels(&mut out);
    out
}

/// The overview's variables: data source, then services (this build's) and SLOs.
pub fn overview_variables(services: &[&str]) -> Vec<Value> {
    let mut vars = datasource_variable();
    let mut service = query_variable(
        "service",
        "Service",
        "label_values(slo:objective:ratio, service)",
    );
    service["regex"] = json!(format!("/^({})$/", services.join("|")));
    vars.push(service);
    vars.push(query_variable(
        "slo",
        "SLO",
        "label_values(slo:objective:ratio{service=~\"$service\"}, slo)",
    ));
    vars
}

/// A multi-value query variable over the recorded series.
fn query_variable(name: &str, label: &str, query: &str) -> Value {
    json!({
        "name": name,
        "label": label,
        "type": "query",
        "datasource": datasource(),
        "query": {"query": query, "refId": name},
        "refresh": 2,
        "multi": true,
        "includeAll": true,
        "hide": 0,
        "options": [],
        "sort": 1,
    })
}
