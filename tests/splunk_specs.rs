//! The generated Splunk apps against the specs of what reads them: every key of every
//! `savedsearches.conf` and `app.conf` is one that Splunk's own `.conf.spec` files, or the
//! spec of the app that defines an alert action, declare, with a value of the declared
//! form, and the keys those specs call required are present. Each contract has
//! broken-copy negative controls that must fail.
//!
//! Sources (read December 2026; line numbers of the spec files):
//! - Splunk 10.4.2 `savedsearches.conf.spec` and `app.conf.spec`:
//!   livehybrid/splunk-spec-files @ 26cb794e254649fc636cdf196207712080376c9f.
//! - PagerDuty App for Splunk (`pagerduty_incidents`, Splunkbase 3013) v1.5:
//!   mike-mcgrail/Splunk-Core-to-PagerDuty @ 1c130391cabdf788b0443ac6da5efd19a8501992,
//!   `README/savedsearches.conf.spec` (`action.pagerduty = [0|1]`,
//!   `action.pagerduty.param.integration_url`), `default/data/ui/alerts/pagerduty.html`
//!   (`…integration_url_override`) and `bin/pagerduty.py` (override first, then the
//!   URL; a 32-character value is an integration key); the same keys in Splunk's
//!   Terraform provider, splunk/terraform-provider-splunk @ 4a21e67cc90e,
//!   `client/models/saved_searches.go` L54-58.
//! - Slack Notification Alert: splunk/slack-alerts @ e252dcda105bfa6cf3fb994e1f15c85bd233abec,
//!   `README/savedsearches.conf.spec`.
//! - Webhook: `action.webhook.param.url` of Splunk's `alert_webhook` app (the `[webhook]`
//!   section of `alert_actions.conf.spec` L650-656 defers to that app's spec).

mod common;

use std::path::{Path, PathBuf};

use common::conf::{Conf, parse_conf};
use sloxide::emit::{self, Target};

/// The form of a value a spec declares.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// `<boolean>`: Splunk's boolean spellings.
    Bool,
    /// `[0 | 1]` or `[1|0]`.
    ZeroOne,
    /// `<string>`: any single- or multi-line text.
    Text,
    /// `<integer>`.
    Int,
    /// `<integer>`, 1..=6 (`alert.severity`, L922).
    Severity,
    /// `<unsigned integer> | auto` (`schedule_window`, L228).
    WindowOrAuto,
    /// `<boolean> | auto` (`alert.track`, L946).
    BoolOrAuto,
    /// `<cron string>`: five fields.
    Cron,
    /// `<time-str>`: `now` or a relative time modifier such as `-1h@m` or `@m`.
    Time,
    /// `<time-specifier>`: `[number][time-unit]` (`alert.suppress.period`, L889).
    Span,
    /// `<email list>`: comma-separated addresses.
    Emails,
    /// An `https://` or `http://` URL.
    Url,
    /// One of the listed values.
    OneOf(&'static [&'static str]),
}

/// savedsearches.conf keys sloxide may write, with the spec that declares each.
const SAVEDSEARCHES: &[(&str, Form)] = &[
    ("disabled", Form::Bool),                // L36
    ("search", Form::Text),                  // L44
    ("enableSched", Form::ZeroOne),          // L86
    ("cron_schedule", Form::Cron),           // L92
    ("schedule_window", Form::WindowOrAuto), // L228
    (
        "counttype",
        Form::OneOf(&[
            "number of events",
            "number of hosts",
            "number of sources",
            "custom",
            "always",
        ]),
    ), // L284
    (
        "relation",
        Form::OneOf(&[
            "greater than",
            "less than",
            "equal to",
            "not equal to",
            "drops by",
            "rises by",
        ]),
    ), // L290
    ("quantity", Form::Int),                 // L294
    ("action.email", Form::Bool),            // L335
    ("action.email.to", Form::Emails),       // L339
    ("action.email.subject", Form::Text),    // L353
    ("action.email.inline", Form::ZeroOne),  // L399
    ("action.email.sendresults", Form::ZeroOne), // L428
    ("dispatch.earliest_time", Form::Time),  // L599
    ("dispatch.latest_time", Form::Time),    // L606
    ("alert.suppress", Form::Bool),          // L885
    ("alert.suppress.period", Form::Span),   // L889
    ("alert.severity", Form::Severity),      // L922
    ("alert.digest_mode", Form::Bool),       // L937
    ("alert.track", Form::BoolOrAuto),       // L946
    ("description", Form::Text),             // L988
    // `action.<action_name> = <boolean>` (L318) for the actions of the apps below.
    ("action.webhook", Form::Bool),
    ("action.webhook.param.url", Form::Url),
    ("action.slack", Form::Bool),
    ("action.slack.param.channel", Form::Text),
    ("action.slack.param.message", Form::Text),
    (
        "action.slack.param.attachment",
        Form::OneOf(&["none", "alert_link"]),
    ),
    ("action.slack.param.fields", Form::Text),
    ("action.pagerduty", Form::ZeroOne),
    ("action.pagerduty.param.integration_url", Form::Url),
    ("action.pagerduty.param.integration_url_override", Form::Url),
];

/// savedsearches.conf keys required when another key is set: `action.email.to` is
/// "REQUIRED" for e-mail (L339), and each app's action needs its target.
const REQUIRED_WITH: &[(&str, &str)] = &[
    ("action.email", "action.email.to"),
    ("action.webhook", "action.webhook.param.url"),
    ("action.slack", "action.slack.param.channel"),
];

/// app.conf stanzas and keys sloxide may write (app.conf.spec), and the required ones.
const APP_CONF: &[(&str, &str, Form, bool)] = &[
    ("id", "name", Form::Text, false),                   // L23
    ("id", "version", Form::Text, false),                // L24
    ("launcher", "version", Form::Text, false),          // L41
    ("launcher", "description", Form::Text, false),      // L56
    ("launcher", "author", Form::Text, false),           // L61
    ("package", "id", Form::Text, false),                // L95
    ("package", "check_for_updates", Form::Bool, false), // L111
    ("install", "is_configured", Form::Bool, false),     // L139
    ("install", "build", Form::Int, true), // L144: "Required. Must be a positive integer."
    ("ui", "is_visible", Form::Bool, false), // L306
    ("ui", "label", Form::Text, true),     // L316
];

fn matches(form: Form, v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let url = |s: &str| {
        (s.starts_with("https://") || s.starts_with("http://"))
            && !s.contains([' ', '\n', '"'])
            && s.len() > 8
    };
    match form {
        Form::Bool => matches!(v, "0" | "1" | "true" | "false"),
        Form::ZeroOne => matches!(v, "0" | "1"),
        Form::Text => !v.is_empty(),
        Form::Int => digits(v),
        Form::Severity => matches!(v, "1" | "2" | "3" | "4" | "5" | "6"),
        Form::WindowOrAuto => v == "auto" || digits(v),
        Form::BoolOrAuto => v == "auto" || matches(Form::Bool, v),
        Form::Cron => v.split(' ').count() == 5 && !v.contains("  "),
        Form::Time if v == "now" => true,
        Form::Time => {
            let rest = v.strip_prefix('-').unwrap_or(v);
            let (span, snap) = rest.split_once('@').unwrap_or((rest, ""));
            (span.is_empty() || matches(Form::Span, span))
                && snap.bytes().all(|b| b.is_ascii_lowercase())
                && (v.starts_with('-') || v.starts_with('@'))
        }
        Form::Span => {
            let unit = v.trim_start_matches(|c: char| c.is_ascii_digit());
            digits(&v[..v.len() - unit.len()]) && matches!(unit, "s" | "m" | "h" | "d")
        }
        Form::Emails => v.split(',').all(|a| {
            a.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        }),
        Form::Url => url(v),
        Form::OneOf(values) => values.contains(&v),
    }
}

/// Every violation of the savedsearches.conf contract in `conf`.
fn savedsearches_violations(conf: &Conf) -> Vec<String> {
    let mut out = Vec::new();
    for (stanza, keys) in conf {
        for (key, value) in keys {
            match SAVEDSEARCHES.iter().find(|(k, _)| k == key) {
                None => out.push(format!("[{stanza}] {key}: no spec declares this key")),
                Some((_, form)) if !matches(*form, value) => out.push(format!(
                    "[{stanza}] {key} = {value:?}: not of the declared form {form:?}"
                )),
                Some(_) => {}
            }
        }
        for (when, needs) in REQUIRED_WITH {
            if keys.get(*when).is_some_and(|v| v == "1") && !keys.contains_key(*needs) {
                out.push(format!("[{stanza}] {when} = 1 without {needs}"));
            }
        }
    }
    out
}

/// Every violation of the app.conf contract in `conf`.
fn app_conf_violations(conf: &Conf) -> Vec<String> {
    let mut out = Vec::new();
    for (stanza, keys) in conf {
        for (key, value) in keys {
            match APP_CONF.iter().find(|(s, k, ..)| s == stanza && k == key) {
                None => out.push(format!(
                    "[{stanza}] {key}: not an app.conf.spec key sloxide writes"
                )),
                Some((.., form, _)) if !matches(*form, value) => {
                    out.push(format!("[{stanza}] {key} = {value:?}: not {form:?}"))
                }
                Some(_) => {}
            }
        }
    }
    for (stanza, key, _, required) in APP_CONF {
        if *required && !conf.get(*stanza).is_some_and(|k| k.contains_key(*key)) {
            out.push(format!(
                "[{stanza}] {key}: required by app.conf.spec, missing"
            ));
        }
    }
    if conf["install"]
        .get("build")
        .is_some_and(|b| b.trim_start_matches('0').is_empty())
    {
        out.push("[install] build: must be a positive integer".into());
    }
    out
}

/// One service with every kind of target: two PagerDuty services (the second is lossy),
/// e-mail, a webhook and a Slack channel.
const ROUTING: &str = r##"apiVersion: sloxide/v1
service:
  name: routing
  owners: { product_owner: P, tech_lead: T }
  notify:
    page:
      - pagerduty: routing-primary
      - pagerduty: routing-secondary
      - email: oncall@example.com
    ticket:
      - webhook: https://hooks.example.com/sloxide
      - slack: "#routing"
slis:
  - name: requests
    ratio:
      splunk:
        search: index=web sourcetype=access
        bad: status>=500
slos:
  - name: requests
    sli: requests
    objective: 99.9%
"##;

struct Apps {
    savedsearches: Vec<(String, Conf)>,
    app_confs: Vec<(String, Conf)>,
    lossy: Vec<String>,
}

fn build(paths: &[PathBuf]) -> Apps {
    let (model, emitted) = common::conf::build_splunk(paths);
    let mut apps = Apps {
        savedsearches: Vec::new(),
        app_confs: Vec::new(),
        lossy: model
            .services
            .iter()
            .flat_map(emit::lossy)
            .filter(|l| l.target == Target::Splunk)
            .map(|l| l.what)
            .collect(),
    };
    for f in emitted.files {
        let parsed = || parse_conf(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        if f.path.ends_with("/default/savedsearches.conf") {
            apps.savedsearches.push((f.path.clone(), parsed()));
        } else if f.path.ends_with("/default/app.conf") {
            apps.app_confs.push((f.path.clone(), parsed()));
        }
    }
    assert!(!apps.savedsearches.is_empty() && apps.savedsearches.len() == apps.app_confs.len());
    apps
}

fn all_inputs() -> (tempfile::TempDir, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("routing.yaml"), ROUTING).unwrap();
    let paths = vec![
        root.join("examples"),
        root.join("tests/fixtures/hostile"),
        root.join("tests/fixtures/contracts"),
        dir.path().join("routing.yaml"),
    ];
    (dir, paths)
}

#[test]
fn every_generated_key_is_declared_by_its_spec() {
    let (_dir, paths) = all_inputs();
    let apps = build(&paths);
    for (path, conf) in &apps.savedsearches {
        let bad = savedsearches_violations(conf);
        assert!(bad.is_empty(), "{path}:\n{}", bad.join("\n"));
    }
    for (path, conf) in &apps.app_confs {
        let bad = app_conf_violations(conf);
        assert!(bad.is_empty(), "{path}:\n{}", bad.join("\n"));
    }
}

#[test]
fn pages_reach_pagerduty_through_the_pagerduty_app() {
    let (dir, _) = all_inputs();
    let apps = build(&[dir.path().join("routing.yaml")]);
    let (_, conf) = &apps.savedsearches[0];
    let alerts: Vec<_> = conf
        .iter()
        .filter(|(name, _)| name.contains(":burn:"))
        .collect();
    assert_eq!(alerts.len(), 4, "{:?}", conf.keys());
    for (name, keys) in alerts {
        let page = keys["alert.severity"] == "5";
        // Pages use the app's action (its global integration unless overridden in local/);
        // tickets go to the webhook and Slack, never to PagerDuty.
        assert_eq!(
            keys.get("action.pagerduty").map(String::as_str),
            page.then_some("1"),
            "{name}"
        );
        assert_eq!(keys.get("action.email").is_some(), page, "{name}");
        assert_eq!(keys.get("action.webhook").is_some(), !page, "{name}");
        // No key is ever written: the integration lives in the PagerDuty app or local/.
        assert!(!keys.keys().any(|k| k.contains("integration")), "{name}");
    }
    // The first PagerDuty service is reached only through the app's integration (set
    // outside sloxide); the second cannot be paged by the same search.
    let pd: Vec<&String> = apps
        .lossy
        .iter()
        .filter(|w| w.contains("PagerDuty"))
        .collect();
    assert_eq!(pd.len(), 2, "{pd:?}");
    assert!(pd[0].starts_with(
        "notify.page PagerDuty routing-primary: the searches page the PagerDuty app's global integration"
    ));
    assert_eq!(
        pd[1],
        "notify.page PagerDuty routing-secondary: the PagerDuty app's action takes one integration per search; only the first PagerDuty service is paged"
    );
}

#[test]
fn broken_copies_fail_the_contracts() {
    let (dir, _) = all_inputs();
    let apps = build(&[dir.path().join("routing.yaml")]);
    let (_, searches) = &apps.savedsearches[0];
    let (_, app) = &apps.app_confs[0];
    let alert = searches
        .keys()
        .find(|n| n.contains(":burn:page"))
        .unwrap()
        .clone();
    let broken_search = |f: &dyn Fn(&mut std::collections::BTreeMap<String, String>)| {
        let mut c = searches.clone();
        f(c.get_mut(&alert).unwrap());
        savedsearches_violations(&c)
    };
    let controls: [(&str, Vec<String>); 7] = [
        // A parameter the PagerDuty app does not read (Events v2 name).
        (
            "routing key",
            broken_search(&|k| {
                k.insert("action.pagerduty.param.routing_key".into(), "R0123".into());
            }),
        ),
        (
            "pagerduty yes",
            broken_search(&|k| {
                k.insert("action.pagerduty".into(), "yes".into());
            }),
        ),
        (
            "override not a URL",
            broken_search(&|k| {
                k.insert(
                    "action.pagerduty.param.integration_url_override".into(),
                    "not a url".into(),
                );
            }),
        ),
        (
            "email without to",
            broken_search(&|k| {
                k.remove("action.email.to");
            }),
        ),
        (
            "severity 7",
            broken_search(&|k| {
                k.insert("alert.severity".into(), "7".into());
            }),
        ),
        (
            "relation typo",
            broken_search(&|k| {
                k.insert("relation".into(), "greater_than".into());
            }),
        ),
        (
            "suspend period",
            broken_search(&|k| {
                k.insert("alert.suppress.period".into(), "1 hour".into());
            }),
        ),
    ];
    for (what, violations) in controls {
        assert!(
            !violations.is_empty(),
            "negative control `{what}` passed the contract"
        );
    }
    let broken_app = |f: &dyn Fn(&mut Conf)| {
        let mut c = app.clone();
        f(&mut c);
        app_conf_violations(&c)
    };
    for (what, violations) in [
        (
            "no build",
            broken_app(&|c| {
                c.get_mut("install").unwrap().remove("build");
            }),
        ),
        (
            "build 0",
            broken_app(&|c| {
                c.get_mut("install")
                    .unwrap()
                    .insert("build".into(), "0".into());
            }),
        ),
        (
            "unknown key",
            broken_app(&|c| {
                c.get_mut("ui")
                    .unwrap()
                    .insert("colour".into(), "red".into());
            }),
        ),
    ] {
        assert!(
            !violations.is_empty(),
            "negative control `{what}` passed the contract"
        );
    }
}
