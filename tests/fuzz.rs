//! A bounded fuzz run over the whole pipeline: load → validate → every backend in every
//! format, with overflow checks on (test profile). Mutants keep the YAML mostly intact and
//! replace values with hostile ones from a dictionary (`tests/fuzz/dictionary.txt`), so
//! many pass validation and reach the backends. Seeds: `examples/`, the hostile fixtures and
//! `tests/fuzz/corpus/`.
//!
//! Every accepted mutant's outputs are re-parsed (YAML, JSON), and its Prometheus rule
//! files go through `promtool check rules` in one batch at the end. A panic or a broken
//! output fails the test and writes the input to `target/fuzz-failure-<n>.yaml`.
//!
//! Time budget: `SLOXIDE_FUZZ_SECS` (default 30; CI sets 60); seed: `SLOXIDE_FUZZ_SEED`.
//! Run longer by hand: `SLOXIDE_FUZZ_SECS=600 cargo test --test fuzz -- --nocapture`.

mod common;

use common::Rng;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use sloxide::emit::{self, Options, PrometheusFormat, SentryFormat, Target};
use sloxide::load::{self, Loaded};
use sloxide::validate;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    files
}

fn seeds() -> Vec<String> {
    ["examples", "tests/fixtures/hostile", "tests/fuzz/corpus"]
        .iter()
        .flat_map(|d| yaml_files(&root().join(d)))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn dictionary() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fuzz/dictionary.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("##"))
        .map(|l| l.replace("\\n", "\n").replace("\\u2028", "\u{2028}"))
        .collect()
}

/// Replaces the value of a random `key: value` on a random line (block or flow style),
/// duplicates or drops a line, or splices a dictionary entry in raw.
fn mutate(rng: &mut Rng, input: &str, dict: &[String]) -> String {
    let mut lines: Vec<String> = input.lines().map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        let word = &dict[rng.below(dict.len())];
        match rng.below(10) {
            0..=6 => {
                // The n-th `: ` of the line: replace up to the next `,` `}` or line end.
                let line = &lines[i];
                let seps: Vec<usize> = line.match_indices(": ").map(|(k, _)| k + 2).collect();
                if seps.is_empty() {
                    continue;
                }
                let start = seps[rng.below(seps.len())];
                let rest = &line[start..];
                let flow = line.trim_start().starts_with('{') || line.contains(", ");
                let end = if flow {
                    rest.find([',', '}']).map_or(line.len(), |k| start + k)
                } else {
                    line.len()
                };
                let quoted = if rng.below(2) == 0 {
                    word.clone()
                } else {
                    format!("{word:?}")
                };
                lines[i] = format!("{}{}{}", &line[..start], quoted, &line[end..]);
            }
            7 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            8 => {
                lines.remove(i);
            }
            _ => {
                let at = rng.below(lines[i].len() + 1);
                if lines[i].is_char_boundary(at) {
                    lines[i].insert_str(at, word);
                }
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Every build configuration sloxide offers.
fn configurations() -> Vec<Options> {
    let mut all = Vec::new();
    for (prometheus_format, sentry_format) in [
        (PrometheusFormat::Plain, SentryFormat::Api),
        (PrometheusFormat::Operator, SentryFormat::Legacy),
        (PrometheusFormat::Plain, SentryFormat::Terraform),
    ] {
        all.push(Options {
            prometheus_format,
            sentry_format,
            emit_tests: true,
            ..Options::default()
        });
    }
    all
}

/// Re-parses one output file; the error names what is wrong.
fn reparse(path: &str, contents: &str) -> Result<(), String> {
    if path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(contents).map_err(|e| e.to_string())?;
    } else if path.ends_with(".yml") || path.ends_with(".yaml") {
        serde_saphyr::from_str::<serde_json::Value>(contents).map_err(|e| e.to_string())?;
    } else if path.ends_with(".conf") || path.ends_with(".meta") {
        // A .conf line is a stanza, a comment, a key = value, or a continuation of one.
        let mut continued = false;
        for line in contents.lines() {
            let ok = continued
                || line.is_empty()
                || line.starts_with('#')
                || (line.starts_with('[') && line.ends_with(']'))
                || line.contains(" = ");
            if !ok {
                return Err(format!("not a .conf line: {line:?}"));
            }
            continued = line.ends_with('\\');
        }
    }
    Ok(())
}

fn budget() -> Duration {
    let secs = std::env::var("SLOXIDE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

#[test]
fn fuzz_the_whole_pipeline_for_a_bounded_time() {
    let seeds = seeds();
    let dict = dictionary();
    let seed = std::env::var("SLOXIDE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5105_1DE0_F022_0001u64);
    let mut rng = Rng(seed);
    let rules_dir = tempfile::tempdir().unwrap();
    let deadline = Instant::now() + budget();
    let targets = Target::value_variants().to_vec();
    let (mut runs, mut accepted, mut rule_files) = (0u64, 0u64, Vec::new());
    let mut failures = Vec::new();
    while Instant::now() < deadline && failures.len() < 5 {
        let seed_text = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed_text, &dict);
        runs += 1;
        let attempt = std::panic::catch_unwind(|| {
            let mut loaded = Loaded::default();
            load::load_text(
                &mut loaded,
                "specs/fuzz.yaml".into(),
                input.clone().into_bytes(),
            );
            let checked = validate::check(loaded);
            let rendered =
                sloxide::diag::render::human(&checked.diagnostics, &checked.sources, false);
            assert!(
                !rendered.contains('\u{1b}'),
                "escape byte in rendered diagnostics"
            );
            let Some(model) = checked.model else {
                return Ok(Vec::new());
            };
            let mut files = Vec::new();
            for options in configurations() {
                let out = emit::emit(&model, &targets, &options);
                if !out.errors.is_empty() {
                    return Err(format!("backend errors: {:?}", out.errors));
                }
                for f in out.files {
                    reparse(&f.path, &f.contents).map_err(|e| format!("{}: {e}", f.path))?;
                    files.push(f);
                }
            }
            Ok(files)
        });
        let problem = match attempt {
            Err(_) => Some("panic".to_owned()),
            Ok(Err(e)) => Some(e),
            Ok(Ok(files)) => {
                if !files.is_empty() {
                    accepted += 1;
                }
                for f in files.iter().filter(|f| f.path.ends_with(".rules.yml")) {
                    if rule_files.len() < 400 {
                        let p = rules_dir
                            .path()
                            .join(format!("{runs}-{}", rule_files.len()));
                        std::fs::write(&p, &f.contents).unwrap();
                        rule_files.push((p, input.clone()));
                    }
                }
                None
            }
        };
        if let Some(problem) = problem {
            let n = failures.len();
            let path = root().join(format!("target/fuzz-failure-{n}.yaml"));
            let _ = std::fs::write(&path, &input);
            failures.push(format!("{problem} (input in {})", path.display()));
        }
    }
    // Every accepted mutant's rules load in Prometheus.
    for chunk in rule_files.chunks(100) {
        let mut cmd = common::promtool();
        cmd.args(["check", "rules"])
            .args(chunk.iter().map(|(p, _)| p));
        let out = cmd.output().unwrap();
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            let bad = chunk
                .iter()
                .find(|(p, _)| text.contains(&*p.to_string_lossy()) && text.contains("FAILED"))
                .map_or_else(|| chunk[0].1.clone(), |(_, input)| input.clone());
            let path = root().join("target/fuzz-failure-promtool.yaml");
            let _ = std::fs::write(&path, bad);
            failures.push(format!("promtool refused generated rules:\n{text}"));
        }
    }
    eprintln!(
        "fuzz: {runs} mutants, {accepted} through every backend, {} rule files through promtool, seed {seed:#x}",
        rule_files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(runs > 50, "only {runs} mutants in the time budget");
    assert!(accepted > 0, "no mutant reached the backends");
}
