//! Exact quantities of the model: ratios (decimal, never f64) and durations.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

/// A ratio in [0, 1] held as an exact decimal (`0.999`, never `0.9989999…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Ratio(pub Decimal);

impl Ratio {
    /// The complement `1 - self` (the error budget of an objective).
    pub fn complement(self) -> Ratio {
        Ratio(Decimal::ONE - self.0)
    }

    /// The value as a percentage string without trailing zeros, e.g. `99.95%`.
    pub fn percent(self) -> String {
        format!("{}%", (self.0 * Decimal::ONE_HUNDRED).normalize())
    }

    /// The value as a plain decimal string without trailing zeros, e.g. `0.9995`.
    pub fn decimal(self) -> String {
        self.0.normalize().to_string()
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.percent())
    }
}

/// A non-negative duration with millisecond resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

const UNITS: [(&str, u64); 6] = [
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl Duration {
    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }

    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Duration {
            millis: secs * 1000,
        }
    }

    /// Parses the spec spelling: a whole number and one unit (`ms`, `s`, `m`, `h`, `d`, `w`).
    pub fn parse(text: &str) -> Option<Self> {
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let (digits, unit) = text.split_at(split);
        let n: u64 = digits.parse().ok()?;
        let (_, factor) = UNITS.iter().find(|(u, _)| *u == unit)?;
        n.checked_mul(*factor).map(Duration::from_millis)
    }

    /// Length in milliseconds.
    pub fn millis(self) -> u64 {
        self.millis
    }

    /// Length in whole seconds (rounded down).
    pub const fn secs(self) -> u64 {
        self.millis / 1000
    }

    /// Length in seconds as an exact decimal.
    pub fn secs_decimal(self) -> Decimal {
        Decimal::from(self.millis) / Decimal::from(1000)
    }

    /// The shortest single-unit spelling, as Prometheus and the spec write it (`30d`, `90m`).
    /// Weeks are not used, so `14d` stays `14d`.
    pub fn to_prom(self) -> String {
        if self.millis == 0 {
            return "0s".into();
        }
        UNITS
            .iter()
            .skip(1)
            .find(|(_, f)| self.millis.is_multiple_of(*f))
            .map(|(u, f)| format!("{}{u}", self.millis / f))
            .unwrap_or_default()
    }

    /// A human spelling with mixed units, e.g. `43m 12s` or `2d 4h`; below a second it
    /// shows milliseconds, and it rounds to whole seconds above one.
    pub fn human(self) -> String {
        if self.millis < 1000 {
            return format!("{}ms", self.millis);
        }
        let mut rest = (self.millis + 500) / 1000;
        let mut parts = Vec::new();
        for (unit, secs) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
            if rest >= secs {
                parts.push(format!("{}{unit}", rest / secs));
                rest %= secs;
            }
        }
        parts.join(" ")
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_prom())
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_prom())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_durations() {
        assert_eq!(Duration::parse("30d").unwrap().secs(), 30 * 86_400);
        assert_eq!(Duration::parse("2w").unwrap().to_prom(), "14d");
        assert_eq!(Duration::parse("500ms").unwrap().millis(), 500);
        assert_eq!(Duration::parse("90m").unwrap().to_prom(), "90m");
        assert_eq!(Duration::parse("120m").unwrap().to_prom(), "2h");
        assert!(Duration::parse("1h30m").is_none());
        assert!(Duration::parse("h").is_none());
        assert!(Duration::parse("99999999999999999999d").is_none());
        assert_eq!(Duration::from_secs(2592).human(), "43m 12s");
        assert_eq!(Duration::from_millis(51_840).human(), "52s");
    }

    #[test]
    fn ratio_complement_is_exact() {
        let r = Ratio("0.999".parse().unwrap());
        assert_eq!(r.complement().decimal(), "0.001");
        assert_eq!(r.percent(), "99.9%");
    }
}
