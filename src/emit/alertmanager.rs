//! The Alertmanager backend: routes every Prometheus alert sloxide generates to the
//! people its service's `notify` names (`alertmanager/sloxide.alertmanager.yml`).
//!
//! One route per service, matching the alerts by `service` and the names of the service's
//! SLOs that have Prometheus alerts (so other alerts carrying the same `service` label
//! are left to the rest of the routing tree), with one child route per severity: `page`
//! to the receiver of `notify.page`, `ticket` to that of `notify.ticket`. While a page
//! of an SLO fires, the same SLO's tickets are inhibited. Secrets are never written:
//! PagerDuty routing keys and Slack API URLs are read by Alertmanager from files under
//! the secrets directory (`*_file` fields; Alertmanager does not expand environment
//! variables in its configuration). Field names and checks follow prometheus/alertmanager
//! v0.25.0 (`config/config.go`, `config/notifiers.go` at 258fab7c); the file is checked
//! with the real `amtool` in `tests/alertmanager.rs`.

use serde::Serialize;

use super::prometheus::{alerting_slos, severity_label};
use super::yaml::to_yaml;
use super::{Emitted, Lossy, Options, OutputFile, Target};
use crate::model::{Model, NotifyTarget, Service, Severity};

/// Path of the generated file.
pub const PATH: &str = "alertmanager/sloxide.alertmanager.yml";
/// Default directory Alertmanager reads the routing keys and Slack URLs from (where the
/// Prometheus Operator mounts an Alertmanager's `secrets`).
pub const DEFAULT_SECRETS: &str = "/etc/alertmanager/secrets";
/// The root route's receiver in the generated file: it notifies nobody. Merged into an
/// existing configuration, the service routes sit under its root route instead.
const UNROUTED: &str = "sloxide-unrouted";

#[derive(Serialize)]
struct Config {
    route: Route,
    receivers: Vec<Receiver>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inhibit_rules: Vec<Inhibit>,
}

#[derive(Serialize, Default)]
struct Route {
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_by: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<Route>,
}

#[derive(Serialize, Default)]
struct Receiver {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<PagerDuty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<Slack>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<Email>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<Webhook>,
}

#[derive(Serialize)]
struct PagerDuty {
    routing_key_file: String,
}

#[derive(Serialize)]
struct Slack {
    api_url_file: String,
    channel: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Email {
    to: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Webhook {
    url: String,
}

#[derive(Serialize)]
struct Inhibit {
    source_matchers: Vec<String>,
    target_matchers: Vec<String>,
    equal: Vec<&'static str>,
}

/// How one severity is grouped and repeated: a page is sent within 30 s and repeated
/// every 4 hours while it fires; tickets wait 5 minutes (so a page that fires at the same
/// time inhibits them first) and repeat daily.
struct Timing {
    wait: &'static str,
    interval: &'static str,
    repeat: &'static str,
}

fn timing(severity: Severity) -> Timing {
    match severity {
        Severity::Page => Timing {
            wait: "30s",
            interval: "5m",
            repeat: "4h",
        },
        Severity::Ticket => Timing {
            wait: "5m",
            interval: "1h",
            repeat: "1d",
        },
    }
}

/// Emits the routing file for every service with Prometheus alerts.
pub fn emit(model: &Model, options: &Options, out: &mut Emitted) {
    let secrets = options
        .alertmanager_secrets
        .as_deref()
        .unwrap_or(DEFAULT_SECRETS)
        .trim_end_matches('/');
    let mut config = Config {
        route: Route {
            receiver: Some(UNROUTED.to_owned()),
            ..Route::default()
        },
        receivers: vec![Receiver {
            name: UNROUTED.to_owned(),
            ..Receiver::default()
        }],
        inhibit_rules: Vec::new(),
    };
    for service in &model.services {
        let slos: Vec<&str> = alerting_slos(service).map(|s| s.name.as_str()).collect();
        if slos.is_empty() {
            continue;
        }
        let scope = vec![
            matcher("service", "=", &service.name),
            matcher("slo", "=~", &slos.join("|")),
        ];
        let mut route = Route {
            matchers: scope.clone(),
            group_by: vec!["service", "slo"],
            ..Route::default()
        };
        for severity in [Severity::Page, Severity::Ticket] {
            let targets = service.notify.for_severity(severity);
            if targets.is_empty() {
                continue;
            }
            let name = receiver_name(&service.name, severity);
            let t = timing(severity);
            route.routes.push(Route {
                receiver: Some(name.clone()),
                matchers: vec![matcher("severity", "=", severity_label(severity))],
                group_wait: Some(t.wait),
                group_interval: Some(t.interval),
                repeat_interval: Some(t.repeat),
                ..Route::default()
            });
            config.receivers.push(receiver(name, targets, secrets));
        }
        config.inhibit_rules.push(Inhibit {
            source_matchers: with(&scope, matcher("severity", "=", "page")),
            target_matchers: with(&scope, matcher("severity", "=", "ticket")),
            equal: vec!["service", "slo", "journey"],
        });
        config.route.routes.push(route);
    }
    if config.route.routes.is_empty() {
        return;
    }
    let header = format!(
        "Generated by sloxide. Do not edit: change the specs and rebuild.\n\
         Routes the Prometheus alerts of this build to each service's notify targets.\n\
         Merge route.routes, receivers (except {UNROUTED}) and inhibit_rules into your\n\
         alertmanager.yml; e-mail targets need global smtp_smarthost and smtp_from there.\n\
         Secrets are read from files under {secrets}: sloxide-pagerduty/<key> holds a\n\
         PagerDuty Events API v2 routing key, sloxide-slack/<channel> a Slack API URL."
    );
    match to_yaml(&header, &config) {
        Ok(contents) => out.files.push(OutputFile {
            path: PATH.to_owned(),
            contents,
        }),
        Err(e) => out.errors.push(format!("{PATH}: {e}")),
    }
}

/// Severities of `service` whose Prometheus alerts this backend cannot route: no
/// notification target is named for them, so they go to the receiver of the route above
/// (the existing configuration's default).
pub fn lossy(service: &Service) -> Vec<Lossy> {
    if alerting_slos(service).next().is_none() {
        return Vec::new();
    }
    [Severity::Page, Severity::Ticket]
        .into_iter()
        .filter(|s| service.notify.for_severity(*s).is_empty())
        .map(|s| Lossy {
            target: Target::Alertmanager,
            service: service.name.clone(),
            slo: None,
            what: format!(
                "no notify.{0} target: its {0} alerts are not routed by sloxide and reach the default receiver of the Alertmanager configuration",
                severity_label(s)
            ),
        })
        .collect()
}

/// Receiver name of one service and severity, e.g. `sloxide/payments/page`.
pub fn receiver_name(service: &str, severity: Severity) -> String {
    format!("sloxide/{service}/{}", severity_label(severity))
}

fn receiver(name: String, targets: &[NotifyTarget], secrets: &str) -> Receiver {
    let mut r = Receiver {
        name,
        ..Receiver::default()
    };
    for t in targets {
        match t {
            NotifyTarget::Pagerduty(key) => r.pagerduty_configs.push(PagerDuty {
                routing_key_file: format!("{secrets}/sloxide-pagerduty/{}", secret_key(key)),
            }),
            NotifyTarget::Slack(channel) => r.slack_configs.push(Slack {
                api_url_file: format!(
                    "{secrets}/sloxide-slack/{}",
                    secret_key(channel.trim_start_matches('#'))
                ),
                channel: channel.clone(),
                send_resolved: true,
            }),
            NotifyTarget::Email(to) => r.email_configs.push(Email {
                to: to.clone(),
                send_resolved: true,
            }),
            NotifyTarget::Webhook(url) => r.webhook_configs.push(Webhook { url: url.clone() }),
        }
    }
    r
}

fn with(scope: &[String], m: String) -> Vec<String> {
    let mut out = scope.to_vec();
    out.push(m);
    out
}

/// One Alertmanager matcher, `name op "value"`, with the value quoted as Alertmanager's
/// matcher parser reads it (`pkg/labels/parse.go`: `\\`, `\"` and `\n` are the escapes).
fn matcher(name: &str, op: &str, value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    format!("{name}{op}\"{quoted}\"")
}

/// A secret reference as a file name that is also a valid Kubernetes Secret key
/// (`[-._a-zA-Z0-9]+`): letters, digits, `-` and `_` stay, every other byte becomes `.`
/// and two hex digits, so the name never contains `/`, never is `.` or `..`, and two
/// references never share a file.
pub fn secret_key(reference: &str) -> String {
    let mut out = String::with_capacity(reference.len());
    for b in reference.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!(".{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_stay_inside_their_directory() {
        assert_eq!(secret_key("hello-api_primary"), "hello-api_primary");
        assert_eq!(secret_key("../etc/passwd"), ".2E.2E.2Fetc.2Fpasswd");
        assert_eq!(secret_key("."), ".2E");
        assert_ne!(secret_key("a.b"), secret_key("a_b"));
        assert_ne!(secret_key("a/b"), secret_key("a.2Fb"));
    }

    #[test]
    fn matcher_values_cannot_end_their_quotes() {
        assert_eq!(matcher("service", "=", "pay"), r#"service="pay""#);
        assert_eq!(matcher("x", "=", "a\"b\\c\n"), r#"x="a\"b\\c\n""#);
    }
}
