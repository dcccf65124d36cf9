//! Reading the textual quantities of the spec exactly: percentages, durations, windows,
//! times of day, time zones, percentiles and plain numbers.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::ctx::Ctx;
use crate::diag::Code;
use crate::model::{Duration, Percentile, Ratio, TimeOfDay};
use crate::span::Spanned;
use crate::spec::{DurationText, NumberText, PercentText, TimeOfDayText};

/// Most decimal places of a ratio (8: an error budget of at least 1e-8), which keeps every
/// product of budget, burn rate and window exact and far from `Decimal`'s limits.
pub const MAX_RATIO_SCALE: u32 = 8;

/// Parses a percentage (`99.9%`) or ratio (`0.999`) strictly inside (0, 1). `what` names
/// the value in messages (e.g. "objective").
pub fn percent(ctx: &mut Ctx, text: &Spanned<PercentText>, what: &str) -> Option<Ratio> {
    let written = as_written(ctx, text.span, &text.value.0);
    let raw = written.as_str();
    let (number, is_percent) = match raw.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (raw, false),
    };
    let Ok(value) = Decimal::from_str(number) else {
        ctx.error(
            Code::PercentSyntax,
            text.span,
            format!("{what} `{raw}` is not a number"),
            "cannot read this",
            "write a percentage such as 99.9% or a ratio such as 0.999",
        );
        return None;
    };
    let ratio = if is_percent {
        value / Decimal::ONE_HUNDRED
    } else if value >= Decimal::ONE {
        ctx.error(
            Code::PercentAmbiguous,
            text.span,
            format!("{what} `{raw}` is ambiguous"),
            "percentage or ratio?",
            format!("write `{raw}%` for a percentage, or a ratio between 0 and 1 such as 0.999"),
        );
        return None;
    } else {
        value
    };
    if ratio.normalize().scale() > MAX_RATIO_SCALE {
        ctx.error(
            Code::PercentPrecision,
            text.span,
            format!("{what} `{raw}` is more precise than sloxide computes with"),
            "too many decimal places",
            "write at most 6 decimal places in a percentage (99.999999%) or 8 in a ratio (0.99999999)",
        );
        return None;
    }
    if ratio <= Decimal::ZERO || ratio >= Decimal::ONE {
        ctx.error(
            Code::PercentRange,
            text.span,
            format!("{what} `{raw}` is outside (0%, 100%)"),
            "out of range",
            "use a value strictly between 0% and 100%; 100% leaves no error budget",
        );
        return None;
    }
    Some(Ratio(ratio.normalize()))
}

/// Parses a duration; `min`/`max` bound it (inclusive).
pub fn duration(
    ctx: &mut Ctx,
    text: &Spanned<DurationText>,
    what: &str,
    min: Duration,
    max: Duration,
) -> Option<Duration> {
    let Some(d) = Duration::parse(&text.value.0) else {
        ctx.error(
            Code::DurationInvalid,
            text.span,
            format!("{what} `{}` is not a duration", text.value.0),
            "cannot read this",
            "write a whole number and one unit: ms, s, m, h, d or w (e.g. 5m, 30d)",
        );
        return None;
    };
    if d < min || d > max {
        ctx.error(
            Code::DurationInvalid,
            text.span,
            format!("{what} `{}` is out of range", text.value.0),
            format!("must be between {} and {}", min.to_prom(), max.to_prom()),
            format!(
                "choose a {what} between {} and {}",
                min.to_prom(),
                max.to_prom()
            ),
        );
        return None;
    }
    Some(d)
}

/// Parses an SLO window: a whole number of days from 1d to 90d.
pub fn window(ctx: &mut Ctx, text: &Spanned<DurationText>) -> Option<Duration> {
    let d = duration(
        ctx,
        text,
        "window",
        Duration::from_millis(1),
        Duration::from_secs(u64::MAX / 1000),
    )?;
    let day = 86_400_000;
    if d.millis() % day != 0 || d.millis() < day || d.millis() > 90 * day {
        ctx.error(
            Code::WindowUnsupported,
            text.span,
            format!("SLO window `{}` is not supported", text.value.0),
            "not a whole number of days between 1d and 90d",
            "use a rolling window such as 7d, 28d, 30d or 90d",
        );
        return None;
    }
    Some(d)
}

/// Parses `HH:MM`.
pub fn time_of_day(ctx: &mut Ctx, text: &Spanned<TimeOfDayText>) -> Option<TimeOfDay> {
    let raw = &text.value.0;
    let parsed = raw.split_once(':').and_then(|(h, m)| {
        let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
        (raw.len() == 5 && h < 24 && m < 60).then_some(TimeOfDay { hour: h, minute: m })
    });
    if parsed.is_none() {
        ctx.error(
            Code::ExclusionTime,
            text.span,
            format!("`{raw}` is not a time of day"),
            "not HH:MM",
            "write a 24-hour time from 00:00 to 23:59, quoted, e.g. \"02:30\"",
        );
    }
    parsed
}

/// Checks an IANA time zone name.
pub fn timezone(ctx: &mut Ctx, text: &Spanned<String>) -> Option<String> {
    match text.value.parse::<chrono_tz::Tz>() {
        Ok(tz) => Some(tz.name().to_owned()),
        Err(_) => {
            let names: Vec<String> = chrono_tz::TZ_VARIANTS
                .iter()
                .map(|t| t.name().to_owned())
                .collect();
            let help = match (
                zone_meant(&text.value),
                crate::load::schema::closest(&text.value, &names),
            ) {
                (Some(meant), _) => meant,
                (None, Some(best)) => {
                    format!("did you mean `{best}`? Use an IANA zone name such as Asia/Tokyo")
                }
                (None, None) => {
                    "use an IANA zone name such as Asia/Tokyo, Europe/Berlin or UTC".into()
                }
            };
            ctx.error(
                Code::ExclusionTimezone,
                text.span,
                format!("unknown time zone `{}`", text.value),
                "not an IANA time zone",
                help,
            );
            None
        }
    }
}

/// What a common abbreviation or a UTC offset means, as IANA zone names: suggested by
/// meaning, since the nearest spelling (`JST` → `EST`) is usually another continent.
fn zone_meant(text: &str) -> Option<String> {
    const ABBREVIATIONS: &[(&str, &str)] = &[
        ("JST", "Asia/Tokyo"),
        ("KST", "Asia/Seoul"),
        (
            "IST",
            "Asia/Kolkata (India), Europe/Dublin (Ireland) or Asia/Jerusalem (Israel)",
        ),
        (
            "CST",
            "America/Chicago (US Central) or Asia/Shanghai (China)",
        ),
        ("HKT", "Asia/Hong_Kong"),
        ("SGT", "Asia/Singapore"),
        ("ICT", "Asia/Bangkok"),
        ("WIB", "Asia/Jakarta"),
        ("PHT", "Asia/Manila"),
        ("AEST", "Australia/Sydney"),
        ("AEDT", "Australia/Sydney"),
        ("NZST", "Pacific/Auckland"),
        ("BST", "Europe/London"),
        (
            "CEST",
            "Europe/Berlin, Europe/Paris or another city of Central Europe",
        ),
        (
            "EEST",
            "Europe/Athens, Europe/Helsinki or another city of Eastern Europe",
        ),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("MDT", "America/Denver"),
        ("EDT", "America/New_York"),
        ("BRT", "America/Sao_Paulo"),
    ];
    let upper = text.trim().to_ascii_uppercase();
    if let Some((_, zone)) = ABBREVIATIONS.iter().find(|(a, _)| *a == upper) {
        return Some(format!(
            "`{}` is an abbreviation, not a zone: write {zone} (an IANA name, which also knows its daylight saving time)",
            text.trim()
        ));
    }
    let offset = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    let (sign, rest) = match offset.chars().next() {
        Some(c @ ('+' | '-')) => (c, &offset[1..]),
        _ => return None,
    };
    let hours: u32 = rest.split(':').next()?.parse().ok().filter(|h| *h <= 14)?;
    // POSIX sign in Etc/GMT zones is inverted: UTC+9 is Etc/GMT-9.
    let inverted = if sign == '+' { '-' } else { '+' };
    Some(format!(
        "write the city zone you mean (e.g. Asia/Tokyo for UTC+9), or the fixed offset Etc/GMT{inverted}{hours} (its sign is inverted by POSIX convention)"
    ))
}

/// Parses a percentile spelled `p95`, `p99.9`.
pub fn percentile(ctx: &mut Ctx, text: &Spanned<String>) -> Option<Percentile> {
    let value = text
        .value
        .strip_prefix('p')
        .and_then(|n| Decimal::from_str(n).ok());
    match value {
        Some(v) if v > Decimal::ZERO && v < Decimal::ONE_HUNDRED && v.scale() <= 2 => {
            Some(Percentile(v.normalize()))
        }
        _ => {
            ctx.error(
                Code::LatencyPercentile,
                text.span,
                format!("`{}` is not a percentile", text.value),
                "expected p50 … p99.99",
                "write the percentile as p followed by a number below 100, e.g. p95 or p99.9",
            );
            None
        }
    }
}

/// Parses a positive decimal number.
/// The value of a scalar as written: a YAML number reaches the spec types through f64
/// (`0.99999999999999999` reads as 1), so where the source holds a plain decimal number,
/// its digits are used; anything else (strings, `99.9%`) keeps the parsed text.
fn as_written(ctx: &Ctx, span: crate::span::Span, parsed: &str) -> String {
    let written = ctx.source(span).trim();
    let plain = !written.is_empty()
        && written.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && Decimal::from_str(written).is_ok();
    if plain { written } else { parsed.trim() }.to_string()
}

pub fn number(ctx: &mut Ctx, text: &Spanned<NumberText>, what: &str) -> Option<Decimal> {
    match Decimal::from_str(&as_written(ctx, text.span, &text.value.0)) {
        Ok(v) if v > Decimal::ZERO => Some(v.normalize()),
        _ => {
            ctx.error(
                Code::PercentSyntax,
                text.span,
                format!("{what} `{}` is not a positive number", text.value.0),
                "cannot read this",
                format!("write the {what} as a plain positive number, e.g. 14.4"),
            );
            None
        }
    }
}
