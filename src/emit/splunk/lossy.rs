//! What the Splunk app cannot express of the spec (see [`crate::emit::Lossy`]): which
//! PagerDuty service a page reaches (the app's integration, set outside sloxide), and the
//! extra targets of alert actions that take only one per search.

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
        let mut pagerduty = 0;
        for target in targets {
            let what = match target {
                NotifyTarget::Pagerduty(p) => {
                    pagerduty += 1;
                    Some(if pagerduty > 1 {
                        format!(
                            "notify.{key} PagerDuty {p}: the PagerDuty app's action takes one integration per search; only the first PagerDuty service is paged"
                        )
                    } else {
                        format!(
                            "notify.{key} PagerDuty {p}: the searches page the PagerDuty app's global integration, which sloxide cannot point at {p} (it writes no keys); set action.pagerduty.param.integration_url_override to {p}'s integration in local/savedsearches.conf, or make it the app's global integration"
                        )
                    })
                }
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
