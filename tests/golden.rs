//! Golden files: `sloxide build examples/` must produce exactly the files under `golden/`
//! (every backend, default options). Review changes with `git diff golden/`; regenerate
//! with `SLOXIDE_UPDATE_GOLDEN=1 cargo test --test golden` and explain every change in the
//! commit message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sloxide::emit::{self, Options, Target};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_files(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            golden_files(&path, base, out);
        } else {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel != "README.md" {
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
}

/// Builds `examples/` with every backend and default options.
///
/// Specs are loaded by the relative path `examples` (cargo runs tests in the package
/// root), as a user would pass it: generated files quote the spec path as given, so an
/// absolute path would make the goldens depend on where the repository is checked out.
fn build_examples() -> Vec<emit::OutputFile> {
    let checked = sloxide::cli::check(&[PathBuf::from("examples")]);
    let model = checked.model.expect("examples are valid");
    let all = [
        Target::Prometheus,
        Target::Alertmanager,
        Target::Grafana,
        Target::Splunk,
        Target::Sentry,
        Target::Runbook,
    ];
    let emitted = emit::emit(&model, &all, &Options::default());
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    emitted.files
}

#[test]
fn build_of_examples_matches_golden() {
    let golden_dir = root().join("golden");
    let produced: BTreeMap<String, String> = build_examples()
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect();
    if std::env::var_os("SLOXIDE_UPDATE_GOLDEN").is_some() {
        let mut existing = BTreeMap::new();
        golden_files(&golden_dir, &golden_dir, &mut existing);
        for stale in existing.keys().filter(|k| !produced.contains_key(*k)) {
            std::fs::remove_file(golden_dir.join(stale)).unwrap();
        }
        for (path, contents) in &produced {
            let full = golden_dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, contents).unwrap();
        }
    }
    let mut golden = BTreeMap::new();
    golden_files(&golden_dir, &golden_dir, &mut golden);
    let missing: Vec<&String> = golden
        .keys()
        .filter(|k| !produced.contains_key(*k))
        .collect();
    let extra: Vec<&String> = produced
        .keys()
        .filter(|k| !golden.contains_key(*k))
        .collect();
    let differ: Vec<&String> = produced
        .iter()
        .filter(|(k, v)| golden.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "golden/ differs from the build of examples/\n  no longer produced: {missing:?}\n  not in golden: {extra:?}\n  different: {differ:?}\nreview, then SLOXIDE_UPDATE_GOLDEN=1 cargo test --test golden"
    );
}

#[test]
fn build_is_byte_identical_across_runs() {
    assert_eq!(build_examples(), build_examples());
}
