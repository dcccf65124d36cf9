//! End to end through the real binary on `tests/fixtures/hostile/`: two services that use
//! every feature at once (all SLI kinds and source forms, custom burn-rate tables,
//! `min_events`, bands, DST and non-DST exclusions crossing midnight, weekly days, the
//! impact matrix, incident formation, error budget policy) with hostile free text
//! everywhere it is allowed. Every output of every `--sentry-format` (with
//! `--prometheus-format operator --emit-tests`) must re-parse, pass promtool, link only to
//! runbook anchors that exist, agree across backends, be byte-identical across runs and
//! output directories, pass `build --check`, and lose exactly a removed SLO's files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag};
use serde_json::Value;

mod common;
use common::bin::tree;
use common::{promtool, run};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/hostile")
}

fn sloxide(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sloxide"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("sloxide runs")
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn build(specs: &Path, out: &Path, sentry: &str) -> Output {
    sloxide(&[
        "build",
        specs.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--sentry-format",
        sentry,
        "--prometheus-format",
        "operator",
        "--emit-tests",
    ])
}

const FORMATS: [&str; 3] = ["api", "legacy", "terraform"];

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap_or_else(|_| panic!("{path} is not UTF-8"))
}

fn md_options() -> MdOptions {
    MdOptions::ENABLE_TABLES | MdOptions::ENABLE_STRIKETHROUGH
}

/// Explicit `<a id="...">` anchors of a Markdown document with their counts.
fn anchors(md: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for ev in Parser::new_ext(md, md_options()) {
        if let Event::Html(h) | Event::InlineHtml(h) = ev {
            let mut rest: &str = &h;
            while let Some(i) = rest.find("<a id=\"") {
                rest = &rest[i + 7..];
                let end = rest.find('"').unwrap();
                *out.entry(rest[..end].to_string()).or_insert(0) += 1;
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Every runbook fragment (`file.md#anchor`) of `text` with the runbook file it points into.
fn runbook_links(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(".md#") {
        let before = &rest[..i];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |s| s + 1);
        let file = format!("{}.md", &before[start..]);
        let after = &rest[i + 4..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(after.len());
        // A sentence may end right after the link.
        let anchor = after[..end].trim_end_matches('.');
        if !anchor.is_empty() {
            out.push((file, anchor.to_string()));
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn hostile_spec_builds_cleanly_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut prometheus, mut dirs) = (Vec::new(), Vec::new());
    for format in FORMATS {
        let a = tmp.path().join(format!("{format}-a"));
        let b = tmp.path().join(format!("{format}-b/nested"));
        ok(&build(&fixture(), &a, format), "build");
        let first = tree(&a);
        // Byte-identical across runs (a rebuild changes nothing) and output directories.
        let again = build(&fixture(), &a, format);
        ok(&again, "rebuild");
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("0 created, 0 updated, 0 removed"),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_eq!(first, tree(&a), "{format}: second run differs");
        ok(&build(&fixture(), &b, format), "build elsewhere");
        assert_eq!(first, tree(&b), "{format}: output depends on the directory");
        // `build --check` is clean right after a build.
        let check = sloxide(&[
            "build",
            fixture().to_str().unwrap(),
            "-o",
            a.to_str().unwrap(),
            "--sentry-format",
            format,
            "--prometheus-format",
            "operator",
            "--emit-tests",
            "--check",
        ]);
        ok(&check, "build --check");
        check_files(&first, format);
        prometheus.push(
            first
                .iter()
                .filter(|(p, _)| p.starts_with("prometheus/"))
                .map(|(p, b)| (p.clone(), b.clone()))
                .collect::<BTreeMap<_, _>>(),
        );
        dirs.push(a);
    }
    // Prometheus output does not depend on the Sentry format, so promtool (slow: the
    // generated exclusion tests evaluate every rule for 15h of test time) runs once.
    assert!(prometheus.windows(2).all(|w| w[0] == w[1]));
    promtool_checks(&dirs[0], &prometheus[0]);
    amtool_check(&dirs[0]);
}

/// The real `amtool check-config` on the routing file, merged (as a user would) into a
/// configuration with the global SMTP settings its e-mail targets need.
fn amtool_check(dir: &Path) {
    let routing = std::fs::read_to_string(dir.join("alertmanager/sloxide.alertmanager.yml"))
        .expect("routing file");
    let scratch = tempfile::tempdir().unwrap();
    let config = scratch.path().join("alertmanager.yml");
    std::fs::write(
        &config,
        format!("global:\n  smtp_smarthost: localhost:25\n  smtp_from: am@example.com\n{routing}"),
    )
    .unwrap();
    run(
        Command::new("amtool").arg("check-config").arg(&config),
        "amtool check-config",
    );
}

fn check_files(files: &BTreeMap<String, Vec<u8>>, format: &str) {
    let kinds: BTreeSet<&str> = files.keys().map(|p| p.split('/').next().unwrap()).collect();
    for k in [
        "prometheus",
        "alertmanager",
        "grafana",
        "splunk",
        "sentry",
        "runbook",
    ] {
        assert!(kinds.contains(k), "{format}: no {k} output");
    }
    // Hostile titles stay inside JSON strings: every dashboard is still Grafana's type.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/grafana/dashboard.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let grafana = jsonschema::draft7::new(&schema).unwrap();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".dashboard.json")) {
        let d: Value = serde_json::from_slice(bytes).unwrap();
        let problems: Vec<String> = grafana.iter_errors(&d).map(|e| e.to_string()).collect();
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
    let runbooks: BTreeMap<String, BTreeMap<String, usize>> = files
        .keys()
        .filter(|p| p.starts_with("runbook/"))
        .map(|p| {
            let name = p.trim_start_matches("runbook/").to_string();
            (name, anchors(&text(files, p)))
        })
        .collect();
    for (file, found) in &runbooks {
        for (a, n) in found {
            assert_eq!(*n, 1, "{file}: anchor {a} defined {n} times");
        }
    }
    let mut linked = 0;
    for path in files.keys().filter(|p| !p.starts_with('.')) {
        let body = text(files, path);
        if path.ends_with(".yml") {
            serde_saphyr::from_str::<serde_json::Value>(&body)
                .unwrap_or_else(|e| panic!("{path}: YAML does not re-parse: {e}"));
        }
        if path.ends_with(".json") {
            serde_json::from_str::<Value>(&body)
                .unwrap_or_else(|e| panic!("{path}: JSON does not re-parse: {e}"));
        }
        if path.ends_with(".md") {
            check_markdown_links(path, &body, files);
        }
        if path.ends_with(".conf") || path.ends_with(".meta") {
            check_conf(path, &body);
        }
        // Every runbook link of every backend resolves to an anchor of that runbook.
        for (file, anchor) in runbook_links(&body) {
            let found = runbooks
                .get(&file)
                .unwrap_or_else(|| panic!("{path}: link to missing runbook {file}"));
            assert!(
                found.contains_key(&anchor),
                "{path}: link {file}#{anchor} has no anchor in the runbook"
            );
            linked += 1;
        }
    }
    assert!(linked > 50, "{format}: only {linked} runbook links found");
    let sentry_schema = match format {
        "api" => "api",
        "legacy" => "legacy",
        _ => "terraform",
    };
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(format!("schema/sentry/{sentry_schema}.schema.json")))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for path in files
        .keys()
        .filter(|p| p.starts_with("sentry/") && !p.ends_with("/manifest.json"))
    {
        let v: Value = serde_json::from_str(&text(files, path)).unwrap();
        let errs: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{format} {path}: {errs:#?}");
    }
}

fn check_markdown_links(path: &str, md: &str, files: &BTreeMap<String, Vec<u8>>) {
    let own = anchors(md);
    for ev in Parser::new_ext(md, md_options()) {
        let Event::Start(Tag::Link { dest_url, .. }) = ev else {
            continue;
        };
        if dest_url.contains("://") || dest_url.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = dest_url.split_once('#').unwrap_or((&dest_url, ""));
        let doc = if file.is_empty() {
            own.clone()
        } else {
            let target = Path::new(path)
                .parent()
                .unwrap()
                .join(file)
                .to_string_lossy()
                .into_owned();
            assert!(
                files.contains_key(&target),
                "{path}: link {dest_url} to a missing file"
            );
            anchors(&text(files, &target))
        };
        assert!(
            anchor.is_empty() || doc.contains_key(anchor),
            "{path}: link {dest_url} has no anchor"
        );
    }
}

/// Splunk `.conf`: comments, stanzas, `key = value`, continuation lines after `\`.
fn check_conf(path: &str, body: &str) {
    let mut continued = false;
    let mut keys = BTreeSet::new();
    for line in body.lines() {
        let was = continued;
        continued = line.ends_with('\\');
        if was || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            assert!(line.ends_with(']'), "{path}: bad stanza {line}");
            keys.clear();
            continue;
        }
        let (k, _) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{path}: not key = value: {line}"));
        assert!(
            !k.is_empty() && !k.contains(char::is_whitespace),
            "{path}: bad key {k}"
        );
        assert!(keys.insert(k.to_string()), "{path}: duplicate key {k}");
    }
}

fn promtool_checks(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let rules: Vec<&String> = files.keys().filter(|p| p.ends_with(".rules.yml")).collect();
    let tests: Vec<&String> = files
        .keys()
        .filter(|p| p.ends_with(".rules.test.yml"))
        .collect();
    // The two services' rules and the shared window group's; a test file per service.
    assert_eq!(rules.len(), 3);
    assert_eq!(tests.len(), 2);
    for r in &rules {
        run(
            promtool()
                .args(["check", "rules", "--lint=all", "--lint-fatal", r.as_str()])
                .current_dir(dir),
            &format!("promtool check rules {r}"),
        );
        // The operator form carries exactly the same groups.
        let plain: Value = serde_saphyr::from_str(&text(files, r)).unwrap();
        let op_path = r.replace(".rules.yml", ".prometheusrule.yml");
        let op: Value = serde_saphyr::from_str(&text(files, &op_path)).unwrap();
        assert_eq!(op["spec"]["groups"], plain["groups"], "{op_path}");
    }
    for t in &tests {
        run(
            promtool()
                .args(["test", "rules", t.trim_start_matches("prometheus/")])
                .current_dir(dir.join("prometheus")),
            &format!("promtool test rules {t}"),
        );
    }
}

#[test]
fn removing_an_slo_deletes_exactly_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = tmp.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    for f in ["alpha.yaml", "beta.yaml"] {
        std::fs::copy(fixture().join(f), specs.join(f)).unwrap();
    }
    for format in FORMATS {
        let out = tmp.path().join(format!("out-{format}"));
        std::fs::copy(fixture().join("beta.yaml"), specs.join("beta.yaml")).unwrap();
        ok(&build(&specs, &out, format), "build");
        let before = tree(&out);
        // Drop beta's `lat` SLO (and its SLI, now unused).
        let beta = std::fs::read_to_string(fixture().join("beta.yaml")).unwrap();
        let cut = beta
            .lines()
            .filter(|l| !l.contains("name: lat,"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(cut.len(), beta.len());
        std::fs::write(specs.join("beta.yaml"), cut).unwrap();
        ok(&build(&specs, &out, format), "rebuild");
        let after = tree(&out);
        let fresh = tmp.path().join(format!("fresh-{format}"));
        ok(&build(&specs, &fresh, format), "fresh build");
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            tree(&fresh).keys().collect::<Vec<_>>(),
            "{format}: rebuild after removal differs from a fresh build"
        );
        assert_eq!(after, tree(&fresh), "{format}");
        let gone: Vec<&String> = before.keys().filter(|p| !after.contains_key(*p)).collect();
        assert!(!gone.is_empty(), "{format}: nothing removed");
        for p in &gone {
            assert!(p.contains("alert.lat."), "{format}: removed {p}");
        }
        assert!(
            before.keys().any(|p| p.contains("alert.lat.")),
            "{format}: no per-SLO files to remove"
        );
    }
}

/// Per alert anchor: the (window, threshold) pairs an alert checks.
type Windows = BTreeMap<String, Vec<(String, f64)>>;

#[test]
fn burn_rate_windows_and_thresholds_agree_across_backends() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&build(&fixture(), &out, "api"), "build");
    let files = tree(&out);
    let num = |s: &str| s.parse::<f64>().unwrap();
    let (mut prom, mut splunk, mut runbook) = (Windows::new(), Windows::new(), Windows::new());
    let alert = regex::Regex::new(
        r"(?m)^  - alert: \S+BurnRate\S+\n    expr: \|-\n((?:      .*\n)+?)    labels:(?:\n.*)*?\n      runbook_url: \S+#(\S+)",
    )
    .unwrap();
    // `slo:sli_error:ratio_min<long>_<short>{...} > <threshold>`
    let cmp =
        regex::Regex::new(r#"ratio_min([0-9a-z]+)_([0-9a-z]+)\{[^}]*\} > ([0-9.]+)"#).unwrap();
    let stanza = regex::Regex::new(r"^\[sloxide:[^:]+:([^:]+):burn:(\S+)\]").unwrap();
    let fires = regex::Regex::new(
        r#"<a id="(alert\.[^"]+)"></a>[^\n]*\n\n\| Severity [^\n]*\n\|---\|---\|\n\| Fires when \| error ratio > ([0-9.]+)% over (\w+) \*\*and\*\* over (\w+)"#,
    )
    .unwrap();
    for (path, bytes) in &files {
        let body = String::from_utf8_lossy(bytes);
        if path.ends_with(".rules.yml") {
            for m in alert.captures_iter(&body) {
                let pairs = cmp
                    .captures_iter(&m[1])
                    .flat_map(|c| {
                        let t = num(&c[3]);
                        [(c[1].to_string(), t), (c[2].to_string(), t)]
                    })
                    .collect();
                prom.insert(m[2].to_string(), pairs);
            }
        } else if path.ends_with("savedsearches.conf") {
            for st in body
                .split("\n[")
                .map(|s| format!("[{}", s.trim_start_matches('[')))
            {
                let st = st.as_str();
                let Some(m) = stanza.captures(st) else {
                    continue;
                };
                let field =
                    |re: &str| regex::Regex::new(re).unwrap().captures(st).unwrap()[1].to_string();
                let t = num(&field(r"threshold=([0-9.]+)"));
                let long = field(r"dispatch\.earliest_time = -(\w+)@m");
                let short = field(r#"relative_time\(now\(\),"-(\w+)@m"\)"#);
                splunk.insert(
                    format!("alert.{}.{}", &m[1], &m[2]),
                    vec![(long, t), (short, t)],
                );
            }
        } else if path.starts_with("runbook/") {
            for m in fires.captures_iter(&body) {
                let t = num(&m[2]) / 100.0;
                runbook.insert(
                    m[1].to_string(),
                    vec![(m[3].to_string(), t), (m[4].to_string(), t)],
                );
            }
        }
    }
    assert!(
        prom.len() == 17 && splunk.len() == 13,
        "{prom:?}\n{splunk:?}"
    );
    let same = |a: &[(String, f64)], b: &[(String, f64)]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() < 1e-12)
    };
    for (anchor, windows) in prom.iter().chain(&splunk) {
        let rb = runbook
            .get(anchor)
            .unwrap_or_else(|| panic!("{anchor}: no runbook catalogue entry"));
        assert!(same(windows, rb), "{anchor}: {windows:?} vs runbook {rb:?}");
    }
    for (anchor, windows) in &splunk {
        if let Some(p) = prom.get(anchor) {
            assert!(
                same(windows, p),
                "{anchor}: splunk {windows:?} vs prometheus {p:?}"
            );
        }
    }
}
