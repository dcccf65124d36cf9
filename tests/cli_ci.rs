//! The binary in CI: `--format github` (workflow commands, parsed back), `--format sarif`
//! (validated against the official SARIF 2.1.0 schema), `build --check --format json`
//! (the stale files), standard input, shell completions and `--version`.

use std::collections::BTreeMap;

use serde_json::Value;

mod common;
use common::bin::{build_quickstart, code, root, sloxide, sloxide_stdin, stderr, stdout, tree};

/// A spec with an error on a known value: `objective: 101%` at line 12.
const BROKEN: &str = "apiVersion: sloxide/v1
service:
  name: s
  owners: { product_owner: a, tech_lead: b }
slis:
  - name: r
    ratio:
      prometheus: { total: 'x_total', bad: 'x_total{code=\"5xx\"}' }
slos:
  - name: r
    sli: r
    objective: 101%
";

/// The diagnostics of a JSON report with `code`.
fn with_code<'r>(report: &'r Value, code: &str) -> Vec<&'r Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

/// One parsed workflow command: kind, properties, message (unescaped).
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let unescape = |s: &str| {
        s.replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("command :: message");
    let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (kind.to_string(), props, unescape(message))
}

#[test]
fn github_annotations_point_at_the_value_and_cannot_be_broken_out_of() {
    let o = sloxide_stdin(&["check", "-", "--format", "github"], BROKEN.as_bytes());
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let (kind, props, message) = parse_command(line);
        assert!(kind == "error" || kind == "warning", "{line}");
        assert!(props["title"].starts_with("sloxide::"), "{line}");
        assert!(!message.is_empty());
    }
    let (_, props, message) = lines
        .iter()
        .map(|l| parse_command(l))
        .find(|(_, p, _)| p.get("line").map(String::as_str) == Some("12"))
        .expect("an annotation on line 12");
    assert_eq!(props["file"], "<stdin>");
    assert_eq!(props["col"], "16");
    assert!(props.contains_key("endColumn"));
    assert!(message.contains("101%"), "{message}");
    // Hostile text (a newline and `::` in a value) stays inside one command.
    let hostile = BROKEN.replace("    sli: r\n", "    sli: \"nope\\n::warning::injected\"\n");
    let o = sloxide_stdin(&["check", "-", "--format", "github"], hostile.as_bytes());
    let out = stdout(&o);
    assert!(out.contains("nope"), "{out}");
    for line in out.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning "),
            "{line}"
        );
        assert!(!line[2..].contains("\n::"), "{line}");
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    // The OASIS SARIF 2.1.0 (rtm.5) schema as shipped by the npm package
    // @microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json, sha256
    // 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8).
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0-rtm.5.json")).unwrap(),
    )
    .unwrap();
    // One erratum of the published schema: the `language` pattern of `run` and
    // `toolComponent` has a stray `]`, which the draft-4 meta-schema (`format: regex`)
    // refuses. sloxide never writes `language`; the pattern is repaired so the rest of
    // the schema compiles unchanged.
    for definition in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][definition]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let logs = [
        sloxide(&["check", "examples", "--format", "sarif"]),
        sloxide_stdin(&["check", "-", "--format", "sarif"], BROKEN.as_bytes()),
    ];
    for o in &logs {
        let log: Value = serde_json::from_str(&stdout(o)).expect("SARIF is JSON");
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let uri_ok = |u: &str| {
            !u.is_empty()
                && u.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b) || b == b':')
        };
        for r in results {
            for loc in r["locations"].as_array().into_iter().flatten() {
                let u = loc["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap();
                assert!(uri_ok(u), "{u}");
            }
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
    }
    // The examples' two expected warnings are warnings, with regions.
    let log: Value = serde_json::from_str(&stdout(&logs[0])).unwrap();
    let warnings = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "sloxide::slo::above-dependencies")
        .count();
    assert_eq!(warnings, 2);
    // Negative control: the schema rejects a result without a message.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn build_check_json_lists_the_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let args = [
        "build",
        "examples/quickstart.yaml",
        "-o",
        out_s,
        "--target",
        "prometheus",
    ];
    let o = sloxide(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut check: Vec<&str> = args.to_vec();
    check.extend(["--check", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&sloxide(&check))).unwrap();
    assert_eq!(report["output"]["status"], "up-to-date");
    // Edit one file, add a stray one the manifest does not know, delete another: reported
    // as differs / missing, and the exit code says stale.
    let rules = out.join("prometheus/hello-api.rules.yml");
    std::fs::write(&rules, "groups: []\n").unwrap();
    let o = sloxide(&check);
    assert_eq!(code(&o), 1);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["output"]["status"], "stale");
    assert_eq!(
        report["output"]["differs"],
        serde_json::json!(["prometheus/hello-api.rules.yml"])
    );
    // The same in GitHub annotations.
    let mut gh: Vec<&str> = args.to_vec();
    gh.extend(["--check", "--format", "github"]);
    let o = sloxide(&gh);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).lines().any(|l| l.starts_with("::error file=")
            && l.contains("hello-api.rules.yml")
            && l.contains("title=sloxide%3A%3Abuild%3A%3Astale")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn default_builds_count_skipped_backends_as_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = build_quickstart(&out, &["--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let skipped: Vec<&Value> = with_code(&report, "sloxide::build::no-source");
    // The quickstart has only a Prometheus source: Splunk and Sentry skip it.
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped.iter().all(|d| d["severity"] == "warning"));
    assert_eq!(report["warnings"].as_u64().unwrap() as usize, skipped.len());
    assert_eq!(report["output"]["status"], "written");
}

#[test]
fn standard_input_completions_and_version() {
    let spec = std::fs::read(root().join("examples/quickstart.yaml")).unwrap();
    let o = sloxide_stdin(&["check", "-"], &spec);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("checked 1 file(s): 0 errors"));
    for (shell, marker) in [
        ("bash", "complete -F _sloxide"),
        ("zsh", "#compdef sloxide"),
        ("fish", "complete -c sloxide"),
    ] {
        let o = sloxide(&["completions", shell]);
        assert_eq!(code(&o), 0);
        assert!(stdout(&o).contains(marker), "{shell}");
        assert!(stdout(&o).contains("build"), "{shell}: subcommands");
    }
    let o = sloxide(&["--version"]);
    let v = stdout(&o);
    assert!(
        v.starts_with(&format!("sloxide {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    // Built from a git checkout: the commit is named.
    if root().join(".git").exists() {
        assert!(v.contains("(commit "), "{v}");
    }
}

#[test]
fn the_action_script_lints_and_checks_with_annotations() {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_sloxide"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated");
    let run = |out: &std::path::Path| {
        std::process::Command::new("bash")
            .arg(root().join(".ci/action.sh"))
            .current_dir(root())
            .env("PATH", &path)
            .env("SLOXIDE_PATHS", "examples/quickstart.yaml")
            .env("SLOXIDE_OUT", out)
            .env("SLOXIDE_ARGS", "--target prometheus")
            .env("SLOXIDE_INSTALL", "installed")
            .output()
            .unwrap()
    };
    // Nothing generated yet: the check fails with an annotation per missing file.
    let o = run(&out);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("::error file="), "{}", stdout(&o));
    let built = build_quickstart(&out, &["--target", "prometheus"]);
    assert_eq!(code(&built), 0);
    let o = run(&out);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("sloxide "), "{}", stdout(&o));
    // action.yml runs exactly this script with the inputs in the environment, and the
    // pre-commit hooks call the installed binary.
    let action: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
            .unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let step = &action["runs"]["steps"][0];
    assert_eq!(step["run"], "bash \"$SLOXIDE_SOURCE/.ci/action.sh\"");
    for input in ["paths", "out", "args", "version"] {
        assert!(action["inputs"][input].is_object(), "{input}");
    }
    let hooks: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert!(h["entry"].as_str().unwrap().starts_with("sloxide "));
            h["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(ids, ["sloxide-check", "sloxide-build-check"]);
}

#[test]
fn outputs_do_not_depend_on_how_the_spec_path_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let absolute = root().join("examples");
    let spellings = [
        "examples".to_string(),
        "./examples/".to_string(),
        absolute.to_str().unwrap().to_string(),
    ];
    let mut builds = Vec::new();
    for (i, spelling) in spellings.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let o = sloxide(&["build", spelling, "-o", out.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{spelling}: {}", stderr(&o));
        builds.push(tree(&out));
    }
    assert!(builds[0].len() > 20);
    for (i, b) in builds.iter().enumerate().skip(1) {
        for (path, bytes) in &builds[0] {
            assert!(
                b.get(path) == Some(bytes),
                "{path} differs for `{}`",
                spellings[i]
            );
        }
        assert_eq!(b.len(), builds[0].len());
    }
    // And the headers name the spec relative to the working directory.
    let rules = String::from_utf8(builds[2]["prometheus/card-platform.rules.yml"].clone()).unwrap();
    assert!(rules.starts_with("# Generated by sloxide from examples/s2-card-platform.yaml."));
}

#[test]
fn acknowledged_warnings_stay_visible_but_pass_deny_warnings() {
    // The card-platform example acknowledges its two above-dependencies warnings.
    let o = sloxide(&["check", "examples/", "--deny-warnings", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let acknowledged: Vec<&Value> = with_code(&report, "sloxide::slo::above-dependencies");
    assert_eq!(acknowledged.len(), 2);
    assert!(acknowledged.iter().all(|d| d["acknowledged"].is_string()));
    // Without the acknowledgements the same check fails.
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(root().join("examples/s2-card-platform.yaml")).unwrap();
    let stripped: String = {
        let mut out = Vec::new();
        let mut skip = false;
        for line in spec.lines() {
            if line.trim_start() == "allow:" {
                skip = true;
                continue;
            }
            if skip && (line.starts_with("      ") || line.trim_start().starts_with("- code:")) {
                continue;
            }
            skip = false;
            out.push(line);
        }
        out.join("\n") + "\n"
    };
    let path = dir.path().join("card.yaml");
    std::fs::write(&path, &stripped).unwrap();
    let o = sloxide(&["check", path.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // GitHub shows acknowledged warnings as notices; SARIF as suppressed results.
    let o = sloxide(&[
        "check",
        "examples/s2-card-platform.yaml",
        "--format",
        "github",
    ]);
    assert_eq!(
        stdout(&o)
            .lines()
            .filter(|l| l.starts_with("::notice "))
            .count(),
        2
    );
    let o = sloxide(&[
        "check",
        "examples/s2-card-platform.yaml",
        "--format",
        "sarif",
    ]);
    let log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let suppressed = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "inSource")
        .count();
    assert_eq!(suppressed, 2);
}

/// The quickstart with `allow:` entries for build-only warnings.
fn quickstart_with(allow: &str) -> String {
    let spec = std::fs::read_to_string(root().join("examples/quickstart.yaml")).unwrap();
    let slo = "    objective: 99.9%\n";
    assert!(spec.contains(slo));
    spec.replacen(slo, &format!("{slo}    allow:\n{allow}"), 1)
}

#[test]
fn build_warnings_are_acknowledged_per_slo_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let build = |spec: &str| {
        let path = dir.path().join("spec.yaml");
        std::fs::write(&path, spec).unwrap();
        let out = dir.path().join("out");
        let o = sloxide(&[
            "build",
            path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--format",
            "json",
            "--deny-warnings",
        ]);
        let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
        (code(&o), report)
    };
    // The quickstart has only a Prometheus source: Splunk and Sentry skip it.
    let (status, _) = build(&quickstart_with(""));
    assert_eq!(status, 1, "no-source warnings fail --deny-warnings");
    let (status, report) = build(&quickstart_with(
        "      - code: sloxide::build::no-source\n        reason: This service is measured in Prometheus only.\n",
    ));
    assert_eq!(status, 0, "{report:#}");
    let skipped: Vec<&Value> = with_code(&report, "sloxide::build::no-source");
    assert_eq!(skipped.len(), 2);
    assert!(
        skipped
            .iter()
            .all(|d| d["acknowledged"] == "This service is measured in Prometheus only.")
    );
    // Acknowledging a loss that does not happen is itself a warning, at the entry.
    let (status, report) = build(&quickstart_with(
        "      - code: sloxide::build::no-source\n        reason: Prometheus only.\n      - code: sloxide::build::lossy\n        reason: Nothing is lost.\n",
    ));
    assert_eq!(status, 1);
    let unused: Vec<&Value> = with_code(&report, "sloxide::allow::unused");
    assert_eq!(unused.len(), 1, "{report:#}");
    assert!(
        unused[0]["message"]
            .as_str()
            .unwrap()
            .contains("sloxide::build::lossy")
    );
    assert!(unused[0]["line"].is_number());
}

#[test]
fn the_project_file_is_found_from_a_subdirectory_and_keeps_paths_inside() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    for d in ["specs/drafts", "sub/deeper", ".git"] {
        std::fs::create_dir_all(repo.join(d)).unwrap();
    }
    std::fs::copy(
        root().join("examples/quickstart.yaml"),
        repo.join("specs/quickstart.yaml"),
    )
    .unwrap();
    // A draft that does not validate, excluded by the project file.
    std::fs::write(
        repo.join("specs/drafts/wip.yaml"),
        "apiVersion: sloxide/v1\n",
    )
    .unwrap();
    let toml = "paths = [\"specs\"]\nout = \"generated\"\ntargets = [\"prometheus\", \"runbook\"]\nexclude = [\"specs/drafts/*\"]\ndeny_warnings = true\nprometheus_format = \"operator\"\noperator_labels = { release = \"kube-prometheus-stack\" }\n";
    std::fs::write(repo.join("sloxide.toml"), toml).unwrap();
    // A project file above the repository root is never used.
    std::fs::write(dir.path().join("sloxide.toml"), "out = \"elsewhere\"\n").unwrap();
    let run = |cwd: &std::path::Path, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sloxide"))
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let o = run(&repo.join("sub/deeper"), &["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rules = repo.join("generated/prometheus/hello-api.rules.yml");
    assert!(
        repo.join("generated/prometheus/hello-api.prometheusrule.yml")
            .exists()
    );
    assert!(
        !repo.join("generated/sentry").exists(),
        "targets from the file"
    );
    // Spec paths in outputs are relative to the project, wherever the command ran.
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(
        text.starts_with("# Generated by sloxide from specs/quickstart.yaml."),
        "{text}"
    );
    let o = run(&repo, &["build", "--check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The command line wins: another output directory; --no-config ignores the file (and
    // then the draft is an error).
    let o = run(&repo, &["build", "-o", "other"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(repo.join("other/prometheus/hello-api.rules.yml").exists());
    let o = run(&repo, &["check", "--no-config", "specs"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = run(
        &repo,
        &[
            "check",
            "--exclude",
            "specs/drafts/**",
            "--no-config",
            "specs",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A file that points outside its directory, or has an unknown key, is refused before
    // anything is read or written.
    for (bad, needle) in [
        ("out = \"../escape\"\n", "must be a relative path inside"),
        ("out = \"/tmp/escape\"\n", "must be a relative path inside"),
        (
            "paths = [\"../../etc\"]\nout = \"g\"\n",
            "must be a relative path inside",
        ),
        ("out = \".\"\n", "is the project directory itself"),
        ("out = \".git/hooks\"\n", "no hidden directory"),
        ("outt = \"x\"\n", "unknown field `outt`"),
        (
            "ruler = \"cortex\"\nout = \"g\"\n",
            "`ruler` = \"cortex\" is not one of",
        ),
    ] {
        std::fs::write(repo.join("sloxide.toml"), bad).unwrap();
        let o = run(&repo, &["build"]);
        assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{bad}: {}", stderr(&o));
    }
    assert!(!dir.path().join("escape").exists());
    // Without a project file in the repository, the one above its root is not used.
    std::fs::remove_file(repo.join("sloxide.toml")).unwrap();
    let o = run(&repo, &["build"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("needs an output directory"),
        "{}",
        stderr(&o)
    );
    assert!(!repo.join("elsewhere").exists() && !dir.path().join("elsewhere").exists());
}

#[test]
fn a_forged_manifest_cannot_make_build_touch_hidden_files() {
    // The output directory (and its manifest) may be committed, so a pull request can
    // edit the manifest: an entry naming a hidden path is refused before anything is
    // written or deleted.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated");
    std::fs::create_dir_all(out.join(".git")).unwrap();
    std::fs::write(out.join(".git/config"), "keep me").unwrap();
    std::fs::write(out.join(".sloxide-manifest"), ".git/config\n").unwrap();
    let o = build_quickstart(&out, &["--target", "prometheus"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was written or deleted"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join(".git/config")).unwrap(),
        "keep me"
    );
    assert!(!out.join("prometheus").exists());
}

#[test]
fn foreign_files_in_a_spec_directory_are_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    std::fs::copy(
        root().join("examples/quickstart.yaml"),
        specs.join("quickstart.yaml"),
    )
    .unwrap();
    let files = [
        (
            "sloth.yaml",
            "version: \"prometheus/v1\"\nservice: x\nslos: []\n",
            "a Sloth SLO file",
        ),
        (
            "sloth-crd.yaml",
            "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata: {name: x}\n",
            "a Sloth `PrometheusServiceLevel` object",
        ),
        (
            "pyrra.yaml",
            "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: x}\n",
            "a Pyrra `ServiceLevelObjective` object",
        ),
        (
            "openslo.yaml",
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n",
            "an OpenSLO `SLO`",
        ),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
            "a Kubernetes-style `Deployment` object",
        ),
    ];
    for (name, text, _) in files {
        std::fs::write(specs.join(name), text).unwrap();
    }
    // A directory scan checks the spec and names every other file in a note: exit 0, and
    // --deny-warnings does not turn notes into failures.
    let o = sloxide(&[
        "check",
        specs.to_str().unwrap(),
        "--format",
        "json",
        "--deny-warnings",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let notes = with_code(&report, "sloxide::load::foreign");
    assert_eq!(notes.len(), files.len(), "{report:#}");
    for (name, _, what) in files {
        assert!(
            notes.iter().any(|n| n["severity"] == "note"
                && n["file"].as_str().unwrap().ends_with(name)
                && n["message"].as_str().unwrap().contains(what)),
            "{name}: {report:#}"
        );
    }
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 0);
    // Named on the command line, the same file is an error.
    let o = sloxide(&["check", specs.join("pyrra.yaml").to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("this file is a Pyrra"),
        "{}",
        stderr(&o)
    );
    // A directory of foreign files only: nothing was checked, and that is an error.
    std::fs::remove_file(specs.join("quickstart.yaml")).unwrap();
    let o = sloxide(&["check", specs.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no sloxide spec found"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn excluded_trees_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("vendor/deep")).unwrap();
    std::fs::copy(
        root().join("examples/quickstart.yaml"),
        specs.join("quickstart.yaml"),
    )
    .unwrap();
    // A symlink inside a vendored tree is an error when walked, and never looked at when
    // the tree is excluded.
    std::os::unix::fs::symlink("/etc/passwd", specs.join("vendor/deep/evil.yaml")).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sloxide"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    assert_eq!(code(&run(&["check", "specs"])), 2);
    for pattern in ["specs/vendor/**", "specs/vendor", "**/vendor/**"] {
        let o = run(&["check", "specs", "--exclude", pattern]);
        assert_eq!(code(&o), 0, "{pattern}: {}", stderr(&o));
    }
}
