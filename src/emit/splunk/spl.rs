//! SPL text: quoting helpers and the per-SLI pipeline every search starts with.
//!
//! The pipeline ends with one row per measured unit (an event, or a journey for journey
//! duration SLIs) carrying `_time` and `sloxide_bad` (1 bad, 0 good), with exclusion
//! windows already dropped. User text enters only in three places, all checked by
//! validation (`sloxide::splunk::unsafe`): the base search (first line), `eval`
//! conditions (always wrapped in parentheses inside `if()`), and field names (always
//! single-quoted).
//!
//! Per kind:
//! - ratio: `if((<condition>),1,0)` for a bad condition, `(…),0,1` for a good one; an
//!   event where the condition is null (field missing) does not match it;
//! - latency: the duration field (ms or s, as declared) against the threshold in the same
//!   unit; events without a numeric duration are not measured;
//! - journey duration: no `transaction`; `stats min(start time) min(end time) by id`,
//!   duration = end − start. A journey with no end once the threshold has passed is bad;
//!   one younger than the threshold with no end yet is pending and left out until it is
//!   decided. Exclusion windows apply to the journey's start time (an end event landing
//!   in a window must not turn a journey into a missing end).

use rust_decimal::Decimal;

use crate::emit::zone::Offsets;
use crate::model::{
    Duration, Exclusion, Percentile, Polarity, SplunkJourney, SplunkLatency, SplunkRatio, TimeUnit,
};

/// Where an SLO's events come from in Splunk.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Ratio of good or bad events.
    Ratio(&'a SplunkRatio),
    /// Events whose duration field is within a threshold.
    Latency {
        /// The source.
        src: &'a SplunkLatency,
        /// Good events take at most this long.
        threshold: Duration,
        /// Percentiles reported alongside.
        percentiles: &'a [Percentile],
    },
    /// Start and end events joined by a correlation id.
    Journey {
        /// The source.
        src: &'a SplunkJourney,
        /// Good journeys complete within this.
        threshold: Duration,
    },
}

/// User SPL on one line: newlines and tabs (allowed by validation only outside quoted
/// strings) become spaces.
pub fn inline(user: &str) -> String {
    user.split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An SPL string literal holding `text` (backslash and quote escaped, control characters
/// replaced by spaces).
pub fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A decimal as SPL writes numbers (`0.0144`, `6`).
pub fn number(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A field reference in `eval`: always single-quoted (validation restricts the name).
fn field(name: &str) -> String {
    format!("'{name}'")
}

/// A duration as seconds in SPL.
pub fn seconds(d: Duration) -> String {
    number(d.secs_decimal())
}

/// The pipeline up to one row per unit with `_time` and `sloxide_bad`, exclusions applied.
pub fn sli_pipeline(source: Source, exclusions: &[Exclusion]) -> Vec<String> {
    let mut lines = Vec::new();
    match source {
        Source::Ratio(r) => {
            lines.push(inline(&r.search));
            lines.extend(exclusion_stages(exclusions));
            let (when, otherwise) = match r.polarity {
                Polarity::Bad => (1, 0),
                Polarity::Good => (0, 1),
            };
            lines.push(format!(
                "| eval sloxide_bad=if(({}),{when},{otherwise})",
                inline(&r.condition)
            ));
        }
        Source::Latency { src, threshold, .. } => {
            lines.push(inline(&src.search));
            lines.extend(exclusion_stages(exclusions));
            let limit = match src.unit {
                TimeUnit::Ms => threshold.millis().to_string(),
                TimeUnit::S => seconds(threshold),
            };
            lines.push(format!(
                "| eval sloxide_duration=tonumber({})",
                field(&src.duration_field)
            ));
            lines.push("| where isnotnull(sloxide_duration)".into());
            lines.push(format!(
                "| eval sloxide_bad=if(sloxide_duration<={limit},0,1)"
            ));
        }
        Source::Journey { src, threshold } => {
            let limit = seconds(threshold);
            lines.push(inline(&src.search));
            lines.push(format!(
                "| eval sloxide_start=if(({}),_time,null()), sloxide_end=if(({}),_time,null()), sloxide_id={}",
                inline(&src.start),
                inline(&src.end),
                field(&src.id_field)
            ));
            lines.push(
                "| where isnotnull(sloxide_id) AND (isnotnull(sloxide_start) OR isnotnull(sloxide_end))"
                    .into(),
            );
            lines.push(
                "| stats min(sloxide_start) AS sloxide_t0 min(sloxide_end) AS sloxide_t1 by sloxide_id"
                    .into(),
            );
            lines.push("| where isnotnull(sloxide_t0)".into());
            lines.push("| eval _time=sloxide_t0, sloxide_duration=sloxide_t1-sloxide_t0".into());
            lines.extend(exclusion_stages(exclusions));
            lines.push(format!(
                "| where isnotnull(sloxide_t1) OR now()-sloxide_t0>{limit}"
            ));
            lines.push(format!(
                "| eval sloxide_bad=if(isnotnull(sloxide_duration) AND sloxide_duration<={limit},0,1)"
            ));
        }
    }
    lines
}

/// Stages dropping rows whose `_time` falls in an exclusion window, in local time of the
/// window's zone (see [`crate::emit::zone`]). Weekday 0 is Sunday (1970-01-01 was a
/// Thursday).
fn exclusion_stages(exclusions: &[Exclusion]) -> Vec<String> {
    let mut lines = Vec::new();
    for x in exclusions {
        let Some(offsets) = Offsets::of(&x.timezone) else {
            continue;
        };
        lines.push(format!(
            "| eval sloxide_local=floor(_time)+{}",
            offset(&offsets)
        ));
        lines.push(
            "| eval sloxide_minute=floor(sloxide_local/60)%1440, sloxide_weekday=(floor(sloxide_local/86400)+4)%7"
                .into(),
        );
        lines.push(format!("| where NOT ({})", window_condition(x)));
    }
    lines
}

/// The offset in force as an SPL expression of `_time`: a constant, or a `case()` over the
/// transitions (after the last one its offset holds).
fn offset(offsets: &Offsets) -> String {
    if offsets.transitions.is_empty() {
        return offsets.initial.to_string();
    }
    let mut arms = Vec::new();
    let mut before = offsets.initial;
    for (since, offset) in &offsets.transitions {
        arms.push(format!("_time<{since},{before}"));
        before = *offset;
    }
    arms.push(format!("true(),{before}"));
    format!("case({})", arms.join(","))
}

/// The SPL condition true inside `x`, on `sloxide_minute` and `sloxide_weekday`.
fn window_condition(x: &Exclusion) -> String {
    let from = x.from.hour * 60 + x.from.minute;
    let to = x.to.hour * 60 + x.to.minute;
    let days = |shift: u32| -> Option<String> {
        if x.days.is_empty() {
            return None;
        }
        let terms: Vec<String> = x
            .days
            .iter()
            .map(|d| format!("sloxide_weekday={}", (d.days_from_sunday() + shift) % 7))
            .collect();
        Some(format!("({})", terms.join(" OR ")))
    };
    let with_days = |day: Option<String>, time: String| match day {
        Some(d) => format!("{d} AND {time}"),
        None => time,
    };
    if from < to {
        with_days(
            days(0),
            format!("sloxide_minute>={from} AND sloxide_minute<{to}"),
        )
    } else {
        // Crosses midnight: the evening part on a listed day, the morning part on the
        // day after a listed day.
        format!(
            "({}) OR ({})",
            with_days(days(0), format!("sloxide_minute>={from}")),
            with_days(days(1), format!("sloxide_minute<{to}"))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, Weekday};

    fn exclusion(days: Vec<Weekday>, from: (u32, u32), to: (u32, u32), tz: &str) -> Exclusion {
        Exclusion::sample(days, from, to, tz)
    }
    use chrono::{Datelike, TimeZone, Timelike};

    /// Evaluates the generated condition the way Splunk would, for epoch second `t`.
    fn spl_excludes(x: &Exclusion, offsets: &Offsets, t: i64) -> bool {
        let local = t + i64::from(offsets.at(t));
        let minute = (local.div_euclid(60)) % 1440;
        let weekday = (local.div_euclid(86400) + 4) % 7;
        let cond = window_condition(x);
        eval_condition(&cond, minute, weekday)
    }

    /// A tiny evaluator for the condition grammar `window_condition` produces.
    fn eval_condition(cond: &str, minute: i64, weekday: i64) -> bool {
        let cond = cond.trim();
        if let Some(rest) = cond.strip_prefix('(') {
            // split top-level "(A) OR (B)" or a parenthesised day list
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = &rest[..end];
            let after = rest[end + 1..].trim();
            let left = eval_condition(inner, minute, weekday);
            return if let Some(r) = after.strip_prefix("OR") {
                left || eval_condition(r, minute, weekday)
            } else if let Some(r) = after.strip_prefix("AND") {
                left && eval_condition(r, minute, weekday)
            } else {
                left
            };
        }
        if let Some((a, b)) = cond.split_once(" AND ") {
            return eval_condition(a, minute, weekday) && eval_condition(b, minute, weekday);
        }
        if cond.contains(" OR ") {
            return cond
                .split(" OR ")
                .any(|p| eval_condition(p, minute, weekday));
        }
        let (name, op, value) = ["<=", ">=", "<", "="]
            .iter()
            .find_map(|op| cond.split_once(op).map(|(n, v)| (n, *op, v)))
            .unwrap();
        let lhs = if name == "sloxide_minute" {
            minute
        } else {
            weekday
        };
        let v: i64 = value.parse().unwrap();
        match op {
            ">=" => lhs >= v,
            "<" => lhs < v,
            "=" => lhs == v,
            _ => unreachable!(),
        }
    }

    /// The truth, from chrono-tz: local wall clock of `t` in the zone.
    fn truly_excluded(x: &Exclusion, t: i64) -> bool {
        let tz: chrono_tz::Tz = x.timezone.parse().unwrap();
        let local = tz.timestamp_opt(t, 0).unwrap();
        let minute = local.hour() * 60 + local.minute();
        let from = x.from.hour * 60 + x.from.minute;
        let to = x.to.hour * 60 + x.to.minute;
        let dow = local.weekday().num_days_from_sunday();
        let listed = |d: u32| x.days.is_empty() || x.days.iter().any(|w| w.days_from_sunday() == d);
        if from < to {
            listed(dow) && minute >= from && minute < to
        } else {
            (listed(dow) && minute >= from) || (listed((dow + 6) % 7) && minute < to)
        }
    }

    #[test]
    fn exclusions_follow_local_time_across_dst() {
        let cases = [
            exclusion(
                vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
                (14, 50),
                (15, 20),
                "Asia/Tokyo",
            ),
            exclusion(vec![Weekday::Sun], (1, 30), (3, 30), "Europe/Berlin"),
            exclusion(vec![Weekday::Sat], (23, 0), (1, 0), "America/New_York"),
            exclusion(vec![], (22, 15), (0, 0), "Australia/Sydney"),
        ];
        // 2024-03-01 .. 2024-11-30 in 7-minute steps covers both DST transitions of the
        // northern zones and one of Sydney's.
        let start = 1_709_251_200_i64;
        for x in &cases {
            let offsets = Offsets::of(&x.timezone).unwrap();
            let mut hits = 0;
            let mut t = start;
            while t < start + 275 * 86_400 {
                let want = truly_excluded(x, t);
                assert_eq!(spl_excludes(x, &offsets, t), want, "{} at {t}", x.timezone);
                hits += usize::from(want);
                t += 17 * 60;
            }
            assert!(hits > 100, "{}: window never hit", x.timezone);
        }
    }

    #[test]
    fn offset_is_a_constant_or_a_case_over_transitions() {
        assert_eq!(offset(&Offsets::of("Asia/Tokyo").unwrap()), "32400");
        let berlin = offset(&Offsets::of("Europe/Berlin").unwrap());
        assert!(
            berlin.starts_with("case(_time<1585443600,3600,_time<1603587600,7200,"),
            "{berlin}"
        );
        assert!(berlin.ends_with(",true(),3600)"), "{berlin}");
    }

    #[test]
    fn quoting_cannot_escape_strings() {
        assert_eq!(string("a\"b\\c\nd"), "\"a\\\"b\\\\c d\"");
        assert_eq!(inline("index=a\n  sourcetype=b\t"), "index=a sourcetype=b");
    }
}
