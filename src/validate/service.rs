//! Resolving a whole spec: service block, labels, notification targets, dependencies,
//! then journeys, SLIs and SLOs.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::{incident, journey, quantity, slo};
use crate::diag::Code;
use crate::model::{self, Dependency, Notify, NotifyTarget, Owners, Service};
use crate::span::Spanned;
use crate::spec::{self, Spec};

/// Label names the generated rules set themselves.
pub const RESERVED_LABELS: &[&str] = &[
    "service",
    "journey",
    "slo",
    "sli",
    "severity",
    "window",
    "alertname",
    "band",
];

/// Resolves one spec; `None` when it cannot produce a service (errors were reported).
pub fn resolve(ctx: &mut Ctx, spec: &Spec, spec_path: String) -> Option<Service> {
    let s = &spec.service;
    let labels = labels(ctx, &s.labels);
    let notify = notify(ctx, s.notify.as_ref());
    let runbook_base_url = base_url(
        ctx,
        s.runbook_base_url.as_ref(),
        "runbook_base_url",
        "write the base URL where runbooks are published, e.g. https://runbooks.example.com/payments",
    );
    let grafana_url = base_url(
        ctx,
        s.grafana_url.as_ref(),
        "grafana_url",
        "write the address of your Grafana, e.g. https://grafana.example.com",
    );
    let dependencies = dependencies(ctx, &spec.dependencies);
    let impact = incident::impact(ctx, spec.impact.as_ref(), &spec.journeys);
    let dep_names: Vec<String> = spec
        .dependencies
        .iter()
        .map(|d| d.name.value.0.clone())
        .collect();
    let journeys = journey::resolve_all(ctx, &spec.journeys, &dep_names, &dependencies, &impact);
    let slos = slo::resolve_all(ctx, spec, &journeys);
    let incident = incident::incident(ctx, spec.incident.as_ref());
    let error_budget_policy = spec
        .error_budget_policy
        .as_ref()
        .map(|p| model::ErrorBudgetPolicy {
            when_exhausted: p.when_exhausted.value.clone(),
            when_red: p.when_red.clone(),
            when_yellow: p.when_yellow.clone(),
            when_healthy: p.when_healthy.clone(),
        });
    let service = Service {
        name: s.name.value.0.clone(),
        title: s.title.clone().unwrap_or_else(|| s.name.value.0.clone()),
        description: s.description.clone(),
        spec_path,
        owners: Owners {
            product_owner: s.owners.product_owner.value.clone(),
            tech_lead: s.owners.tech_lead.value.clone(),
            team: s.owners.team.as_ref().map(|t| t.value.clone()),
        },
        labels,
        notify,
        runbook_base_url,
        grafana_url,
        dependencies,
        journeys,
        slos: slos?,
        impact,
        incident,
        error_budget_policy,
    };
    super::sentry::reachable(ctx, &s.name, &service);
    Some(service)
}

fn labels(ctx: &mut Ctx, raw: &spec::Labels) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in &raw.0 {
        let name = &key.value;
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with("__");
        if !valid {
            ctx.error(
                Code::LabelName,
                key.span,
                format!("`{name}` is not a valid label name"),
                "label with this name",
                "label names are letters, digits and _, not starting with a digit or __",
            );
        } else if RESERVED_LABELS.contains(&name.as_str()) || name.starts_with("sloxide") {
            ctx.error(
                Code::LabelName,
                key.span,
                format!("label `{name}` is reserved"),
                "set by sloxide itself",
                format!(
                    "sloxide sets {} on every rule; choose another label name",
                    RESERVED_LABELS.join(", ")
                ),
            );
        } else {
            out.insert(name.clone(), value.value.clone());
        }
    }
    out
}

fn notify(ctx: &mut Ctx, raw: Option<&spec::Notify>) -> Notify {
    let Some(raw) = raw else {
        return Notify::default();
    };
    Notify {
        page: raw.page.iter().filter_map(|t| target(ctx, t)).collect(),
        ticket: raw.ticket.iter().filter_map(|t| target(ctx, t)).collect(),
    }
}

/// A base URL field (`runbook_base_url`, `grafana_url`): an http(s) URL without a
/// trailing `/`, or an error at it.
fn base_url(
    ctx: &mut Ctx,
    url: Option<&Spanned<String>>,
    field: &str,
    help: &str,
) -> Option<String> {
    let url = url?;
    let no_space = !url.value.contains(char::is_whitespace);
    if no_space && (url.value.starts_with("https://") || url.value.starts_with("http://")) {
        Some(url.value.trim_end_matches('/').to_owned())
    } else {
        ctx.error(
            Code::NotifyTarget,
            url.span,
            format!("{field} is not an http(s) URL"),
            "not a URL",
            help,
        );
        None
    }
}

fn target(ctx: &mut Ctx, t: &spec::NotifyTarget) -> Option<NotifyTarget> {
    let no_space = |v: &str| !v.trim().is_empty() && !v.contains(char::is_whitespace);
    let (value, ok, help) = match t {
        spec::NotifyTarget::Pagerduty(v) => (
            v,
            no_space(&v.value) && v.value.len() <= 80,
            "name the PagerDuty service or routing-key reference: at most 80 characters, without spaces",
        ),
        spec::NotifyTarget::Slack(v) => (
            v,
            is_slack_channel(&v.value),
            "Slack channels start with # and use lowercase letters, digits, - and _",
        ),
        spec::NotifyTarget::Email(v) => (
            v,
            is_email(&v.value),
            "write one address such as sre@example.com",
        ),
        spec::NotifyTarget::Webhook(v) => (
            v,
            is_https_url(&v.value),
            "webhooks must be https:// URLs with a host, e.g. https://hooks.example.com/slo",
        ),
    };
    if !ok {
        ctx.error(
            Code::NotifyTarget,
            value.span,
            format!("malformed notification target `{}`", value.value),
            "not usable as a target",
            help,
        );
        return None;
    }
    let v = value.value.clone();
    Some(match t {
        spec::NotifyTarget::Pagerduty(_) => NotifyTarget::Pagerduty(v),
        spec::NotifyTarget::Slack(_) => NotifyTarget::Slack(v),
        spec::NotifyTarget::Email(_) => NotifyTarget::Email(v),
        spec::NotifyTarget::Webhook(_) => NotifyTarget::Webhook(v),
    })
}

/// Whether `s` is a Slack channel name: `#` then 1–80 of `a-z0-9-_`.
pub fn is_slack_channel(s: &str) -> bool {
    s.strip_prefix('#').is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 80
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    })
}

/// An e-mail address. Alertmanager expands `to` as a Go template, so braces are refused.
fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(user), Some(domain), None)
        if !user.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace) && !s.contains(['"', '<', '>', ',', '{', '}']))
}

/// An `https://` URL that Alertmanager and Splunk parse: a host of letters, digits, `.`
/// and `-` (with an optional `:port`), no white space, and every `%` starting an escape.
fn is_https_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = authority.split_once(':').unwrap_or((authority, "0"));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    let bytes = s.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    host_ok && port_ok && escapes_ok && !s.contains(char::is_whitespace)
}

fn dependencies(ctx: &mut Ctx, raw: &[spec::Dependency]) -> Vec<Dependency> {
    ctx.unique_names("dependency", raw.iter().map(|d| &d.name));
    raw.iter()
        .filter_map(|d| {
            let sla = quantity::percent(ctx, &d.sla, "SLA")?;
            Some(Dependency {
                name: d.name.value.0.clone(),
                title: d.title.clone().unwrap_or_else(|| d.name.value.0.clone()),
                sla,
                scope: d.scope,
            })
        })
        .collect()
}
