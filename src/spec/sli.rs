//! Service level indicators and their per-backend sources.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DurationText, Ident, NumberText};
use crate::span::Spanned;

/// A service level indicator. Exactly one of `ratio`, `latency` or `journey_duration`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sli {
    /// Identifier, referenced from SLOs.
    pub name: Spanned<Ident>,
    /// The indicator in plain words, e.g. "share of repayment requests not answered with 5xx".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Journey this indicator measures (by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<Spanned<Ident>>,
    /// Good events / all events (availability = 1 - 5xx/all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<RatioSli>,
    /// Share of events faster than a threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySli>,
    /// Time between a start and an end event sharing a correlation id (logs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_duration: Option<JourneyDurationSli>,
}

/// Ratio SLI sources.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatioSli {
    /// Prometheus counters or raw PromQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<Spanned<PromRatio>>,
    /// Splunk base search and condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk: Option<Spanned<SplunkRatio>>,
    /// Sentry dataset and query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentry: Option<SentrySource>,
}

/// Prometheus source of a ratio SLI: counter selectors (`total` plus `good` or `bad`), or
/// raw PromQL queries with a `{{window}}` placeholder (`total_query` plus `good_query` or
/// `bad_query`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromRatio {
    /// Counter selector of all events, e.g. `http_requests_total{job="api"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Spanned<String>>,
    /// Counter selector of good events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<Spanned<String>>,
    /// Counter selector of bad events, e.g. `http_requests_total{job="api",code=~"5.."}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad: Option<Spanned<String>>,
    /// PromQL for the rate of all events over `{{window}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_query: Option<Spanned<String>>,
    /// PromQL for the rate of good events over `{{window}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good_query: Option<Spanned<String>>,
    /// PromQL for the rate of bad events over `{{window}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_query: Option<Spanned<String>>,
}

/// Splunk source of a ratio SLI: a base search and a `good` or `bad` eval condition.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplunkRatio {
    /// Base search selecting all events, e.g. `index=alb sourcetype=aws:alb host=repay`.
    pub search: Spanned<String>,
    /// `eval` condition true for good events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<Spanned<String>>,
    /// `eval` condition true for bad events, e.g. `status>=500`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad: Option<Spanned<String>>,
}

/// Sentry source of an SLI.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SentrySource {
    /// Sentry project slug.
    pub project: Spanned<String>,
    /// Dataset the query runs on (default `transactions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<SentryDataset>,
    /// Sentry search query, e.g. `transaction:/api/repay*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Spanned<String>>,
    /// Sentry environment, e.g. `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Spanned<String>>,
}

/// Sentry datasets an SLI can be measured on (default `spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SentryDataset {
    /// Performance transactions: for self-hosted Sentry and organisations that still create
    /// transaction-based alerts (sentry.io refuses them).
    Transactions,
    /// Spans (`events_analytics_platform`, scoped to `is_transaction:true`): what sentry.io
    /// accepts for new alerts; the default.
    Spans,
}

/// Latency SLI: share of events faster than `threshold`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySli {
    /// Events at or under this duration are good, e.g. `3s`.
    pub threshold: Spanned<DurationText>,
    /// Percentiles to watch (`p50`..`p99.9`); reported, not the objective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<Spanned<String>>,
    /// Prometheus classic histogram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PromHistogram>,
    /// Splunk base search and duration field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk: Option<SplunkLatency>,
    /// Sentry dataset and query (transaction duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentry: Option<SentrySource>,
}

/// Prometheus classic histogram of a latency SLI.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromHistogram {
    /// Histogram selector without the `_bucket` suffix, e.g.
    /// `http_request_duration_seconds{job="api"}`; the metric is in seconds.
    pub histogram: Spanned<String>,
    /// Bucket boundaries (`le`) the histogram has, in seconds. When given, the threshold
    /// must be one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Spanned<NumberText>>,
}

/// Splunk source of a latency SLI.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplunkLatency {
    /// Base search selecting all events.
    pub search: Spanned<String>,
    /// Field holding each event's duration.
    pub duration_field: Spanned<String>,
    /// Unit of `duration_field`.
    pub unit: TimeUnit,
}

/// Unit of a duration field in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
}

/// Journey duration SLI: end-to-end time between two log events.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JourneyDurationSli {
    /// Journeys completing within this duration are good, e.g. `60s`.
    pub threshold: Spanned<DurationText>,
    /// Splunk events that start and end the journey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk: Option<SplunkJourney>,
}

/// Splunk source of a journey duration SLI.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplunkJourney {
    /// Base search selecting both start and end events.
    pub search: Spanned<String>,
    /// `eval` condition true for the start event, e.g. `event="deposit_input_completed"`.
    pub start: Spanned<String>,
    /// `eval` condition true for the end event.
    pub end: Spanned<String>,
    /// Correlation id field shared by start and end, e.g. `txn_id`.
    pub id_field: Spanned<String>,
}
