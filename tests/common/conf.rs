//! The Splunk build and a strict reader of its `.conf` files, shared by the Splunk tests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sloxide::emit::{self, Options, Target};
use sloxide::model::Model;

/// The model of the specs at `paths` and its Splunk output; fails on any error.
pub fn build_splunk(paths: &[PathBuf]) -> (Model, emit::Emitted) {
    let checked = sloxide::cli::check(paths);
    let model = checked
        .model
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let emitted = emit::emit(&model, &[Target::Splunk], &Options::default());
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    assert!(emitted.unavailable.is_empty());
    (model, emitted)
}

/// Stanza name → key → value (continuation lines joined with `\n`).
pub type Conf = BTreeMap<String, BTreeMap<String, String>>;

/// A strict `.conf` reader: `#` comments and blank lines between entries, `[stanza]`
/// headers, `key = value` lines, values continued by a trailing backslash. Rejects keys
/// outside a stanza, duplicate stanzas and keys, continuation lines that look like a
/// stanza header, a dangling continuation, carriage returns and anything else.
pub fn parse_conf(text: &str) -> Result<Conf, String> {
    let mut conf = Conf::new();
    let mut current: Option<String> = None;
    let mut lines = text.split('\n').enumerate().peekable();
    if text.contains('\r') {
        return Err("carriage return".into());
    }
    while let Some((n, line)) = lines.next() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or(format!("line {n}: bad stanza header {line:?}"))?;
            if name.contains(['[', ']']) {
                return Err(format!("line {n}: brackets in stanza name"));
            }
            if conf.insert(name.to_string(), BTreeMap::new()).is_some() {
                return Err(format!("line {n}: duplicate stanza [{name}]"));
            }
            current = Some(name.to_string());
            continue;
        }
        let (key, first) = line
            .split_once(" = ")
            .ok_or(format!("line {n}: not `key = value`: {line:?}"))?;
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
        {
            return Err(format!("line {n}: bad key {key:?}"));
        }
        let mut value = first.to_string();
        while value.ends_with('\\') {
            value.pop();
            let (m, next) = lines
                .next()
                .ok_or(format!("line {n}: dangling continuation"))?;
            if next.starts_with('[') || next.trim().is_empty() {
                return Err(format!("line {m}: continuation line {next:?}"));
            }
            value.push('\n');
            value.push_str(next);
        }
        let stanza = current
            .as_ref()
            .ok_or(format!("line {n}: key outside a stanza"))?;
        let keys = conf.get_mut(stanza).ok_or("stanza vanished")?;
        if keys.insert(key.to_string(), value).is_some() {
            return Err(format!("line {n}: duplicate key {key} in [{stanza}]"));
        }
    }
    Ok(conf)
}
