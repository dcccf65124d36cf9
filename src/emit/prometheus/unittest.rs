//! promtool unit tests generated from the model (`--emit-tests`), one file per service
//! next to its rules. Samples and evaluations are 15 s apart; time 0 is the Unix epoch
//! (a Thursday, 00:00 UTC). For each SLO with synthesizable input series:
//!
//! - **outage**: clean traffic for the first alert's long window plus the 5m base window
//!   (at least 1h5m), then 100% errors; traffic is at least 10 events/s and high enough that
//!   the long window holds twice `min_events`. The first page (or the first
//!   alert when there is no page) is not firing at the first evaluation after the model's
//!   detection time and fires at the second (the alerts read the windows one evaluation
//!   after they are counted). For a query-form SLI, whose windows are smoothed over 5m,
//!   the assertion allows the documented 5m: not firing one step after the detection
//!   time, firing one step after 5m after it.
//! - **1x burn**: an error ratio exactly at the error budget never pages.
//! - **exclusion** (SLOs with exclusion windows whose first occurrence is within a day of
//!   the epoch): 100% errors throughout the window fire no burn-rate alert, during or after.
//! - **low traffic** (SLOs with `min_events`): 100% errors with one event fewer than the
//!   guard over the first alert's long window fire nothing; twice the guard fires.
//!
//! Outage and low-traffic scenarios are generated only for a first alert whose long
//! window is at most a day (longer ones exceed promtool's per-query sample limit).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::alerts::{self, severity_label};
use super::promql::Source;
use super::rules::RuleFile;
use super::series::{self, Inputs};
use super::{all_labels, exclusion, recording, shared, windows};
use crate::emit::zone::Offsets;
use crate::model::{BurnRateAlert, Duration, Polarity, Service, Severity, Slo};

/// Sample spacing and evaluation interval, in seconds (the rules' own interval).
const STEP: u64 = windows::STEP.secs();
/// Clean history before a scenario starts (at least; see [`Ctx::history`]).
const HISTORY: u64 = 65 * 60;
/// Longest long window an outage or low-traffic scenario is generated for (longer ones
/// need days of 15 s samples, beyond promtool's per-query sample limit).
const MAX_SCENARIO_WINDOW: u64 = 86_400;
/// Events per second of the synthetic traffic (at least; see [`Ctx::rate`]).
const RATE: u64 = 10;

/// A promtool unit-test file.
#[derive(Debug, Serialize)]
pub struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: String,
    group_eval_order: Vec<String>,
    tests: Vec<TestGroup>,
}

#[derive(Debug, Serialize)]
struct TestGroup {
    name: String,
    interval: String,
    input_series: Vec<InputSeries>,
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Debug, Serialize)]
struct InputSeries {
    series: String,
    values: String,
}

#[derive(Debug, Serialize)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Debug, Clone, Serialize)]
struct ExpAlert {
    exp_labels: BTreeMap<String, String>,
    exp_annotations: BTreeMap<String, String>,
}

/// A stretch of traffic: `steps` samples, each adding `per_step` events of which
/// `bad_share` are bad.
#[derive(Debug, Clone, Copy)]
struct Segment {
    steps: u64,
    per_step: Decimal,
    bad_share: Decimal,
}

fn seg(steps: u64, per_step: Decimal, bad_share: Decimal) -> Segment {
    Segment {
        steps,
        per_step,
        bad_share,
    }
}

/// The unit tests of `slos` of `service` against `file` (named `rules_path`) and the
/// shared window group (in `shared_path`).
pub fn tests(
    service: &Service,
    slos: &[&Slo],
    file: &RuleFile,
    rules_path: &str,
    shared_path: &str,
) -> TestFile {
    let mut tests = Vec::new();
    for slo in slos {
        let Some(source) = Source::of(&slo.sli.kind) else {
            continue;
        };
        let Some(inputs) = series::inputs(source, le_spelling) else {
            continue;
        };
        let ctx = Ctx {
            service,
            slo,
            inputs,
        };
        tests.extend(ctx.outage());
        tests.extend(ctx.one_x());
        tests.extend(ctx.exclusion());
        tests.extend(ctx.low_traffic());
    }
    // As in a server: the shared group counts the windows after the SLOs' groups have
    // recorded their totals, and the budget groups read the windows after it (the shared
    // one last: a new SLO's totals start from its objective).
    let (alerting, budget): (Vec<_>, Vec<_>) = file
        .groups
        .iter()
        .map(|g| g.name.clone())
        .partition(|name| !name.ends_with(":budget"));
    let mut group_eval_order = alerting;
    group_eval_order.push(shared::GROUP.to_owned());
    group_eval_order.extend(budget);
    group_eval_order.push(shared::BUDGET_GROUP.to_owned());
    TestFile {
        rule_files: vec![rules_path.to_owned(), shared_path.to_owned()],
        evaluation_interval: format!("{STEP}s"),
        group_eval_order,
        tests,
    }
}

/// The `le` label of the threshold bucket in test input: the Java/Python spelling (`3.0`)
/// for whole seconds, so tests prove the matcher accepts it.
fn le_spelling(threshold: Duration) -> String {
    let s = threshold.secs_decimal().normalize().to_string();
    if s.contains('.') { s } else { format!("{s}.0") }
}

struct Ctx<'a> {
    service: &'a Service,
    slo: &'a Slo,
    inputs: Inputs,
}

fn at(secs: u64) -> String {
    Duration::from_secs(secs).human().replace(' ', "")
}

impl Ctx<'_> {
    /// Input series for the segments.
    fn input(&self, segments: &[Segment]) -> Vec<InputSeries> {
        let counted_share = |s: &Segment| match self.inputs.polarity {
            Polarity::Bad => s.bad_share,
            Polarity::Good => Decimal::ONE - s.bad_share,
        };
        let counted: Vec<(u64, Decimal)> = segments
            .iter()
            .map(|s| (s.steps, s.per_step * counted_share(s)))
            .collect();
        let other: Vec<(u64, Decimal)> = segments
            .iter()
            .map(|s| {
                let c = s.per_step * counted_share(s);
                let inc = if self.inputs.other_is_total {
                    s.per_step
                } else {
                    s.per_step - c
                };
                (s.steps, inc)
            })
            .collect();
        vec![
            InputSeries {
                series: self.inputs.counted.clone(),
                values: notation(&counted),
            },
            InputSeries {
                series: self.inputs.other.clone(),
                values: notation(&other),
            },
        ]
    }

    /// The expected firing alert named `name`.
    fn expected(&self, name: &str) -> Vec<ExpAlert> {
        alerts::alert_texts(self.service, self.slo)
            .into_iter()
            .filter(|(a, _)| a.alert == name)
            .map(|(a, rendered)| {
                // The rule's own labels are template-escaped; the series labels are the
                // original text, which is what Alertmanager receives.
                let mut labels = all_labels(self.service, self.slo);
                for (k, v) in &a.labels {
                    labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                ExpAlert {
                    exp_labels: labels,
                    exp_annotations: rendered,
                }
            })
            .collect()
    }

    fn check(&self, secs: u64, name: &str, firing: bool) -> AlertTest {
        AlertTest {
            eval_time: at(secs),
            alertname: name.to_owned(),
            exp_alerts: if firing {
                self.expected(name)
            } else {
                Vec::new()
            },
        }
    }

    fn group(&self, what: &str, segments: &[Segment], checks: Vec<AlertTest>) -> TestGroup {
        TestGroup {
            name: format!("{}/{}: {what}", self.service.name, self.slo.name),
            interval: format!("{STEP}s"),
            input_series: self.input(segments),
            alert_rule_test: checks,
        }
    }

    fn first_alert(&self) -> Option<&BurnRateAlert> {
        let mut all = windows::alerts(self.slo);
        windows::alerts(self.slo)
            .find(|a| a.severity == Severity::Page)
            .or_else(|| all.next())
    }

    /// Events per second: enough for the low-traffic guard of the first alert to pass
    /// with a factor of two.
    fn rate(&self) -> u64 {
        let guard = match (self.slo.alerting.min_events, self.first_alert()) {
            (Some(min), Some(a)) => (2 * min).div_ceil(a.long_window.secs().max(1)),
            _ => 0,
        };
        RATE.max(guard)
    }

    fn per_step(&self) -> Decimal {
        Decimal::from(self.rate() * STEP)
    }

    /// Clean history before an outage of `alert`: its whole long window and the base
    /// window are clean when the errors start, so derived windows start from a true zero.
    fn history(alert: &BurnRateAlert) -> u64 {
        (alert.long_window.secs() + windows::RATE.secs() + STEP)
            .max(HISTORY)
            .next_multiple_of(STEP)
    }

    fn outage(&self) -> Option<TestGroup> {
        let alert = self.first_alert()?;
        if alert.long_window.secs() > MAX_SCENARIO_WINDOW {
            return None;
        }
        let history = Self::history(alert);
        let name = alerts::burn_name(self.slo, alert);
        let detect = self.slo.detection_time(alert).millis();
        let step_ms = STEP * 1000;
        let exact = Source::of(&self.slo.sli.kind).is_some_and(|s| s.exact());
        // The alerts read the windows one evaluation after they are counted.
        let (quiet, fire) = if exact {
            let k = detect / step_ms + 2;
            ((k - 1) * STEP, k * STEP)
        } else {
            let lag = windows::RATE.millis();
            (
                detect / step_ms * STEP + STEP,
                (detect + lag).div_ceil(step_ms) * STEP + STEP,
            )
        };
        let start = self.clear_of_exclusions(history, history + fire + STEP)?;
        let quiet = quiet + start;
        let fire = fire + start;
        let segments = [
            seg(start / STEP, self.per_step(), Decimal::ZERO),
            seg((fire - start) / STEP + 2, self.per_step(), Decimal::ONE),
        ];
        let what = format!(
            "full outage fires {name} after the detection time ({}, {} severity)",
            self.slo.detection_time(alert).human(),
            severity_label(alert.severity)
        );
        Some(self.group(
            &what,
            &segments,
            vec![
                self.check(quiet, &name, false),
                self.check(fire, &name, true),
            ],
        ))
    }

    /// The first scenario start (>= `first`) such that `[0, start + len]` avoids every
    /// exclusion window (widened by the base window); `None` if not found within a day.
    fn clear_of_exclusions(&self, first: u64, len: u64) -> Option<u64> {
        if self.slo.exclusions.is_empty() {
            return Some(first);
        }
        let mut start = first;
        while start < 86_400 {
            if (0..=start + len)
                .step_by(60)
                .all(|t| !self.excluded(t, true))
            {
                return Some(start);
            }
            start += 3600;
        }
        None
    }

    /// Whether an exclusion window is active at `secs` after the epoch.
    fn excluded(&self, secs: u64, widened: bool) -> bool {
        let widen = if widened {
            Source::of(&self.slo.sli.kind).map_or(0, recording::mask_widen_minutes)
        } else {
            0
        };
        self.slo.exclusions.iter().any(|ex| {
            let offset = Offsets::of(&ex.timezone).map_or(0, |o| i64::from(o.at(secs as i64)));
            // The epoch is a Thursday (day_of_week 4).
            let local = (secs as i64 + offset).div_euclid(60) + 4 * 1440;
            let mow = local.rem_euclid(7 * 1440) as u32;
            exclusion::intervals(ex, widen)
                .iter()
                .any(|(s, e)| mow >= *s && mow < *e)
        })
    }

    /// Pages whose threshold lies above the budget (burn rate above 1), so an error
    /// ratio exactly at the budget must not fire them.
    fn pages(&self) -> Vec<String> {
        windows::alerts(self.slo)
            .filter(|a| a.severity == Severity::Page && a.burn_rate > Decimal::ONE)
            .map(|a| alerts::burn_name(self.slo, a))
            .collect()
    }

    fn one_x(&self) -> Option<TestGroup> {
        let pages = self.pages();
        if pages.is_empty() {
            return None;
        }
        let len = 60 * 60;
        let start = self.clear_of_exclusions(HISTORY, len)?;
        let segments = [
            seg(start / STEP, self.per_step(), Decimal::ZERO),
            seg(len / STEP, self.per_step(), self.slo.error_budget().0),
        ];
        let checks = pages
            .iter()
            .flat_map(|p| [20, 40, 60].map(|m| self.check(start + m * 60, p, false)))
            .collect();
        Some(self.group("errors at exactly 1x burn never page", &segments, checks))
    }

    fn exclusion(&self) -> Option<TestGroup> {
        if self.slo.exclusions.is_empty() {
            return None;
        }
        let begin = (HISTORY..86_400)
            .step_by(60)
            .find(|t| self.excluded(*t, false))?;
        let end = (begin..begin + 86_400)
            .step_by(60)
            .find(|t| !self.excluded(*t, false))?;
        let after = 20 * 60;
        let segments = [
            seg(begin / STEP, self.per_step(), Decimal::ZERO),
            seg((end - begin) / STEP, self.per_step(), Decimal::ONE),
            seg(after / STEP + 1, self.per_step(), Decimal::ZERO),
        ];
        let names: Vec<String> = windows::alerts(self.slo)
            .map(|a| alerts::burn_name(self.slo, a))
            .collect();
        let checks = names
            .iter()
            .flat_map(|n| {
                [(begin + end) / 2, end, end + 300, end + after].map(|t| self.check(t, n, false))
            })
            .collect();
        Some(self.group(
            &format!(
                "100% errors inside the exclusion window ({} to {} after the epoch) fire nothing",
                at(begin),
                at(end)
            ),
            &segments,
            checks,
        ))
    }

    fn low_traffic(&self) -> Vec<TestGroup> {
        let (Some(min), Some(alert)) = (self.slo.alerting.min_events, self.first_alert()) else {
            return Vec::new();
        };
        let name = alerts::burn_name(self.slo, alert);
        let long = alert.long_window.secs();
        if long > MAX_SCENARIO_WINDOW {
            return Vec::new();
        }
        let len = long + 10 * 60;
        let Some(start) = self.clear_of_exclusions(HISTORY, len) else {
            return Vec::new();
        };
        // Events per step so that the long window holds `events` events.
        let per_step = |events: u64| Decimal::from(events * STEP) / Decimal::from(long);
        let case = |events: u64, firing: bool, what: String| {
            let segments = [
                seg(start / STEP, Decimal::ZERO, Decimal::ZERO),
                seg(len / STEP + 1, per_step(events), Decimal::ONE),
            ];
            self.group(
                &what,
                &segments,
                vec![self.check(start + len, &name, firing)],
            )
        };
        vec![
            case(
                min - 1,
                false,
                format!(
                    "100% errors with {} events per {} do not fire {name} (guard {min})",
                    min - 1,
                    alert.long_window
                ),
            ),
            case(
                min * 2,
                true,
                format!(
                    "100% errors with {} events per {} fire {name} (guard {min})",
                    min * 2,
                    alert.long_window
                ),
            ),
        ]
    }
}

/// promtool's expanding notation for a counter starting at 0 and growing by `inc` for
/// `steps` samples per segment.
fn notation(segments: &[(u64, Decimal)]) -> String {
    let mut parts = vec!["0".to_owned()];
    let mut cur = Decimal::ZERO;
    for &(steps, inc) in segments {
        if steps == 0 {
            continue;
        }
        let first = cur + inc;
        parts.push(format!(
            "{}+{}x{}",
            first.normalize(),
            inc.normalize(),
            steps - 1
        ));
        cur += inc * Decimal::from(steps);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notation_continues_each_segment() {
        let n = notation(&[(3, Decimal::from(10)), (2, Decimal::ZERO)]);
        assert_eq!(n, "0 10+10x2 30+0x1");
    }
}
