//! Scalar spellings that the spec accepts as text and validation interprets:
//! percentages/ratios and durations.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A ratio written either as a percentage string (`"99.9%"`) or as a fraction in (0, 1)
/// (`0.999`). Kept as the text the user wrote so validation can parse it exactly (no f64)
/// and reject ambiguous spellings such as `99.9` without `%`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentText(pub String);

impl<'de> Deserialize<'de> for PercentText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText("a percentage like 99.9% or a ratio like 0.999"))
            .map(PercentText)
    }
}

impl Serialize for PercentText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for PercentText {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage with a % sign (\"99.9%\") or a ratio between 0 and 1 (0.999). A bare number of 1 or more (99.9) is ambiguous and rejected.",
            "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$" }
            ]
        })
    }
}

/// A duration such as `5m`, `1h`, `30d`, `2w` (one unit: `ms`, `s`, `m`, `h`, `d`, `w`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationText(pub String);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(DurationText)
    }
}

impl Serialize for DurationText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for DurationText {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration: a whole number and one unit, ms, s, m, h, d or w (e.g. 5m, 1h, 30d).",
            "type": "string",
            "pattern": "^[0-9]+(ms|s|m|h|d|w)$"
        })
    }
}

/// A time of day `HH:MM` (24 h clock), read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOfDayText(pub String);

impl<'de> Deserialize<'de> for TimeOfDayText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText("a time of day like \"02:30\""))
            .map(TimeOfDayText)
    }
}

impl Serialize for TimeOfDayText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for TimeOfDayText {
    fn schema_name() -> Cow<'static, str> {
        "TimeOfDay".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A local time of day, HH:MM on a 24-hour clock. Quote it (\"02:30\"): YAML 1.1 tools read unquoted 02:30 as a number in base 60.",
            "type": "string",
            "pattern": "^[0-9]{2}:[0-9]{2}$"
        })
    }
}

/// Visitor that accepts any scalar and keeps its text.
struct ScalarText(&'static str);

impl de::Visitor<'_> for ScalarText {
    type Value = String;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // Rust prints the shortest text that reads back as the same f64, so a YAML
        // `0.999` comes back as "0.999" and is then parsed exactly as a decimal.
        Ok(v.to_string())
    }
}

/// An identifier: lowercase letters, digits, `-` and `_`, starting with a letter or digit,
/// at most 63 characters. Identifiers become file names, rule names and anchors, so they
/// are kept to a spelling that is safe everywhere; free text goes in `title`/`description`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ident(pub String);

impl JsonSchema for Ident {
    fn schema_name() -> Cow<'static, str> {
        "Identifier".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An identifier: lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters.",
            "type": "string",
            "pattern": IDENT_PATTERN
        })
    }
}

/// The pattern every [`Ident`] matches (kept in one place for schema and tests).
pub const IDENT_PATTERN: &str = "^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$";

/// A plain number (burn-rate factor, count) read as text so it can be parsed exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberText(pub String);

impl<'de> Deserialize<'de> for NumberText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText("a number")).map(NumberText)
    }
}

impl Serialize for NumberText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for NumberText {
    fn schema_name() -> Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "number", "exclusiveMinimum": 0 })
    }
}
