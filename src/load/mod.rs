//! Stage 1 of the pipeline: find spec files, parse YAML with spans, check the structure
//! against the JSON Schema, and read the typed [`Spec`].

mod discover;
mod foreign;
mod glob;

pub use glob::{MAX_PATTERN, MAX_PATTERNS};
pub mod schema;
pub mod text_safety;
pub mod tree;
mod yaml;

use std::path::PathBuf;

use crate::diag::{Code, Diagnostic};
use crate::fsguard;
use crate::source::SourceMap;
use crate::span::{FileId, Spanned};
use crate::spec::Spec;
use tree::Node;

/// The result of loading: all sources, the specs that passed the schema, and the
/// problems found so far.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every file read (also those with errors, so diagnostics can show them).
    pub sources: SourceMap,
    /// Specs that passed YAML and schema checks, with their file.
    pub specs: Vec<(FileId, Spec)>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads every spec under `paths` (files, or directories searched recursively for
/// `*.yaml`/`*.yml`, in sorted order). Symlinks are never followed, only regular files
/// are read, each at most [`MAX_FILE_BYTES`](yaml::MAX_FILE_BYTES), and directories that
/// hold a `.sloxide-manifest` (sloxide's own output) are not searched.
pub fn load(paths: &[PathBuf]) -> Loaded {
    load_with(paths, &Options::default())
}

/// Where spec paths are shown from, and which spec files to skip.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Directory spec paths are shown relative to (the project's `sloxide.toml`
    /// directory); `None` for the working directory.
    pub base: Option<PathBuf>,
    /// Glob patterns (`*`, `**`, `?`) of shown spec paths to skip.
    pub exclude: Vec<String>,
}

/// [`load`] with `options`.
pub fn load_with(paths: &[PathBuf], options: &Options) -> Loaded {
    let mut loaded = Loaded::default();
    let mut walk = discover::Walk::default();
    walk.exclude = options.exclude.clone();
    walk.base = options
        .base
        .clone()
        .or_else(|| std::env::current_dir().ok());
    let mut stdin = false;
    for path in paths {
        if path.as_os_str() == STDIN {
            stdin = true;
        } else {
            walk.path(path);
        }
    }
    let base = options
        .base
        .clone()
        .or_else(|| std::env::current_dir().ok());
    let explicit = walk.explicit;
    let mut files = walk.files;
    loaded.diagnostics.extend(walk.problems);
    files.dedup();
    files.retain(|f| {
        let shown = shown_path(f, base.as_deref());
        !options.exclude.iter().any(|g| glob::matches(g, &shown))
    });
    if stdin {
        load_stdin(&mut loaded);
    }
    if files.is_empty() && !stdin && loaded.diagnostics.is_empty() {
        loaded.diagnostics.push(
            Diagnostic::unplaced(Code::IoNoSpecs, None, "no spec files found")
                .with_help("pass spec files or directories that contain *.yaml / *.yml files"),
        );
    }
    for file in files {
        match fsguard::read_capped(&file, yaml::MAX_FILE_BYTES as u64) {
            Err(e) => loaded.diagnostics.push(discover::refused(&file, &e)),
            Ok(bytes) => load_file(
                &mut loaded,
                shown_path(&file, base.as_deref()),
                bytes,
                explicit.contains(&file),
            ),
        }
    }
    // Files were found in directories but every one was a foreign file: say that nothing
    // was checked.
    let skipped = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::LoadForeign && !d.is_error())
        .count();
    if loaded.specs.is_empty() && skipped > 0 && skipped == loaded.diagnostics.len() {
        loaded.diagnostics.push(
            Diagnostic::unplaced(
                Code::IoNoSpecs,
                None,
                format!(
                    "no sloxide spec found: the {skipped} YAML file(s) found are not sloxide specs"
                ),
            )
            .with_help("pass the directories that hold `apiVersion: sloxide/v1` specs"),
        );
    }
    loaded
}

/// How a spec path is shown in diagnostics and outputs: relative to `base` (the project
/// directory, else the working directory) however it was typed (`specs/a.yaml`,
/// `./specs/a.yaml` and the absolute path all give `specs/a.yaml`), so outputs do not
/// depend on the spelling; a spec outside `base` keeps the path as given. Lexical only: no
/// symlink is resolved.
pub(crate) fn shown_path(path: &std::path::Path, base: Option<&std::path::Path>) -> String {
    use std::path::Component;
    let (Some(base), Ok(cwd)) = (base, std::env::current_dir()) else {
        return fsguard::display(path);
    };
    let mut full = std::path::PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                full.pop();
            }
            other => full.push(other),
        }
    }
    match full.strip_prefix(base) {
        Ok(rel) if !rel.as_os_str().is_empty() => fsguard::display(rel),
        _ => fsguard::display(path),
    }
}

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// Loads one spec from standard input, named `<stdin>` in diagnostics and outputs, read
/// with the same size cap as files.
fn load_stdin(loaded: &mut Loaded) {
    use std::io::Read;
    let mut bytes = Vec::new();
    let cap = yaml::MAX_FILE_BYTES as u64 + 1;
    match std::io::stdin().lock().take(cap).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() > yaml::MAX_FILE_BYTES => {
            loaded.diagnostics.push(Diagnostic::unplaced(
                Code::YamlLimits,
                Some("<stdin>".into()),
                format!(
                    "standard input is larger than {} bytes",
                    yaml::MAX_FILE_BYTES
                ),
            ))
        }
        Ok(_) => load_text(loaded, "<stdin>".into(), bytes),
        Err(e) => loaded.diagnostics.push(Diagnostic::unplaced(
            Code::IoRead,
            Some("<stdin>".into()),
            format!("cannot read standard input: {e}"),
        )),
    }
}

/// Loads one spec from memory (used by `load` and by tests), as if named on the command
/// line.
pub fn load_text(loaded: &mut Loaded, path: String, bytes: Vec<u8>) {
    load_file(loaded, path, bytes, true);
}

/// Loads one spec; `named` tells a file given on the command line (a foreign file is then
/// an error) from one found in a directory (a foreign file is skipped with a note).
fn load_file(loaded: &mut Loaded, path: String, bytes: Vec<u8>, named: bool) {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            loaded.diagnostics.push(Diagnostic::unplaced(
                Code::IoRead,
                Some(path),
                "file is not UTF-8 text",
            ));
            return;
        }
    };
    let too_big = text.len() > yaml::MAX_FILE_BYTES;
    let file = loaded.sources.add(path, text);
    let text = loaded.sources.get(file).text.clone();
    if too_big {
        loaded.diagnostics.push(
            Diagnostic::error(
                Code::YamlLimits,
                crate::span::Span::new(file, 0, 0),
                format!("file is larger than {} bytes", yaml::MAX_FILE_BYTES),
                "file starts here",
            )
            .with_help("a spec file describes one service; split large specs"),
        );
        return;
    }
    let root: Spanned<Node> = match yaml::parse(file, &text) {
        Ok(root) => root,
        Err(d) => {
            loaded.diagnostics.push(*d);
            return;
        }
    };
    let root = with_file(root, file);
    if !matches!(root.value, Node::Map(_)) {
        let (span, message) = match root.value {
            Node::Null => (crate::span::Span::new(file, 0, 0), "the spec file is empty"),
            _ => (root.span, "a spec must be a YAML mapping"),
        };
        loaded.diagnostics.push(
            Diagnostic::error(Code::YamlNotMapping, span, message, "document starts here")
                .with_help("start the file with `apiVersion: sloxide/v1` and a `service:` block"),
        );
        return;
    }
    if let Some(what) = foreign::recognise(&root) {
        let mut d = Diagnostic::error(
            Code::LoadForeign,
            root.span,
            if named {
                format!("this file is {what}, not a sloxide spec")
            } else {
                format!("skipped: this file is {what}, not a sloxide spec")
            },
            "not `apiVersion: sloxide/v1`",
        )
        .with_help(
            "sloxide reads `apiVersion: sloxide/v1` specs; write the SLO as one (the README's spec language section), or leave the file out with --exclude",
        );
        if !named {
            d.level = crate::diag::Level::Note;
        }
        loaded.diagnostics.push(d);
        return;
    }
    let mut errors = schema::validate(&root);
    text_safety::check(&root, &mut errors);
    if !errors.is_empty() {
        loaded.diagnostics.extend(errors);
        return;
    }
    match yaml::parse::<Spec>(file, &text) {
        Ok(spec) => loaded.specs.push((file, spec)),
        Err(d) => loaded.diagnostics.push(*d),
    }
}

/// Sets the file of every span in a freshly parsed tree.
fn with_file(mut node: Spanned<Node>, file: FileId) -> Spanned<Node> {
    node.span.file = file;
    node.value = match node.value {
        Node::Seq(items) => Node::Seq(items.into_iter().map(|n| with_file(n, file)).collect()),
        Node::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|(mut k, v)| {
                    k.span.file = file;
                    (k, with_file(v, file))
                })
                .collect(),
        ),
        other => other,
    };
    node
}
