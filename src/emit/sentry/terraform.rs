//! Terraform JSON (`*.tf.json`) for the jianyuan/sentry provider's current resources:
//! `sentry_metric_monitor` (detectors) and `sentry_alert` (workflows); field names from
//! `internal/provider/resource_{metric_monitor,alert}_gen.go` at v0.15.4 (fb9f2ff3).
//! The files need provider v0.15.3 or later (fractional `comparison` thresholds, 72cd530e;
//! empty `trigger_conditions` from v0.15.2, 333ebb7a), hence `~> 0.15.3`.
//! Ids only the organisation knows come from the map variable `sentry_ids`, keyed like the
//! API placeholders (`team:kyc-platform`); `main.tf.json` declares it and the provider per project directory.

use serde_json::{Value, json};

use super::plan::{Issue, Metric, Rule, Target};
use super::vocab;
use crate::model::Severity;

/// The provider versions the files work with.
pub const PROVIDER_VERSION: &str = "~> 0.15.3";

/// The provider requirement and variables every project directory (one root module)
/// declares.
pub fn module() -> Value {
    json!({
        "terraform": {
            "required_version": ">= 1.0",
            "required_providers": {
                "sentry": { "source": "jianyuan/sentry", "version": PROVIDER_VERSION }
            }
        },
        "variable": {
            "sentry_organization": {
                "type": "string",
                "description": "Sentry organization slug."
            },
            "sentry_ids": {
                "type": "map(string)",
                "description": "Ids by placeholder key, as listed under `placeholders` in the service manifest, e.g. \"integration:slack\" = \"123456\"."
            }
        }
    })
}

/// A Terraform reference to the id behind a placeholder.
fn id(kind: &str, name: &str) -> String {
    let key = serde_json::to_string(&super::vocab::placeholder_key(kind, name)).unwrap_or_default();
    format!("${{var.sentry_ids[{key}]}}")
}

/// `text` as a Terraform string literal: JSON strings are templates, so `${` and `%{`
/// in user text are escaped as `$${` and `%%{`.
fn lit(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

const ORG: &str = "${var.sentry_organization}";

/// Terraform resource name of a rule: its key with each `.` (not allowed in resource
/// names) spelled `_X_`. Keys are lowercase, so the uppercase marker keeps names unique.
fn resource_name(rule: &Rule) -> String {
    rule.key.replace('.', "_X_")
}

/// The resources of one rule.
pub fn rule(rule: &Rule) -> Value {
    match &rule.kind {
        super::plan::RuleKind::Metric(m) => metric(rule, m),
        super::plan::RuleKind::Issue(i) => issue(rule, i),
    }
}

fn metric(rule: &Rule, m: &Metric) -> Value {
    let (dataset, event_type) = vocab::dataset(m.dataset);
    let mut conditions: Vec<Value> = m
        .triggers
        .iter()
        .map(|t| {
            json!({"type": "gt", "comparison": vocab::number(t.threshold),
                   "condition_result": priority(t.severity)})
        })
        .collect();
    if let Some(lowest) = m.triggers.last() {
        conditions.push(
            json!({"type": "lte", "comparison": vocab::number(lowest.threshold),
                               "condition_result": 0}),
        );
    }
    let mut monitor = json!({
        "organization": ORG,
        "project": lit(&rule.project),
        "name": lit(&rule.name),
        "description": lit(&rule.description),
        "enabled": true,
        "aggregate": lit(&m.aggregate),
        "dataset": dataset,
        "event_types": [event_type],
        "query": lit(&m.query),
        "query_type": "performance",
        "time_window_seconds": m.window_minutes * 60,
        "issue_detection": {"type": "static"},
        "condition_group": {"logic_type": "any", "conditions": conditions},
    });
    insert_opt(
        &mut monitor,
        "environment",
        m.environment.as_deref().map(|e| Value::from(lit(e))),
    );
    insert_opt(
        &mut monitor,
        "owner",
        rule.team
            .as_deref()
            .map(|t| json!({"team_id": id("team_id", t)})),
    );
    let filters: Vec<Value> = m
        .triggers
        .iter()
        .map(|t| {
            json!({
                "logic_type": "all",
                "conditions": [{"issue_priority_greater_or_equal": {"comparison": priority(t.severity)}}],
                "actions": t.targets.iter().map(|x| action(x, t.severity, None)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut alert = json!({
        "organization": ORG,
        "name": lit(&rule.name),
        "enabled": true,
        "monitor_ids": [format!("${{sentry_metric_monitor.{}.id}}", resource_name(rule))],
        "frequency_minutes": 0,
        "trigger_conditions": [],
        "action_filters": filters,
    });
    insert_opt(
        &mut alert,
        "environment",
        m.environment.as_deref().map(|e| Value::from(lit(e))),
    );
    json!({"resource": {
        "sentry_metric_monitor": {(resource_name(rule)): monitor},
        "sentry_alert": {(resource_name(rule)): alert},
    }})
}

fn issue(rule: &Rule, i: &Issue) -> Value {
    // Empty trigger conditions (provider v0.15.2+): every event passes, as in the API form.
    let mut triggers = Vec::new();
    if !i.every_event {
        triggers.extend([
            json!({"first_seen_event": {}}),
            json!({"regression_event": {}}),
        ]);
        if i.escalating {
            triggers.push(json!({"reappeared_event": {}}));
        }
    }
    let conditions: Vec<Value> = i
        .filters
        .iter()
        .map(|term| {
            let f = vocab::filter(term);
            match f.attribute {
                Some(a) => json!({"event_attribute": {"attribute": a, "match": f.r#match, "value": lit(f.value)}}),
                None => json!({"tagged_event": {"key": lit(f.key), "match": f.r#match, "value": lit(f.value)}}),
            }
        })
        .collect();
    let mut alert = json!({
        "organization": ORG,
        "name": lit(&rule.name),
        "enabled": true,
        "monitor_ids": [id("error_detector", &rule.project)],
        "frequency_minutes": i.frequency_minutes,
        "trigger_conditions": triggers,
        "action_filters": [{
            "logic_type": "all",
            "conditions": conditions,
            "actions": i.targets.iter().map(|x| action(x, i.severity, i.notes.as_deref())).collect::<Vec<_>>(),
        }],
    });
    insert_opt(
        &mut alert,
        "environment",
        i.environment.as_deref().map(|e| Value::from(lit(e))),
    );
    json!({"resource": {"sentry_alert": {(resource_name(rule)): alert}}})
}

fn priority(severity: Severity) -> u8 {
    match severity {
        Severity::Page => 75,
        Severity::Ticket => 50,
    }
}

fn action(target: &Target, severity: Severity, notes: Option<&str>) -> Value {
    match target {
        Target::PagerDuty(service) => json!({"pagerduty": {
            "integration_id": id("integration", "pagerduty"),
            "service_id": id("pagerduty_service", service),
            "service_name": lit(service),
            "severity": match severity {
                Severity::Page => "critical",
                Severity::Ticket => "warning",
            },
        }}),
        Target::Slack(channel) => {
            let mut slack = json!({
                "integration_id": id("integration", "slack"),
                "channel_name": lit(channel),
                "channel_id": id("slack_channel_id", channel),
                "tags": "environment,level",
            });
            insert_opt(&mut slack, "notes", notes.map(|n| Value::from(lit(n))));
            json!({"slack": slack})
        }
        Target::Email(address) => json!({"email": {
            "target_type": "user", "target_id": id("user", address),
        }}),
        Target::Team(team) => json!({"email": {
            "target_type": "team", "target_id": id("team_id", team),
        }}),
    }
}

fn insert_opt(object: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(v), Some(map)) = (value, object.as_object_mut()) {
        map.insert(key.to_string(), v);
    }
}

/// The placeholder key (`kind:name`) a Terraform `sentry_ids` reference names, if `text` is one.
pub fn placeholder_keys(text: &str) -> Option<String> {
    let inner = text.strip_prefix("${var.sentry_ids[")?.strip_suffix("]}")?;
    serde_json::from_str::<String>(inner).ok()
}
