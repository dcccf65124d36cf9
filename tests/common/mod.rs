//! Helpers shared by the integration tests: the real promtool, and a deterministic PRNG.

// Each test crate uses only some of these helpers.
#![allow(dead_code)]

use std::process::Command;

pub mod bin;
pub mod conf;
pub mod traffic;

/// The promtool binary (`PROMTOOL` overrides the one on PATH); fails with an install hint
/// when it is missing.
pub fn promtool() -> Command {
    let bin = std::env::var_os("PROMTOOL").unwrap_or_else(|| "promtool".into());
    debian_tool(bin, "prometheus")
}

/// `bin` from Debian's `package`; fails with the install hint when it does not run.
pub fn debian_tool(bin: impl AsRef<std::ffi::OsStr>, package: &str) -> Command {
    let bin = bin.as_ref();
    let ok = Command::new(bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} not found: install it with `apt-get install -y --no-install-recommends {package}`",
        bin.to_string_lossy()
    );
    Command::new(bin)
}

/// Runs `cmd` and fails the test with its output unless it succeeds.
pub fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A tiny deterministic PRNG (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The model of the bundled examples.
pub fn examples_model() -> sloxide::model::Model {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    sloxide::cli::check(&[root.join("examples")])
        .model
        .expect("examples are valid")
}

/// The files `targets` write for `model` with default options, by path (a backend error
/// fails the test).
pub fn emitted(
    model: &sloxide::model::Model,
    targets: &[sloxide::emit::Target],
) -> std::collections::BTreeMap<String, String> {
    let out = sloxide::emit::emit(model, targets, &sloxide::emit::Options::default());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.files
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}
