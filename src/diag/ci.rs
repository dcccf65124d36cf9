//! Diagnostics for CI systems, built from the [`JsonReport`] (whose texts are already
//! terminal-safe): GitHub Actions workflow commands and SARIF 2.1.0 for code scanning.

use serde_json::{Value, json};

use super::Level;
use super::code::Code;
use super::render::{JsonDiagnostic, JsonReport};

/// One GitHub Actions workflow command per diagnostic
/// (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=<code>::<message>`), escaped
/// as the Actions toolkit escapes them (`toCommandValue`/`escapeData`/`escapeProperty`
/// in actions/toolkit `packages/core/src/command.ts`), so no spec text can end the
/// command or start another.
pub fn github(report: &JsonReport) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let kind = match (d.severity, &d.acknowledged) {
            (Level::Error, _) => "error",
            (Level::Warning, None) => "warning",
            (Level::Warning, Some(_)) | (Level::Note, _) => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", property(file)));
        }
        let positions = [
            ("line", d.line),
            ("endLine", d.end_line),
            ("col", d.column),
            ("endColumn", d.end_column),
        ];
        for (key, value) in positions {
            if let Some(v) = value {
                props.push(format!("{key}={v}"));
            }
        }
        props.push(format!("title={}", property(d.code)));
        out.push_str(&format!(
            "::{kind} {}::{}\n",
            props.join(","),
            data(&text_of(d))
        ));
    }
    out
}

/// Message, label and help of `d` as one text.
fn text_of(d: &JsonDiagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(label) = d.label.as_deref().filter(|l| !l.is_empty()) {
        text.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    if let Some(reason) = &d.acknowledged {
        text.push_str(&format!("\nacknowledged in the spec: {reason}"));
    }
    text
}

/// Escapes the data part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The SARIF 2.1.0 log of `report`: one run of the `sloxide` driver whose rules are every
/// diagnostic code, and one result per diagnostic with its region (1-based lines and
/// columns, the end column exclusive, as SARIF's default column kind counts).
pub fn sarif(report: &JsonReport) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.summary()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = Code::ALL.iter().position(|c| c.as_str() == d.code);
            let mut result = json!({
                "ruleId": d.code,
                "level": match d.severity {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Note => "note",
                },
                "message": {"text": text_of(d)},
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(reason) = &d.acknowledged {
                result["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            if let Some(file) = &d.file {
                let mut region = serde_json::Map::new();
                let positions = [
                    ("startLine", d.line),
                    ("startColumn", d.column),
                    ("endLine", d.end_line),
                    ("endColumn", d.end_column),
                ];
                for (key, value) in positions {
                    if let Some(v) = value {
                        region.insert(key.into(), json!(v));
                    }
                }
                let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
                if !region.is_empty() {
                    physical["region"] = Value::Object(region);
                }
                result["locations"] = json!([{"physicalLocation": physical}]);
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({
                            "id": i,
                            "message": {"text": r.message},
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri(&r.file)},
                                "region": {"startLine": r.line, "startColumn": r.column},
                            },
                        })
                    })
                    .collect();
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sloxide",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A relative URI reference for a spec path: `/` separators, every byte outside the
/// unreserved set (and `/`) percent-encoded, so spaces or `#` in a file name cannot change
/// what the URI points at.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_cannot_be_broken_out_of() {
        assert_eq!(data("a\nb%c\r"), "a%0Ab%25c%0D");
        assert_eq!(property("x:y,z\n"), "x%3Ay%2Cz%0A");
        assert_eq!(uri("specs/my file#1.yaml"), "specs/my%20file%231.yaml");
    }
}
