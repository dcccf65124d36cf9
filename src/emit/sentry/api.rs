//! Current API: detectors (`POST /api/0/organizations/{org}/projects/{project}/detectors/`,
//! windows in seconds) and workflows (`POST /api/0/organizations/{org}/workflows/`).
//! Shapes: getsentry/sentry-api-schema `openapi-derefed.json` (HEAD a589a26) and
//! `src/sentry/incidents/metric_issue_detector.py`; see `schema/sentry/api.schema.json`.

use serde::Serialize;
use serde_json::{Value, json};

use super::plan::{Issue, Metric, Rule, Target};
use super::vocab::{self, placeholder};
use crate::model::Severity;

/// A detector request body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detector {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    description: String,
    enabled: bool,
    data_sources: Vec<DataSource>,
    config: DetectorConfig,
    condition_group: ConditionGroup,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataSource {
    aggregate: String,
    dataset: &'static str,
    /// Always present: the data-source validator requires the key (`null` = all
    /// environments).
    environment: Option<String>,
    event_types: Vec<&'static str>,
    query: String,
    query_type: u8,
    time_window: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetectorConfig {
    detection_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConditionGroup {
    logic_type: &'static str,
    conditions: Vec<DetectorCondition>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetectorCondition {
    #[serde(rename = "type")]
    kind: &'static str,
    comparison: Value,
    condition_result: u8,
}

/// A workflow request body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    name: String,
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    config: WorkflowConfig,
    detector_ids: Vec<String>,
    triggers: WorkflowTriggers,
    action_filters: Vec<ActionFilter>,
}

#[derive(Serialize)]
struct WorkflowConfig {
    frequency: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkflowTriggers {
    logic_type: &'static str,
    conditions: Vec<WorkflowCondition>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkflowCondition {
    #[serde(rename = "type")]
    kind: &'static str,
    comparison: Value,
    condition_result: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActionFilter {
    logic_type: &'static str,
    conditions: Vec<WorkflowCondition>,
    actions: Vec<Action>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    integration_id: Option<String>,
    config: ActionConfig,
    data: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActionConfig {
    target_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_display: Option<String>,
}

/// Detector priorities (`DetectorPriorityLevel`: HIGH 75, MEDIUM 50, OK 0).
fn priority(severity: Severity) -> u8 {
    match severity {
        Severity::Page => 75,
        Severity::Ticket => 50,
    }
}

/// The detector of a metric rule.
pub fn detector(rule: &Rule, m: &Metric) -> Detector {
    let (dataset, event_type) = vocab::dataset(m.dataset);
    let mut conditions: Vec<DetectorCondition> = m
        .triggers
        .iter()
        .map(|t| DetectorCondition {
            kind: "gt",
            comparison: vocab::number(t.threshold),
            condition_result: priority(t.severity),
        })
        .collect();
    if let Some(lowest) = m.triggers.last() {
        conditions.push(DetectorCondition {
            kind: "lte",
            comparison: vocab::number(lowest.threshold),
            condition_result: 0,
        });
    }
    Detector {
        name: rule.name.clone(),
        kind: "metric_issue",
        owner: rule.team.as_deref().map(|t| placeholder("team", t)),
        description: rule.description.clone(),
        enabled: true,
        data_sources: vec![DataSource {
            aggregate: m.aggregate.clone(),
            dataset,
            environment: m.environment.clone(),
            event_types: vec![event_type],
            query: m.query.clone(),
            query_type: 1,
            time_window: m.window_minutes * 60,
        }],
        config: DetectorConfig {
            detection_type: "static",
        },
        condition_group: ConditionGroup {
            logic_type: "any",
            conditions,
        },
    }
}

/// The workflow notifying a metric rule's targets, one action filter per trigger.
pub fn metric_workflow(rule: &Rule, m: &Metric) -> Workflow {
    Workflow {
        name: rule.name.clone(),
        enabled: true,
        environment: m.environment.clone(),
        config: WorkflowConfig { frequency: 0 },
        detector_ids: vec![placeholder("detector", &rule.key)],
        triggers: WorkflowTriggers {
            logic_type: "any-short",
            conditions: Vec::new(),
        },
        action_filters: m
            .triggers
            .iter()
            // As Sentry's own alert-rule migration builds them
            // (migration_helpers/alert_rule.py): the filter passes when the issue reaches
            // the trigger's priority, and again when it falls back below it or resolves
            // (`issue_priority_deescalating`), so resolutions are notified too.
            .map(|t| ActionFilter {
                logic_type: "any",
                conditions: [
                    "issue_priority_greater_or_equal",
                    "issue_priority_deescalating",
                ]
                .map(|kind| WorkflowCondition {
                    kind,
                    comparison: json!(priority(t.severity)),
                    condition_result: true,
                })
                .into(),
                actions: t
                    .targets
                    .iter()
                    .map(|x| action(x, t.severity, None))
                    .collect(),
            })
            .collect(),
    }
}

/// The workflow of an issue rule, attached to the project's error detector.
pub fn issue_workflow(rule: &Rule, i: &Issue) -> Workflow {
    // No trigger condition: every event of the detector's issues passes ("If there aren't
    // any workflow trigger conditions, the workflow is considered triggered", Workflow
    // model, src/sentry/workflow_engine/models/workflow.py), the filters pick the known
    // error and `frequency` throttles per issue.
    let mut triggers = Vec::new();
    if !i.every_event {
        triggers.extend([
            state_condition("first_seen_event"),
            state_condition("regression_event"),
        ]);
        if i.escalating {
            triggers.push(state_condition("reappeared_event"));
        }
    }
    let filters = i
        .filters
        .iter()
        .map(|term| {
            let f = vocab::filter(term);
            let comparison = match f.attribute {
                Some(a) => json!({"attribute": a, "match": f.r#match, "value": f.value}),
                None => json!({"key": f.key, "match": f.r#match, "value": f.value}),
            };
            WorkflowCondition {
                kind: if f.attribute.is_some() {
                    "event_attribute"
                } else {
                    "tagged_event"
                },
                comparison,
                condition_result: true,
            }
        })
        .collect();
    Workflow {
        name: rule.name.clone(),
        enabled: true,
        environment: i.environment.clone(),
        config: WorkflowConfig {
            frequency: i.frequency_minutes,
        },
        detector_ids: vec![placeholder("error_detector", &rule.project)],
        triggers: WorkflowTriggers {
            logic_type: "any-short",
            conditions: triggers,
        },
        action_filters: vec![ActionFilter {
            logic_type: "all",
            conditions: filters,
            actions: i
                .targets
                .iter()
                .map(|x| action(x, i.severity, i.notes.as_deref()))
                .collect(),
        }],
    }
}

fn state_condition(kind: &'static str) -> WorkflowCondition {
    WorkflowCondition {
        kind,
        comparison: json!(true),
        condition_result: true,
    }
}

fn action(target: &Target, severity: Severity, notes: Option<&str>) -> Action {
    let config = |target_type, id: Option<String>, display: Option<&str>| ActionConfig {
        target_type,
        target_identifier: id,
        target_display: display.map(str::to_string),
    };
    match target {
        Target::PagerDuty(service) => Action {
            kind: "pagerduty",
            integration_id: Some(placeholder("integration", "pagerduty")),
            config: config(
                "specific",
                Some(placeholder("pagerduty_service", service)),
                Some(service),
            ),
            data: json!({"priority": match severity {
                Severity::Page => "critical",
                Severity::Ticket => "warning",
            }}),
        },
        Target::Slack(channel) => Action {
            kind: "slack",
            integration_id: Some(placeholder("integration", "slack")),
            config: config(
                "specific",
                Some(placeholder("slack_channel_id", channel)),
                Some(channel),
            ),
            data: match notes {
                Some(n) => json!({"notes": n}),
                None => json!({}),
            },
        },
        Target::Email(address) => Action {
            kind: "email",
            integration_id: None,
            config: config("user", Some(placeholder("user", address)), None),
            data: json!({}),
        },
        Target::Team(team) => Action {
            kind: "email",
            integration_id: None,
            config: config("team", Some(placeholder("team_id", team)), None),
            data: json!({}),
        },
    }
}
