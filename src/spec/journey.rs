//! Critical user journeys, their steps, known error classes and exclusion windows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ident, TimeOfDayText};
use crate::span::Spanned;

/// A critical user journey: ordered steps performed by different actors.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Journey {
    /// Identifier, referenced from SLIs.
    pub name: Spanned<Ident>,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the user achieves, from where to where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Business importance; used to order journeys in runbooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    /// Why this journey has no SLO (e.g. it runs outside the platform). Silences the
    /// "journey without SLO" warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Steps in the order they happen.
    pub steps: Spanned<Vec<Step>>,
    /// Recurring windows excluded from every SLO of this journey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
}

/// Business importance of a journey.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// Losing it stops the business (money movement, regulatory).
    Critical,
    /// Core product flow.
    High,
    /// Important but deferrable.
    Medium,
    /// Convenience.
    Low,
}

/// One step of a journey.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, unique within the journey.
    pub name: Spanned<Ident>,
    /// What happens in this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who performs the step.
    pub actor: Actor,
    /// Dependencies (by name) the step runs on, in call order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Spanned<Ident>>,
    /// Where the step's errors are reported in Sentry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentry: Option<StepSentry>,
    /// Error classes known to occur in this step; their impact comes from the matrix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_errors: Vec<KnownError>,
}

/// Who performs a journey step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The end customer.
    EndUser,
    /// A business customer calling an API.
    Business,
    /// An in-house operator (e.g. visual document check).
    Operator,
    /// An external system (bank, ATM network, card network).
    ExternalSystem,
    /// Our own automation (batch, async worker).
    System,
}

/// Sentry location of a step's errors.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSentry {
    /// Sentry project slug.
    pub project: Spanned<String>,
    /// Sentry search query selecting this step's events, e.g. `transaction:/api/verify*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Spanned<String>>,
}

/// A known error class in a step (e.g. a DB deadlock).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownError {
    /// Identifier, unique within the step.
    pub name: Spanned<Ident>,
    /// What the error is and what it does to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sentry search query matching the error, e.g. `error.type:DeadlockDetected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentry_query: Option<Spanned<String>>,
    /// How many requests it affects when it happens.
    pub count: Count,
    /// Whether the user has a workaround (e.g. can resubmit).
    pub workaround: Spanned<bool>,
    /// Alert when the issue becomes suddenly frequent (Sentry "escalating").
    #[serde(default)]
    pub escalating: bool,
}

/// How many requests an error affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    /// Every request in scope fails.
    All,
    /// A few, localized requests fail.
    Few,
}

/// A recurring time window excluded from SLOs (e.g. a co-scheduled batch).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// Identifier.
    pub name: Spanned<Ident>,
    /// Why the window is excluded.
    pub reason: Spanned<String>,
    /// How customers are told in advance (required reading for on-call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_notice: Option<String>,
    /// Weekdays the window recurs on; omit for every day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Spanned<Weekday>>,
    /// Local start time, `HH:MM`.
    pub from: Spanned<TimeOfDayText>,
    /// Local end time, `HH:MM` (exclusive); earlier than `from` means it ends the next day.
    pub to: Spanned<TimeOfDayText>,
    /// IANA time zone of `from`/`to`, e.g. `Asia/Tokyo`.
    pub timezone: Spanned<String>,
}

/// Day of the week.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Days since Sunday (Sunday = 0), the numbering of PromQL's `day_of_week()` and of
    /// weekday arithmetic on Unix time.
    pub fn days_from_sunday(self) -> u32 {
        match self {
            Weekday::Sun => 0,
            Weekday::Mon => 1,
            Weekday::Tue => 2,
            Weekday::Wed => 3,
            Weekday::Thu => 4,
            Weekday::Fri => 5,
            Weekday::Sat => 6,
        }
    }
}
