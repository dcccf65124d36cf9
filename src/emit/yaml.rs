//! YAML output of every backend that writes YAML (Prometheus rules and manifests,
//! Alertmanager routes, Grafana provisioning): serde-saphyr for the document, one routine
//! for the comment header.

use serde::Serialize;

/// `line` as the text of one YAML comment line: every character a YAML parser may take
/// as a line break (`\r`, U+0085, U+2028, U+2029) or refuse (controls, BOM,
/// noncharacters) becomes a space, so the comment cannot end early.
fn comment_line(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c == '\n' || crate::load::text_safety::is_unsafe(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Serializes `value` as YAML after a `#` comment header (one comment line per line).
pub fn to_yaml<T: Serialize>(header: &str, value: &T) -> Result<String, String> {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    let body = serde_saphyr::to_string_with_options(value, options).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(&comment_line(line));
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}
