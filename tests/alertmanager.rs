//! The Alertmanager routing file against the real Alertmanager 0.25 tools (Debian's
//! `prometheus-alertmanager`): `amtool check-config` accepts it, `amtool config routes
//! test` sends every Prometheus alert of the examples to exactly the receiver of its
//! service and severity, that receiver holds exactly the targets the spec names, and the
//! real Alertmanager inhibits an SLO's tickets while its page fires.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sloxide::emit::{self, Options, Target};
use sloxide::model::{Model, NotifyTarget};

mod common;

/// What an e-mail target needs from the configuration it is merged into.
const GLOBAL: &str =
    "global:\n  smtp_smarthost: localhost:25\n  smtp_from: alertmanager@example.com\n";

fn tool(name: &str) -> Command {
    common::debian_tool(name, "prometheus-alertmanager")
}

fn examples() -> Model {
    common::examples_model()
}

fn built(model: &Model) -> BTreeMap<String, String> {
    common::emitted(model, &[Target::Prometheus, Target::Alertmanager])
}

/// The routing file with the global section an e-mail target needs, in `dir`.
fn config_in(dir: &Path, routing: &str) -> PathBuf {
    let path = dir.join("alertmanager.yml");
    std::fs::write(&path, format!("{GLOBAL}{routing}")).unwrap();
    path
}

/// Every alert rule's labels in the service rule files.
fn alerts(files: &BTreeMap<String, String>) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    for (path, text) in files {
        if !path.ends_with(".rules.yml") || path.contains("sloxide.windows") {
            continue;
        }
        let doc: Value = serde_saphyr::from_str(text).unwrap();
        for group in doc["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                if let Some(name) = rule["alert"].as_str() {
                    let labels = rule["labels"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                        .collect();
                    out.push((name.to_owned(), labels));
                }
            }
        }
    }
    out
}

/// The receiver `amtool config routes test` picks for an alert, checked against
/// `expected` with `--verify.receivers` (exit 1 on a mismatch).
fn route(config: &Path, labels: &BTreeMap<String, String>, expected: &str) -> Result<(), String> {
    let out = tool("amtool")
        .args(["config", "routes", "test"])
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--verify.receivers={expected}"))
        .args(labels.iter().map(|(k, v)| format!("{k}={v}")))
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{labels:?}: expected {expected}, amtool says {}",
            String::from_utf8_lossy(&out.stdout).trim()
        ))
    }
}

#[test]
fn amtool_accepts_the_routing_file() {
    let files = built(&examples());
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), &files["alertmanager/sloxide.alertmanager.yml"]);
    common::run(
        tool("amtool").arg("check-config").arg(&config),
        "amtool check-config",
    );
    // Negative control: a route to a receiver that does not exist is refused.
    let broken = config_in(
        dir.path(),
        &files["alertmanager/sloxide.alertmanager.yml"].replacen(
            "receiver: sloxide/hello-api/page",
            "receiver: nobody",
            1,
        ),
    );
    let out = tool("amtool")
        .arg("check-config")
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success(), "an undefined receiver must fail");
}

#[test]
fn every_alert_reaches_exactly_the_receivers_its_spec_names() {
    let model = examples();
    let files = built(&model);
    let routing = &files["alertmanager/sloxide.alertmanager.yml"];
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), routing);
    let alerts = alerts(&files);
    assert!(
        alerts.len() > 40,
        "the examples have {} alerts",
        alerts.len()
    );
    let mut failures = Vec::new();
    for (name, labels) in &alerts {
        let mut labels = labels.clone();
        labels.insert("alertname".into(), name.clone());
        let expected = format!("sloxide/{}/{}", labels["service"], labels["severity"]);
        if let Err(e) = route(&config, &labels, &expected) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "misrouted:\n{}", failures.join("\n"));

    // Each receiver holds exactly the spec's targets of that severity.
    let doc: Value = serde_saphyr::from_str(routing).unwrap();
    let receivers: BTreeMap<&str, &Value> = doc["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r))
        .collect();
    let routed: BTreeSet<&str> = alerts.iter().map(|(_, l)| l["service"].as_str()).collect();
    for service in model
        .services
        .iter()
        .filter(|s| routed.contains(s.name.as_str()))
    {
        for (severity, targets) in [
            ("page", &service.notify.page),
            ("ticket", &service.notify.ticket),
        ] {
            let want: BTreeSet<String> = targets
                .iter()
                .map(|t| match t {
                    NotifyTarget::Pagerduty(k) => format!("pagerduty {k}"),
                    NotifyTarget::Slack(c) => format!("slack {c}"),
                    NotifyTarget::Email(a) => format!("email {a}"),
                    NotifyTarget::Webhook(u) => format!("webhook {u}"),
                })
                .collect();
            let r = receivers[format!("sloxide/{}/{severity}", service.name).as_str()];
            let list = |key: &str| r[key].as_array().cloned().unwrap_or_default();
            let mut got = BTreeSet::new();
            for c in list("pagerduty_configs") {
                let file = c["routing_key_file"].as_str().unwrap();
                assert!(file.starts_with("/etc/alertmanager/secrets/sloxide-pagerduty/"));
                got.insert(format!("pagerduty {}", file.rsplit('/').next().unwrap()));
            }
            for c in list("slack_configs") {
                let channel = c["channel"].as_str().unwrap();
                assert_eq!(
                    c["api_url_file"].as_str().unwrap(),
                    format!("/etc/alertmanager/secrets/sloxide-slack/{}", &channel[1..])
                );
                got.insert(format!("slack {channel}"));
            }
            for c in list("email_configs") {
                got.insert(format!("email {}", c["to"].as_str().unwrap()));
            }
            for c in list("webhook_configs") {
                got.insert(format!("webhook {}", c["url"].as_str().unwrap()));
            }
            assert_eq!(got, want, "{}/{severity}", service.name);
        }
    }
}

#[test]
fn alerts_that_are_not_sloxide_s_stay_with_the_rest_of_the_tree() {
    let files = built(&examples());
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), &files["alertmanager/sloxide.alertmanager.yml"]);
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // Another team's alert with the same service label but no SLO of this build.
    let other = labels(&[
        ("alertname", "DiskFull"),
        ("service", "hello-api"),
        ("severity", "page"),
    ]);
    route(&config, &other, "sloxide-unrouted").unwrap();
    // Negative control: with the page and ticket receivers of a service swapped, the
    // routing test must fail.
    let swapped = files["alertmanager/sloxide.alertmanager.yml"]
        .replace("receiver: sloxide/hello-api/page", "receiver: SWAP")
        .replace(
            "receiver: sloxide/hello-api/ticket",
            "receiver: sloxide/hello-api/page",
        )
        .replace("receiver: SWAP", "receiver: sloxide/hello-api/ticket");
    let swapped = config_in(dir.path(), &swapped);
    let page = labels(&[
        ("alertname", "AvailabilityBurnRatePage1h"),
        ("service", "hello-api"),
        ("slo", "availability"),
        ("severity", "page"),
    ]);
    assert!(route(&swapped, &page, "sloxide/hello-api/page").is_err());
}

/// A running Alertmanager on 127.0.0.1, stopped on drop.
struct Alertmanager {
    child: std::process::Child,
    port: u16,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Alertmanager {
    fn start(config: &Path, data: &Path) -> Alertmanager {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = tool("prometheus-alertmanager")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let am = Alertmanager { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while am.http("GET", "/-/ready", "").is_err() {
            assert!(
                Instant::now() < deadline,
                "alertmanager did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        am
    }

    /// One HTTP/1.0 request on loopback; the body of a 2xx answer.
    fn http(&self, method: &str, path: &str, body: &str) -> Result<String, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).map_err(|e| e.to_string())?;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        if head.starts_with("HTTP/1.0 2") || head.starts_with("HTTP/1.1 2") {
            Ok(body.to_owned())
        } else {
            Err(head.lines().next().unwrap_or("").to_owned())
        }
    }
}

/// (state, number of inhibiting alerts, receiver) of an alert.
type Status = Option<(String, usize, String)>;

/// Posts a page and a ticket of one SLO and a ticket of another to a real Alertmanager
/// running `routing`; returns their statuses once the first ticket is suppressed, or
/// after `settle` once all three are listed (at most 20 s).
fn inhibition(routing: &str, settle: Duration) -> [Status; 3] {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), routing);
    let am = Alertmanager::start(&config, &dir.path().join("data"));
    // Services whose receivers only read secret files that do not exist here: nothing
    // leaves the machine (and the test ends before any group_wait).
    let alert = |name: &str, service: &str, slo: &str, severity: &str| json!({"labels": {"alertname": name, "service": service, "slo": slo, "severity": severity}});
    let names = [
        "AvailabilityBurnRateTicket1d",
        "AvailabilityBurnRatePage1h",
        "RepaymentLatencyBurnRateTicket3d",
    ];
    let alerts = json!([
        alert(names[1], "hello-api", "availability", "page"),
        alert(names[0], "hello-api", "availability", "ticket"),
        alert(names[2], "card-platform", "repayment-latency", "ticket"),
    ]);
    am.http("POST", "/api/v2/alerts", &alerts.to_string())
        .expect("alerts accepted");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut listed_since: Option<Instant> = None;
    loop {
        let listed: Value =
            serde_json::from_str(&am.http("GET", "/api/v2/alerts", "").unwrap()).unwrap();
        let status = |name: &str| -> Status {
            listed
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["labels"]["alertname"] == name)
                .map(|a| {
                    (
                        a["status"]["state"].as_str().unwrap_or("").to_owned(),
                        a["status"]["inhibitedBy"].as_array().map_or(0, Vec::len),
                        a["receivers"][0]["name"].as_str().unwrap_or("").to_owned(),
                    )
                })
        };
        let statuses = names.map(status);
        if statuses.iter().all(Option::is_some) {
            listed_since.get_or_insert_with(Instant::now);
        }
        let suppressed = statuses[0].as_ref().is_some_and(|t| t.0 == "suppressed");
        if suppressed
            || listed_since.is_some_and(|t| t.elapsed() >= settle)
            || Instant::now() > deadline
        {
            return statuses;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_firing_page_inhibits_the_tickets_of_its_slo_only() {
    // The receivers read their keys from an empty directory: even an Alertmanager that
    // outlived the test could notify nobody.
    let secrets = tempfile::tempdir().unwrap();
    let options = Options {
        alertmanager_secrets: Some(secrets.path().to_string_lossy().into_owned()),
        ..Options::default()
    };
    let out = emit::emit(&examples(), &[Target::Alertmanager], &options);
    let routing = &out.files[0].contents;
    assert!(routing.contains(&format!("{}/sloxide-pagerduty/", secrets.path().display())));
    let s =
        |state: &str, by: usize, receiver: &str| Some((state.to_owned(), by, receiver.to_owned()));
    let [ticket, page, other] = inhibition(routing, Duration::from_secs(20));
    assert_eq!(
        ticket,
        s("suppressed", 1, "sloxide/hello-api/ticket"),
        "the ticket of a paging SLO is inhibited"
    );
    assert_eq!(page, s("active", 0, "sloxide/hello-api/page"));
    assert_eq!(
        other,
        s("active", 0, "sloxide/card-platform/ticket"),
        "another SLO's ticket is not inhibited"
    );
    // Negative control: without the inhibit rules the same ticket stays active.
    let cut = routing.find("inhibit_rules:").expect("inhibit rules");
    let [ticket, _, _] = inhibition(&routing[..cut], Duration::from_secs(2));
    assert_eq!(ticket, s("active", 0, "sloxide/hello-api/ticket"));
}

#[test]
fn the_secrets_directory_is_an_absolute_plain_path_from_the_command_line() {
    use common::bin::{code, sloxide, stderr};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let build = |secrets: &str| {
        sloxide(&[
            "build",
            "examples/quickstart.yaml",
            "-o",
            out.to_str().unwrap(),
            "--target",
            "alertmanager",
            "--alertmanager-secrets",
            secrets,
        ])
    };
    let o = build("/run/secrets/");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let routing =
        std::fs::read_to_string(out.join("alertmanager/sloxide.alertmanager.yml")).unwrap();
    assert!(
        routing.contains("routing_key_file: /run/secrets/sloxide-pagerduty/hello-api-primary"),
        "{routing}"
    );
    for bad in ["relative/dir", "/etc/../root", "/a b", "/x\"y"] {
        let o = build(bad);
        assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
    }
}
