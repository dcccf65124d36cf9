//! The template environment: built-in templates embedded in the binary, user overrides
//! from `--templates DIR` looked up first, strict about undefined values, and the
//! escaping filters of [`super::escape`].

use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};

use super::escape;

/// Built-in templates by name; a file of the same name in the override directory wins.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "index.md.j2",
        include_str!("../../../templates/runbook/index.md.j2"),
    ),
    (
        "service.md.j2",
        include_str!("../../../templates/runbook/service.md.j2"),
    ),
    (
        "overview.md.j2",
        include_str!("../../../templates/runbook/overview.md.j2"),
    ),
    (
        "journeys.md.j2",
        include_str!("../../../templates/runbook/journeys.md.j2"),
    ),
    (
        "slos.md.j2",
        include_str!("../../../templates/runbook/slos.md.j2"),
    ),
    (
        "alerts.md.j2",
        include_str!("../../../templates/runbook/alerts.md.j2"),
    ),
    (
        "exclusions.md.j2",
        include_str!("../../../templates/runbook/exclusions.md.j2"),
    ),
    (
        "triage.md.j2",
        include_str!("../../../templates/runbook/triage.md.j2"),
    ),
    (
        "incident.md.j2",
        include_str!("../../../templates/runbook/incident.md.j2"),
    ),
    (
        "notes.md.j2",
        include_str!("../../../templates/runbook/notes.md.j2"),
    ),
    (
        "policy.md.j2",
        include_str!("../../../templates/runbook/policy.md.j2"),
    ),
];

/// An environment loading `overrides` (if any) before the built-ins.
pub fn environment(overrides: Option<&Path>) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    let user = overrides.map(Path::to_path_buf);
    env.set_loader(move |name| {
        if let Some(dir) = &user
            && let Some(source) = load_override(dir, name)?
        {
            return Ok(Some(source));
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, src)| (*src).into()))
    });
    env.add_filter("md", |s: &str| escape::inline(s));
    env.add_filter("cell", |s: &str| escape::cell(s));
    env.add_filter("code", |s: &str| escape::code(s));
    env.add_filter("code_cell", |s: &str| escape::code_cell(s));
    env.add_filter("url", |s: &str| escape::url(s));
    env.add_filter("fenced", |s: &str, lang: &str| escape::fenced(s, lang));
    env.add_filter("mermaid", |s: &str| escape::mermaid(s));
    Ok(env)
}

/// Largest template file read from the override directory.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Reads template `name` from the override directory through the path guard: a plain file
/// name only, no symlinks, regular files of at most [`MAX_TEMPLATE_BYTES`].
fn load_override(dir: &Path, name: &str) -> Result<Option<String>, Error> {
    let refuse = |detail: String| Error::new(ErrorKind::InvalidOperation, detail);
    if !crate::fsguard::is_safe_relative(name) || name.contains('/') {
        return Err(refuse(format!(
            "template name {name:?} is not a plain file name"
        )));
    }
    let path = dir.join(name);
    let kind = crate::fsguard::check_path(&path).map_err(|e| refuse(e.to_string()))?;
    if kind == crate::fsguard::Kind::Missing {
        return Ok(None);
    }
    let bytes = crate::fsguard::read_capped(&path, MAX_TEMPLATE_BYTES)
        .map_err(|e| refuse(e.to_string()))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| refuse(format!("{} is not UTF-8 text", path.display())))
}

/// Collapses runs of blank lines to one and ends the text with exactly one newline, so
/// templates can stay readable without shaping the output's blank lines.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = true;
    let mut in_fence = false;
    for line in text.lines() {
        let line = if in_fence { line } else { line.trim_end() };
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if line.is_empty() && !in_fence {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
