//! Error budget and burn-rate arithmetic, exact in decimals.

use rust_decimal::Decimal;

use super::{AlertPolicy, BurnRateAlert, Duration, Ratio, Severity, Slo};

impl AlertPolicy {
    /// The multi-window multi-burn-rate table of the SRE Workbook (chapter 5): page at
    /// 14.4x over 1h/5m and 6x over 6h/30m; ticket at 3x over 1d/2h and 1x over 3d/6h.
    pub fn sre_workbook() -> Vec<BurnRateAlert> {
        let row = |severity, rate: &str, long: u64, short: u64| BurnRateAlert {
            severity,
            burn_rate: rate.parse().expect("constant decimal"),
            long_window: Duration::from_secs(long),
            short_window: Duration::from_secs(short),
        };
        vec![
            row(Severity::Page, "14.4", 3_600, 300),
            row(Severity::Page, "6", 21_600, 1_800),
            row(Severity::Ticket, "3", 86_400, 7_200),
            row(Severity::Ticket, "1", 259_200, 21_600),
        ]
    }
}

impl BurnRateAlert {
    /// A stable short id for the alert, e.g. `page-1h` (severity and long window).
    pub fn id(&self) -> String {
        let sev = match self.severity {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        };
        format!("{sev}-{}", self.long_window.to_prom())
    }
}

impl Slo {
    /// The error budget: the share of events allowed to be bad, `1 - objective`.
    pub fn error_budget(&self) -> Ratio {
        self.objective.complement()
    }

    /// The error budget as time: how long a full outage may last per window.
    pub fn budget_time(&self) -> Duration {
        scale(self.window, self.error_budget().0)
    }

    /// Error ratio above which `alert` fires: burn rate × error budget.
    pub fn alert_threshold(&self, alert: &BurnRateAlert) -> Decimal {
        alert.burn_rate * self.error_budget().0
    }

    /// Whether `alert` can fire at all (its threshold is below a 100% error ratio).
    pub fn alert_can_fire(&self, alert: &BurnRateAlert) -> bool {
        self.alert_threshold(alert) < Decimal::ONE
    }

    /// Time from the start of a full outage (100% errors, steady traffic before it) until
    /// both windows of `alert` are above its threshold: the long window needs
    /// threshold × long, the short one threshold × short, so the long window decides.
    pub fn detection_time(&self, alert: &BurnRateAlert) -> Duration {
        scale(alert.long_window, self.alert_threshold(alert))
    }

    /// Share of the whole error budget consumed by the time `alert` can fire at exactly its
    /// burn rate: burn rate × long window / SLO window.
    pub fn budget_consumed(&self, alert: &BurnRateAlert) -> Decimal {
        alert.burn_rate * alert.long_window.secs_decimal() / self.window.secs_decimal()
    }

    /// Time until the whole budget is gone when burning at `burn_rate` from full.
    pub fn time_to_exhaustion(&self, burn_rate: Decimal) -> Duration {
        scale(self.window, Decimal::ONE / burn_rate)
    }
}

/// `d` × `factor`, rounded to the millisecond.
fn scale(d: Duration, factor: Decimal) -> Duration {
    let millis = (Decimal::from(d.millis()) * factor).round();
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}
