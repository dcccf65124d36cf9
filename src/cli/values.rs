//! Parsers for option values that clap cannot check by itself.

/// Whether `s` is one Kubernetes name segment: 1–63 characters, alphanumeric at both
/// ends, `-` inside (a DNS-1123 label); with `upper`, also upper case and `_`/`.` inside,
/// as label names and values allow.
fn is_k8s_segment(s: &str, upper: bool) -> bool {
    let edge =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || (upper && c.is_ascii_uppercase());
    let inner = |c: char| edge(c) || c == '-' || (upper && matches!(c, '_' | '.'));
    s.len() <= 63 && s.starts_with(edge) && s.ends_with(edge) && s.chars().all(inner)
}

pub(super) fn parse_namespace(text: &str) -> Result<String, String> {
    if is_k8s_segment(text, false) {
        Ok(text.to_owned())
    } else {
        Err("a namespace is a DNS-1123 label: at most 63 lowercase letters, digits and `-`".into())
    }
}

pub(super) fn parse_label(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or("expected KEY=VALUE, e.g. release=kube-prometheus-stack")?;
    let (prefix, name) = key
        .rsplit_once('/')
        .map_or((None, key), |(p, n)| (Some(p), n));
    let prefix_ok = prefix
        .is_none_or(|p| p.len() <= 253 && p.split('.').all(|part| is_k8s_segment(part, false)));
    if !prefix_ok || !is_k8s_segment(name, true) {
        return Err(format!("`{key}` is not a Kubernetes label key"));
    }
    if !value.is_empty() && !is_k8s_segment(value, true) {
        return Err(format!(
            "`{value}` is not a Kubernetes label value (at most 63 of A-Z a-z 0-9 - _ ., alphanumeric at both ends)"
        ));
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// An absolute directory for Alertmanager's secret files: `/` then segments of letters,
/// digits, `-`, `_` and `.`, none of them `.` or `..` (the path is written into a YAML
/// value Alertmanager reads files from, so it stays plain).
pub(super) fn parse_secrets_dir(text: &str) -> Result<String, String> {
    let plain = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let trimmed = text.trim_end_matches('/');
    match trimmed.strip_prefix('/') {
        Some(rest) if rest.split('/').all(plain) && text.len() <= 1024 => Ok(trimmed.to_owned()),
        _ => Err(
            "expected an absolute directory such as /etc/alertmanager/secrets (letters, digits, -, _ and . in each part; no . or ..)"
                .into(),
        ),
    }
}

pub(super) fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "expected a date in YYYY-MM-DD form, e.g. 2026-05-03".to_owned())
}
