//! `sloxide.toml`: the project's settings, so `sloxide build` and `sloxide build --check`
//! do the same thing on every machine without repeating options.
//!
//! Found by `--config FILE`, else by walking up from the working directory to the first
//! directory holding `sloxide.toml`, stopping at a repository root (a directory with
//! `.git`). Paths in it are relative to its directory and must stay inside it (no absolute
//! paths, no `..`): a pull request that edits the file cannot send output elsewhere.
//! Options given on the command line win over the file.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::fsguard;

/// The file name looked for.
pub const FILE: &str = "sloxide.toml";
/// Largest config file read.
const MAX_BYTES: u64 = 64 * 1024;

/// The settings, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Spec files or directories.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Output directory of `build`.
    pub out: Option<String>,
    /// Backends to build (default all).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Glob patterns of spec paths to skip.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Warnings fail the run (acknowledged ones do not).
    #[serde(default)]
    pub deny_warnings: bool,
    /// `--strict-queries`.
    #[serde(default)]
    pub strict_queries: bool,
    /// `--prometheus-format`.
    pub prometheus_format: Option<String>,
    /// `--ruler`.
    pub ruler: Option<String>,
    /// `--emit-tests`.
    #[serde(default)]
    pub emit_tests: bool,
    /// `--operator-namespace`.
    pub operator_namespace: Option<String>,
    /// `--operator-label`, as a table.
    #[serde(default)]
    pub operator_labels: BTreeMap<String, String>,
    /// `--sentry-format`.
    pub sentry_format: Option<String>,
    /// `--templates`.
    pub templates: Option<String>,
    /// `--example-date`.
    pub example_date: Option<String>,
}

/// A config file that was found and read.
#[derive(Debug)]
pub struct Project {
    /// Its directory: paths in it, and spec paths in outputs, are relative to this.
    pub dir: PathBuf,
    /// The file, as shown in messages.
    pub file: String,
    /// The settings.
    pub config: Config,
}

impl Project {
    /// `rel` (from the file) under the project directory, refusing anything that leaves it
    /// or names a hidden directory (`.git`).
    pub fn path(&self, key: &str, rel: &str) -> Result<PathBuf, String> {
        let p = Path::new(rel);
        let inside = !rel.is_empty()
            && p.components().all(|c| match c {
                Component::Normal(n) => !n.to_string_lossy().starts_with('.'),
                Component::CurDir => true,
                _ => false,
            });
        if !inside {
            return Err(format!(
                "{}: `{key}` = \"{rel}\" must be a relative path inside its directory (no absolute path, no `..`, no hidden directory)",
                self.file
            ));
        }
        let joined = self.dir.join(p);
        if key == "out" && p.components().all(|c| matches!(c, Component::CurDir)) {
            return Err(format!(
                "{}: `out` = \"{rel}\" is the project directory itself; name a directory for the generated files, e.g. \"generated\"",
                self.file
            ));
        }
        Ok(joined)
    }
}

/// Finds and reads the project file: `explicit`, else the nearest `sloxide.toml` from the
/// working directory up to the repository root; `None` when there is none or `disabled`.
pub fn discover(explicit: Option<&Path>, disabled: bool) -> Result<Option<Project>, String> {
    if disabled {
        return Ok(None);
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let file = match explicit {
        Some(f) => cwd.join(f),
        None => {
            // Up to the repository root; outside a repository (no `.git` on the way), only
            // the working directory, so no file of another tree (`/tmp`, a home directory)
            // is ever read.
            let mut found = None;
            let mut root = None;
            for dir in cwd.ancestors() {
                let candidate = dir.join(FILE);
                if found.is_none()
                    && matches!(fsguard::kind(&candidate), Ok(fsguard::Kind::File(_)))
                {
                    found = Some(candidate);
                }
                if dir.join(".git").exists() {
                    root = Some(dir.to_path_buf());
                    break;
                }
            }
            match (found, root) {
                (Some(f), Some(_)) => f,
                (Some(f), None) if f.parent() == Some(cwd.as_path()) => f,
                _ => return Ok(None),
            }
        }
    };
    let bytes = fsguard::read_capped(&file, MAX_BYTES)
        .map_err(|e| format!("{}: {e}", fsguard::display(&file)))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", fsguard::display(&file)))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        format!(
            "{}: {}",
            fsguard::display(&file),
            crate::diag::render::terminal_text(&e.to_string())
        )
    })?;
    let dir = file.parent().map(Path::to_path_buf).unwrap_or(cwd);
    Ok(Some(Project {
        dir,
        file: fsguard::display(&file),
        config,
    }))
}
