//! Tests of the runbook backend over the examples: links, catalogue coverage, Mermaid
//! grammar, HTML structure, hostile text and template overrides.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Options as MdOptions, Parser, Tag, TagEnd, html};

use super::{INDEX_PATH, render_with};
use crate::emit::{self, CatalogueEntry, Options, Target, naming};
use crate::model::{Model, Service};

fn examples() -> Model {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    crate::cli::check(&[root])
        .model
        .expect("examples are valid")
}

fn model_of(yaml: &str) -> Model {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, yaml).unwrap();
    let checked = crate::cli::check(&[path]);
    checked.model.expect("spec is valid")
}

fn build(model: &Model, options: &Options) -> BTreeMap<String, String> {
    let out = emit::emit(model, &[Target::Runbook], options);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.files
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

fn md_options() -> MdOptions {
    MdOptions::ENABLE_TABLES | MdOptions::ENABLE_STRIKETHROUGH
}

/// Explicit anchors (`<a id="...">`) of a Markdown document, with their counts.
fn anchors(md: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for ev in Parser::new_ext(md, md_options()) {
        if let Event::Html(h) | Event::InlineHtml(h) = ev {
            let mut rest: &str = &h;
            while let Some(i) = rest.find("id=\"") {
                rest = &rest[i + 4..];
                let end = rest.find('"').unwrap();
                *out.entry(rest[..end].to_string()).or_insert(0) += 1;
                rest = &rest[end..];
            }
        }
    }
    out
}

fn links(md: &str) -> Vec<String> {
    Parser::new_ext(md, md_options())
        .filter_map(|ev| match ev {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

fn check_links(files: &BTreeMap<String, String>) {
    for (path, md) in files {
        let own = anchors(md);
        for (a, n) in &own {
            assert_eq!(*n, 1, "{path}: anchor {a} defined {n} times");
        }
        for link in links(md) {
            // External links (the service's Grafana dashboard) are absolute.
            if link.starts_with("https://") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                let dir = Path::new(path).parent().unwrap();
                dir.join(file).to_string_lossy().replace('\\', "/")
            };
            let doc = files
                .get(&target)
                .unwrap_or_else(|| panic!("{path}: link {link} to a missing file"));
            if !anchor.is_empty() {
                assert!(
                    anchors(doc).contains_key(anchor),
                    "{path}: link {link} has no anchor"
                );
            }
        }
    }
}

/// Mermaid blocks of a Markdown document.
fn mermaid_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for ev in Parser::new_ext(md, md_options()) {
        match ev {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "mermaid" => {
                current = Some(String::new())
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t)
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Checks the flowchart subset the runbook uses: a `flowchart DIR` header, node lines
/// `id["label"]` / `id[("label")]`, and edges `id --> id` / `id -.->|"label"| id` between
/// declared nodes. Labels are double-quoted with no quote, newline, `<` other than
/// `<br/>`, backtick or `|` inside.
fn check_mermaid(block: &str) -> Result<(), String> {
    let mut lines = block.lines();
    let header = lines.next().ok_or("empty block")?;
    if !matches!(
        header.trim(),
        "flowchart LR" | "flowchart TD" | "flowchart TB" | "flowchart RL" | "flowchart BT"
    ) {
        return Err(format!("bad header {header:?}"));
    }
    let is_id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let label_ok = |s: &str| {
        let body = s.replace("<br/>", "");
        !body.contains(['"', '<', '>', '`', '|', '\n']) && !body.contains("%%")
    };
    let mut nodes = BTreeSet::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((from, rest)) = line.split_once(" --> ") {
            if !nodes.contains(from) || !nodes.contains(rest) {
                return Err(format!("edge between undeclared nodes: {line}"));
            }
        } else if let Some((from, rest)) = line.split_once(" -.->|\"") {
            let (label, to) = rest.split_once("\"| ").ok_or(format!("bad edge {line}"))?;
            if !label_ok(label) || !nodes.contains(from) || !nodes.contains(to) {
                return Err(format!("bad edge {line}"));
            }
        } else {
            let open = line.find('[').ok_or(format!("not a node: {line}"))?;
            let (id, shape) = line.split_at(open);
            let label = shape
                .strip_prefix("[(\"")
                .and_then(|s| s.strip_suffix("\")]"))
                .or_else(|| {
                    shape
                        .strip_prefix("[\"")
                        .and_then(|s| s.strip_suffix("\"]"))
                })
                .ok_or(format!("bad node shape: {line}"))?;
            if !is_id(id) || !label_ok(label) {
                return Err(format!("bad node: {line}"));
            }
            nodes.insert(id);
        }
    }
    Ok(())
}

/// Every table row of `md` has as many cells as its header.
fn check_tables(md: &str) -> usize {
    let mut tables = 0;
    let (mut cols, mut cells) = (0, 0);
    for ev in Parser::new_ext(md, md_options()) {
        match ev {
            Event::Start(Tag::Table(al)) => {
                tables += 1;
                cols = al.len();
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                assert_eq!(cells, cols, "row with {cells} of {cols} cells in\n{md}")
            }
            _ => {}
        }
    }
    tables
}

#[test]
fn every_internal_link_resolves_in_all_examples() {
    let files = build(&examples(), &Options::default());
    assert!(files.contains_key(INDEX_PATH));
    assert_eq!(files.len(), examples().services.len() + 1);
    check_links(&files);
    // The one external link: the card platform's Grafana dashboard, parsed as a link.
    let external: Vec<String> = files
        .values()
        .flat_map(|md| links(md))
        .filter(|l| l.starts_with("https://"))
        .collect();
    assert_eq!(
        external,
        ["https://grafana.cards.example.com/d/sloxide-card-platform"]
    );
}

/// Source lines that only render as meant because of a renderer's leniency: a paragraph
/// line right after a list item (it becomes part of the item: lazy continuation) or a
/// heading right after text, outside code fences.
fn cramped_blocks(md: &str) -> Vec<String> {
    let is_item = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ")
            || t.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
    };
    let mut out = Vec::new();
    let mut fence = false;
    let mut prev = "";
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        if !fence && !prev.is_empty() && !line.is_empty() {
            let lazy = is_item(prev) && !is_item(line) && !line.starts_with(' ');
            let heading = line.starts_with('#') && !prev.starts_with('#');
            if lazy || heading {
                out.push(format!("{prev:?} then {line:?}"));
            }
        }
        prev = if fence { "" } else { line };
    }
    out
}

#[test]
fn lists_and_headings_are_separated_by_blank_lines() {
    let yaml = include_str!("../../../tests/fixtures/hostile/alpha.yaml");
    for model in [examples(), model_of(yaml)] {
        for (path, md) in build(&model, &Options::default()) {
            let bad = cramped_blocks(&md);
            assert!(bad.is_empty(), "{path}: {bad:#?}");
        }
    }
    assert_eq!(
        cramped_blocks("- a\nExclusion windows: x\n\nText\n## H\n").len(),
        2
    );
}

#[test]
fn every_mermaid_block_is_sane_and_every_table_is_rectangular() {
    let files = build(&examples(), &Options::default());
    let mut blocks = 0;
    for (path, md) in &files {
        for b in mermaid_blocks(md) {
            blocks += 1;
            check_mermaid(&b).unwrap_or_else(|e| panic!("{path}: {e}\n{b}"));
        }
        check_tables(md);
    }
    assert!(blocks >= 6, "only {blocks} diagrams");
}

#[test]
fn mermaid_checker_rejects_broken_blocks() {
    assert!(check_mermaid("flowchart LR\n    s1[\"a\"]\n    s1 --> s2\n").is_err());
    assert!(check_mermaid("flowchart LR\n    s1[\"a \"b\"\"]\n").is_err());
    assert!(check_mermaid("graph\n").is_err());
    assert!(
        check_mermaid(
            "flowchart LR\n    s1[\"a<br/>b\"]\n    s2[(\"c\")]\n    s1 -.->|\"x\"| s2\n"
        )
        .is_ok()
    );
}

/// Every anchor a policy row, band, known error or Sentry step implies.
fn expected_anchors(service: &Service) -> Vec<String> {
    let mut out = Vec::new();
    for slo in &service.slos {
        out.extend(
            slo.alerting
                .alerts
                .iter()
                .map(|a| naming::burn_alert_anchor(slo, a)),
        );
        if slo.bands.is_some() {
            out.push(naming::band_alert_anchor(slo, "yellow"));
            out.push(naming::band_alert_anchor(slo, "red"));
        }
    }
    for j in &service.journeys {
        for s in &j.steps {
            if s.sentry.is_some() {
                out.push(naming::step_failure_anchor(&j.name, &s.name));
            }
            for e in &s.known_errors {
                out.push(naming::known_error_anchor(&j.name, &s.name, &e.name));
            }
        }
    }
    out
}

/// The text between `id="anchor"` and the next anchor.
fn section<'a>(md: &'a str, anchor: &str) -> &'a str {
    let start = md.find(&format!("id=\"{anchor}\"")).unwrap();
    let rest = &md[start + anchor.len() + 5..];
    &rest[..rest.find("<a id=").unwrap_or(rest.len())]
}

#[test]
fn synthetic_catalogue_entries_each_get_exactly_one_section_with_their_names() {
    let model = examples();
    for service in &model.services {
        let mut catalogue = Vec::new();
        for (i, anchor) in expected_anchors(service).into_iter().enumerate() {
            for target in [Target::Prometheus, Target::Splunk, Target::Sentry] {
                catalogue.push(CatalogueEntry {
                    target,
                    anchor: anchor.clone(),
                    name: format!("{target}|name`{i}"),
                });
            }
        }
        catalogue.push(CatalogueEntry {
            target: Target::Sentry,
            anchor: "alert-unforeseen".into(),
            name: "Unforeseen <alert>".into(),
        });
        let md = render_with(service, &catalogue, &Options::default()).unwrap();
        let found = anchors(&md);
        for entry in &catalogue {
            assert_eq!(found.get(&entry.anchor), Some(&1), "{}", entry.anchor);
            let escaped = super::escape::code_cell(&entry.name);
            let plain = super::escape::code(&entry.name);
            let sec = section(&md, &entry.anchor);
            assert!(
                sec.contains(&escaped) || sec.contains(&plain),
                "{} not under {}:\n{sec}",
                entry.name,
                entry.anchor
            );
        }
        check_tables(&md);
    }
}

#[test]
fn every_real_catalogue_entry_has_exactly_one_section() {
    let model = examples();
    let options = Options::default();
    let files = build(&model, &options);
    for service in &model.services {
        let md = &files[&naming::runbook_path(service)];
        let found = anchors(md);
        for anchor in expected_anchors(service) {
            assert_eq!(found.get(&anchor), Some(&1), "{anchor}");
        }
        for entry in emit::catalogue(service, &options) {
            assert_eq!(found.get(&entry.anchor), Some(&1), "{}", entry.anchor);
            assert!(section(md, &entry.anchor).contains(&entry.name));
        }
    }
}

#[test]
fn runbook_renders_to_html_with_the_expected_structure() {
    let model = examples();
    let files = build(&model, &Options::default());
    let md = &files["runbook/kyc-verification.md"];
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, md_options()));
    assert_eq!(out.matches("<h1>").count(), 1);
    let h2: Vec<&str> = out
        .split("<h2>")
        .skip(1)
        .map(|s| {
            s.split("</a>")
                .nth(1)
                .unwrap_or("")
                .split("</h2>")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        h2,
        [
            "Overview",
            "Journeys",
            "SLOs",
            "Alert catalogue",
            "Exclusion windows",
            "Impact and triage",
            "Incident response",
            "Incident notes template",
            "Error budget policy"
        ]
    );
    assert!(out.matches("<table>").count() >= 10);
    assert_eq!(
        out.matches("<table>").count(),
        out.matches("<thead>").count()
    );
    assert!(out.contains("<code class=\"language-mermaid\">"));
    assert!(out.contains("<th>Impact</th>"));
    assert!(out.contains("43m 12s per 30d"));
    // No table has an empty header row (it renders as a blank grey bar on GitHub and
    // GitLab): every runbook of every example.
    for (path, md) in files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let mut html_out = String::new();
        html::push_html(&mut html_out, Parser::new_ext(md, md_options()));
        for head in html_out.split("<thead>").skip(1) {
            let head = head.split("</thead>").next().unwrap();
            let cells: Vec<&str> = head
                .split("<th")
                .skip(1)
                .map(|c| {
                    c.split_once('>')
                        .map_or("", |(_, t)| t)
                        .split("</th>")
                        .next()
                        .unwrap()
                })
                .collect();
            assert!(
                cells.iter().any(|c| !c.trim().is_empty()),
                "{path}: a table with an empty header row: {head}"
            );
        }
    }
}

const HOSTILE: &str = "Pay | *now* <b>`x`</b>\n# not a heading [a](b) \"q\" (p) {c} 1. x";

#[test]
fn hostile_text_never_breaks_tables_headings_or_diagrams() {
    let base = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/s4-kyc-verification.yaml"),
    )
    .unwrap();
    let yaml_text = serde_json::to_string(HOSTILE).unwrap();
    let hostile = base
        .replace(
            "title: Identity verification (KYC)",
            &format!("title: {yaml_text}"),
        )
        .replace(
            "title: Identity verification\n",
            &format!("title: {yaml_text}\n"),
        )
        .replace(
            "description: Operator verifies the documents visually.",
            &format!("description: {yaml_text}"),
        )
        .replace(
            "description: The API rejects every request.",
            &format!("description: {yaml_text}"),
        )
        .replace(
            "tech_lead: Hiroshi Kimura",
            &format!("tech_lead: {yaml_text}"),
        );
    assert_ne!(hostile, base);
    let normal = build(&examples(), &Options::default());
    let files = build(&model_of(&hostile), &Options::default());
    let md = &files["runbook/kyc-verification.md"];
    let reference = &normal["runbook/kyc-verification.md"];
    let shape = |md: &str| {
        let mut headings = 0;
        let mut raw_html = BTreeSet::new();
        for ev in Parser::new_ext(md, md_options()) {
            match ev {
                Event::Start(Tag::Heading { .. }) => headings += 1,
                // `<br>` is how a multi-line cell keeps its line breaks.
                Event::Html(h) | Event::InlineHtml(h) if &*h != "<br>" => {
                    raw_html.insert(if h.starts_with("<a id=") {
                        "<a id>".into()
                    } else {
                        h.to_string()
                    });
                }
                _ => {}
            }
        }
        (headings, check_tables(md), raw_html)
    };
    assert_eq!(shape(md), shape(reference));
    for b in mermaid_blocks(md) {
        check_mermaid(&b).unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
    let mut index = files.clone();
    index.retain(|k, _| k == INDEX_PATH || k == "runbook/kyc-verification.md");
    check_links(&index);
}

#[test]
fn user_templates_override_builtins_and_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.md.j2"),
        "## <a id=\"error-budget-policy\"></a>Our policy for {{ service.name }}\n",
    )
    .unwrap();
    let options = Options {
        templates: Some(dir.path().to_path_buf()),
        ..Options::default()
    };
    let files = build(&examples(), &options);
    let md = &files["runbook/qr-payments.md"];
    assert!(md.contains("Our policy for qr-payments"));
    assert!(md.contains("## <a id=\"overview\"></a>Overview"));

    std::fs::write(
        dir.path().join("policy.md.j2"),
        "{{ service.no_such_field }}\n",
    )
    .unwrap();
    let out = emit::emit(&examples(), &[Target::Runbook], &options);
    assert_eq!(out.errors.len(), examples().services.len());
    assert!(out.errors[0].contains("policy.md.j2"), "{:?}", out.errors);

    std::fs::write(dir.path().join("policy.md.j2"), "{% if %}\n").unwrap();
    let out = emit::emit(&examples(), &[Target::Runbook], &options);
    assert!(!out.errors.is_empty());
}

#[test]
fn example_date_is_fixed_by_default_and_can_be_injected() {
    let model = examples();
    let files = build(&model, &Options::default());
    assert!(
        files["runbook/ticketing-admission.md"].contains("`#incident_20250401_admission-failing`")
    );
    let options = Options {
        example_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 3),
        ..Options::default()
    };
    let files = build(&model, &options);
    assert!(
        files["runbook/ticketing-admission.md"].contains("`#incident_20260503_admission-failing`")
    );
}

/// Names chosen so that `-`-joined anchors collided: SLO `a-b` vs journey `a` step `b`
/// error `page-1h`, an error named `failing`, and one exclusion name at journey level and
/// in two SLOs.
const COLLIDING: &str = r#"
apiVersion: sloxide/v1
service:
  name: svc
  owners: { product_owner: P, tech_lead: T }
  notify:
    page: [ { pagerduty: pd } ]
    ticket: [ { email: t@example.com } ]
journeys:
  - name: a
    steps:
      - name: b
        actor: end_user
        sentry: { project: web }
        known_errors:
          - { name: page-1h, sentry_query: "error.type:X", count: all, workaround: false, escalating: true }
          - { name: failing, sentry_query: "error.type:Y", count: few, workaround: true, escalating: true }
    exclusions:
      - { name: maint, reason: Journey window., from: "01:00", to: "02:00", timezone: UTC }
slis:
  - name: ok
    journey: a
    ratio:
      prometheus: { total: req_total, good: 'req_total{ok="1"}' }
      splunk: { search: "index=web sourcetype=access", good: "status<500" }
      sentry: { project: web }
slos:
  - name: a-b
    sli: ok
    objective: 99.5%
    bands: { green: ">= 99.7%", red: "< 99.5%" }
    exclusions:
      - { name: maint, reason: SLO window., from: "03:00", to: "04:00", timezone: UTC }
  - name: c
    sli: ok
    objective: 99%
    exclusions:
      - { name: maint, reason: Other SLO window., from: "05:00", to: "06:00", timezone: UTC }
impact:
  matrix:
    - { scope: step, count: all, workaround: none, impact: high }
    - { scope: step, count: few, workaround: any, impact: medium }
"#;

#[test]
fn anchors_of_colliding_identifiers_are_distinct_and_every_backend_link_resolves() {
    let model = model_of(COLLIDING);
    let service = &model.services[0];
    let expected = expected_anchors(service);
    let distinct: BTreeSet<&String> = expected.iter().collect();
    assert_eq!(distinct.len(), expected.len(), "{expected:?}");
    assert!(expected.contains(&"alert.a-b.page-1h".to_string()));
    assert!(expected.contains(&"error.a.b.page-1h".to_string()));
    assert!(expected.contains(&"error.a.b.failing".to_string()));
    assert!(expected.contains(&"failing.a.b".to_string()));

    let targets = [
        Target::Prometheus,
        Target::Splunk,
        Target::Sentry,
        Target::Runbook,
    ];
    let out = emit::emit(&model, &targets, &Options::default());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let paths: BTreeSet<&String> = out.files.iter().map(|f| &f.path).collect();
    assert_eq!(paths.len(), out.files.len(), "two outputs share a path");
    let runbook_path = naming::runbook_path(service);
    let runbooks: BTreeMap<String, String> = out
        .files
        .iter()
        .filter(|f| f.path.starts_with("runbook/"))
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect();
    check_links(&runbooks);
    let found = anchors(&runbooks[&runbook_path]);
    for anchor in expected.iter().map(String::as_str).chain([
        "exclusion.journey.a.maint",
        "exclusion.slo.a-b.maint",
        "exclusion.slo.c.maint",
    ]) {
        assert_eq!(found.get(anchor), Some(&1), "{anchor}");
    }
    // The journey's window is one entry shared by both SLOs.
    let shared = section(&runbooks[&runbook_path], "exclusion.journey.a.maint");
    assert!(
        shared.contains("(#slo-a-b)") && shared.contains("(#slo-c)"),
        "{shared}"
    );

    let prefix = format!("{runbook_path}#");
    let mut linked = BTreeSet::new();
    for f in out.files.iter().filter(|f| !f.path.starts_with("runbook/")) {
        for (i, _) in f.contents.match_indices(&prefix) {
            let rest = &f.contents[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                .unwrap_or(rest.len());
            let anchor = rest[..end].trim_end_matches('.');
            assert_eq!(found.get(anchor), Some(&1), "{}: #{anchor}", f.path);
            linked.insert(anchor.to_string());
        }
    }
    for anchor in ["alert.a-b.page-1h", "failing.a.b"] {
        assert!(
            linked.contains(anchor),
            "no backend links to {anchor}: {linked:?}"
        );
    }
    // Alerts whose payload carries no URL (page-level Sentry issue alerts) still name their
    // anchor in the catalogue (and the Sentry manifest).
    let catalogue: BTreeSet<String> = emit::catalogue(service, &Options::default())
        .into_iter()
        .map(|e| e.anchor)
        .collect();
    for anchor in &catalogue {
        assert_eq!(found.get(anchor.as_str()), Some(&1), "{anchor}");
    }
    for anchor in [
        "alert.a-b.page-1h",
        "error.a.b.page-1h",
        "error.a.b.failing",
        "failing.a.b",
    ] {
        assert!(catalogue.contains(anchor), "{anchor} not in {catalogue:?}");
    }
}
