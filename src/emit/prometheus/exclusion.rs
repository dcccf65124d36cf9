//! Exclusion windows compiled to PromQL conditions on the evaluation time.
//!
//! PromQL has no time zones, so each window is evaluated on `time()` shifted by the zone's
//! UTC offset: local minute of the week = `day_of_week*1440 + hour*60 + minute` of
//! `vector(time() + offset)`. A zone with a single offset (no daylight saving time) is
//! exactly that. A zone whose offset changes (see [`crate::emit::zone`], transitions
//! 2020–2040) gets one such condition per offset it takes, each guarded by "this offset
//! is in force": `vector(<offset at time()>) == offset`, where the offset at `time()` is
//! label-free scalar arithmetic over the transition table,
//! `initial + step * ((time() >= bool T1) - (time() >= bool T2) + …)`. This is exact
//! within the table's range; before it the first offset holds, after it the last one.

use std::collections::BTreeMap;

use crate::emit::zone::Offsets;
use crate::model::Exclusion;

const WEEK: u32 = 7 * 1440;

/// Local minute-of-week intervals `[start, end)`.
type Intervals = Vec<(u32, u32)>;

/// Local minute-of-week intervals `[start, end)` of `ex`, extended by `widen` minutes at
/// the end, split at the week boundary, sorted and merged.
pub fn intervals(ex: &Exclusion, widen: u32) -> Vec<(u32, u32)> {
    let from = ex.from.hour * 60 + ex.from.minute;
    let to = ex.to.hour * 60 + ex.to.minute;
    let len = (to + 1440 - from) % 1440 + widen;
    let days: Vec<u32> = if ex.days.is_empty() {
        (0..7).collect()
    } else {
        ex.days.iter().map(|d| d.days_from_sunday()).collect()
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
    // Fixed zones are grouped by offset, zones with transitions by name.
    let mut fixed: BTreeMap<i64, Intervals> = BTreeMap::new();
    let mut changing: BTreeMap<&str, (Offsets, Intervals)> = BTreeMap::new();
    for ex in exclusions {
        let Some(offsets) = Offsets::of(&ex.timezone) else {
            continue;
        };
        if offsets.transitions.is_empty() {
            fixed
                .entry(i64::from(offsets.initial))
                .or_default()
                .extend(intervals(ex, widen));
        } else {
            changing
                .entry(&ex.timezone)
                .or_insert_with(|| (offsets, Vec::new()))
                .1
                .extend(intervals(ex, widen));
        }
    }
    let mut clauses = Vec::new();
    for (offset, list) in fixed {
        clauses.extend(at_offset(offset, list));
    }
    for (offsets, list) in changing.into_values() {
        let list = merge(list);
        let in_force = offset_in_force(&offsets);
        for offset in offsets.values() {
            let inner = at_offset(i64::from(offset), list.clone()).join(" or ");
            clauses.push(format!("(({inner}) and on() ({in_force} == {offset}))"));
        }
    }
    if clauses.is_empty() {
        None
    } else {
        Some(clauses.join(" or "))
    }
}

/// One clause per merged interval of `list`, on the local minute of the week at a fixed
/// UTC `offset` (seconds).
fn at_offset(offset: i64, list: Intervals) -> Vec<String> {
    let t = match offset {
        0 => "vector(time())".to_owned(),
        o if o > 0 => format!("vector(time() + {o})"),
        o => format!("vector(time() - {})", o.unsigned_abs()),
    };
    let minute_of_week = format!("(day_of_week({t}) * 1440 + hour({t}) * 60 + minute({t}))");
    merge(list)
        .into_iter()
        .map(|(s, e)| format!("({minute_of_week} >= {s} < {e})"))
        .collect()
}

/// The UTC offset in force at `time()` as a one-sample vector without labels:
/// `vector(initial + step * (±(time() >= bool T) …))`, `step` being the greatest common
/// divisor of the offset changes (so most terms need no factor).
fn offset_in_force(offsets: &Offsets) -> String {
    let mut before = i64::from(offsets.initial);
    let deltas: Vec<(i64, i64)> = offsets
        .transitions
        .iter()
        .map(|(since, offset)| {
            let delta = i64::from(*offset) - before;
            before = i64::from(*offset);
            (*since, delta)
        })
        .collect();
    let step = deltas.iter().fold(0, |g, (_, d)| gcd(g, d.unsigned_abs()));
    let step = i64::try_from(step.max(1)).unwrap_or(1);
    let mut sum = String::new();
    for (since, delta) in deltas {
        let units = delta / step;
        let sign = match (sum.is_empty(), units < 0) {
            (true, false) => "",
            (true, true) => "-",
            (false, false) => " + ",
            (false, true) => " - ",
        };
        let factor = match units.unsigned_abs() {
            1 => String::new(),
            n => format!("{n} * "),
        };
        sum.push_str(&format!("{sign}{factor}(time() >= bool {since})"));
    }
    format!("vector({} + {step} * ({sum}))", offsets.initial)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, Weekday};

    fn ex(days: Vec<Weekday>, from: (u32, u32), to: (u32, u32), tz: &str) -> Exclusion {
        Exclusion::sample(days, from, to, tz)
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

    /// Evaluates `offset_in_force`'s arithmetic the way PromQL would at epoch second `t`.
    fn eval_offset(expr: &str, at: i64) -> i64 {
        let inner = expr
            .strip_prefix("vector(")
            .unwrap()
            .strip_suffix("))")
            .unwrap();
        let (initial, rest) = inner.split_once(" + ").unwrap();
        let (step, sum) = rest.split_once(" * (").unwrap();
        // Tokens: `-`, `+`, a factor, `*`, or `T<since>` for `(time() >= bool <since>)`.
        let flat = sum.replace("(time() >= bool ", "T").replace(')', "");
        let (mut units, mut sign, mut factor) = (0, 1, 1);
        for token in flat.split_whitespace() {
            match token {
                "+" => sign = 1,
                "-" => sign = -1,
                "*" => {}
                t if t.starts_with("-T") => {
                    sign = -1;
                    units += sign * factor * i64::from(at >= t[2..].parse().unwrap());
                    factor = 1;
                }
                t if t.starts_with('T') => {
                    units += sign * factor * i64::from(at >= t[1..].parse().unwrap());
                    factor = 1;
                }
                n => factor = n.parse().unwrap(),
            }
        }
        initial.parse::<i64>().unwrap() + step.parse::<i64>().unwrap() * units
    }

    #[test]
    fn offset_in_force_follows_the_table() {
        for zone in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"] {
            let table = Offsets::of(zone).unwrap();
            let expr = offset_in_force(&table);
            assert!(!expr.contains("+ -") && !expr.contains("--"), "{expr}");
            for (since, _) in &table.transitions {
                for t in [since - 1, *since, since + 86_400] {
                    assert_eq!(eval_offset(&expr, t), i64::from(table.at(t)), "{zone} {t}");
                }
            }
            assert_eq!(eval_offset(&expr, 0), i64::from(table.initial));
        }
        let lord_howe = offset_in_force(&Offsets::of("Australia/Lord_Howe").unwrap());
        assert!(
            lord_howe.starts_with("vector(39600 + 1800 * (-(time() >= bool "),
            "{lord_howe}"
        );
    }

    #[test]
    fn fixed_zones_keep_a_plain_offset_and_dst_zones_are_guarded() {
        let tokyo = ex(vec![Weekday::Mon], (14, 50), (15, 20), "Asia/Tokyo");
        assert_eq!(
            condition(&[tokyo], 0).unwrap(),
            "((day_of_week(vector(time() + 32400)) * 1440 + hour(vector(time() + 32400)) * 60 + minute(vector(time() + 32400))) >= 2330 < 2360)"
        );
        let berlin = ex(vec![Weekday::Sun], (2, 0), (2, 30), "Europe/Berlin");
        let c = condition(&[berlin], 0).unwrap();
        assert!(
            c.contains("vector(time() + 3600)) * 60") && c.contains("vector(time() + 7200)) * 60"),
            "{c}"
        );
        assert_eq!(c.matches("and on() (vector(3600 + 3600 * ((time() >= bool 1585443600) - (time() >= bool 1603587600) + ").count(), 2, "{c}");
        assert!(
            c.contains(")) == 3600))") && c.contains(")) == 7200))"),
            "{c}"
        );
    }
}
