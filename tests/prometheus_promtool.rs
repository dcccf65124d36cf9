//! The real Prometheus engine on every generated file: `promtool check rules --lint=all
//! --lint-fatal` on each rule file of a build of `examples/` (with `--emit-tests`), and
//! `promtool test rules` on each generated unit-test file. promtool comes from Debian's
//! `prometheus` package (`apt-get install -y --no-install-recommends prometheus`); these
//! tests fail with that hint when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use sloxide::emit::{self, Options, PrometheusFormat, Target};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The promtool binary (`PROMTOOL` overrides the one on PATH).
pub fn promtool() -> Command {
    let bin = std::env::var_os("PROMTOOL").unwrap_or_else(|| "promtool".into());
    let ok = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "promtool not found: install it with `apt-get install -y --no-install-recommends prometheus` or set PROMTOOL"
    );
    Command::new(bin)
}

fn build(options: &Options) -> (tempfile::TempDir, Vec<String>) {
    let model = sloxide::cli::check(&[root().join("examples")])
        .model
        .expect("examples are valid");
    let emitted = emit::emit(&model, &[Target::Prometheus], options);
    assert!(emitted.errors.is_empty(), "{:?}", emitted.errors);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for f in emitted.files {
        let full = dir.path().join(&f.path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, f.contents).unwrap();
        paths.push(f.path);
    }
    (dir, paths)
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().expect("promtool runs");
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn files<'a>(paths: &'a [String], suffix: &'a str) -> impl Iterator<Item = &'a String> {
    paths.iter().filter(move |p| p.ends_with(suffix))
}

#[test]
fn every_generated_rule_file_passes_promtool_lint() {
    let options = Options {
        prometheus_format: PrometheusFormat::Operator,
        emit_tests: true,
        ..Options::default()
    };
    let (dir, paths) = build(&options);
    let rule_files: Vec<&String> = files(&paths, ".rules.yml").collect();
    assert!(
        rule_files.len() >= 5,
        "expected a rule file per example service: {paths:?}"
    );
    for path in rule_files {
        run(
            promtool()
                .args(["check", "rules", "--lint=all", "--lint-fatal"])
                .arg(dir.path().join(path)),
            &format!("promtool check rules {path}"),
        );
        let manifest = path.replace(".rules.yml", ".prometheusrule.yml");
        assert!(paths.contains(&manifest), "no operator manifest for {path}");
    }
}

#[test]
fn every_generated_unit_test_passes_promtool() {
    let options = Options {
        emit_tests: true,
        ..Options::default()
    };
    let (dir, paths) = build(&options);
    let tests: Vec<&String> = files(&paths, ".rules.test.yml").collect();
    assert_eq!(
        tests.len(),
        files(&paths, ".rules.yml").count(),
        "one test file per rule file"
    );
    // One promtool process per file, in parallel.
    let children: Vec<_> = tests
        .iter()
        .map(|t| {
            let file = dir.path().join(t);
            let child = promtool()
                .args(["test", "rules"])
                .arg(file.file_name().unwrap())
                .current_dir(file.parent().unwrap_or(Path::new(".")))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("promtool starts");
            (t, child)
        })
        .collect();
    let mut failures = Vec::new();
    for (t, child) in children {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failures.push(format!(
                "{t}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "promtool test rules failed:\n{}",
        failures.join("\n")
    );
}
