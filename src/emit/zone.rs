//! UTC offsets of an IANA zone as a transition table, precomputed with chrono-tz: the one
//! place both exclusion-window backends (Prometheus, Splunk) get a zone's offsets from.
//!
//! Neither PromQL nor SPL (whose `strftime` uses the search owner's zone) can convert to an
//! arbitrary zone, so each backend adds the offset in force to the epoch time and reads
//! the local minute and weekday from the sum. The table lists every transition from
//! 1 January [`FROM_YEAR`] to 1 January [`TO_YEAR`] (UTC) and the offset before the first.
//! Outside that range the table is not exact: before it the initial offset holds, after
//! it the last one does (rebuild with sloxide before [`TO_YEAR`]). Instants in a DST gap
//! have no local time, so a window inside the gap is never active; instants in an overlap
//! map to their correct local time, so such a window is active twice that night.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// First year whose transitions are listed.
pub const FROM_YEAR: i32 = 2020;
/// First year (exclusive end of the table) whose transitions are no longer listed: the
/// table covers 2020 through 2040 inclusive, as documented; after that the last offset
/// holds.
pub const TO_YEAR: i32 = 2041;

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
    /// Tables are computed once per zone and process (a scan of the whole range).
    pub fn of(zone: &str) -> Option<Offsets> {
        static CACHE: OnceLock<Mutex<HashMap<String, Offsets>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some(hit) = cache.lock().ok().and_then(|c| c.get(zone).cloned()) {
            return Some(hit);
        }
        let table = Self::compute(zone)?;
        if let Ok(mut c) = cache.lock() {
            c.insert(zone.to_owned(), table.clone());
        }
        Some(table)
    }

    fn compute(zone: &str) -> Option<Offsets> {
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
    pub fn at(&self, t: i64) -> i32 {
        self.transitions
            .iter()
            .take_while(|(since, _)| *since <= t)
            .last()
            .map_or(self.initial, |(_, o)| *o)
    }

    /// Every offset the table takes, ascending and without repeats.
    pub fn values(&self) -> Vec<i32> {
        let mut all: Vec<i32> = std::iter::once(self.initial)
            .chain(self.transitions.iter().map(|(_, o)| *o))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
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
        assert_eq!(tokyo.initial, 32400);
        assert_eq!(tokyo.at(0), 32400);
        assert_eq!(tokyo.values(), vec![32400]);
        let berlin = Offsets::of("Europe/Berlin").unwrap();
        assert_eq!(berlin.values(), vec![3600, 7200]);
        assert_eq!(berlin.initial, 3600);
        // 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert!(berlin.transitions.contains(&(1_774_746_000, 7200)));
        assert!(berlin.transitions.contains(&(1_792_890_000, 3600)));
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
            // The autumn 2040 change is in the table (the README promises 2020–2040).
            let last = DateTime::from_timestamp(table.transitions.last().unwrap().0, 0).unwrap();
            assert_eq!(chrono::Datelike::year(&last), 2040, "{zone}");
        }
        assert_eq!(Offsets::of("Not/AZone"), None);
    }
}
