//! Helpers shared by the integration tests that run the real promtool.

// Each test crate uses only some of these helpers.
#![allow(dead_code)]

use std::process::Command;

/// The promtool binary (`PROMTOOL` overrides the one on PATH); fails with an install hint
/// when it is missing.
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
