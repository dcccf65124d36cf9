//! Stable diagnostic codes. A code never changes meaning once released; the README lists
//! them all (`sloxide codes` prints this table).

macro_rules! codes {
    ($($variant:ident => $code:literal, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `sloxide::ref::unknown`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    IoRead => "sloxide::io::read", "a spec file or directory could not be read";
    IoUnsafePath => "sloxide::io::unsafe-path", "a path is a symlink, FIFO, device or other non-regular file; sloxide neither follows nor reads it";
    IoLimits => "sloxide::io::limits", "the spec paths hold more entries or deeper directories than sloxide searches";
    IoNoSpecs => "sloxide::io::no-specs", "no spec files (*.yaml, *.yml) were found";
    YamlSyntax => "sloxide::yaml::syntax", "the file is not valid YAML";
    YamlDuplicateKey => "sloxide::yaml::duplicate-key", "a mapping has the same key twice";
    YamlLimits => "sloxide::yaml::limits", "the document is too large, too deep or expands too many aliases";
    YamlBoolean => "sloxide::yaml::yaml11-boolean", "a YAML 1.1 boolean spelling (yes/no/on/off) where true/false is expected";
    YamlNotMapping => "sloxide::yaml::not-a-mapping", "the document is not a mapping (or is empty)";
    SchemaApiVersion => "sloxide::schema::api-version", "apiVersion is missing or not sloxide/v1";
    SchemaUnknownField => "sloxide::schema::unknown-field", "a key the spec language does not have";
    SchemaMissingField => "sloxide::schema::missing-field", "a required key is missing";
    SchemaType => "sloxide::schema::type", "a value has the wrong type";
    SchemaEnum => "sloxide::schema::enum", "a value is not one of the allowed words";
    SchemaPattern => "sloxide::schema::pattern", "a value is not spelled as required (identifier, duration, time)";
    SchemaOther => "sloxide::schema::invalid", "a value breaks another rule of the schema";
    NameDuplicate => "sloxide::name::duplicate", "two things of the same kind share a name";
    NameAlertCollision => "sloxide::name::alert-collision", "two SLOs of a service would produce the same alert names";
    RefUnknown => "sloxide::ref::unknown", "a reference names something that is not defined";
    PercentAmbiguous => "sloxide::percent::ambiguous", "a number could be a percentage or a ratio";
    PercentRange => "sloxide::percent::range", "a percentage is outside (0%, 100%)";
    ObjectiveTiny => "sloxide::slo::objective-below-1", "an objective is below 1%: almost certainly a ratio written with a % sign";
    PercentPrecision => "sloxide::percent::precision", "a percentage has more than 6 decimal places (a ratio more than 8)";
    PercentSyntax => "sloxide::percent::syntax", "a percentage or ratio cannot be read";
    DurationInvalid => "sloxide::duration::invalid", "a duration is zero or out of range";
    WindowUnsupported => "sloxide::window::unsupported", "an SLO window is not a whole number of days between 1d and 90d";
    WindowShorterThanAlert => "sloxide::window::shorter-than-alert", "an alert window is longer than the SLO window";
    BandsSyntax => "sloxide::bands::syntax", "a band condition is not `<op> <percent>` with a suitable operator";
    BandsOrder => "sloxide::bands::order", "green, yellow and red bands overlap or leave a gap";
    BandsObjective => "sloxide::bands::objective", "bands disagree with the objective";
    ExclusionTimezone => "sloxide::exclusion::timezone", "an exclusion time zone is not an IANA zone";
    ExclusionTime => "sloxide::exclusion::time", "an exclusion time is not a valid HH:MM";
    ExclusionEmpty => "sloxide::exclusion::empty", "an exclusion window starts and ends at the same time";
    JourneyEmpty => "sloxide::journey::empty", "a journey has no steps";
    JourneyNoSlo => "sloxide::journey::no-slo", "a journey has no SLO and no out_of_scope reason";
    SloAboveDependencies => "sloxide::slo::above-dependencies", "an objective is above what the journey's serial dependency SLAs allow";
    AlertNeverFires => "sloxide::alerting::never-fires", "a burn-rate alert can never fire for this objective";
    AlertDefaultRowsDropped => "sloxide::alerting::default-rows-dropped", "rows of the default alert table that can never fire at this objective are left out";
    AlertBurnRate => "sloxide::alerting::burn-rate", "a burn rate is outside 0.001–10000 or has more than 6 decimal places";
    AlertMinEvents => "sloxide::alerting::min-events", "min_events is outside 1–1000000000";
    AlertWindows => "sloxide::alerting::windows", "a burn-rate alert's short window is not shorter than its long window";
    SliKind => "sloxide::sli::kind", "an SLI must have exactly one of ratio, latency, journey_duration";
    SliNoSource => "sloxide::sli::no-source", "an SLI has no source for any backend";
    SliPolarity => "sloxide::sli::polarity", "a source needs exactly one of good or bad (and a total)";
    SliUnused => "sloxide::sli::unused", "an SLI is not used by any SLO";
    PromqlSelector => "sloxide::promql::selector", "a Prometheus selector is not valid";
    PromqlQuery => "sloxide::promql::query", "a raw PromQL query is not valid PromQL or not an instant vector";
    PromqlPlaceholder => "sloxide::promql::placeholder", "a raw PromQL query lacks the {{window}} placeholder";
    LatencyBucket => "sloxide::latency::bucket", "a latency threshold is not a bucket boundary of the histogram";
    LatencyPercentile => "sloxide::latency::percentile", "a percentile is not written p50..p99.99";
    SentryPercentile => "sloxide::sentry::percentile", "a latency objective with a Sentry source on the spans dataset is not a percentile Sentry has a function for (p50, p75, p90, p95, p99)";
    SentryQuery => "sloxide::sentry::query", "a step or known-error Sentry query cannot become issue-alert filters";
    SentryProject => "sloxide::sentry::project", "a Sentry project is not a valid project slug";
    ImpactUnmatched => "sloxide::impact::unmatched", "a known error matches no row of the impact matrix";
    IncidentChain => "sloxide::incident::chain", "a role or area chain is empty, too long or repeats a person";
    IncidentPattern => "sloxide::incident::channel-pattern", "the incident channel pattern is not usable";
    LabelName => "sloxide::labels::name", "a label name is not a valid Prometheus label name or is reserved";
    NotifyTarget => "sloxide::notify::target", "a notification target is malformed";
    UnsafeText => "sloxide::text::unsafe", "a value contains characters that cannot be emitted safely";
    SplunkUnsafe => "sloxide::splunk::unsafe", "a Splunk search, condition or field name cannot be embedded in generated SPL safely";
    SplunkStrict => "sloxide::splunk::strict", "under --strict-queries, a Splunk base search uses a command that writes, sends, deletes or calls out, a macro or a subsearch";
    BackendNoSource => "sloxide::build::no-source", "an SLO has no source for a requested backend and is skipped there";
    BuildLossy => "sloxide::build::lossy", "a backend cannot express part of the spec (a window, a guard, an exclusion, a target); it says what it evaluates instead";
    BuildRulerLimit => "sloxide::build::ruler-limit", "with --ruler mimir, the rule layout exceeds a default Mimir ruler limit; the message says which and how to raise it";
    BuildBackend => "sloxide::build::backend", "a backend could not generate its output (a broken template, or a bug in sloxide); nothing was written";
    OutputUnsafe => "sloxide::build::unsafe-path", "the output directory holds a symlink, special file or bad manifest; nothing was written";
    OutputConflict => "sloxide::build::not-owned", "an output path holds a file sloxide did not write";
    OutputStale => "sloxide::build::stale", "generated files differ from what the specs produce";
    LoadForeign => "sloxide::load::foreign", "a YAML file is not a sloxide spec (a Sloth, Pyrra, OpenSLO or Kubernetes file): skipped in a directory scan, an error when named";
    AllowCode => "sloxide::allow::code", "an `allow:` entry names a code that is not a warning an SLO can acknowledge";
    AllowUnused => "sloxide::allow::unused", "an `allow:` entry acknowledges a warning that no longer occurs";
}

impl Code {
    /// The warnings an SLO can acknowledge with `allow:`.
    pub const ACKNOWLEDGEABLE: &'static [Code] = &[
        Code::SloAboveDependencies,
        Code::AlertDefaultRowsDropped,
        Code::BuildLossy,
        Code::BackendNoSource,
    ];

    /// Whether the code is only raised by `build` (so `check` cannot tell it is unused).
    pub fn is_build_only(self) -> bool {
        matches!(self, Code::BuildLossy | Code::BackendNoSource)
    }

    /// Whether the code reports a problem with the paths rather than with spec contents
    /// (the command then exits 2).
    pub fn is_io(self) -> bool {
        matches!(
            self,
            Code::IoRead | Code::IoUnsafePath | Code::IoLimits | Code::IoNoSpecs
        )
    }
}
