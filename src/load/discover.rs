//! Finding spec files: directories are walked without following symlinks, with bounds on
//! depth and entries, skipping hidden entries and sloxide's own output directories.

use std::path::{Path, PathBuf};

use super::text_safety;
use crate::diag::{Code, Diagnostic, render};
use crate::fsguard::{self, GuardError, Kind};
use crate::output::MANIFEST;

/// Deepest directory nesting searched below a path given on the command line.
pub const MAX_DEPTH: usize = 32;
/// Most directory entries looked at in one run.
pub const MAX_ENTRIES: usize = 100_000;

/// Spec files found, and the paths refused on the way.
#[derive(Debug, Default)]
pub struct Walk {
    /// Spec files in sorted order per directory.
    pub files: Vec<PathBuf>,
    /// Refused paths and exceeded bounds.
    pub problems: Vec<Diagnostic>,
    /// The files named on the command line (not found by walking a directory).
    pub explicit: Vec<PathBuf>,
    /// Glob patterns of shown paths not to walk into or look at (see [`super::Options`]).
    pub exclude: Vec<String>,
    /// The directory paths are shown relative to.
    pub base: Option<PathBuf>,
    entries: usize,
}

impl Walk {
    /// Adds the spec files of one command-line path (a file or a directory).
    pub fn path(&mut self, path: &Path) {
        match fsguard::check_path(path) {
            Ok(Kind::Dir) => self.dir(&normalise(path), 0),
            Ok(Kind::File(_)) => {
                self.explicit.push(normalise(path));
                self.file(normalise(path));
            }
            Ok(Kind::Missing) => self.problems.push(Diagnostic::unplaced(
                Code::IoRead,
                Some(fsguard::display(path)),
                "cannot read: no such file or directory",
            )),
            Ok(Kind::Symlink) => self.refuse(path, &GuardError::Symlink(fsguard::display(path))),
            Ok(Kind::Special) => self.refuse(path, &GuardError::NotRegular(fsguard::display(path))),
            Err(e) => self.refuse(path, &e),
        }
    }

    /// Accepts a spec file whose path can be shown safely: the path reaches diagnostics
    /// and generated headers, so a name with a line separator or control character could
    /// otherwise change their structure.
    fn file(&mut self, path: PathBuf) {
        let shown = fsguard::display(&path);
        match shown.chars().find(|&c| text_safety::is_unsafe(c) || c == '\n' || c == '\u{FFFD}') {
            None => self.files.push(path),
            Some(c) => self.problems.push(
                Diagnostic::unplaced(
                    Code::IoUnsafePath,
                    Some(render::terminal_text(&shown)),
                    format!(
                        "the file name contains U+{:04X}, which cannot be shown safely in diagnostics and generated files",
                        c as u32
                    ),
                )
                .with_help("rename the file to letters, digits, `-`, `_` and `.`"),
            ),
        }
    }

    fn refuse(&mut self, path: &Path, e: &GuardError) {
        self.problems.push(refused(path, e));
    }

    fn unreadable(&mut self, dir: &Path, source: std::io::Error) {
        let e = GuardError::Io {
            path: fsguard::display(dir),
            source,
        };
        self.refuse(dir, &e);
    }

    fn bound(&mut self, dir: &Path, message: String, help: &str) {
        self.problems.push(
            Diagnostic::unplaced(Code::IoLimits, Some(fsguard::display(dir)), message)
                .with_help(help),
        );
    }

    /// Whether an entry found while walking is excluded: a file whose shown path matches a
    /// pattern, or a directory the pattern covers whole (`vendor`, `vendor/**`), so nothing
    /// inside an excluded tree is looked at (not even a symlink there).
    fn excluded(&self, path: &Path, is_dir: bool) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let shown = super::shown_path(path, self.base.as_deref());
        self.exclude.iter().any(|g| {
            super::glob::matches(g, &shown)
                || (is_dir
                    && g.strip_suffix("/**")
                        .is_some_and(|p| super::glob::matches(p, &shown)))
        })
    }

    fn dir(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_DEPTH {
            return self.bound(
                dir,
                format!("directories nested deeper than {MAX_DEPTH} levels are not searched"),
                "pass the spec directory itself, or flatten the tree",
            );
        }
        if matches!(fsguard::kind(&dir.join(MANIFEST)), Ok(Kind::File(_))) {
            // sloxide's own output directory: its YAML files are outputs, not specs.
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.unreadable(dir, e),
        };
        let mut children = Vec::new();
        for entry in entries {
            self.entries += 1;
            if self.entries > MAX_ENTRIES {
                return self.bound(
                    dir,
                    format!("more than {MAX_ENTRIES} directory entries under the spec paths"),
                    "pass only the directories that hold specs",
                );
            }
            match entry {
                Ok(entry) => children.push((entry.path(), entry.file_type())),
                Err(e) => return self.unreadable(dir, e),
            }
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, file_type) in children {
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| n.starts_with('.'));
            let is_dir = file_type.as_ref().is_ok_and(|t| t.is_dir());
            if hidden || self.excluded(&path, is_dir) {
                continue;
            }
            let Ok(file_type) = file_type else {
                self.refuse(&path, &GuardError::NotRegular(fsguard::display(&path)));
                continue;
            };
            if file_type.is_dir() {
                self.dir(&path, depth + 1);
            } else if !is_spec_file(&path) {
                continue;
            } else if file_type.is_file() {
                self.file(path);
            } else if file_type.is_symlink() {
                self.refuse(&path, &GuardError::Symlink(fsguard::display(&path)));
            } else {
                self.refuse(&path, &GuardError::NotRegular(fsguard::display(&path)));
            }
        }
    }
}

/// The diagnostic for a path the guard refused.
pub fn refused(path: &Path, e: &GuardError) -> Diagnostic {
    let shown = Some(fsguard::display(path));
    match e {
        GuardError::Symlink(_) => Diagnostic::unplaced(Code::IoUnsafePath, shown, e.to_string())
            .with_help("commit the spec file itself, not a link to it"),
        GuardError::NotRegular(_) | GuardError::NotDirectory(_) => {
            Diagnostic::unplaced(Code::IoUnsafePath, shown, e.to_string())
                .with_help("spec paths must be regular files or directories")
        }
        GuardError::TooLarge { limit, .. } => Diagnostic::unplaced(
            Code::YamlLimits,
            shown,
            format!("file is larger than {limit} bytes"),
        )
        .with_help("a spec file describes one service; split large specs"),
        GuardError::Io { source, .. } => {
            Diagnostic::unplaced(Code::IoRead, shown, format!("cannot read: {source}"))
        }
    }
}

/// `path` without `.` components, so `./specs/a.yaml` and `specs/a.yaml` are one name in
/// every output.
fn normalise(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

fn is_spec_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}
