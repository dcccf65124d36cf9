//! Recognising YAML files that are not sloxide specs — Sloth, Pyrra and OpenSLO
//! definitions, Kubernetes objects — by their `apiVersion`/`version`/`kind`, so a
//! directory scan says what such a file is instead of listing its keys as errors.

use super::tree::Node;
use crate::span::Spanned;

/// What a foreign file is, in words, e.g. "a Sloth SLO file (`version: prometheus/v1`)".
pub fn recognise(root: &Spanned<Node>) -> Option<String> {
    let Node::Map(entries) = &root.value else {
        return None;
    };
    let text = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k.value == key)
            .and_then(|(_, v)| match &v.value {
                Node::Str(s) => Some(s.as_str()),
                _ => None,
            })
    };
    let api = text("apiVersion");
    if api == Some("sloxide/v1") {
        return None;
    }
    let kind = text("kind");
    let what = match (api, kind, text("version")) {
        (None, _, Some(v)) if v.starts_with("prometheus/") => {
            format!("a Sloth SLO file (`version: {v}`)")
        }
        (Some(a), Some(k), _) if a.starts_with("sloth.slok.dev/") => {
            format!("a Sloth `{k}` object (`apiVersion: {a}`)")
        }
        (Some(a), Some(k), _) if a.starts_with("pyrra.dev/") => {
            format!("a Pyrra `{k}` object (`apiVersion: {a}`)")
        }
        (Some(a), k, _) if a.starts_with("openslo/") => match k {
            Some(k) => format!("an OpenSLO `{k}` (`apiVersion: {a}`)"),
            None => format!("an OpenSLO document (`apiVersion: {a}`)"),
        },
        (Some(a), Some(k), _) => format!("a Kubernetes-style `{k}` object (`apiVersion: {a}`)"),
        _ => return None,
    };
    Some(what)
}
