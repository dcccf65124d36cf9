//! Hostile and broken input: every problem of every file is reported in one sorted run,
//! and no input makes loading or validation panic or hang.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

mod common;

use common::Rng;
use sloxide::diag::Code;
use sloxide::load::{self, Loaded};
use sloxide::validate::{self, Checked};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn check_bytes(bytes: Vec<u8>) -> Checked {
    let mut loaded = Loaded::default();
    load::load_text(&mut loaded, "input.yaml".into(), bytes);
    validate::check(loaded)
}

/// Runs `f` on another thread and fails if it takes longer than `limit` (a hang).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("took longer than {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("panicked"),
    }
}

fn codes(c: &Checked) -> Vec<Code> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn all_errors_of_all_files_are_reported_in_one_sorted_run() {
    let dir = tempfile::tempdir().unwrap();
    let quick = std::fs::read_to_string(&examples()[0]).unwrap();
    assert!(quick.contains("objective: 99.9%"));
    // b.yaml has two errors, a.yaml one; loading order is sorted by path.
    let b = quick
        .replace("objective: 99.9%", "objective: 100%")
        .replace("name: hello-api", "name: hello-b")
        .replace("\"#hello-api\"", "hello-api");
    let a = quick
        .replace("sli: availability", "sli: availabilty")
        .replace("name: hello-api", "name: hello-a");
    std::fs::write(dir.path().join("b.yaml"), b).unwrap();
    std::fs::write(dir.path().join("a.yaml"), a).unwrap();
    let checked = sloxide::cli::check(&[dir.path().to_path_buf()]);
    let errors: Vec<(String, usize, Code)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let span = d.primary.as_ref().unwrap().span;
            let file = checked.sources.get(span.file).path.clone();
            let file = file.rsplit('/').next().unwrap().to_owned();
            (file, checked.sources.line_col(span).line, d.code)
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            ("a.yaml".into(), 24, Code::RefUnknown),
            ("b.yaml".into(), 14, Code::NotifyTarget),
            ("b.yaml".into(), 25, Code::PercentRange),
        ],
    );
    assert!(checked.model.is_none());
}

#[test]
fn a_schema_error_in_one_file_does_not_hide_semantic_errors_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let quick = std::fs::read_to_string(&examples()[0]).unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        quick.replace("apiVersion: sloxide/v1", "apiVersion: sloxide/v9"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        quick
            .replace("name: hello-api", "name: other")
            .replace("objective: 99.9%", "objective: 99.9"),
    )
    .unwrap();
    let checked = sloxide::cli::check(&[dir.path().to_path_buf()]);
    assert_eq!(
        codes(&checked),
        vec![Code::SchemaApiVersion, Code::PercentAmbiguous]
    );
}

#[test]
fn hostile_documents_get_a_clear_error_not_a_panic_or_hang() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let deep_flow = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deep_block: String = (0..2_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let huge = format!("apiVersion: sloxide/v1\n#{}\n", "x".repeat(2 << 20));
    let many_nodes = format!("x: [{}]\n", vec!["1"; 60_000].join(","));
    let cases: Vec<(&str, Vec<u8>, Code)> = vec![
        ("alias bomb", bomb.into_bytes(), Code::YamlLimits),
        (
            "deep flow nesting",
            deep_flow.into_bytes(),
            Code::YamlLimits,
        ),
        (
            "deep block nesting",
            deep_block.into_bytes(),
            Code::YamlLimits,
        ),
        ("huge file", huge.into_bytes(), Code::YamlLimits),
        ("many nodes", many_nodes.into_bytes(), Code::YamlLimits),
        (
            "non-UTF-8",
            b"apiVersion: \xff\xfe sloxide\n".to_vec(),
            Code::IoRead,
        ),
        (
            "binary garbage",
            (0..=255u8).cycle().take(4096).collect(),
            Code::IoRead,
        ),
        (
            "NUL bytes",
            b"apiVersion: sloxide/v1\n\0\0\0\n".to_vec(),
            Code::YamlSyntax,
        ),
        (
            "unterminated quote",
            b"a: \"abc\n".to_vec(),
            Code::YamlSyntax,
        ),
        (
            "tab indentation",
            b"a:\n\tb: 1\n".to_vec(),
            Code::YamlSyntax,
        ),
        ("scalar", b"42\n".to_vec(), Code::YamlNotMapping),
        ("empty", Vec::new(), Code::YamlNotMapping),
        (
            "multiple documents",
            b"a: 1\n---\nb: 2\n".to_vec(),
            Code::YamlSyntax,
        ),
    ];
    for (what, bytes, code) in cases {
        let checked = within(Duration::from_secs(30), move || check_bytes(bytes));
        assert!(checked.model.is_none(), "{what}: accepted");
        let got = codes(&checked);
        assert_eq!(got, vec![code], "{what}: {:?}", checked.diagnostics);
    }
}

/// Bytes that are meaningful to YAML, PromQL, percentages and the validators.
const INTERESTING: &[&[u8]] = &[
    b":",
    b"- ",
    b"\n",
    b"  ",
    b"\t",
    b"\"",
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a ",
    b"*a",
    b"<<: ",
    b"!!binary ",
    b"%",
    b"0",
    b"99.9",
    b"100%",
    b"yes",
    b"~",
    b"#",
    b"|\n",
    b">\n",
    b"\xc3\xa9",
    b"\xff",
    b"{{window}}",
    b"=~",
    b"25:00",
    b"0s",
    b"365d",
    b"---\n",
    b"\0",
    b"\r",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => {
                if let Some(b) = out.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, token.iter().copied());
            }
            3 => {
                // Duplicate a slice elsewhere (repeated keys, shifted indentation).
                let start = rng.below(out.len());
                let end = (start + rng.below(80)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            4 => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                if at < end {
                    let b = rng.next() as u8;
                    out[at..end].fill(b);
                }
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn random_mutations_of_the_examples_never_panic() {
    let inputs: Vec<Vec<u8>> = examples()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    within(Duration::from_secs(300), move || {
        let mut rng = Rng(0x5105_1DE0_2026_0001);
        let mut rejected = 0;
        let iterations = 150;
        for round in 0..iterations {
            for (i, input) in inputs.iter().enumerate() {
                let mutated = mutate(&mut rng, input);
                let copy = mutated.clone();
                let result = std::panic::catch_unwind(move || check_bytes(copy));
                let Ok(checked) = result else {
                    panic!(
                        "panic on round {round}, example {i}; input:\n{}",
                        String::from_utf8_lossy(&mutated)
                    );
                };
                let has_error = checked.diagnostics.iter().any(|d| d.is_error());
                assert_eq!(checked.model.is_some(), !has_error, "round {round}");
                if has_error {
                    rejected += 1;
                    let rendered =
                        sloxide::diag::render::human(&checked.diagnostics, &checked.sources, false);
                    assert!(!rendered.is_empty());
                    let _ = sloxide::diag::render::json(&checked.diagnostics, &checked.sources);
                }
            }
        }
        // The mutations must actually exercise the error paths.
        assert!(rejected > iterations, "only {rejected} mutants rejected");
    });
}
