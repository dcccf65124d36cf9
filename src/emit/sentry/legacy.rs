//! Legacy payloads: metric alert rules (`POST /api/0/organizations/{org}/alert-rules/`,
//! windows in minutes) and issue alert rules (`POST /api/0/projects/{org}/{project}/rules/`).
//! Deprecated by Sentry in 2026 (sentry-api-schema 1da1f31, removed in 0867556) but still
//! served by self-hosted and older Sentry. Rules: `src/sentry/incidents/serializers/
//! alert_rule.py`, `src/sentry/api/endpoints/project_rules.py`; see
//! `schema/sentry/legacy.schema.json`.

use serde::Serialize;
use serde_json::{Value, json};

use super::plan::{Issue, Metric, Rule, Target};
use super::vocab::{self, placeholder};
use crate::model::Severity;

/// A legacy metric alert rule body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRule {
    name: String,
    projects: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    dataset: &'static str,
    query_type: u8,
    event_types: Vec<&'static str>,
    aggregate: String,
    query: String,
    time_window: u32,
    threshold_period: u8,
    threshold_type: u8,
    detection_type: &'static str,
    description: String,
    triggers: Vec<MetricTrigger>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricTrigger {
    label: &'static str,
    alert_threshold: Value,
    actions: Vec<Value>,
}

/// A legacy issue alert rule body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueRule {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    frequency: u32,
    action_match: &'static str,
    conditions: Vec<Value>,
    filter_match: &'static str,
    filters: Vec<Value>,
    actions: Vec<Value>,
}

/// The legacy metric alert of a metric rule; the first trigger is `critical`, the
/// second `warning` (Sentry requires that order).
pub fn metric_rule(rule: &Rule, m: &Metric) -> MetricRule {
    let (dataset, event_type) = vocab::dataset(m.dataset);
    MetricRule {
        name: rule.name.clone(),
        projects: vec![rule.project.clone()],
        environment: m.environment.clone(),
        owner: rule.team.as_deref().map(|t| placeholder("team", t)),
        dataset,
        query_type: 1,
        event_types: vec![event_type],
        aggregate: m.aggregate.clone(),
        query: m.query.clone(),
        time_window: m.window_minutes,
        threshold_period: 1,
        threshold_type: 0,
        detection_type: "static",
        description: rule.description.clone(),
        triggers: m
            .triggers
            .iter()
            .zip(["critical", "warning"])
            .map(|(t, label)| MetricTrigger {
                label,
                alert_threshold: vocab::number(t.threshold),
                actions: t
                    .targets
                    .iter()
                    .map(|x| metric_action(x, t.severity))
                    .collect(),
            })
            .collect(),
    }
}

fn metric_action(target: &Target, severity: Severity) -> Value {
    match target {
        Target::PagerDuty(service) => json!({
            "type": "pagerduty",
            "targetType": "specific",
            "targetIdentifier": placeholder("pagerduty_service", service),
            "integrationId": placeholder("integration", "pagerduty"),
            "priority": match severity {
                Severity::Page => "critical",
                Severity::Ticket => "warning",
            },
        }),
        Target::Slack(channel) => json!({
            "type": "slack",
            "targetType": "specific",
            "targetIdentifier": channel,
            "inputChannelId": placeholder("slack_channel_id", channel),
            "integrationId": placeholder("integration", "slack"),
        }),
        Target::Email(address) => json!({
            "type": "email",
            "targetType": "user",
            "targetIdentifier": placeholder("user", address),
        }),
        Target::Team(team) => json!({
            "type": "email",
            "targetType": "team",
            "targetIdentifier": placeholder("team_id", team),
        }),
    }
}

/// The legacy issue alert of an issue rule.
pub fn issue_rule(rule: &Rule, i: &Issue) -> IssueRule {
    let mut conditions = vec![
        json!({"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}),
        json!({"id": "sentry.rules.conditions.regression_event.RegressionEventCondition"}),
    ];
    if i.escalating {
        conditions.push(
            json!({"id": "sentry.rules.conditions.reappeared_event.ReappearedEventCondition"}),
        );
    }
    if i.every_event {
        // "seen more than 0 times in one minute", with actionMatch `any`: every event of an
        // open issue passes (EveryEventCondition is disabled, is_enabled() == False), and
        // `frequency` throttles per issue.
        conditions.push(json!({
            "id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
            "interval": "1m", "value": 0, "comparisonType": "count",
        }));
    }
    let filters = i
        .filters
        .iter()
        .map(|term| {
            let f = vocab::filter(term);
            match f.attribute {
                Some(a) => json!({
                    "id": "sentry.rules.filters.event_attribute.EventAttributeFilter",
                    "attribute": a, "match": f.r#match, "value": f.value,
                }),
                None => json!({
                    "id": "sentry.rules.filters.tagged_event.TaggedEventFilter",
                    "key": f.key, "match": f.r#match, "value": f.value,
                }),
            }
        })
        .collect();
    IssueRule {
        name: rule.name.clone(),
        environment: i.environment.clone(),
        owner: rule.team.as_deref().map(|t| placeholder("team", t)),
        frequency: i.frequency_minutes,
        action_match: "any",
        conditions,
        filter_match: "all",
        filters,
        actions: i
            .targets
            .iter()
            .map(|x| issue_action(x, i.severity, i.notes.as_deref()))
            .collect(),
    }
}

fn issue_action(target: &Target, severity: Severity, notes: Option<&str>) -> Value {
    match target {
        Target::PagerDuty(service) => json!({
            "id": "sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction",
            "account": placeholder("integration", "pagerduty"),
            "service": placeholder("pagerduty_service", service),
            "severity": match severity {
                Severity::Page => "critical",
                Severity::Ticket => "warning",
            },
        }),
        Target::Slack(channel) => {
            let mut a = json!({
                "id": "sentry.integrations.slack.notify_action.SlackNotifyServiceAction",
                "workspace": placeholder("integration", "slack"),
                "channel": channel,
                "channel_id": placeholder("slack_channel_id", channel),
                "tags": "environment,level",
            });
            if let (Some(n), Some(obj)) = (notes, a.as_object_mut()) {
                obj.insert("notes".into(), json!(n));
            }
            a
        }
        Target::Email(address) => json!({
            "id": "sentry.mail.actions.NotifyEmailAction",
            "targetType": "Member",
            "targetIdentifier": placeholder("user", address),
            "fallthroughType": "ActiveMembers",
        }),
        Target::Team(team) => json!({
            "id": "sentry.mail.actions.NotifyEmailAction",
            "targetType": "Team",
            "targetIdentifier": placeholder("team_id", team),
            "fallthroughType": "ActiveMembers",
        }),
    }
}
