//! The Splunk backend's output re-read by strict checkers: every `.conf` is parsed by a
//! strict parser (stanzas, keys, continuation lines, no duplicates), every search passes
//! structural checks (balanced quotes and brackets, known commands, the pipeline shape of
//! its kind), dashboards are well-formed XML, alert windows and thresholds equal the
//! model's, and hostile names and values cannot break out of their place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sloxide::diag::Code;
use sloxide::emit::{self, Options, Target};
use sloxide::model::{AlertPolicy, Model, SliKind};

mod common;
use common::conf::{Conf, parse_conf};

const COMMANDS: &[&str] = &[
    "eval",
    "where",
    "stats",
    "timechart",
    "streamstats",
    "eventstats",
    "fillnull",
    "table",
    "fields",
    "search",
    "rename",
    "bin",
    "tstats",
    "rex",
    "lookup",
    "inputlookup",
    "spath",
    "dedup",
];

/// Splits `spl` at top-level pipes after checking quotes, parentheses, brackets and
/// backticks balance; subsearches are checked recursively.
fn segments(spl: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut stack = Vec::new();
    let mut in_quote = false;
    let mut escaped = false;
    let mut backticks = 0;
    let mut sub_start = 0;
    for (i, c) in spl.char_indices() {
        if in_quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quote = false,
                _ => {}
            }
            if c == '\n' {
                return Err("newline inside a string".into());
            }
            out.last_mut().unwrap().push(c);
            continue;
        }
        match c {
            '"' => in_quote = true,
            '`' => backticks += 1,
            '(' => stack.push('('),
            '[' => {
                if stack.is_empty() {
                    sub_start = i + 1;
                }
                stack.push('[');
            }
            ')' | ']' => {
                let want = if c == ')' { '(' } else { '[' };
                if stack.pop() != Some(want) {
                    return Err(format!("unbalanced {c} at {i}"));
                }
                if c == ']' && stack.is_empty() {
                    let sub = spl[sub_start..i].trim();
                    if !sub.starts_with("search ") && !sub.starts_with('|') {
                        return Err(format!("subsearch without a command: {sub}"));
                    }
                    pipeline(sub.trim_start_matches('|'), true)?;
                }
            }
            '|' if stack.is_empty() => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        out.last_mut().unwrap().push(c);
    }
    if in_quote || !stack.is_empty() || backticks % 2 == 1 {
        return Err(format!("unbalanced at end of {spl:?}"));
    }
    Ok(out)
}

/// Checks a whole search and returns the command names after the base search.
fn pipeline(spl: &str, sub: bool) -> Result<Vec<String>, String> {
    let segs = segments(spl)?;
    let mut commands = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let seg = seg.trim();
        if seg.is_empty() {
            if i == 0 && !sub {
                continue; // a generating search starts with `|`
            }
            return Err(format!("empty pipeline segment {i} in {spl:?}"));
        }
        if i == 0 {
            continue; // the base search (search expression)
        }
        let cmd = seg.split_whitespace().next().unwrap_or_default();
        if !COMMANDS.contains(&cmd) {
            return Err(format!("unknown command {cmd:?}"));
        }
        commands.push(cmd.to_string());
    }
    Ok(commands)
}

/// The commands a search of each kind must end with (after the SLI pipeline).
fn expected_tail(name: &str, search: &str) -> &'static [&'static str] {
    if name.contains(":burn:") {
        &[
            "eval", "stats", "fillnull", "eval", "where", "eval", "table",
        ]
    } else if name.ends_with(":trend") {
        &["timechart", "fillnull", "streamstats", "eval", "fields"]
    } else if name.ends_with(":duration-buckets") {
        &["eval", "stats"]
    } else if name.ends_with(":report") && search.contains("| eval band=case(") {
        &["stats", "fillnull", "eval", "eval", "eval", "table"]
    } else if name.ends_with(":report") {
        &["stats", "fillnull", "eval", "eval", "table"]
    } else {
        panic!("unexpected stanza {name}")
    }
}

/// Checks every saved search of a parsed savedsearches.conf; returns how many.
fn check_searches(conf: &Conf, model: &Model) -> usize {
    for (name, keys) in conf {
        let search = keys
            .get("search")
            .unwrap_or_else(|| panic!("{name}: no search"));
        let flat = search.replace('\n', " ");
        let commands = pipeline(&flat, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tail = expected_tail(name, &flat);
        let sli_len = commands.len().checked_sub(tail.len()).expect(name);
        assert_eq!(&commands[sli_len..], tail, "{name}: {commands:?}");
        assert!(!flat.contains("| transaction"), "{name}: transaction");
        assert!(
            flat.contains("sloxide_bad=if("),
            "{name}: no per-unit verdict"
        );
        for key in [
            "dispatch.earliest_time",
            "dispatch.latest_time",
            "enableSched",
        ] {
            assert!(keys.contains_key(key), "{name}: {key} missing");
        }
        let (svc, slo) = {
            let mut p = name.split(':').skip(1);
            (p.next().unwrap(), p.next().unwrap())
        };
        let slo = model
            .services
            .iter()
            .find(|s| s.name == svc)
            .and_then(|s| s.slos.iter().find(|x| x.name == slo))
            .unwrap_or_else(|| panic!("{name}: no such SLO"));
        if let SliKind::JourneyDuration { .. } = slo.sli.kind {
            assert!(flat.contains("| stats min(sloxide_start) AS sloxide_t0 min(sloxide_end) AS sloxide_t1 by sloxide_id"), "{name}");
            assert!(
                flat.contains("now()-sloxide_t0>"),
                "{name}: missing end must count"
            );
        }
        if !slo.exclusions.is_empty() {
            assert_eq!(
                flat.matches("| where NOT (").count(),
                slo.exclusions.len(),
                "{name}: exclusions"
            );
        }
        if name.contains(":burn:") {
            for key in [
                "cron_schedule",
                "alert.severity",
                "alert.suppress.period",
                "counttype",
            ] {
                assert!(keys.contains_key(key), "{name}: {key} missing");
            }
            assert_eq!(keys["enableSched"], "1");
        }
    }
    conf.len()
}

/// A minimal well-formedness check: balanced tags, quoted attributes, escaped text.
fn check_xml(xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        check_text(text)?;
        let gt = rest[lt..].find('>').ok_or("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop().as_deref() != Some(name) {
                return Err(format!("mismatched </{name}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let mut parts = body.splitn(2, ' ');
        let name = parts.next().unwrap_or_default().to_string();
        let attrs = parts.next().unwrap_or_default();
        if attrs.matches('"').count() % 2 == 1 || attrs.contains('<') {
            return Err(format!("bad attributes in <{name}>"));
        }
        check_text(&attrs.replace('"', ""))?;
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {stack:?}"))
    }
}

fn check_text(text: &str) -> Result<(), String> {
    if text.contains('>') {
        return Err(format!("raw > in {text:?}"));
    }
    for (i, _) in text.match_indices('&') {
        let ent = &text[i..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
            .iter()
            .any(|e| ent.starts_with(e))
        {
            return Err(format!("raw & in {text:?}"));
        }
    }
    // `$` must come in pairs ($$) so Simple XML never sees a token.
    let singles = text.replace("$$", "");
    if singles.contains('$') {
        return Err(format!("unescaped $ in {text:?}"));
    }
    Ok(())
}

fn build(paths: &[PathBuf]) -> (Model, emit::Emitted) {
    common::conf::build_splunk(paths)
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Parses and checks every generated file; returns the parsed savedsearches per app.
fn check_all(model: &Model, emitted: &emit::Emitted) -> BTreeMap<String, Conf> {
    let mut apps = BTreeMap::new();
    for f in &emitted.files {
        assert!(f.path.starts_with("splunk/"), "{}", f.path);
        if f.path.ends_with(".conf") || f.path.ends_with(".meta") {
            let conf = parse_conf(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            if f.path.ends_with("/default/savedsearches.conf") {
                assert!(check_searches(&conf, model) > 0, "{}", f.path);
                let app = f.path.split('/').nth(1).unwrap().to_string();
                apps.insert(app, conf);
            }
        } else if f.path.ends_with(".xml") {
            check_xml(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            assert!(f.contents.starts_with("<dashboard version=\"1.1\""));
        } else {
            panic!("unexpected file {}", f.path);
        }
    }
    apps
}

#[test]
fn examples_reparse_and_every_search_is_sound() {
    let (model, emitted) = build(&[examples()]);
    let apps = check_all(&model, &emitted);
    // App ids: a `sloxide_` prefix, and only letters, digits, `.` and `_` (app.conf.spec).
    assert!(
        apps.contains_key("sloxide_securities_deposit"),
        "{:?}",
        apps.keys()
    );
    assert!(
        apps.contains_key("sloxide_card_platform"),
        "{:?}",
        apps.keys()
    );
    for id in apps.keys() {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'),
            "{id}"
        );
    }
    // Dashboard searches reference saved searches that exist.
    for f in emitted.files.iter().filter(|f| f.path.ends_with(".xml")) {
        let app = f.path.split('/').nth(1).unwrap();
        for r in f.contents.split("ref=\"").skip(1) {
            let name = r.split('"').next().unwrap();
            assert!(
                apps[app].contains_key(name),
                "{}: dangling ref {name}",
                f.path
            );
        }
    }
    // S1: the deposit journey has a pie of duration buckets and its exclusion window.
    let s1 =
        &apps["sloxide_securities_deposit"]["sloxide:securities-deposit:deposit-within-60s:trend"];
    assert!(s1["search"].contains("+32400"), "Asia/Tokyo offset");
    assert!(s1["search"].contains("sloxide_minute>=890 AND sloxide_minute<920"));
    assert!(
        apps["sloxide_securities_deposit"]
            .contains_key("sloxide:securities-deposit:deposit-within-60s:duration-buckets")
    );
}

#[test]
fn alert_windows_and_thresholds_equal_the_models() {
    let (model, emitted) = build(&[examples()]);
    let apps = check_all(&model, &emitted);
    let mut checked = 0;
    for service in &model.services {
        let catalogue = emit::catalogue(service, &Options::default());
        for slo in &service.slos {
            let Some(conf) = apps.get(&format!("sloxide_{}", service.name.replace('-', "_")))
            else {
                continue;
            };
            let prefix = format!("sloxide:{}:{}:burn:", service.name, slo.name);
            let burns: Vec<&String> = conf.keys().filter(|k| k.starts_with(&prefix)).collect();
            if burns.is_empty() {
                continue;
            }
            assert_eq!(burns.len(), slo.alerting.alerts.len(), "{prefix}");
            for alert in &slo.alerting.alerts {
                let name = format!("{prefix}{}", alert.id());
                let keys = &conf[&name];
                assert_eq!(
                    keys["dispatch.earliest_time"],
                    format!("-{}@m", alert.long_window)
                );
                let search = &keys["search"];
                assert!(search.contains(&format!(
                    "relative_time(now(),\"-{}@m\")",
                    alert.short_window
                )));
                let threshold = slo.alert_threshold(alert).normalize().to_string();
                assert!(
                    search.contains(&format!("threshold={threshold},")),
                    "{name}"
                );
                assert!(
                    search.contains("error_ratio_long>threshold AND error_ratio_short>threshold")
                );
                let min = slo.alerting.min_events.unwrap_or(1);
                assert!(search.contains(&format!("total_long>={min} ")), "{name}");
                let severity = if alert.id().starts_with("page") {
                    "5"
                } else {
                    "3"
                };
                assert_eq!(keys["alert.severity"], severity);
                let anchor = format!("alert.{}.{}", slo.name, alert.id());
                assert!(
                    keys["description"].contains(&format!("#{anchor}")),
                    "{name}"
                );
                assert!(
                    catalogue.iter().any(|c| c.target == Target::Splunk
                        && c.name == name
                        && c.anchor == anchor)
                );
                checked += 1;
            }
            // SLOs without an explicit policy use the shared SRE Workbook table, the same
            // rows the Prometheus backend reads from the model.
            if slo.name == "deposit-api-availability" {
                let table = AlertPolicy::sre_workbook();
                let ids: Vec<String> = table.iter().map(|a| a.id()).collect();
                let got: Vec<String> = slo.alerting.alerts.iter().map(|a| a.id()).collect();
                assert_eq!(got, ids);
                assert!(conf[&format!("{prefix}page-1h")]["search"].contains("threshold=0.0144,"));
            }
        }
    }
    assert!(checked >= 10, "only {checked} alerts checked");
}

const HOSTILE: &str = r##"apiVersion: sloxide/v1
service:
  name: evil-svc
  title: "Evil \"svc\"\n[default]\nsearch = | delete $token$ ]]> <b>&amp; `m` \\"
  description: "x\n[y]"
  owners:
    product_owner: "PO \"q\""
    tech_lead: "TL\n[z]"
  notify:
    page:
      - email: a@example.com
      - webhook: https://hooks.example.com/a?b=c&d=$x$
      - webhook: https://hooks2.example.com/
      - pagerduty: pd-ref
    ticket:
      - slack: "#evil"
journeys:
  - name: j
    title: "J [x] \"q\""
    steps:
      - name: s
        actor: system
    exclusions:
      - name: nightly
        reason: "batch \"q\"\n[x]"
        from: "23:30"
        to: "00:30"
        timezone: Europe/Berlin
slis:
  - name: ratio
    journey: j
    ratio:
      splunk:
        search: "index=\"a|b\" sourcetype=\"[x]\"\n  | where uri!=\"\\\\\""
        bad: "status>=500 OR uri=\"/x|[y]\\\"]\""
  - name: journey
    journey: j
    journey_duration:
      threshold: 90s
      splunk:
        search: "index=app (event=\"s\" OR event=\"e\")"
        start: "event=\"s\""
        end: "event=\"e\" AND msg=\"a | b [c] `d`\""
        id_field: "txn.id"
  - name: lat
    latency:
      threshold: 250ms
      percentiles: [p99.9]
      splunk:
        search: index=web
        duration_field: "resp:ms"
        unit: ms
slos:
  - name: ratio
    title: "Ratio \"]]>\" [stanza]\nkey = value $tok$"
    sli: ratio
    objective: 99.9%
    bands:
      green: ">= 99.95%"
      red: "< 99.9%"
  - name: journey
    title: "Journey \\"
    sli: journey
    objective: 90%
    window: 7d
    alerting:
      burn_rates:
        - severity: page
          burn_rate: 6
          long_window: 1h
          short_window: 5m
  - name: lat
    sli: lat
    objective: 99%
"##;

fn write_spec(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn hostile_names_and_values_stay_in_place() {
    let (_dir, path) = write_spec(HOSTILE);
    let (model, emitted) = build(&[path]);
    let apps = check_all(&model, &emitted);
    let conf = &apps["sloxide_evil_svc"];
    let names: Vec<&str> = conf.keys().map(String::as_str).collect();
    assert!(
        names.iter().all(|n| n.starts_with("sloxide:evil-svc:")),
        "{names:?}"
    );
    // 4 + 4 + 1 burn alerts, 3 reports, 3 trends, 1 bucket search: nothing injected.
    assert_eq!(names.len(), 16, "{names:?}");
    let alert = &conf["sloxide:evil-svc:ratio:burn:page-1h"];
    assert!(alert["description"].starts_with("Ratio \"]]>\" [stanza] key = value $tok$:"));
    assert_eq!(
        alert["action.webhook.param.url"],
        "https://hooks.example.com/a?b=c&d=$x$"
    );
    assert_eq!(alert["action.email.to"], "a@example.com");
    assert!(!alert.contains_key("action.slack"));
    let ticket = &conf["sloxide:evil-svc:ratio:burn:ticket-1d"];
    assert_eq!(ticket["action.slack.param.channel"], "#evil");
    // The user condition stays inside its if((...)).
    assert!(
        alert["search"].contains("| eval sloxide_bad=if((status>=500 OR uri=\"/x|[y]\\\"]\"),1,0)")
    );
    // Field names are single-quoted.
    let lat = &conf["sloxide:evil-svc:lat:report"]["search"];
    assert!(
        lat.contains("tonumber('resp:ms')") && lat.contains("<=250,0,1)"),
        "{lat}"
    );
    assert!(lat.contains("perc99.9(sloxide_duration) AS p99_9"));
    // The midnight-crossing window in a DST zone.
    let journey = &conf["sloxide:evil-svc:journey:report"]["search"];
    assert!(
        journey.contains("case(_time<"),
        "Berlin offsets are a case()"
    );
    assert!(journey.contains("(sloxide_minute>=1410) OR (sloxide_minute<30)"));
    let raw = &emitted
        .files
        .iter()
        .find(|f| f.path.ends_with("savedsearches.conf"))
        .unwrap()
        .contents;
    assert!(
        !raw.lines()
            .any(|l| l == "[default]" || l.starts_with("search = | delete"))
    );
    // A second webhook cannot be attached and says so; a user `$token$` is not expanded
    // in action parameters.
    assert!(raw.contains("# webhook https://hooks2.example.com/ not attached"));
    assert_eq!(
        ticket["action.slack.param.message"],
        "Ratio \"]]>\" [stanza] key = value tok: $name$ fired ($result.burn_rate_long$x burn rate). Runbook: $result.runbook$"
    );
}

#[test]
fn unsafe_splunk_text_is_rejected_at_validation() {
    for (field, value) in [
        ("bad", "status>=500 | delete"),
        ("bad", "x=\"1"),
        ("bad", "x=1 [search index=secret]"),
        ("bad", "(x=1"),
        ("bad", "status>=500\\"),
        ("search", "index=a |"),
        ("search", "index=\"a\nb\""),
    ] {
        let spec = "apiVersion: sloxide/v1\nservice:\n  name: s\n  owners: {product_owner: a, tech_lead: b}\nslis:\n  - name: r\n    ratio:\n      splunk:\n        search: index=a\n        bad: status>=500\nslos:\n  - name: r\n    sli: r\n    objective: 99%\n"
        .replace(
            &format!("        {field}: {}\n", if field == "bad" { "status>=500" } else { "index=a" }),
            &format!("        {field}: {}\n", serde_json::to_string(value).unwrap()),
        );
        let (_dir, path) = write_spec(&spec);
        let checked = sloxide::cli::check(&[path]);
        assert!(checked.model.is_none(), "{value:?} accepted");
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == Code::SplunkUnsafe),
            "{value:?}: {:?}",
            checked.diagnostics
        );
    }
}

#[test]
fn strict_checkers_reject_broken_input() {
    assert!(parse_conf("[a]\nk = 1\nk = 2\n").is_err());
    assert!(parse_conf("[a]\n[a]\n").is_err());
    assert!(parse_conf("k = 1\n").is_err());
    assert!(parse_conf("[a]\nsearch = x \\\n[b]\n").is_err());
    assert!(parse_conf("[a]\nsearch = x \\").is_err());
    assert!(parse_conf("[a]\nnot a key\n").is_err());
    assert!(pipeline("index=a | evall x=1", false).is_err());
    assert!(pipeline("index=a | stats count(eval(x) AS y", false).is_err());
    assert!(pipeline("index=a | | stats count", false).is_err());
    assert!(pipeline("index=a | where x=\"1", false).is_err());
    assert!(pipeline("index=a [inputlookup x", false).is_err());
    assert!(pipeline("index=a [| inputlookup x | fields y] | stats count", false).is_ok());
    assert!(check_xml("<a><b>x</a></b>").is_err());
    assert!(check_xml("<a>$tok$</a>").is_err());
    assert!(check_xml("<a>x & y</a>").is_err());
    assert!(check_xml("<a b=\"1\">$$x$$ &amp;</a>").is_ok());
}
