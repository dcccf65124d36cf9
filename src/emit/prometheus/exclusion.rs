//! Exclusion windows compiled to PromQL conditions on the evaluation time.
//!
//! PromQL has no time zones, so each window is evaluated on `time()` shifted by the zone's
//! UTC offset: local minute of the week = `day_of_week*1440 + hour*60 + minute` of
//! `vector(time() + offset)`. Zones without daylight saving time are exact. For zones with
//! DST, the standard offset is used and validation warns (`sloxide::exclusion::dst`): during
//! summer time the window is shifted by the DST difference (usually one hour).

use std::collections::BTreeMap;

use crate::model::{Exclusion, Weekday};

const WEEK: u32 = 7 * 1440;

/// The standard (non-DST) UTC offset of `zone` in seconds (see
/// [`crate::validate::quantity::zone_offsets`]).
pub fn standard_offset(zone: &str) -> Option<i64> {
    crate::validate::quantity::zone_offsets(zone).map(|(offset, _)| offset)
}

/// PromQL day_of_week() number (0 = Sunday).
fn dow(day: Weekday) -> u32 {
    match day {
        Weekday::Sun => 0,
        Weekday::Mon => 1,
        Weekday::Tue => 2,
        Weekday::Wed => 3,
        Weekday::Thu => 4,
        Weekday::Fri => 5,
        Weekday::Sat => 6,
    }
}

/// Local minute-of-week intervals `[start, end)` of `ex`, extended by `widen` minutes at
/// the end, split at the week boundary, sorted and merged.
pub fn intervals(ex: &Exclusion, widen: u32) -> Vec<(u32, u32)> {
    let from = ex.from.hour * 60 + ex.from.minute;
    let to = ex.to.hour * 60 + ex.to.minute;
    let len = (to + 1440 - from) % 1440 + widen;
    let days: Vec<u32> = if ex.days.is_empty() {
        (0..7).collect()
    } else {
        ex.days.iter().map(|d| dow(*d)).collect()
    };
    let mut raw = Vec::new();
    for d in days {
        let start = d * 1440 + from;
        let end = start + len.min(WEEK);
        if end <= WEEK {
            raw.push((start, end));
        } else {
            raw.push((start, WEEK));
            raw.push((0, end - WEEK));
        }
    }
    merge(raw)
}

fn merge(mut raw: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    raw.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (s, e) in raw {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// A PromQL expression with one sample (no labels) while any of `exclusions` is active,
/// extended by `widen` minutes after each window ends, and no sample otherwise. `None`
/// when there are no exclusions.
pub fn condition(exclusions: &[Exclusion], widen: u32) -> Option<String> {
    let mut by_offset: BTreeMap<i64, Vec<(u32, u32)>> = BTreeMap::new();
    for ex in exclusions {
        let offset = standard_offset(&ex.timezone).unwrap_or(0);
        by_offset
            .entry(offset)
            .or_default()
            .extend(intervals(ex, widen));
    }
    let mut clauses = Vec::new();
    for (offset, list) in by_offset {
        let t = match offset {
            0 => "vector(time())".to_owned(),
            o if o > 0 => format!("vector(time() + {o})"),
            o => format!("vector(time() - {})", o.unsigned_abs()),
        };
        let minute_of_week = format!("(day_of_week({t}) * 1440 + hour({t}) * 60 + minute({t}))");
        for (s, e) in merge(list) {
            clauses.push(format!("({minute_of_week} >= {s} < {e})"));
        }
    }
    if clauses.is_empty() {
        None
    } else {
        Some(clauses.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TimeOfDay;

    fn ex(days: Vec<Weekday>, from: (u32, u32), to: (u32, u32), tz: &str) -> Exclusion {
        Exclusion {
            name: "x".into(),
            reason: "r".into(),
            customer_notice: None,
            days,
            from: TimeOfDay {
                hour: from.0,
                minute: from.1,
            },
            to: TimeOfDay {
                hour: to.0,
                minute: to.1,
            },
            timezone: tz.into(),
        }
    }

    #[test]
    fn weekday_windows_and_week_wrap() {
        let e = ex(vec![Weekday::Mon], (14, 50), (15, 20), "Asia/Tokyo");
        assert_eq!(intervals(&e, 0), vec![(1440 + 890, 1440 + 920)]);
        assert_eq!(intervals(&e, 5), vec![(1440 + 890, 1440 + 925)]);
        let sat_night = ex(vec![Weekday::Sat], (23, 0), (1, 0), "UTC");
        assert_eq!(
            intervals(&sat_night, 0),
            vec![(0, 60), (6 * 1440 + 1380, WEEK)]
        );
        let daily = ex(vec![], (23, 0), (1, 0), "UTC");
        assert_eq!(intervals(&daily, 0).len(), 8);
    }

    #[test]
    fn offsets_are_standard_time() {
        assert_eq!(standard_offset("Asia/Tokyo"), Some(9 * 3600));
        assert_eq!(standard_offset("Europe/Berlin"), Some(3600));
        assert_eq!(standard_offset("Australia/Sydney"), Some(10 * 3600));
        let dst = |z| crate::validate::quantity::zone_offsets(z).map(|(_, d)| d);
        assert_eq!(dst("Asia/Tokyo"), Some(false));
        assert_eq!(dst("UTC"), Some(false));
        assert_eq!(dst("Europe/Berlin"), Some(true));
        assert_eq!(dst("Australia/Sydney"), Some(true));
    }
}
