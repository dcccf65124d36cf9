//! `sloxide diff`: what a change of the specs means operationally — objectives, error
//! budgets as time, alerts with their thresholds and full-outage detection times, bands,
//! exclusions and notification targets — compared model to model, plus the generated
//! files that change.

use std::collections::BTreeMap;

use clap::ValueEnum;
use serde::Serialize;

use crate::emit::{self, Options, Target, markdown};
use crate::model::{BurnRateAlert, Model, NotifyTarget, Service, Severity, SliKind, Slo};

/// One operational change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Service name.
    pub service: String,
    /// SLO name, or `None` for service-wide settings.
    pub slo: Option<String>,
    /// What changed, e.g. `objective`, `alert page-1h`, `notify page`.
    pub field: String,
    /// Before, or `None` when added.
    pub before: Option<String>,
    /// After, or `None` when removed.
    pub after: Option<String>,
}

/// Generated files that differ between the two builds.
#[derive(Debug, Default, Serialize)]
pub struct Files {
    /// Only in the head build.
    pub added: Vec<String>,
    /// Only in the base build.
    pub removed: Vec<String>,
    /// In both, with different contents.
    pub changed: Vec<String>,
}

/// The whole diff.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// Operational changes, by service and SLO.
    pub changes: Vec<Change>,
    /// Generated files that change (every backend, default options).
    pub files: Files,
}

impl Diff {
    /// Whether nothing operational changes (generated files may still differ, e.g. after
    /// a new description).
    pub fn is_operationally_same(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares `base` with `head`, building both with every backend and `options`.
pub fn diff(base: &Model, head: &Model, options: &Options) -> Diff {
    let mut changes = Vec::new();
    let (b, h) = (by_name(base), by_name(head));
    for name in b.keys().chain(h.keys().filter(|k| !b.contains_key(*k))) {
        service_changes(
            name,
            b.get(name).copied(),
            h.get(name).copied(),
            &mut changes,
        );
    }
    Diff {
        changes,
        files: files(base, head, options),
    }
}

fn by_name(m: &Model) -> BTreeMap<String, &Service> {
    m.services.iter().map(|s| (s.name.clone(), s)).collect()
}

fn service_changes(name: &str, b: Option<&Service>, h: Option<&Service>, out: &mut Vec<Change>) {
    let mut push =
        |slo: Option<&str>, field: String, before: Option<String>, after: Option<String>| {
            if before != after {
                out.push(Change {
                    service: name.to_string(),
                    slo: slo.map(str::to_string),
                    field,
                    before,
                    after,
                });
            }
        };
    let slo_list = |s: Option<&Service>| -> Option<String> {
        s.map(|s| {
            s.slos
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    if b.is_none() || h.is_none() {
        push(None, "service".into(), slo_list(b), slo_list(h));
    }
    for severity in [Severity::Page, Severity::Ticket] {
        let targets = |s: Option<&Service>| s.map(|s| targets(s.notify.for_severity(severity)));
        let field = match severity {
            Severity::Page => "notify page",
            Severity::Ticket => "notify ticket",
        };
        push(None, field.into(), targets(b), targets(h));
    }
    let slos = |s: Option<&Service>| -> BTreeMap<String, Slo> {
        s.map(|s| s.slos.iter().map(|o| (o.name.clone(), o.clone())).collect())
            .unwrap_or_default()
    };
    let (bs, hs) = (slos(b), slos(h));
    for slo in bs.keys().chain(hs.keys().filter(|k| !bs.contains_key(*k))) {
        let (bo, ho) = (bs.get(slo), hs.get(slo));
        for (field, before, after) in slo_fields(bo, ho) {
            push(Some(slo), field, before, after);
        }
    }
}

/// One field of an SLO as text.
type SloText = dyn Fn(&Slo) -> String;

/// Every compared field of an SLO, before and after.
fn slo_fields(b: Option<&Slo>, h: Option<&Slo>) -> Vec<(String, Option<String>, Option<String>)> {
    let both = |f: &SloText| (b.map(f), h.map(f));
    let mut out = Vec::new();
    if b.is_none() || h.is_none() {
        let (x, y) = both(&|o: &Slo| format!("{} over {}", o.objective.percent(), o.window));
        out.push(("SLO".to_string(), x, y));
    }
    let fields: [(&str, &SloText); 8] = [
        ("indicator", &indicator),
        ("objective", &|o| o.objective.percent()),
        ("window", &|o| o.window.to_string()),
        ("error budget", &|o| {
            format!(
                "{} ({} of events) per {}",
                o.budget_time().human(),
                o.error_budget().percent(),
                o.window
            )
        }),
        ("min_events", &|o| {
            o.alerting
                .min_events
                .map_or("none".into(), |m| m.to_string())
        }),
        ("bands", &|o| match &o.bands {
            Some(bands) => {
                let (above_red, _) = bands.yellow();
                format!(
                    "green {}, yellow {above_red}, red {}",
                    bands.green, bands.red
                )
            }
            None => "none".into(),
        }),
        ("exclusions", &|o| {
            let list: Vec<String> = o
                .exclusions
                .iter()
                .map(|e| {
                    let days: Vec<String> = e
                        .days
                        .iter()
                        .map(|d| format!("{d:?}").to_lowercase())
                        .collect();
                    let days = if days.is_empty() {
                        "every day".to_string()
                    } else {
                        days.join(",")
                    };
                    format!("{} {days} {}–{} {}", e.name, e.from, e.to, e.timezone)
                })
                .collect();
            if list.is_empty() {
                "none".into()
            } else {
                list.join("; ")
            }
        }),
        ("sources", &|o| backends(o).join(", ")),
    ];
    for (name, f) in fields {
        if b.is_some() && h.is_some() {
            let (x, y) = both(f);
            out.push((name.to_string(), x, y));
        }
    }
    let alerts = |o: Option<&Slo>| -> BTreeMap<String, String> {
        o.map(|o| {
            o.alerting
                .alerts
                .iter()
                .map(|a| (a.id(), alert_text(o, a)))
                .collect()
        })
        .unwrap_or_default()
    };
    let (ba, ha) = (alerts(b), alerts(h));
    for id in ba.keys().chain(ha.keys().filter(|k| !ba.contains_key(*k))) {
        out.push((
            format!("alert {id}"),
            ba.get(id).cloned(),
            ha.get(id).cloned(),
        ));
    }
    out
}

/// What the SLI counts as good, e.g. `latency within 300ms (watching p95, p99)`.
fn indicator(slo: &Slo) -> String {
    match &slo.sli.kind {
        SliKind::Ratio { .. } => format!("ratio of good events (SLI {})", slo.sli.name),
        SliKind::Latency {
            threshold,
            percentiles,
            ..
        } => {
            let watched: Vec<String> = percentiles.iter().map(|p| p.label()).collect();
            let watched = if watched.is_empty() {
                String::new()
            } else {
                format!(", watching {}", watched.join(", "))
            };
            format!("latency within {threshold}{watched} (SLI {})", slo.sli.name)
        }
        SliKind::JourneyDuration { threshold, .. } => {
            format!(
                "journey completed within {threshold} (SLI {})",
                slo.sli.name
            )
        }
    }
}

/// Makes every spec path of `model` relative to `root` (the tree as given on the command
/// line), so two trees at different places build identical files.
pub fn rebase(model: &mut Model, root: &std::path::Path) {
    let root = crate::fsguard::display(root);
    let root = root.trim_start_matches("./").trim_end_matches('/');
    for s in &mut model.services {
        if let Some(rest) = s
            .spec_path
            .strip_prefix(root)
            .and_then(|r| r.strip_prefix('/'))
        {
            s.spec_path = rest.to_string();
        } else if s.spec_path == root {
            s.spec_path = std::path::Path::new(root)
                .file_name()
                .map_or_else(|| root.to_string(), |n| n.to_string_lossy().into_owned());
        }
    }
}

/// An alert row in operational terms.
fn alert_text(slo: &Slo, a: &BurnRateAlert) -> String {
    if !slo.alert_can_fire(a) {
        return format!(
            "{}x over {}/{} (can never fire at this objective)",
            a.burn_rate.normalize(),
            a.long_window,
            a.short_window
        );
    }
    let threshold = crate::model::Ratio(slo.alert_threshold(a));
    format!(
        "{}x over {}/{}: fires above {} errors; a full outage fires it after {}",
        a.burn_rate.normalize(),
        a.long_window,
        a.short_window,
        threshold.percent(),
        slo.detection_time(a).human()
    )
}

fn targets(list: &[NotifyTarget]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(|t| match t {
            NotifyTarget::Pagerduty(x) => format!("PagerDuty {x}"),
            NotifyTarget::Slack(x) => format!("Slack {x}"),
            NotifyTarget::Email(x) => format!("e-mail {x}"),
            NotifyTarget::Webhook(x) => format!("webhook {x}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The backends `slo`'s SLI has a source for.
fn backends(slo: &Slo) -> Vec<&'static str> {
    let (p, s, e) = match &slo.sli.kind {
        SliKind::Ratio {
            prometheus,
            splunk,
            sentry,
        } => (prometheus.is_some(), splunk.is_some(), sentry.is_some()),
        SliKind::Latency {
            prometheus,
            splunk,
            sentry,
            ..
        } => (prometheus.is_some(), splunk.is_some(), sentry.is_some()),
        SliKind::JourneyDuration { .. } => (false, true, false),
    };
    [(p, "prometheus"), (s, "splunk"), (e, "sentry")]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect()
}

fn files(base: &Model, head: &Model, options: &Options) -> Files {
    let build = |m: &Model| -> BTreeMap<String, String> {
        emit::emit(m, Target::value_variants(), options)
            .files
            .into_iter()
            .map(|f| (f.path, f.contents))
            .collect()
    };
    let (b, h) = (build(base), build(head));
    let mut out = Files::default();
    for (path, contents) in &h {
        match b.get(path) {
            None => out.added.push(path.clone()),
            Some(old) if old != contents => out.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    out.removed = b.keys().filter(|p| !h.contains_key(*p)).cloned().collect();
    out
}

/// The diff as Markdown for a pull-request comment.
pub fn markdown(d: &Diff) -> String {
    let mut o = String::from("## sloxide: operational changes\n\n");
    if d.changes.is_empty() {
        o.push_str("No operational change (objectives, budgets, alerts, bands, exclusions and notification targets are the same).\n");
    }
    let mut current: Option<(&str, Option<&str>)> = None;
    for c in &d.changes {
        let key = (c.service.as_str(), c.slo.as_deref());
        if current != Some(key) {
            match c.slo.as_deref() {
                Some(slo) => o.push_str(&format!(
                    "\n### {} / {}\n\n",
                    markdown::code(&c.service),
                    markdown::code(slo)
                )),
                None => o.push_str(&format!("\n### {}\n\n", markdown::code(&c.service))),
            }
            current = Some(key);
        }
        // Values as code spans: no markup, mention (`@team`) or autolink from spec text.
        let text = |v: &Option<String>| v.as_deref().map(markdown::code).unwrap_or_default();
        let line = match (&c.before, &c.after) {
            (None, Some(_)) => format!("- **{}** added: {}\n", c.field, text(&c.after)),
            (Some(_), None) => format!("- **{}** removed (was {})\n", c.field, text(&c.before)),
            _ => format!(
                "- **{}**: {} → {}\n",
                c.field,
                text(&c.before),
                text(&c.after)
            ),
        };
        o.push_str(&line);
    }
    let f = &d.files;
    let total = f.added.len() + f.removed.len() + f.changed.len();
    o.push_str(&format!("\n### Generated files that change: {total}\n\n"));
    if total == 0 {
        o.push_str("None.\n");
    }
    for (what, list) in [
        ("added", &f.added),
        ("removed", &f.removed),
        ("changed", &f.changed),
    ] {
        for p in list {
            o.push_str(&format!("- {what}: {}\n", markdown::code(p)));
        }
    }
    o
}
