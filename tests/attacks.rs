//! The CI threat model, attacked through the real binary.
//!
//! In CI a pull-request author controls every byte and every name under the spec paths and
//! the output directory: symlinks, FIFOs, huge or sparse files, hostile file names, a
//! committed `.sloxide-manifest`, terminal escapes in specs. Each test lays out
//! `<tmp>/repo/` (the binary's working directory, holding `specs/` and `out/`) and
//! `<tmp>/victim/` (files with known content outside the repository), runs the real
//! `sloxide` with a hard timeout (a hang fails the test instead of hanging it), and
//! asserts the exit code, a message, and that the victim tree is byte-identical
//! afterwards (walked without following symlinks; modes and modification times included).

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CString, OsStr};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{promtool, run};

const BIN: &str = env!("CARGO_BIN_EXE_sloxide");

/// Longest a single run on a small spec may take before it counts as a hang.
const HANG_LIMIT: Duration = Duration::from_secs(20);

/// Longest a run on the ~200-service corpus may take (a debug build under load).
const CORPUS_LIMIT: Duration = Duration::from_secs(120);

/// `examples/quickstart.yaml` without its schema comment (kept in sync by
/// `quickstart_const_matches_the_example`).
const QUICKSTART: &str = r##"# The smallest useful spec: one service, one SLI, one SLO. Everything else has defaults
# (30d window, SRE Workbook burn-rate alerts, #hotline, incident channel pattern).
apiVersion: sloxide/v1
service:
  name: hello-api
  owners:
    product_owner: Priya Natarajan
    tech_lead: Tomás Ortega
  notify:
    page:
      - pagerduty: hello-api-primary
    ticket:
      - slack: "#hello-api"
slis:
  - name: availability
    description: Share of HTTP requests not answered with a 5xx status.
    ratio:
      prometheus:
        total: http_requests_total{job="hello-api"}
        bad: http_requests_total{job="hello-api",code=~"5.."}
slos:
  - name: availability
    sli: availability
    objective: 99.9%
"##;

/// The Prometheus source of the quickstart SLI, for tests that replace it.
const QUICKSTART_PROMETHEUS: &str = r#"      prometheus:
        total: http_requests_total{job="hello-api"}
        bad: http_requests_total{job="hello-api",code=~"5.."}
"#;

/// Files outside the repository that no run may change.
const VICTIM_FILES: &[(&str, &str)] = &[
    (
        "hello-api.rules.yml",
        "# the victim's own rules: sloxide must never touch this file\n",
    ),
    ("other.txt", "victim-other-7f3a\n"),
    ("credentials", "aws_secret=AKIAxxxx\n"),
    ("sub/notes.md", "victim notes\n"),
];

const SECRET: &str = "hunter2-secret-value";

const BUILD: &[&str] = &["build", "specs/", "-o", "out/"];
const BUILD_CHECK: &[&str] = &["build", "specs/", "-o", "out/", "--check"];

// ---------------------------------------------------------------------------------------
// Running the binary with a hard timeout
// ---------------------------------------------------------------------------------------

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Waits for `child`, killing it and failing the test after `limit`.
fn wait_limited(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?} (a hang); killed it");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` (stdin closed, output captured by reader threads so a full pipe never
/// blocks it) and fails the test if it runs longer than `limit`.
fn finish(mut cmd: Command, limit: Duration, what: &str) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = wait_limited(&mut child, limit, what);
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

// ---------------------------------------------------------------------------------------
// The sandbox: <tmp>/repo and <tmp>/victim
// ---------------------------------------------------------------------------------------

/// Relative path → what is there: kind, mode and mtime, then the bytes of a regular file
/// or the target of a symlink.
type Snapshot = BTreeMap<PathBuf, Vec<u8>>;

/// Everything under `root` (the root itself as `""`), walked without following symlinks;
/// a symlink is its own entry holding its target. A missing root is an empty map.
fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    walk(root, Path::new(""), true, &mut out);
    out
}

/// Like [`snapshot`] without modes, times and directory entries: only what files hold
/// (for comparing two output trees built at different times).
fn contents(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    walk(root, Path::new(""), false, &mut out);
    out
}

fn walk(path: &Path, rel: &Path, with_meta: bool, out: &mut Snapshot) {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let t = meta.file_type();
    let stamp = if with_meta {
        format!(
            " mode {:o} mtime {}.{:09}",
            meta.mode() & 0o7777,
            meta.mtime(),
            meta.mtime_nsec()
        )
    } else {
        String::new()
    };
    if t.is_symlink() {
        let mut entry = b"symlink -> ".to_vec();
        entry.extend_from_slice(fs::read_link(path).unwrap().as_os_str().as_bytes());
        out.insert(rel.to_path_buf(), entry);
    } else if t.is_dir() {
        if with_meta {
            out.insert(rel.to_path_buf(), format!("dir{stamp}").into_bytes());
        }
        let mut names: Vec<_> = fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for name in names {
            walk(&path.join(&name), &rel.join(&name), with_meta, out);
        }
    } else if t.is_file() {
        let mut entry = if with_meta {
            format!("file{stamp}\n").into_bytes()
        } else {
            Vec::new()
        };
        entry.extend_from_slice(&fs::read(path).unwrap());
        out.insert(rel.to_path_buf(), entry);
    } else {
        // FIFOs, sockets, devices: never opened.
        out.insert(rel.to_path_buf(), format!("special{stamp}").into_bytes());
    }
}

fn assert_same(before: &Snapshot, after: &Snapshot, what: &str) {
    let keys: BTreeSet<&PathBuf> = before.keys().chain(after.keys()).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            let state = match (before.contains_key(k), after.contains_key(k)) {
                (true, false) => "removed",
                (false, true) => "added",
                _ => "changed",
            };
            format!("{state} {k:?}")
        })
        .collect();
    assert!(changed.is_empty(), "{what} changed: {changed:#?}");
}

struct Sandbox {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repo: PathBuf,
    victim: PathBuf,
    victim_before: Snapshot,
}

impl Sandbox {
    /// `<tmp>/repo/specs/hello.yaml` (the quickstart) and the victim files.
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let repo = root.join("repo");
        let victim = root.join("victim");
        fs::create_dir_all(repo.join("specs")).unwrap();
        fs::write(repo.join("specs/hello.yaml"), QUICKSTART).unwrap();
        for (rel, text) in VICTIM_FILES {
            let p = victim.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
        }
        let victim_before = snapshot(&victim);
        Sandbox {
            _tmp: tmp,
            root,
            repo,
            victim,
            victim_before,
        }
    }

    /// A path inside the repository.
    fn path(&self, rel: &str) -> PathBuf {
        self.repo.join(rel)
    }

    /// Writes a file inside the repository, creating its directory.
    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }

    /// Creates the symlink `rel` (inside the repository) pointing at `target` as written.
    fn link(&self, target: &str, rel: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    }

    /// The binary with NO_COLOR=1, to run in `dir`.
    fn command_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
        cmd
    }

    fn sloxide(&self, args: &[&str]) -> Output {
        self.sloxide_env(args, &[])
    }

    fn sloxide_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command_in(&self.repo, args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        finish(cmd, HANG_LIMIT, &format!("sloxide {}", args.join(" ")))
    }

    /// A run on the large corpus (longer limit).
    fn corpus(&self, args: &[&str]) -> Output {
        finish(
            self.command_in(&self.repo, args),
            CORPUS_LIMIT,
            &format!("sloxide {}", args.join(" ")),
        )
    }

    fn out(&self) -> Snapshot {
        snapshot(&self.path("out"))
    }

    fn assert_victim_intact(&self) {
        assert_same(
            &self.victim_before,
            &snapshot(&self.victim),
            "the victim tree outside the repository",
        );
    }

    fn assert_no_out(&self) {
        assert!(
            fs::symlink_metadata(self.path("out")).is_err(),
            "out/ was created"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Assertions on a run
// ---------------------------------------------------------------------------------------

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn clip(s: &str) -> String {
    if s.chars().count() > 4000 {
        format!("{}… (clipped)", s.chars().take(4000).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn show(o: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        clip(&text(&o.stdout)),
        clip(&text(&o.stderr))
    )
}

fn code(o: &Output) -> i32 {
    o.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal\n{}", show(o)))
}

/// stdout and stderr with miette's box characters removed and whitespace collapsed, so a
/// message wrapped over several lines still matches.
fn flat(o: &Output) -> String {
    let all = format!("{}\n{}", text(&o.stdout), text(&o.stderr));
    all.replace(['│', '·'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts the exit code (never a panic) and that every needle appears in the output.
fn expect(o: &Output, want: i32, needles: &[&str]) {
    let got = code(o);
    let all = flat(o);
    assert!(
        got != 101 && !all.contains("panicked"),
        "sloxide panicked\n{}",
        show(o)
    );
    assert_eq!(got, want, "exit code\n{}", show(o));
    for needle in needles {
        let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all.contains(&needle),
            "output lacks {needle:?}\n{}",
            show(o)
        );
    }
}

/// The diagnostic codes of a `--format json` run.
fn json_codes(o: &Output) -> Vec<String> {
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", show(o)));
    v["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics array\n{}", show(o)))
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn cstring(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

fn mkfifo(path: &Path) {
    let c = cstring(path);
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {}",
        path.display()
    );
}

/// A character device like /dev/null at `path`, when the sandbox may create one.
fn mknod_null(path: &Path) -> bool {
    let c = cstring(path);
    unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 3)) == 0 }
}

/// The quickstart for another service name.
fn spec_named(name: &str) -> String {
    let spec = QUICKSTART.replace("  name: hello-api\n", &format!("  name: {name}\n"));
    assert_ne!(spec, QUICKSTART, "the service name is in the quickstart");
    spec
}

/// The quickstart with another objective.
fn with_objective(objective: &str) -> String {
    QUICKSTART.replace("objective: 99.9%", &format!("objective: {objective}"))
}

/// The quickstart with another Prometheus source (`prometheus:` block, flow style).
fn with_prometheus(source: &str) -> String {
    assert!(QUICKSTART.contains(QUICKSTART_PROMETHEUS));
    QUICKSTART.replace(
        QUICKSTART_PROMETHEUS,
        &format!("      prometheus: {source}\n"),
    )
}

/// The quickstart with extra sources after the Prometheus one (indented as `ratio:` keys).
fn with_extra_source(lines: &str) -> String {
    QUICKSTART.replace(
        QUICKSTART_PROMETHEUS,
        &format!("{QUICKSTART_PROMETHEUS}{lines}"),
    )
}

/// Every temporary-name leftover under `dir`.
fn temp_leftovers(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().ends_with(".sloxide-tmp"))
        .collect()
}

/// `build` through `sh` with umask 022.
fn with_umask_022(sb: &Sandbox, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args)
        .current_dir(&sb.repo)
        .env("NO_COLOR", "1");
    finish(cmd, HANG_LIMIT, "sloxide under umask 022")
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "user.name=attacker",
            "-c",
            "user.email=attacker@example.com",
            "-c",
            "core.symlinks=true",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .output()
        .expect("git runs (install git)");
    assert!(o.status.success(), "git {}: {}", args.join(" "), show(&o));
}

/// The committed attack from the issue: `out/prometheus -> ../../victim` and a manifest
/// claiming the victim's files.
fn plant_issue_attack(repo: &Path) {
    fs::create_dir_all(repo.join("out")).unwrap();
    symlink("../../victim", repo.join("out/prometheus")).unwrap();
    fs::write(
        repo.join("out/.sloxide-manifest"),
        "prometheus/hello-api.rules.yml\nprometheus/other.txt\n",
    )
    .unwrap();
}

/// Runs `promtool check rules` on every generated rule file and `promtool test rules` on
/// every generated test file under `out/prometheus`.
fn promtool_passes(out: &Path) {
    let dir = out.join("prometheus");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let rules: Vec<&String> = names.iter().filter(|n| n.ends_with(".rules.yml")).collect();
    let tests: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".rules.test.yml"))
        .collect();
    assert!(!rules.is_empty(), "no rule files in {names:?}");
    assert!(!tests.is_empty(), "no promtool tests in {names:?}");
    for r in rules {
        run(
            promtool()
                .args(["check", "rules", "--lint=all", "--lint-fatal", r.as_str()])
                .current_dir(&dir),
            &format!("promtool check rules {r}"),
        );
    }
    for t in tests {
        run(
            promtool()
                .args(["test", "rules", t.as_str()])
                .current_dir(&dir),
            &format!("promtool test rules {t}"),
        );
    }
}

#[test]
fn quickstart_const_matches_the_example() {
    let example =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart.yaml"))
            .unwrap();
    let without_schema: String = example
        .lines()
        .filter(|l| !l.contains("yaml-language-server"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(QUICKSTART, without_schema);
    let sb = Sandbox::new();
    expect(&sb.sloxide(&["check", "specs/"]), 0, &["checked 1 file(s)"]);
}

// ---------------------------------------------------------------------------------------
// Spec discovery: symlinks, special files, size and walk bounds, file names
// ---------------------------------------------------------------------------------------

/// Symlink escape (spec side): a `*.yaml` symlink in a spec directory pointing outside
/// the repository is refused and never read; `build` stops before writing.
#[test]
fn spec_symlink_out_of_the_repository_is_refused() {
    let sb = Sandbox::new();
    sb.link("../../victim/other.txt", "specs/link.yaml");
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
    assert!(!flat(&o).contains("victim-other-7f3a"), "{}", show(&o));
    let o = sb.sloxide(BUILD);
    expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
    sb.assert_no_out();
    sb.assert_victim_intact();
}

/// Symlink escape (spec side): a spec path given on the command line that is a symlink,
/// or has a symlinked component, is refused.
#[test]
fn spec_path_with_a_symlinked_component_is_refused() {
    let sb = Sandbox::new();
    sb.link("specs", "lspecs");
    sb.link("specs/hello.yaml", "hello-link.yaml");
    sb.link("../victim", "victim-link");
    for path in [
        "lspecs",
        "lspecs/",
        "lspecs/hello.yaml",
        "hello-link.yaml",
        "victim-link/",
    ] {
        let o = sb.sloxide(&["check", path]);
        expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
    }
    let o = sb.sloxide(&["build", "lspecs/", "-o", "out/"]);
    expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
    sb.assert_no_out();
    sb.assert_victim_intact();
}

/// Symlink escape (spec side): a symlinked directory inside a spec directory is not
/// walked into (the victim holds a `.yml` file that would fail as a spec), and a
/// symlinked directory named `*.yaml` is refused.
#[test]
fn symlinked_directories_inside_spec_dirs_are_not_followed() {
    let sb = Sandbox::new();
    sb.link("../../victim", "specs/linked");
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 0, &["checked 1 file(s): 0 errors"]);
    sb.link("../../victim", "specs/dir.yaml");
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
    sb.assert_victim_intact();
}

/// Blocking reads: FIFOs, sockets and devices named `*.yaml` are refused without being
/// opened for a blocking read, in a walk and on the command line.
#[test]
fn fifos_sockets_and_devices_named_yaml_do_not_hang() {
    let sb = Sandbox::new();
    mkfifo(&sb.path("specs/pipe.yaml"));
    let o = sb.sloxide(&["check", "specs/"]);
    expect(
        &o,
        2,
        &[
            "sloxide::io::unsafe-path",
            "specs/pipe.yaml is not a regular file",
        ],
    );
    let o = sb.sloxide(&["check", "specs/pipe.yaml"]);
    expect(
        &o,
        2,
        &["sloxide::io::unsafe-path", "is not a regular file"],
    );
    let o = sb.sloxide(BUILD);
    expect(
        &o,
        2,
        &["sloxide::io::unsafe-path", "is not a regular file"],
    );
    sb.assert_no_out();
    fs::remove_file(sb.path("specs/pipe.yaml")).unwrap();

    // A listening socket (kept open while sloxide runs).
    if let Ok(listener) = std::os::unix::net::UnixListener::bind(sb.path("specs/sock.yaml")) {
        let o = sb.sloxide(&["check", "specs/"]);
        expect(
            &o,
            2,
            &["sloxide::io::unsafe-path", "is not a regular file"],
        );
        drop(listener);
        fs::remove_file(sb.path("specs/sock.yaml")).unwrap();
    }
    // A character device, where the sandbox allows mknod (root without a seccomp filter).
    if mknod_null(&sb.path("specs/null.yaml")) {
        let o = sb.sloxide(&["check", "specs/"]);
        expect(
            &o,
            2,
            &["sloxide::io::unsafe-path", "is not a regular file"],
        );
    }
    sb.assert_victim_intact();
}

/// Memory/time exhaustion: a sparse 900 MB spec is refused by its size before anything
/// is read, so the run is fast.
#[test]
fn huge_sparse_spec_is_refused_without_reading_it() {
    let sb = Sandbox::new();
    let f = fs::File::create(sb.path("specs/huge.yaml")).unwrap();
    f.set_len(900_000_000).unwrap();
    drop(f);
    let start = Instant::now();
    let o = sb.sloxide(&["check", "specs/"]);
    let took = start.elapsed();
    expect(&o, 1, &["sloxide::yaml::limits", "larger than"]);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    sb.assert_victim_intact();
}

/// Walk exhaustion: directories nested deeper than 32 levels are not searched.
#[test]
fn deep_directory_nesting_is_bounded() {
    let sb = Sandbox::new();
    let mut deep = sb.path("specs/deep");
    for _ in 0..40 {
        deep.push("d");
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("deep.yaml"), spec_named("deep-api")).unwrap();
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 2, &["sloxide::io::limits", "deeper than 32 levels"]);
    sb.assert_victim_intact();
}

/// Walk exhaustion: more than 100,000 directory entries under the spec paths stop the
/// walk with a diagnostic.
#[test]
fn too_many_directory_entries_are_bounded() {
    let sb = Sandbox::new();
    let many = sb.path("specs/many");
    fs::create_dir(&many).unwrap();
    for i in 0..100_001 {
        fs::File::create(many.join(format!("f{i}"))).unwrap();
    }
    let o = sb.sloxide(&["check", "specs/"]);
    expect(
        &o,
        2,
        &["sloxide::io::limits", "more than 100000 directory entries"],
    );
    sb.assert_victim_intact();
}

/// Self-ingestion: an output directory inside the spec directory (it holds a
/// `.sloxide-manifest`) is not searched, so building twice sees the same specs.
#[test]
fn output_directory_inside_the_spec_directory_is_not_read_as_specs() {
    let sb = Sandbox::new();
    let args = ["build", "specs/", "-o", "specs/out"];
    let first = sb.sloxide(&args);
    expect(&first, 0, &["checked 1 file(s): 0 errors"]);
    let second = sb.sloxide(&args);
    expect(
        &second,
        0,
        &[
            "checked 1 file(s): 0 errors",
            "0 created, 0 updated, 0 removed",
        ],
    );
    let check = sb.sloxide(&["build", "specs/", "-o", "specs/out", "--check"]);
    expect(&check, 0, &["checked 1 file(s)", "is up to date"]);
    sb.assert_victim_intact();
}

/// Log injection through file names: names with controls, line separators or NEL
/// (including a forged GitHub workflow command) are refused and never printed raw.
#[test]
fn file_names_that_cannot_be_shown_safely_are_refused() {
    for name in [
        "a\u{1b}[31mb.yaml",
        "a\u{7}b.yaml",
        "x\r::error::forged.yaml",
        "a\u{2028}b.yaml",
        "a\u{2029}b.yaml",
        "a\u{85}b.yaml",
        "x\n::error file=a::forged.yaml",
    ] {
        let sb = Sandbox::new();
        fs::write(sb.path("specs").join(name), spec_named("other-api")).unwrap();
        let o = sb.sloxide(&["check", "specs/"]);
        expect(
            &o,
            2,
            &["sloxide::io::unsafe-path", "cannot be shown safely"],
        );
        let err = text(&o.stderr);
        for c in name
            .chars()
            .filter(|&c| c != '\n' && (c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')))
        {
            assert!(
                !err.contains(c),
                "{name:?}: U+{:04X} printed raw\n{}",
                c as u32,
                show(&o)
            );
        }
        assert!(
            err.lines().all(|l| !l.trim_start().starts_with("::")),
            "{name:?}: a line of stderr starts a workflow command\n{}",
            show(&o)
        );
        let o = sb.sloxide(BUILD);
        expect(&o, 2, &["sloxide::io::unsafe-path"]);
        sb.assert_no_out();
        sb.assert_victim_intact();
    }
}

/// Log injection through file names: a name that is not UTF-8 is refused when given on
/// the command line, and skipped (never shown) in a walk.
#[test]
fn non_utf8_file_names_are_refused_or_skipped() {
    let sb = Sandbox::new();
    let name = OsStr::from_bytes(b"specs/\xff\xfe.yaml");
    fs::write(sb.repo.join(name), spec_named("other-api")).unwrap();
    let mut cmd = sb.command_in(&sb.repo, &["check"]);
    cmd.arg(name);
    let o = finish(cmd, HANG_LIMIT, "check a non-UTF-8 name");
    expect(
        &o,
        2,
        &["sloxide::io::unsafe-path", "cannot be shown safely"],
    );
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 0, &["checked 1 file(s): 0 errors"]);
    sb.assert_victim_intact();
}

// ---------------------------------------------------------------------------------------
// Output: symlinks, manifest, ownership
// ---------------------------------------------------------------------------------------

/// The issue's attack: a committed `out/prometheus -> ../../victim` plus a manifest
/// claiming `prometheus/hello-api.rules.yml` and `prometheus/other.txt`, so a build would
/// overwrite the victim's rules and delete its other file. Nothing changes anywhere.
#[test]
fn committed_output_symlink_and_manifest_cannot_reach_the_victim() {
    let sb = Sandbox::new();
    plant_issue_attack(&sb.repo);
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out/prometheus is a symbolic link",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
        sb.assert_victim_intact();
    }
}

/// The issue's attack as CI meets it: the symlink and manifest are committed, the
/// repository is `git clone`d, and the build runs in the clone.
#[test]
fn git_cloned_symlink_attack_cannot_reach_the_victim() {
    let sb = Sandbox::new();
    plant_issue_attack(&sb.repo);
    git(&sb.repo, &["init", "-q"]);
    git(&sb.repo, &["add", "-A"]);
    git(&sb.repo, &["commit", "-q", "-m", "attack"]);
    git(&sb.root, &["clone", "-q", "repo", "clone"]);
    let clone = sb.root.join("clone");
    let link = fs::symlink_metadata(clone.join("out/prometheus")).unwrap();
    assert!(link.file_type().is_symlink(), "git checked out the symlink");
    let before = snapshot(&clone.join("out"));
    let o = finish(
        sb.command_in(&clone, BUILD),
        HANG_LIMIT,
        "build in the clone",
    );
    expect(
        &o,
        1,
        &[
            "error[sloxide::build::unsafe-path]",
            "symbolic link",
            "nothing was written or deleted",
        ],
    );
    assert_same(&before, &snapshot(&clone.join("out")), "the clone's out/");
    sb.assert_victim_intact();
}

/// Symlink escape (output side): the output directory itself is a symlink.
#[test]
fn symlinked_output_directory_is_refused() {
    let sb = Sandbox::new();
    sb.link("../victim", "out");
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out is a symbolic link",
                "nothing was written or deleted",
            ],
        );
    }
    sb.assert_victim_intact();
}

/// Symlink escape (output side): a parent of the output directory is a symlink, so a
/// new output directory would be created inside the victim.
#[test]
fn symlinked_parent_of_the_output_directory_is_refused() {
    let sb = Sandbox::new();
    sb.link("../victim", "gen");
    let o = sb.sloxide(&["build", "specs/", "-o", "gen/out"]);
    expect(
        &o,
        1,
        &[
            "error[sloxide::build::unsafe-path]",
            "gen is a symbolic link",
            "nothing was written or deleted",
        ],
    );
    sb.assert_victim_intact();
}

/// Symlink escape (output side): a symlinked directory below `out/` where generated
/// files go, without any manifest.
#[test]
fn symlinked_directories_below_out_are_refused() {
    for (rel, target) in [
        ("out/prometheus", "../../victim"),
        ("out/runbook", "../../victim/sub"),
    ] {
        let sb = Sandbox::new();
        fs::create_dir_all(sb.path("out")).unwrap();
        sb.link(target, rel);
        let before = sb.out();
        for args in [BUILD, BUILD_CHECK] {
            let o = sb.sloxide(args);
            expect(
                &o,
                1,
                &[
                    "error[sloxide::build::unsafe-path]",
                    &format!("{rel} is a symbolic link"),
                    "nothing was written or deleted",
                ],
            );
            assert_same(&before, &sb.out(), "out/");
        }
        sb.assert_victim_intact();
    }
}

/// Symlink escape (output side): the manifest is a symlink to a victim file, which a
/// build would otherwise overwrite with its new manifest.
#[test]
fn symlinked_manifest_is_refused() {
    let sb = Sandbox::new();
    sb.link("../../victim/other.txt", "out/.sloxide-manifest");
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out/.sloxide-manifest is a symbolic link",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }
    sb.assert_victim_intact();
}

/// Symlink escape (output side): a generated file that the manifest owns has been
/// replaced by a symlink to a victim file, and the specs changed so it would be updated.
#[test]
fn symlinked_generated_file_is_refused() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    fs::remove_file(sb.path("out/prometheus/hello-api.rules.yml")).unwrap();
    sb.link(
        "../../../victim/hello-api.rules.yml",
        "out/prometheus/hello-api.rules.yml",
    );
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out/prometheus/hello-api.rules.yml is a symbolic link",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }
    sb.assert_victim_intact();
}

/// Symlink escape (output side): a stale file the manifest lists (so a build deletes it)
/// is a symlink to a victim file.
#[test]
fn symlinked_stale_output_is_refused() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.link("../../../victim/sub/notes.md", "out/runbook/old.md");
    let mut manifest = fs::read_to_string(sb.path("out/.sloxide-manifest")).unwrap();
    manifest.push_str("runbook/old.md\n");
    sb.write("out/.sloxide-manifest", manifest);
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out/runbook/old.md is a symbolic link",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }
    sb.assert_victim_intact();
}

/// Symlink escape (output side): the reserved temporary name of a generated file is a
/// symlink to a victim file (a build writes through the temporary name).
#[test]
fn symlinked_temporary_name_is_refused() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    sb.link(
        "../../../victim/other.txt",
        "out/prometheus/.hello-api.rules.yml.sloxide-tmp",
    );
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                ".hello-api.rules.yml.sloxide-tmp is a symbolic link",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }
    sb.assert_victim_intact();
}

/// Blocking reads (output side): a FIFO as the manifest or at a generated path is
/// refused without blocking.
#[test]
fn special_files_in_the_output_directory_do_not_hang() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("out")).unwrap();
    mkfifo(&sb.path("out/.sloxide-manifest"));
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "error[sloxide::build::unsafe-path]",
                "out/.sloxide-manifest is not a regular file",
                "nothing was written or deleted",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }

    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("out/prometheus")).unwrap();
    mkfifo(&sb.path("out/prometheus/hello-api.rules.yml"));
    let before = sb.out();
    for args in [BUILD, BUILD_CHECK] {
        let o = sb.sloxide(args);
        expect(
            &o,
            1,
            &[
                "sloxide::build::not-owned",
                "prometheus/hello-api.rules.yml",
            ],
        );
        assert_same(&before, &sb.out(), "out/");
    }
    sb.assert_victim_intact();
}

/// Path traversal through the manifest: `..` and absolute entries are refused before
/// anything is written or deleted.
#[test]
fn manifest_entries_outside_the_output_directory_are_refused() {
    for bad in [
        "../victim/other.txt",
        "../../victim/other.txt",
        "prometheus/../../../victim/other.txt",
        "./../../victim/other.txt",
        "{victim}/other.txt",
    ] {
        let sb = Sandbox::new();
        // The absolute entry names this sandbox's victim.
        let bad = bad.replace("{victim}", &sb.victim.to_string_lossy());
        sb.write(
            "out/.sloxide-manifest",
            format!("runbook/README.md\n{bad}\n"),
        );
        let before = sb.out();
        for args in [BUILD, BUILD_CHECK] {
            let o = sb.sloxide(args);
            expect(
                &o,
                1,
                &[
                    "error[sloxide::build::unsafe-path]",
                    "outside the output directory",
                    "nothing was written or deleted",
                ],
            );
            assert_same(&before, &sb.out(), "out/");
        }
        sb.assert_victim_intact();
    }
}

/// Deletion through the manifest: an entry naming a directory does not delete it (or
/// anything in it); the build succeeds.
#[test]
fn manifest_entry_naming_a_directory_leaves_it_untouched() {
    let sb = Sandbox::new();
    sb.write("out/keepdir/secret.txt", "user data\n");
    sb.write("out/.sloxide-manifest", "keepdir\n");
    let before = snapshot(&sb.path("out/keepdir"));
    let o = sb.sloxide(BUILD);
    expect(&o, 0, &["wrote out/"]);
    assert_same(&before, &snapshot(&sb.path("out/keepdir")), "out/keepdir");
    expect(&sb.sloxide(BUILD_CHECK), 0, &["is up to date"]);
    sb.assert_victim_intact();
}

/// Overwrite of foreign files: a file at a generated path that the manifest does not
/// list is never overwritten, with or without a manifest.
#[test]
fn files_not_in_the_manifest_are_never_overwritten() {
    for manifest in [None, Some("runbook/README.md\n")] {
        let sb = Sandbox::new();
        sb.write(
            "out/prometheus/hello-api.rules.yml",
            "# mine, not sloxide's\n",
        );
        if let Some(m) = manifest {
            sb.write("out/.sloxide-manifest", m);
        }
        let before = sb.out();
        for args in [BUILD, BUILD_CHECK] {
            let o = sb.sloxide(args);
            expect(
                &o,
                1,
                &[
                    "error[sloxide::build::not-owned]",
                    "prometheus/hello-api.rules.yml",
                ],
            );
            assert_same(&before, &sb.out(), "out/");
        }
        sb.assert_victim_intact();
    }
}

/// Write-through of hard links: an owned output that is a hard link to a victim file is
/// replaced (temporary file + rename) and a stale one unlinked; the victim's inode keeps
/// its bytes. (git cannot commit hard links, but an earlier CI step could make them.)
#[test]
fn hard_linked_outputs_are_replaced_not_written_through() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    fs::remove_file(sb.path("out/prometheus/hello-api.rules.yml")).unwrap();
    fs::hard_link(
        sb.victim.join("hello-api.rules.yml"),
        sb.path("out/prometheus/hello-api.rules.yml"),
    )
    .unwrap();
    fs::hard_link(sb.victim.join("other.txt"), sb.path("out/runbook/old.md")).unwrap();
    let mut manifest = fs::read_to_string(sb.path("out/.sloxide-manifest")).unwrap();
    manifest.push_str("runbook/old.md\n");
    sb.write("out/.sloxide-manifest", manifest);
    let victim_now = snapshot(&sb.victim);
    let o = sb.sloxide(BUILD);
    expect(&o, 0, &["1 updated, 1 removed"]);
    assert_same(&victim_now, &snapshot(&sb.victim), "the victim tree");
    sb.assert_victim_intact();
    expect(&sb.sloxide(BUILD_CHECK), 0, &["is up to date"]);
}

/// Symlink escape (output side): a symlink in `out/` on no generated path is never
/// followed or removed. (Today the build succeeds and leaves it; a stricter build may
/// refuse it as unsafe instead — either way the victim and the link stay as they were.)
#[test]
fn unrelated_symlink_in_the_output_directory_is_not_followed() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.link("../../victim", "out/notes");
    sb.link("../../victim/other.txt", "out/runbook.md");
    let links = |s: &Snapshot| {
        s.iter()
            .filter(|(k, _)| {
                k.as_path() == Path::new("notes") || k.as_path() == Path::new("runbook.md")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Snapshot>()
    };
    let before = links(&sb.out());
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    let o = sb.sloxide(BUILD);
    match code(&o) {
        0 => expect(&o, 0, &["wrote out/"]),
        _ => expect(&o, 1, &["sloxide::build::unsafe-path", "symbolic link"]),
    }
    assert_same(&before, &links(&sb.out()), "the unrelated links");
    sb.assert_victim_intact();
}

// ---------------------------------------------------------------------------------------
// Crash recovery and concurrency
// ---------------------------------------------------------------------------------------

/// Interrupted build: a leftover reserved temporary file is reported by `--check` and
/// removed by the next build.
#[test]
fn leftover_temporary_files_are_reported_and_removed() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.write("out/prometheus/.hello-api.rules.yml.sloxide-tmp", "partial");
    sb.write("out/..sloxide-manifest.sloxide-tmp", "partial");
    let o = sb.sloxide(BUILD_CHECK);
    expect(
        &o,
        1,
        &[
            "sloxide::build::stale",
            "leftover prometheus/.hello-api.rules.yml.sloxide-tmp",
            "leftover ..sloxide-manifest.sloxide-tmp",
        ],
    );
    expect(&sb.sloxide(BUILD), 0, &["wrote out/"]);
    expect(&sb.sloxide(BUILD_CHECK), 0, &["is up to date"]);
    assert!(temp_leftovers(&sb.path("out")).is_empty());
    sb.assert_victim_intact();
}

/// Interrupted build (simulated SIGKILL): the state a build from specs A to specs B
/// leaves when killed mid-way — the journal manifest listing old ∪ new, some new files
/// renamed into place, some outputs deleted, a temporary file half written. The next
/// build owns all of it, finishes the job, and the result equals a clean build of B.
#[test]
fn simulated_sigkill_mid_build_is_recovered_by_the_next_build() {
    let sb = Sandbox::new();
    sb.write("specsA/hello.yaml", QUICKSTART);
    sb.write("specsA/gone.yaml", spec_named("gone-api"));
    sb.write("specsB/hello.yaml", with_objective("99.5%"));
    sb.write("specsB/new.yaml", spec_named("new-api"));
    expect(
        &sb.sloxide(&["build", "specsA/", "-o", "out/"]),
        0,
        &["created"],
    );
    expect(
        &sb.sloxide(&["build", "specsB/", "-o", "expected/"]),
        0,
        &["created"],
    );
    let manifest_lines = |p: &str| -> BTreeSet<String> {
        fs::read_to_string(sb.path(p))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let old = manifest_lines("out/.sloxide-manifest");
    let new = manifest_lines("expected/.sloxide-manifest");
    assert!(old.contains("prometheus/gone-api.rules.yml"), "{old:?}");
    assert!(new.contains("prometheus/new-api.rules.yml"), "{new:?}");
    let journal: String = std::iter::once("# journal of a killed build\n".to_owned())
        .chain(old.union(&new).map(|l| format!("{l}\n")))
        .collect();
    sb.write("out/.sloxide-manifest", journal);
    for renamed in [
        "prometheus/hello-api.rules.yml",
        "prometheus/new-api.rules.yml",
    ] {
        fs::copy(
            sb.path(&format!("expected/{renamed}")),
            sb.path(&format!("out/{renamed}")),
        )
        .unwrap();
    }
    fs::remove_file(sb.path("out/runbook/gone-api.md")).unwrap();
    fs::remove_file(sb.path("out/runbook/README.md")).unwrap();
    sb.write("out/runbook/.hello-api.md.sloxide-tmp", "half writ");

    let o = sb.sloxide(&["build", "specsB/", "-o", "out/", "--check"]);
    expect(&o, 1, &["sloxide::build::stale", "leftover"]);
    let o = sb.sloxide(&["build", "specsB/", "-o", "out/"]);
    expect(&o, 0, &["wrote out/"]);
    let o = sb.sloxide(&["build", "specsB/", "-o", "out/", "--check"]);
    expect(&o, 0, &["is up to date"]);
    assert_same(
        &contents(&sb.path("expected")),
        &contents(&sb.path("out")),
        "out/ against a clean build of B",
    );
    sb.assert_victim_intact();
}

/// The ~200-service corpora: A (`svc-000`..`svc-199` at 99.9%) and B (`svc-020`..`svc-199`
/// at 99.5% plus `alt-000`..`alt-019`), so a build from one to the other creates,
/// updates and deletes files.
fn write_corpora(sb: &Sandbox) {
    let write = |dir: &str, names: Vec<String>, objective: &str| {
        for name in names {
            let spec =
                spec_named(&name).replace("objective: 99.9%", &format!("objective: {objective}"));
            sb.write(&format!("{dir}/{name}.yaml"), spec);
        }
    };
    write(
        "specsA",
        (0..200).map(|i| format!("svc-{i:03}")).collect(),
        "99.9%",
    );
    write(
        "specsB",
        (20..200)
            .map(|i| format!("svc-{i:03}"))
            .chain((0..20).map(|i| format!("alt-{i:03}")))
            .collect(),
        "99.5%",
    );
}

/// Interrupted build (real SIGKILL): builds between the two corpora are killed at
/// different points — during start-up, and from the moment validation is reported
/// (`checked N file(s)`, printed right before the backends run and files are written)
/// across the write phase. After each kill a normal build succeeds and `--check` is clean.
#[test]
fn sigkill_at_any_point_leaves_a_directory_the_next_build_owns() {
    let sb = Sandbox::new();
    write_corpora(&sb);
    let specs = ["specsA/", "specsB/"];
    expect(
        &sb.corpus(&["build", "specsA/", "-o", "out/"]),
        0,
        &["checked 200 file(s)"],
    );
    // Kills that landed inside the write phase: the journal manifest (old ∪ new) was on
    // disk, listing files of both corpora.
    let mut mid_write = 0;
    for i in 0..10u64 {
        let target = specs[(i as usize + 1) % 2];
        let mut cmd = sb.command_in(&sb.repo, &["build", target, "-o", "out/"]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("build starts");
        let (tx, rx) = mpsc::channel();
        let reader = BufReader::new(child.stderr.take().expect("piped stderr"));
        let drainer = thread::spawn(move || {
            for line in reader.split(b'\n') {
                let Ok(line) = line else { break };
                if line.starts_with(b"checked ") {
                    let _ = tx.send(());
                }
            }
        });
        if i < 3 {
            thread::sleep(Duration::from_millis(i * 25));
        } else {
            rx.recv_timeout(CORPUS_LIMIT)
                .unwrap_or_else(|e| panic!("round {i}: the build never validated: {e}"));
            thread::sleep(Duration::from_millis((i - 3) * 150));
        }
        let _ = child.kill();
        let _ = child.wait().expect("wait for the killed build");
        drainer.join().expect("stderr reader");
        let manifest = fs::read_to_string(sb.path("out/.sloxide-manifest")).unwrap_or_default();
        if manifest.contains("prometheus/svc-000.rules.yml")
            && manifest.contains("prometheus/alt-000.rules.yml")
        {
            mid_write += 1;
        }

        let o = sb.corpus(&["build", target, "-o", "out/"]);
        expect(&o, 0, &["wrote out/"]);
        let o = sb.corpus(&["build", target, "-o", "out/", "--check"]);
        expect(&o, 0, &["is up to date"]);
        let left = temp_leftovers(&sb.path("out"));
        assert!(left.is_empty(), "round {i}: leftovers {left:?}");
    }
    assert!(
        mid_write > 0,
        "no kill landed while files were being written; the delays need adjusting"
    );
    sb.assert_victim_intact();
}

/// Runs two builds into `out/` at the same time.
fn concurrently(sb: &Sandbox, specs: [&str; 2]) -> Vec<Output> {
    let handles: Vec<JoinHandle<Output>> = specs
        .into_iter()
        .map(|s| {
            let cmd = sb.command_in(&sb.repo, &["build", s, "-o", "out/"]);
            let what = format!("concurrent build {s}");
            thread::spawn(move || finish(cmd, CORPUS_LIMIT, &what))
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("build thread"))
        .collect()
}

/// Races: two builds started at the same time into one output directory are
/// serialised by the directory lock — the second finds the first's work done — and the
/// result is exactly one corpus's output.
#[test]
fn concurrent_builds_into_one_directory_are_serialised() {
    let sb = Sandbox::new();
    write_corpora(&sb);
    for round in 0..5 {
        // out/ holds the other corpus (or nothing yet), so there is work to race over.
        let target = if round % 2 == 0 { "specsB/" } else { "specsA/" };
        let outs = concurrently(&sb, [target, target]);
        for o in &outs {
            expect(o, 0, &["wrote out/"]);
        }
        let idle = outs
            .iter()
            .filter(|o| flat(o).contains("0 created, 0 updated, 0 removed"))
            .count();
        assert_eq!(
            idle,
            1,
            "round {round}: exactly one build should find the other's work done\n{}\n{}",
            show(&outs[0]),
            show(&outs[1])
        );
        let o = sb.corpus(&["build", target, "-o", "out/", "--check"]);
        expect(&o, 0, &["is up to date"]);
        assert!(temp_leftovers(&sb.path("out")).is_empty());
    }
    // Different specs at once: whichever ran second wins whole.
    let outs = concurrently(&sb, ["specsA/", "specsB/"]);
    for o in &outs {
        expect(o, 0, &["wrote out/"]);
    }
    let clean: Vec<&str> = ["specsA/", "specsB/"]
        .into_iter()
        .filter(|s| code(&sb.corpus(&["build", *s, "-o", "out/", "--check"])) == 0)
        .collect();
    assert_eq!(clean.len(), 1, "out/ matches exactly one corpus: {clean:?}");
    assert!(temp_leftovers(&sb.path("out")).is_empty());
    sb.assert_victim_intact();
}

// ---------------------------------------------------------------------------------------
// Permissions and backend failures
// ---------------------------------------------------------------------------------------

/// Permissions: output files are 0644 and directories 0755 under umask 022, for created
/// and for updated files (no world-writable or private-only outputs).
#[test]
fn output_files_are_0644_under_umask_022() {
    let sb = Sandbox::new();
    let check_modes = |what: &str| {
        let out = sb.path("out");
        let mut seen = 0;
        for rel in snapshot(&out).into_keys() {
            let meta = fs::symlink_metadata(out.join(&rel)).unwrap();
            let mode = meta.mode() & 0o7777;
            if meta.is_file() {
                seen += 1;
                assert_eq!(mode, 0o644, "{what}: {rel:?} has mode {mode:o}");
            } else if meta.is_dir() {
                assert_eq!(mode, 0o755, "{what}: {rel:?} has mode {mode:o}");
            } else {
                panic!("{what}: {rel:?} is neither a file nor a directory");
            }
        }
        assert!(seen >= 3, "{what}: only {seen} files");
    };
    let o = with_umask_022(&sb, BUILD);
    expect(&o, 0, &["created"]);
    check_modes("created");
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    let o = with_umask_022(&sb, BUILD);
    expect(&o, 0, &["updated"]);
    check_modes("updated");
    sb.assert_victim_intact();
}

/// Partial output: a broken user template fails the build before anything is written or
/// deleted, although the specs changed.
#[test]
fn broken_template_fails_the_build_and_writes_nothing() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    sb.write("T/policy.md.j2", "{% if %}\n");
    let before = sb.out();
    let o = sb.sloxide(&["build", "specs/", "-o", "out/", "--templates", "T"]);
    expect(
        &o,
        1,
        &["sloxide::build::backend", "nothing was written or deleted"],
    );
    assert_same(&before, &sb.out(), "out/");
    sb.assert_victim_intact();
}

/// Partial output: a malformed `--example-date` is a usage error before anything runs.
#[test]
fn bad_example_date_is_a_usage_error_and_writes_nothing() {
    let sb = Sandbox::new();
    expect(&sb.sloxide(BUILD), 0, &["created"]);
    sb.write("specs/hello.yaml", with_objective("99.5%"));
    let before = sb.out();
    let o = sb.sloxide(&[
        "build",
        "specs/",
        "-o",
        "out/",
        "--example-date",
        "03/05/2026",
    ]);
    expect(&o, 2, &["--example-date", "YYYY-MM-DD"]);
    assert_same(&before, &sb.out(), "out/");
    sb.assert_victim_intact();
}

/// Secret exfiltration through templates: a template symlinked to /proc/self/environ or
/// a victim file, a symlinked template directory, and an include that climbs out of it
/// are refused; no secret reaches the output or the build log.
#[test]
fn templates_cannot_read_secrets() {
    template_secret_attack("environ", |sb| {
        sb.link("/proc/self/environ", "T/policy.md.j2")
    });
    template_secret_attack("credentials", |sb| {
        sb.link("../../victim/credentials", "T/policy.md.j2")
    });
    template_secret_attack("directory", |sb| sb.link("../victim", "T"));
    template_secret_attack("include", |sb| {
        sb.write(
            "T/policy.md.j2",
            "{% include \"../../victim/credentials\" %}\n",
        )
    });
}

/// Plants a template attack with `plant`, builds with `--templates T` and the secret in
/// the environment, and checks that the build fails without leaking or writing.
fn template_secret_attack(what: &str, plant: impl Fn(&Sandbox)) {
    let sb = Sandbox::new();
    plant(&sb);
    let o = sb.sloxide_env(
        &["build", "specs/", "-o", "out/", "--templates", "T"],
        &[("SLOXIDE_TEST_SECRET", SECRET)],
    );
    expect(
        &o,
        1,
        &["sloxide::build::backend", "nothing was written or deleted"],
    );
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        !all.contains(SECRET) && !all.contains("AKIA"),
        "{what}: a secret reached the log\n{}",
        show(&o)
    );
    sb.assert_no_out();
    sb.assert_victim_intact();
}

// ---------------------------------------------------------------------------------------
// Secrets and the terminal
// ---------------------------------------------------------------------------------------

/// Secret exfiltration through specs: `specs/env.yaml -> /proc/self/environ` and
/// `specs/creds.yaml -> <victim>/credentials` are never read, so neither the child's
/// environment nor the credentials appear in any output format.
#[test]
fn spec_symlinks_to_secrets_never_reach_the_output() {
    let sb = Sandbox::new();
    sb.link("/proc/self/environ", "specs/env.yaml");
    let creds = sb.victim.join("credentials");
    sb.link(creds.to_str().unwrap(), "specs/creds.yaml");
    let env = [("SLOXIDE_TEST_SECRET", SECRET)];
    for args in [
        &["check", "specs/"][..],
        &["check", "specs/", "--format", "json"][..],
        BUILD,
    ] {
        let o = sb.sloxide_env(args, &env);
        expect(&o, 2, &["sloxide::io::unsafe-path", "symbolic link"]);
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(
            !all.contains(SECRET) && !all.contains("AKIA"),
            "{args:?}: a secret reached the output\n{}",
            show(&o)
        );
    }
    sb.assert_no_out();
    sb.assert_victim_intact();
}

/// Terminal injection: raw ESC and BEL bytes in a spec line, and the same characters
/// produced by YAML escapes in a value and a key, never reach stderr raw (excerpts show
/// U+FFFD instead); JSON escapes them.
#[test]
fn escape_sequences_in_specs_never_reach_the_terminal() {
    let sb = Sandbox::new();
    let raw = QUICKSTART.replace("  name: hello-api\n", "  name: \"\u{1b}[2J\u{7}x\"\n");
    sb.write("specs/hello.yaml", raw);
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 1, &["\u{FFFD}"]);
    for b in [0x1b_u8, 0x07] {
        assert!(
            !o.stderr.contains(&b),
            "stderr holds byte {b:#04x}\n{}",
            show(&o)
        );
    }

    let escaped = format!(
        "{}\"\\e[31mkey\\a\": 1\n",
        QUICKSTART.replace("sli: availability\n", "sli: \"\\e[2J\\a\"\n")
    );
    sb.write("specs/hello.yaml", escaped);
    for args in [
        &["check", "specs/"][..],
        &["check", "specs/", "--format", "json"][..],
    ] {
        let o = sb.sloxide(args);
        expect(&o, 1, &[]);
        for b in [0x1b_u8, 0x07] {
            assert!(
                !o.stderr.contains(&b) && !o.stdout.contains(&b),
                "{args:?}: output holds byte {b:#04x}\n{}",
                show(&o)
            );
        }
    }
    sb.assert_victim_intact();
}

/// Log flooding: a 1,000,000-byte spec that is one long line gives a short report.
#[test]
fn a_one_megabyte_line_gives_a_bounded_report() {
    let sb = Sandbox::new();
    let head = "apiVersion: sloxide/v1\nservice: {name: a, x: \"";
    let tail = "\"}\n";
    let spec = format!(
        "{head}{}{tail}",
        "a".repeat(1_000_000 - head.len() - tail.len())
    );
    assert_eq!(spec.len(), 1_000_000);
    sb.write("specs/hello.yaml", spec);
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 1, &["sloxide::"]);
    assert!(
        o.stderr.len() < 20_000,
        "stderr is {} bytes\n{}",
        o.stderr.len(),
        show(&o)
    );
    sb.assert_victim_intact();
}

/// Log flooding and did-you-mean cost: an unknown key of 80,000 characters (as a plain
/// key, which YAML refuses, and as an explicit `? key`, which reaches the unknown-key
/// check) finishes quickly with a short report.
#[test]
fn an_80000_character_key_gives_a_bounded_report() {
    let key = "k".repeat(80_000);
    for (what, spec) in [
        (
            "plain",
            QUICKSTART.replace("slis:\n", &format!("{key}: 1\nslis:\n")),
        ),
        (
            "explicit",
            QUICKSTART.replace("slis:\n", &format!("? {key}\n: 1\nslis:\n")),
        ),
    ] {
        let sb = Sandbox::new();
        sb.write("specs/hello.yaml", spec);
        let o = sb.sloxide(&["check", "specs/"]);
        expect(&o, 1, &["sloxide::"]);
        assert!(
            o.stderr.len() < 20_000,
            "{what}: stderr is {} bytes\n{}",
            o.stderr.len(),
            show(&o)
        );
        // The JSON report lands in CI logs too: its texts are capped the same way.
        let json = sb.sloxide(&["check", "--format", "json", "specs/"]);
        expect(&json, 1, &[]);
        assert!(
            json.stdout.len() < 20_000,
            "{what}: JSON report is {} bytes",
            json.stdout.len()
        );
        sb.assert_victim_intact();
    }
}

// ---------------------------------------------------------------------------------------
// Hostile values: arithmetic, names, PromQL, Sentry queries, generated tests
// ---------------------------------------------------------------------------------------

/// Arithmetic overflow: numbers beyond exact-decimal range are diagnostics (exit 1),
/// never a panic (exit 101).
#[test]
fn exact_decimal_overflow_is_a_diagnostic_not_a_panic() {
    let cases = [
        (
            "burn_rate",
            format!(
                "{}    alerting:\n      burn_rates:\n        - {{ severity: page, burn_rate: 9999999999999999999999999999, long_window: 1h, short_window: 5m }}\n",
                with_objective("90%")
            ),
        ),
        ("tiny objective", with_objective("0.00000000000000000001")),
        (
            "long objective",
            with_objective("99.99999999999999999999999999%"),
        ),
        (
            "min_events",
            format!("{QUICKSTART}    alerting:\n      min_events: 99999999999999999999\n"),
        ),
    ];
    for (what, spec) in cases {
        let sb = Sandbox::new();
        sb.write("specs/hello.yaml", spec);
        let o = sb.sloxide(&["check", "specs/"]);
        expect(&o, 1, &["sloxide::"]);
        let o = sb.sloxide(&["check", "specs/", "--format", "json"]);
        expect(&o, 1, &[]);
        let codes = json_codes(&o);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c.starts_with("sloxide::")),
            "{what}: {codes:?}"
        );
        let o = sb.sloxide(BUILD);
        expect(&o, 1, &["sloxide::"]);
        sb.assert_no_out();
        sb.assert_victim_intact();
    }
}

/// Name collisions: SLOs `pay-ok` and `pay_ok` would produce the same alert names.
#[test]
fn alert_name_collisions_are_an_error() {
    let sb = Sandbox::new();
    sb.write(
        "specs/hello.yaml",
        format!(
            "{QUICKSTART}  - name: pay-ok\n    sli: availability\n    objective: 99%\n  - name: pay_ok\n    sli: availability\n    objective: 99%\n"
        ),
    );
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 1, &["sloxide::name::alert-collision"]);
    let o = sb.sloxide(BUILD);
    expect(&o, 1, &["sloxide::name::alert-collision"]);
    sb.assert_no_out();
    sb.assert_victim_intact();
}

/// Go-template injection: titles with `{}}`, a backtick, `{{{` and template actions
/// still give rule files and generated tests that promtool accepts.
#[test]
fn template_delimiters_in_titles_survive_promtool() {
    let sb = Sandbox::new();
    let spec = QUICKSTART
        .replace(
            "  name: hello-api\n",
            "  name: hello-api\n  title: \"x {}} y ` z {{{ w {{ .Value }} $labels\"\n",
        )
        .replace(
            "    objective: 99.9%\n",
            "    objective: 99.9%\n    title: \"slo {}} ` {{{ end\"\n",
        );
    sb.write("specs/hello.yaml", spec);
    let o = sb.sloxide(&["build", "specs/", "-o", "out/", "--emit-tests"]);
    expect(&o, 0, &["created"]);
    promtool_passes(&sb.path("out"));
    sb.assert_victim_intact();
}

/// PromQL injection: selectors and raw queries that are not valid PromQL fail `check`
/// instead of producing rule files Prometheus rejects.
#[test]
fn invalid_promql_fails_check() {
    for (what, source) in [
        (
            "unclosed regex group",
            r#"{ total: 'http_requests_total{code=~"("}', bad: 'http_requests_total{code="5"}' }"#,
        ),
        (
            "reversed character class",
            r#"{ total: 'x{a!~"[z-a]"}', bad: 'x{a="5"}' }"#,
        ),
        ("two selectors", r#"{ total: 'a b', bad: 'x{a="5"}' }"#),
        (
            "unbalanced raw query",
            "{ total_query: 'sum(rate(x[{{window}}])', bad_query: 'sum(rate(y[{{window}}]))' }",
        ),
    ] {
        let sb = Sandbox::new();
        sb.write("specs/hello.yaml", with_prometheus(source));
        let o = sb.sloxide(&["check", "specs/", "--format", "json"]);
        expect(&o, 1, &[]);
        let codes = json_codes(&o);
        assert!(
            codes.iter().any(|c| c.starts_with("sloxide::promql::")),
            "{what}: {codes:?}\n{}",
            show(&o)
        );
        sb.assert_victim_intact();
    }
}

/// Query injection (Sentry): a spans-dataset query that closes and reopens its group
/// (`x) OR (y`) is refused; a plain one is accepted.
#[test]
fn sentry_query_breaking_out_of_its_group_is_refused() {
    let sb = Sandbox::new();
    sb.write(
        "specs/hello.yaml",
        with_extra_source(
            "      sentry: { project: p, dataset: spans, query: \"span.op:http.server\" }\n",
        ),
    );
    expect(&sb.sloxide(&["check", "specs/"]), 0, &["0 errors"]);
    sb.write(
        "specs/hello.yaml",
        with_extra_source("      sentry: { project: p, dataset: spans, query: \"x) OR (y\" }\n"),
    );
    let o = sb.sloxide(&["check", "specs/"]);
    expect(&o, 1, &["sloxide::sentry::query"]);
    sb.assert_victim_intact();
}

/// Generated-test correctness: a single-row burn-rate policy gives promtool tests that
/// pass.
#[test]
fn single_row_policy_tests_pass_promtool() {
    let sb = Sandbox::new();
    sb.write(
        "specs/hello.yaml",
        format!(
            "{QUICKSTART}    alerting:\n      burn_rates:\n        - {{ severity: page, burn_rate: 6, long_window: 6h, short_window: 30m }}\n"
        ),
    );
    let o = sb.sloxide(&[
        "build",
        "specs/",
        "-o",
        "out/",
        "--target",
        "prometheus",
        "--emit-tests",
    ]);
    expect(&o, 0, &["created"]);
    promtool_passes(&sb.path("out"));
    sb.assert_victim_intact();
}

/// Generated-test correctness: a large low-traffic guard (`min_events: 100000`) gives
/// promtool tests that pass.
#[test]
fn large_min_events_tests_pass_promtool() {
    let sb = Sandbox::new();
    sb.write(
        "specs/hello.yaml",
        format!("{QUICKSTART}    alerting:\n      min_events: 100000\n"),
    );
    let o = sb.sloxide(&[
        "build",
        "specs/",
        "-o",
        "out/",
        "--target",
        "prometheus",
        "--emit-tests",
    ]);
    expect(&o, 0, &["created"]);
    promtool_passes(&sb.path("out"));
    sb.assert_victim_intact();
}

/// Every `metadata.name` anywhere in a YAML value.
fn metadata_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(name) = map.get("metadata").and_then(|m| m.get("name")) {
                out.push(name.as_str().unwrap_or("<not a string>").to_owned());
            }
            for child in map.values() {
                metadata_names(child, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                metadata_names(child, out);
            }
        }
        _ => {}
    }
}

/// Invalid Kubernetes objects: a service named `billing_api` still gives PrometheusRule
/// names that are DNS subdomains (RFC 1123, at most 253 characters).
#[test]
fn operator_names_are_valid_kubernetes_names() {
    let sb = Sandbox::new();
    sb.write("specs/hello.yaml", spec_named("billing_api"));
    let o = sb.sloxide(&[
        "build",
        "specs/",
        "-o",
        "out/",
        "--target",
        "prometheus",
        "--prometheus-format",
        "operator",
    ]);
    expect(&o, 0, &["created"]);
    let dns =
        regex::Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
            .unwrap();
    let dir = sb.path("out/prometheus");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".prometheusrule.yml") {
            let v: Value = serde_saphyr::from_str(&fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            metadata_names(&v, &mut names);
        }
    }
    assert!(!names.is_empty(), "no PrometheusRule written");
    for name in &names {
        assert!(
            dns.is_match(name) && name.len() <= 253,
            "metadata.name {name:?} is not a Kubernetes name"
        );
    }
    sb.assert_victim_intact();
}

/// App shadowing (Splunk): a service named `search` must not produce an app directory
/// named like Splunk's own `search` app; the app id gets the `sloxide_` prefix.
#[test]
fn splunk_app_ids_cannot_shadow_builtin_apps() {
    let sb = Sandbox::new();
    let spec = with_extra_source(
        "      splunk: { search: index=web sourcetype=access, bad: status>=500 }\n",
    )
    .replace("  name: hello-api\n", "  name: search\n");
    sb.write("specs/hello.yaml", spec);
    let o = sb.sloxide(&["build", "specs/", "-o", "out/", "--target", "splunk"]);
    expect(&o, 0, &["created"]);
    assert!(
        fs::symlink_metadata(sb.path("out/splunk/search")).is_err(),
        "out/splunk/search/ would shadow Splunk's search app"
    );
    assert!(
        fs::symlink_metadata(sb.path("out/splunk/sloxide_search")).is_ok_and(|m| m.is_dir()),
        "no out/splunk/sloxide_search/: {:?}",
        contents(&sb.path("out")).keys().collect::<Vec<_>>()
    );
    sb.assert_victim_intact();
}
