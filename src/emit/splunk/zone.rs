//! UTC offsets of an IANA zone, precomputed with chrono-tz, so that SPL can find an
//! event's local time in the exclusion's zone by arithmetic on `_time` alone.
//!
//! SPL's `strftime` formats in the search owner's time zone, which is neither known at
//! build time nor necessarily the exclusion's zone. Instead the generated SPL adds the
//! zone's offset to `_time` (epoch seconds) and takes minute-of-day and weekday from the
//! sum. For zones with daylight saving time the offset is a `case()` over the zone's
//! transitions between [`FROM_YEAR`] and [`TO_YEAR`]; after the last one the last offset
//! holds (rebuild before then). Instants in a DST gap have no local time and so no events;
//! instants in an overlap map to their correct local time.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// First year whose transitions are listed.
pub const FROM_YEAR: i32 = 2020;
/// Year (exclusive) after which the last offset is assumed to hold.
pub const TO_YEAR: i32 = 2040;

/// A zone's offsets over the horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offsets {
    /// Offset in seconds before the first transition.
    pub initial: i32,
    /// `(epoch second, new offset)` of each transition, ascending.
    pub transitions: Vec<(i64, i32)>,
}

impl Offsets {
    /// The offsets of `zone`; `None` if it is not an IANA name (validation rules that out).
    pub fn of(zone: &str) -> Option<Offsets> {
        let tz: Tz = zone.parse().ok()?;
        let start = epoch(FROM_YEAR)?;
        let end = epoch(TO_YEAR)?;
        let offset = |t: i64| -> Option<i32> {
            let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
            Some(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
        };
        let initial = offset(start)?;
        let mut transitions = Vec::new();
        let mut current = initial;
        let mut t = start;
        // Zones change offset at most a few times a year and never twice within six hours,
        // so a six-hourly scan finds every transition; bisection pins it to the second.
        while t < end {
            let next = t + 6 * 3600;
            let after = offset(next)?;
            if after != current {
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(mid)? == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                transitions.push((hi, after));
                current = after;
            }
            t = next;
        }
        Some(Offsets {
            initial,
            transitions,
        })
    }

    /// The offset at epoch second `t` according to this table.
    #[cfg(test)]
    pub fn at(&self, t: i64) -> i32 {
        self.transitions
            .iter()
            .take_while(|(since, _)| *since <= t)
            .last()
            .map_or(self.initial, |(_, o)| *o)
    }

    /// The offset as an SPL expression of `_time`: a constant, or a `case()` over the
    /// transitions.
    pub fn spl(&self) -> String {
        if self.transitions.is_empty() {
            return self.initial.to_string();
        }
        let mut arms = Vec::new();
        let mut before = self.initial;
        for (since, offset) in &self.transitions {
            arms.push(format!("_time<{since},{before}"));
            before = *offset;
        }
        arms.push(format!("true(),{before}"));
        format!("case({})", arms.join(","))
    }
}

fn epoch(year: i32) -> Option<i64> {
    chrono::NaiveDate::from_ymd_opt(year, 1, 1)?
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_zone_is_a_constant() {
        let tokyo = Offsets::of("Asia/Tokyo").unwrap();
        assert!(tokyo.transitions.is_empty());
        assert_eq!(tokyo.spl(), "32400");
    }

    #[test]
    fn table_matches_chrono_tz_everywhere_in_the_horizon() {
        for zone in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"] {
            let table = Offsets::of(zone).unwrap();
            assert!(
                table.transitions.len() >= 38,
                "{zone}: {}",
                table.transitions.len()
            );
            let tz: Tz = zone.parse().unwrap();
            let mut t = epoch(FROM_YEAR).unwrap();
            while t < epoch(TO_YEAR).unwrap() {
                let utc = DateTime::from_timestamp(t, 0).unwrap().naive_utc();
                let want = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
                assert_eq!(table.at(t), want, "{zone} at {t}");
                t += 1_234_567 / 7; // ~2 days, phase-shifting through hours
            }
            for (since, offset) in &table.transitions {
                assert_eq!(table.at(*since), *offset);
                assert_ne!(table.at(since - 1), *offset);
            }
        }
        assert_eq!(Offsets::of("Not/AZone"), None);
    }
}
