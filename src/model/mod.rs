//! The resolved, typed model every backend emits from.
//!
//! Validation guarantees everything here: references are resolved, defaults applied,
//! quantities parsed exactly, and every cross-field rule checked. Backends never look at
//! YAML and never re-check what this module's types already promise.

mod budget;
pub mod search;
mod units;

pub use units::*;

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::spec::{
    Actor, Count, CountMatch, DependencyScope, ImpactLevel, Importance, ReviewCadence, Role, Scope,
    SentryDataset, Severity, TimeUnit, Weekday, WorkaroundMatch,
};

/// Everything one build compiles: the services of all spec files, in file order.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Services, sorted by name.
    pub services: Vec<Service>,
}

/// One service and its objectives.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// Identifier, unique across the build.
    pub name: String,
    /// Display name (the identifier when no title was given).
    pub title: String,
    /// What the service does.
    pub description: Option<String>,
    /// Path of the spec file, as given on the command line.
    pub spec_path: String,
    /// Accountable people.
    pub owners: Owners,
    /// Labels for every generated rule and alert.
    pub labels: BTreeMap<String, String>,
    /// Notification targets per severity.
    pub notify: Notify,
    /// Base URL of the published runbooks, if any.
    pub runbook_base_url: Option<String>,
    /// Base URL of the Grafana showing the generated dashboards, if any.
    pub grafana_url: Option<String>,
    /// Dependencies with their SLAs.
    pub dependencies: Vec<Dependency>,
    /// Critical user journeys, in spec order.
    pub journeys: Vec<Journey>,
    /// Objectives, in spec order.
    pub slos: Vec<Slo>,
    /// Impact matrix and routing.
    pub impact: ImpactPolicy,
    /// Incident response formation (defaults filled in).
    pub incident: IncidentResponse,
    /// Error budget policy, if the team wrote one.
    pub error_budget_policy: Option<ErrorBudgetPolicy>,
}

impl Service {
    /// The dependency called `name` (validation guarantees it exists when referenced).
    pub fn dependency(&self, name: &str) -> Option<&Dependency> {
        self.dependencies.iter().find(|d| d.name == name)
    }

    /// The journey called `name`.
    pub fn journey(&self, name: &str) -> Option<&Journey> {
        self.journeys.iter().find(|j| j.name == name)
    }
}

/// People accountable for the objectives.
#[derive(Debug, Clone, Serialize)]
pub struct Owners {
    /// Product owner who agreed the SLOs.
    pub product_owner: String,
    /// Tech lead who agreed the SLOs.
    pub tech_lead: String,
    /// Owning team.
    pub team: Option<String>,
}

/// Notification targets per severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Notify {
    /// For page alerts.
    pub page: Vec<NotifyTarget>,
    /// For ticket alerts.
    pub ticket: Vec<NotifyTarget>,
}

impl Notify {
    /// Targets for `severity`.
    pub fn for_severity(&self, severity: Severity) -> &[NotifyTarget] {
        match severity {
            Severity::Page => &self.page,
            Severity::Ticket => &self.ticket,
        }
    }
}

/// A notification target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum NotifyTarget {
    /// PagerDuty service reference.
    Pagerduty(String),
    /// Slack channel (starts with `#`).
    Slack(String),
    /// E-mail address.
    Email(String),
    /// HTTPS webhook URL.
    Webhook(String),
}

/// A dependency with its published SLA.
#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// Published availability.
    pub sla: Ratio,
    /// Internal or external.
    pub scope: DependencyScope,
}

/// A critical user journey.
#[derive(Debug, Clone, Serialize)]
pub struct Journey {
    /// Identifier.
    pub name: String,
    /// Display name.
    pub title: String,
    /// What the user achieves.
    pub description: Option<String>,
    /// Business importance.
    pub importance: Option<Importance>,
    /// Why the journey has no SLO, if so.
    pub out_of_scope: Option<String>,
    /// Steps in order (at least one).
    pub steps: Vec<Step>,
    /// Exclusion windows that apply to every SLO of the journey.
    pub exclusions: Vec<Exclusion>,
    /// Availability upper bound from the serial composition of the distinct dependencies
    /// of all steps (product of their SLAs); `None` when no step names a dependency.
    pub availability_bound: Option<Ratio>,
}

/// One journey step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Identifier, unique within the journey.
    pub name: String,
    /// 1-based position in the journey.
    pub position: usize,
    /// What happens.
    pub description: Option<String>,
    /// Who performs it.
    pub actor: Actor,
    /// Dependency names, resolved against [`Service::dependencies`].
    pub depends_on: Vec<String>,
    /// Sentry location of the step's errors.
    pub sentry: Option<StepSentry>,
    /// Known error classes with their impact from the matrix.
    pub known_errors: Vec<KnownError>,
}

/// Sentry location of a step's errors.
#[derive(Debug, Clone, Serialize)]
pub struct StepSentry {
    /// Project slug.
    pub project: String,
    /// Search query selecting the step's events.
    pub query: Option<String>,
}

/// A known error class and its classified impact.
#[derive(Debug, Clone, Serialize)]
pub struct KnownError {
    /// Identifier, unique within the step.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Sentry query matching it.
    pub sentry_query: Option<String>,
    /// How many requests it affects.
    pub count: Count,
    /// Whether users have a workaround.
    pub workaround: bool,
    /// Alert when it becomes suddenly frequent.
    pub escalating: bool,
    /// Impact from the first matching matrix row.
    pub impact: ImpactLevel,
}

/// A recurring exclusion window.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    /// Identifier (unique among the windows of its journey or SLO).
    pub name: String,
    /// Journey that declares the window (SLOs of the journey get a copy); `None` when the
    /// SLO itself declares it.
    pub journey: Option<String>,
    /// Why it is excluded.
    pub reason: String,
    /// How customers are told.
    pub customer_notice: Option<String>,
    /// Weekdays it recurs on; empty means every day.
    pub days: Vec<Weekday>,
    /// Local start.
    pub from: TimeOfDay,
    /// Local end (exclusive); earlier than `from` means the next day.
    pub to: TimeOfDay,
    /// IANA time zone name.
    pub timezone: String,
}

/// CamelCase of an identifier, prefixed so it starts with a letter: the stem of alert
/// names. `-` and `_` both separate words, so distinct identifiers can share a stem.
pub fn alert_stem(id: &str) -> String {
    let mut out = String::new();
    for part in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "Slo");
    }
    out
}

#[cfg(test)]
impl Exclusion {
    /// A daily (`days` empty) or weekly window named `x` for unit tests.
    pub fn sample(
        days: Vec<Weekday>,
        from: (u32, u32),
        to: (u32, u32),
        timezone: &str,
    ) -> Exclusion {
        let time = |(hour, minute)| TimeOfDay { hour, minute };
        Exclusion {
            name: "x".into(),
            journey: None,
            reason: "r".into(),
            customer_notice: None,
            days,
            from: time(from),
            to: time(to),
            timezone: timezone.into(),
        }
    }
}

/// A local time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TimeOfDay {
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// A service level objective with everything resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Slo {
    /// Identifier, unique within the service.
    pub name: String,
    /// Display name.
    pub title: String,
    /// What is promised.
    pub description: Option<String>,
    /// Why this target.
    pub rationale: Option<String>,
    /// Journey measured (from the SLI), if any.
    pub journey: Option<String>,
    /// The indicator (resolved copy).
    pub sli: Sli,
    /// Target share of good events, in (0, 1).
    pub objective: Ratio,
    /// Rolling window.
    pub window: Duration,
    /// Margin bands, if defined.
    pub bands: Option<Bands>,
    /// Exclusion windows (journey's first, then the SLO's own).
    pub exclusions: Vec<Exclusion>,
    /// Burn-rate alerts and low-traffic guard.
    pub alerting: AlertPolicy,
    /// Warnings acknowledged for this SLO.
    pub allow: Vec<Allowed>,
}

/// A warning acknowledged for one SLO, with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct Allowed {
    /// The acknowledged code.
    #[serde(serialize_with = "code_str")]
    pub code: crate::diag::Code,
    /// Why it is acceptable.
    pub reason: String,
    /// Where the acknowledgement is written (its `code:` value).
    #[serde(skip)]
    pub span: crate::span::Span,
}

fn code_str<S: serde::Serializer>(code: &crate::diag::Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Slo {
    /// The reason this SLO acknowledges warnings with `code`, if it does.
    pub fn acknowledges(&self, code: crate::diag::Code) -> Option<&str> {
        self.allow
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.reason.as_str())
    }
}

/// A service level indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Sli {
    /// Identifier.
    pub name: String,
    /// Plain-words description.
    pub description: Option<String>,
    /// Kind and sources.
    pub kind: SliKind,
}

/// The kinds of SLI and their per-backend sources.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SliKind {
    /// Good or bad events over all events.
    Ratio {
        /// Prometheus source.
        prometheus: Option<PromRatio>,
        /// Splunk source.
        splunk: Option<SplunkRatio>,
        /// Sentry source.
        sentry: Option<SentrySource>,
    },
    /// Share of events at or under a threshold.
    Latency {
        /// Good events take at most this long.
        threshold: Duration,
        /// Percentiles to watch (e.g. 95, 99.9), reported only.
        percentiles: Vec<Percentile>,
        /// Prometheus classic histogram.
        prometheus: Option<PromHistogram>,
        /// Splunk source.
        splunk: Option<SplunkLatency>,
        /// Sentry source.
        sentry: Option<SentrySource>,
    },
    /// Time between a start and an end log event sharing an id.
    JourneyDuration {
        /// Good journeys complete within this.
        threshold: Duration,
        /// Splunk source.
        splunk: Option<SplunkJourney>,
    },
}

/// Whether a condition or selector counts good or bad events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// It selects good events.
    Good,
    /// It selects bad events.
    Bad,
}

/// Prometheus source of a ratio SLI.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromRatio {
    /// Counter selectors (checked for selector syntax).
    Counters {
        /// Selector of all events.
        total: String,
        /// Selector of the counted events.
        counted: String,
        /// Whether `counted` is good or bad.
        polarity: Polarity,
    },
    /// Raw PromQL rates with a `{{window}}` placeholder.
    Queries {
        /// Rate of all events.
        total: String,
        /// Rate of the counted events.
        counted: String,
        /// Whether `counted` is good or bad.
        polarity: Polarity,
    },
}

/// The placeholder raw PromQL queries use for the range.
pub const WINDOW_PLACEHOLDER: &str = "{{window}}";

/// Splunk source of a ratio SLI.
#[derive(Debug, Clone, Serialize)]
pub struct SplunkRatio {
    /// Base search.
    pub search: String,
    /// `eval` condition.
    pub condition: String,
    /// Whether the condition selects good or bad events.
    pub polarity: Polarity,
}

/// Sentry source of an SLI.
#[derive(Debug, Clone, Serialize)]
pub struct SentrySource {
    /// Project slug.
    pub project: String,
    /// Dataset (default transactions).
    pub dataset: SentryDataset,
    /// Search query.
    pub query: Option<String>,
    /// Environment.
    pub environment: Option<String>,
}

impl Slo {
    /// The CamelCase stem of this SLO's alert names (`payment-success` →
    /// `PaymentSuccess`, `9lives` → `Slo9lives`); validation keeps it unique per service.
    pub fn alert_stem(&self) -> String {
        alert_stem(&self.name)
    }

    /// The Sentry percentile function that expresses this SLO's objective on a latency SLI
    /// (90% within 3 s → `p90`), or `None` when Sentry has no such function. The functions
    /// are those the metric alert aggregates accept on both the transactions and the spans
    /// dataset (`EAP_FUNCTIONS` in getsentry/sentry `src/sentry/incidents/logic.py`; see
    /// the `aggregate` patterns of `schema/sentry/api.schema.json` and `legacy.schema.json`).
    pub fn sentry_percentile(&self) -> Option<&'static str> {
        let percent = self.objective.0 * rust_decimal::Decimal::ONE_HUNDRED;
        SENTRY_PERCENTILES
            .iter()
            .find(|(p, _)| rust_decimal::Decimal::from(*p) == percent)
            .map(|(_, f)| *f)
    }
}

/// Percentile functions Sentry metric alerts offer for durations.
pub const SENTRY_PERCENTILES: [(u32, &str); 5] = [
    (50, "p50"),
    (75, "p75"),
    (90, "p90"),
    (95, "p95"),
    (99, "p99"),
];

/// A percentile to watch, e.g. 99.9 for p99.9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Percentile(pub rust_decimal::Decimal);

impl Percentile {
    /// The quantile in (0, 1), e.g. 0.999.
    pub fn quantile(self) -> rust_decimal::Decimal {
        self.0 / rust_decimal::Decimal::ONE_HUNDRED
    }

    /// The conventional label, e.g. `p99.9`.
    pub fn label(self) -> String {
        format!("p{}", self.0.normalize())
    }
}

/// Prometheus classic histogram of a latency SLI.
#[derive(Debug, Clone, Serialize)]
pub struct PromHistogram {
    /// Metric name without `_bucket`, e.g. `http_request_duration_seconds`.
    pub metric: String,
    /// Label matchers of the selector, as written between the braces (may be empty).
    pub matchers: String,
    /// Declared bucket boundaries in seconds (empty when not declared).
    pub buckets: Vec<rust_decimal::Decimal>,
}

/// Splunk source of a latency SLI.
#[derive(Debug, Clone, Serialize)]
pub struct SplunkLatency {
    /// Base search.
    pub search: String,
    /// Duration field.
    pub duration_field: String,
    /// Unit of the duration field.
    pub unit: TimeUnit,
}

/// Splunk source of a journey duration SLI.
#[derive(Debug, Clone, Serialize)]
pub struct SplunkJourney {
    /// Base search selecting start and end events.
    pub search: String,
    /// Condition of the start event.
    pub start: String,
    /// Condition of the end event.
    pub end: String,
    /// Correlation id field.
    pub id_field: String,
}

/// A comparison bound of a band, e.g. `>= 99.995%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bound {
    /// The comparison.
    pub op: CompareOp,
    /// The threshold.
    pub value: Ratio,
}

impl Bound {
    /// Whether `sli` satisfies the bound.
    pub fn holds(self, sli: Ratio) -> bool {
        match self.op {
            CompareOp::Ge => sli >= self.value,
            CompareOp::Gt => sli > self.value,
            CompareOp::Le => sli <= self.value,
            CompareOp::Lt => sli < self.value,
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.op.symbol(), self.value.percent())
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
}

impl CompareOp {
    /// The operator as written, e.g. `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Ge => ">=",
            CompareOp::Gt => ">",
            CompareOp::Le => "<=",
            CompareOp::Lt => "<",
        }
    }

    /// The operator that holds exactly where this one does not (`>=` ↔ `<`).
    pub fn negate(self) -> CompareOp {
        match self {
            CompareOp::Ge => CompareOp::Lt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Le => CompareOp::Gt,
            CompareOp::Lt => CompareOp::Ge,
        }
    }
}

/// Margin bands: GREEN where `green` holds, RED where `red` holds, YELLOW in between.
/// Validation guarantees green's threshold is above red's and red covers every SLI value
/// below the objective.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Bands {
    /// GREEN condition (`>=` or `>`).
    pub green: Bound,
    /// RED condition (`<=` or `<`).
    pub red: Bound,
}

/// A margin band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Band {
    /// Healthy, margin intact.
    Green,
    /// Margin used up.
    Yellow,
    /// SLO at risk or breached.
    Red,
}

impl Bands {
    /// The band an SLI value falls in.
    pub fn classify(&self, sli: Ratio) -> Band {
        if self.green.holds(sli) {
            Band::Green
        } else if self.red.holds(sli) {
            Band::Red
        } else {
            Band::Yellow
        }
    }

    /// The YELLOW condition as a pair of bounds (above red, below green).
    pub fn yellow(&self) -> (Bound, Bound) {
        (
            Bound {
                op: self.red.op.negate(),
                value: self.red.value,
            },
            Bound {
                op: self.green.op.negate(),
                value: self.green.value,
            },
        )
    }
}

/// Alerting policy of one SLO.
#[derive(Debug, Clone, Serialize)]
pub struct AlertPolicy {
    /// Burn-rate alerts, pages first, each by descending burn rate.
    pub alerts: Vec<BurnRateAlert>,
    /// Minimum events in the long window before any alert may fire.
    pub min_events: Option<u64>,
}

/// One multi-window burn-rate alert.
#[derive(Debug, Clone, Serialize)]
pub struct BurnRateAlert {
    /// Page or ticket.
    pub severity: Severity,
    /// Burn-rate factor, e.g. 14.4.
    pub burn_rate: rust_decimal::Decimal,
    /// Long window.
    pub long_window: Duration,
    /// Short window.
    pub short_window: Duration,
}

/// Impact matrix and routing.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactPolicy {
    /// Rows in match order.
    pub matrix: Vec<ImpactRule>,
    /// Triage deadline for medium impact, in business days.
    pub triage_business_days: u32,
    /// Review cadence of archived low-impact errors.
    pub low_review: ReviewCadence,
}

/// One impact matrix row.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactRule {
    /// Journey or step.
    pub scope: Scope,
    /// Steps the row is restricted to (empty: any).
    pub steps: Vec<String>,
    /// Counts matched.
    pub count: CountMatch,
    /// Workaround situations matched.
    pub workaround: WorkaroundMatch,
    /// Resulting impact.
    pub impact: ImpactLevel,
}

impl ImpactRule {
    /// Whether the row matches a step-scoped error in `step`.
    pub fn matches_step(&self, step: &str, count: Count, workaround: bool) -> bool {
        self.scope == Scope::Step
            && (self.steps.is_empty() || self.steps.iter().any(|s| s == step))
            && match self.count {
                CountMatch::Any => true,
                CountMatch::All => count == Count::All,
                CountMatch::Few => count == Count::Few,
            }
            && match self.workaround {
                WorkaroundMatch::Any => true,
                WorkaroundMatch::None => !workaround,
                WorkaroundMatch::Exists => workaround,
            }
    }
}

/// Incident response with defaults filled in.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentResponse {
    /// Hotline channel.
    pub hotline: String,
    /// Channel name pattern with `{date}` and `{title}`.
    pub channel_pattern: String,
    /// Bridge calls opened on declaration.
    pub bridges: Vec<String>,
    /// Formation: role and chain (primary first), in spec order.
    pub roles: Vec<RoleAssignment>,
    /// Responsibility chains per area.
    pub areas: Vec<AreaAssignment>,
    /// Rehearsal practice.
    pub rehearsal: Option<String>,
}

impl IncidentResponse {
    /// The incident channel name for `date` (YYYYMMDD) and a title slug.
    pub fn channel_name(&self, date: &str, title: &str) -> String {
        self.channel_pattern
            .replace("{date}", date)
            .replace("{title}", title)
    }
}

/// A role and who fills it.
#[derive(Debug, Clone, Serialize)]
pub struct RoleAssignment {
    /// The role.
    pub role: Role,
    /// Primary, then deputies (1–4 people).
    pub chain: Vec<String>,
}

/// An area and its responsibility chain.
#[derive(Debug, Clone, Serialize)]
pub struct AreaAssignment {
    /// Area identifier.
    pub name: String,
    /// Primary, then deputies (1–4 people).
    pub chain: Vec<String>,
}

/// Error budget policy (S5).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBudgetPolicy {
    /// When the budget is exhausted.
    pub when_exhausted: String,
    /// When the band is RED.
    pub when_red: Option<String>,
    /// When the band is YELLOW.
    pub when_yellow: Option<String>,
    /// When healthy.
    pub when_healthy: Option<String>,
}
