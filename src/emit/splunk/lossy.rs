//! What the Splunk app cannot express of the spec (see [`crate::emit::Lossy`]): targets
//! without a standard alert action, and extra targets of actions that take only one.

use crate::emit::{Lossy, Target};
use crate::model::{NotifyTarget, Service, Severity};

/// The losses of `service`'s Splunk alerts (none when no SLO has a Splunk source).
pub fn lossy(service: &Service) -> Vec<Lossy> {
    if !service.slos.iter().any(|slo| super::source(slo).is_some()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for severity in [Severity::Page, Severity::Ticket] {
        let key = match severity {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        };
        let targets = service.notify.for_severity(severity);
        let mut webhooks = 0;
        let mut slack = 0;
        for target in targets {
            let what = match target {
                NotifyTarget::Pagerduty(p) => Some(format!(
                    "notify.{key} PagerDuty {p}: Splunk has no standard PagerDuty alert action; the alerts carry it as a comment to wire up with the PagerDuty app, and page no one until then"
                )),
                NotifyTarget::Webhook(w) => {
                    webhooks += 1;
                    (webhooks > 1).then(|| format!(
                        "notify.{key} webhook {w}: Splunk's webhook action takes one URL per search; only the first webhook is notified"
                    ))
                }
                NotifyTarget::Slack(c) => {
                    slack += 1;
                    (slack > 1).then(|| format!(
                        "notify.{key} Slack {c}: the Slack action takes one channel per search; only the first channel is notified"
                    ))
                }
                NotifyTarget::Email(_) => None,
            };
            out.extend(what.map(|what| Lossy {
                target: Target::Splunk,
                service: service.name.clone(),
                slo: None,
                what,
            }));
        }
    }
    out
}
