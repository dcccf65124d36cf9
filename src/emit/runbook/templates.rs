//! The template environment: built-in templates embedded in the binary, user overrides
//! from `--templates DIR` looked up first, strict about undefined values, and the
//! escaping filters of [`super::escape`].

use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, Error, UndefinedBehavior, path_loader};

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
    let user = overrides.map(path_loader);
    env.set_loader(move |name| {
        if let Some(load) = &user
            && let Some(source) = load(name)?
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
    env.add_filter("fenced", |s: &str, lang: &str| escape::fenced(s, lang));
    env.add_filter("mermaid", |s: &str| escape::mermaid(s));
    Ok(env)
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
