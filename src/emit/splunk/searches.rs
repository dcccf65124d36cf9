//! The saved searches of one SLO: burn-rate alerts, the daily SLO report, the dashboard
//! trend and (journey duration SLIs) the duration buckets.

use rust_decimal::Decimal;

use super::conf::Stanza;
use super::names;
use super::spl::{self, Source};
use crate::emit::naming;
use crate::model::{BurnRateAlert, Duration, NotifyTarget, Service, Severity, Slo};

/// A Splunk relative time modifier for `d` ago, snapped to `snap` (`-1h@m`).
fn ago(d: Duration, snap: &str) -> String {
    let span = if d.millis().is_multiple_of(60_000) {
        d.to_prom()
    } else {
        format!("{}s", d.secs().max(1))
    };
    format!("-{span}@{snap}")
}

/// How often an alert runs: about five times per short window, on a divisor of an hour,
/// but at most every 5 minutes (AppInspect flags searches scheduled over 12 times an hour).
fn cron(short: Duration) -> String {
    let target = short.secs() / 60 / 5;
    let every = [60, 30, 15, 10, 5]
        .into_iter()
        .find(|m| *m <= target)
        .unwrap_or(5);
    match every {
        60 => "0 * * * *".into(),
        n => format!("*/{n} * * * *"),
    }
}

/// A percentage number for charts (`99.995`).
fn pct(r: Decimal) -> String {
    spl::number(r * Decimal::ONE_HUNDRED)
}

/// The burn-rate alert search for one policy row.
pub fn alert(service: &Service, slo: &Slo, source: Source, alert: &BurnRateAlert) -> Stanza {
    let threshold = spl::number(slo.alert_threshold(alert));
    let budget = spl::number(slo.error_budget().0);
    let anchor = naming::burn_alert_anchor(slo, alert);
    let runbook = naming::runbook_url(service, &anchor);
    let severity = match alert.severity {
        Severity::Page => "page",
        Severity::Ticket => "ticket",
    };
    let min_events = slo.alerting.min_events.unwrap_or(1).max(1);
    let mut lines = spl::sli_pipeline(source, &slo.exclusions);
    lines.push(format!(
        "| eval sloxide_in_short=if(_time>=relative_time(now(),{}),1,0)",
        spl::string(&ago(alert.short_window, "m"))
    ));
    lines.push("| stats count AS total_long sum(sloxide_bad) AS bad_long sum(sloxide_in_short) AS total_short sum(eval(sloxide_bad*sloxide_in_short)) AS bad_short".into());
    lines.push("| fillnull value=0 bad_long total_short bad_short".into());
    lines.push(format!(
        "| eval error_ratio_long=if(total_long>0,bad_long/total_long,0), error_ratio_short=if(total_short>0,bad_short/total_short,0), threshold={threshold}, burn_rate_long=round(error_ratio_long/{budget},2), burn_rate_short=round(error_ratio_short/{budget},2)"
    ));
    lines.push(format!(
        "| where total_long>={min_events} AND error_ratio_long>threshold AND error_ratio_short>threshold"
    ));
    lines.push(format!(
        "| eval service={}, slo={}, severity={}, runbook={}",
        spl::string(&service.name),
        spl::string(&slo.name),
        spl::string(severity),
        spl::string(&runbook)
    ));
    lines.push("| table service slo severity burn_rate_long burn_rate_short threshold error_ratio_long error_ratio_short total_long bad_long total_short bad_short runbook".into());

    let mut s = Stanza::new(names::alert(service, slo, alert));
    s.text(
        "description",
        format!(
            "{}: error ratio above {} ({}x burn rate of the {} error budget) over both {} and {} ({severity}). Runbook: {runbook}",
            slo.title,
            threshold,
            spl::number(alert.burn_rate),
            slo.error_budget().percent(),
            alert.long_window,
            alert.short_window,
        ),
    );
    s.lines("search", lines);
    s.text("dispatch.earliest_time", ago(alert.long_window, "m"));
    s.text("dispatch.latest_time", "@m");
    s.text("enableSched", "1");
    s.text("cron_schedule", cron(alert.short_window));
    s.text("counttype", "number of events");
    s.text("relation", "greater than");
    s.text("quantity", "0");
    s.text(
        "alert.severity",
        match alert.severity {
            Severity::Page => "5",
            Severity::Ticket => "3",
        },
    );
    s.text("alert.track", "1");
    s.text("alert.digest_mode", "1");
    s.text("alert.suppress", "1");
    s.text("alert.suppress.period", alert.long_window.to_string());
    actions(&mut s, service.notify.for_severity(alert.severity), slo);
    s.text("disabled", "0");
    s
}

/// Alert actions for `targets`. Email and webhook are built into Splunk; Slack uses the
/// Splunk-built "Slack Notification Alert" app (action `slack`) and PagerDuty the
/// "PagerDuty App for Splunk" (`pagerduty_incidents`, action `pagerduty`); the last two
/// take one channel or integration per search.
fn actions(s: &mut Stanza, targets: &[NotifyTarget], slo: &Slo) {
    // Splunk expands `$...$` tokens in action parameters and has no escape for `$`, so a
    // title keeps its text but loses the dollar signs there.
    let title = slo.title.replace('$', "");
    let pick = |f: fn(&NotifyTarget) -> Option<&String>| -> Vec<&String> {
        targets.iter().filter_map(f).collect()
    };
    let emails = pick(|t| match t {
        NotifyTarget::Email(e) => Some(e),
        _ => None,
    });
    let webhooks = pick(|t| match t {
        NotifyTarget::Webhook(w) => Some(w),
        _ => None,
    });
    let slack = pick(|t| match t {
        NotifyTarget::Slack(c) => Some(c),
        _ => None,
    });
    let pagerduty = pick(|t| match t {
        NotifyTarget::Pagerduty(p) => Some(p),
        _ => None,
    });
    if !emails.is_empty() {
        let to: Vec<&str> = emails.iter().map(|e| e.as_str()).collect();
        s.text("action.email", "1");
        s.text("action.email.to", to.join(","));
        s.text(
            "action.email.subject",
            format!("[sloxide] {title} burning error budget: $name$"),
        );
        s.text("action.email.sendresults", "1");
        s.text("action.email.inline", "1");
    }
    if let Some((first, rest)) = webhooks.split_first() {
        s.text("action.webhook", "1");
        s.text("action.webhook.param.url", first.as_str());
        for w in rest {
            s.comments.push(format!(
                "webhook {w} not attached: Splunk's webhook action takes one URL per search"
            ));
        }
    }
    if let Some((first, rest)) = slack.split_first() {
        s.text("action.slack", "1");
        s.text("action.slack.param.channel", first.as_str());
        s.text(
            "action.slack.param.message",
            format!(
                "{title}: $name$ fired ($result.burn_rate_long$x burn rate). Runbook: $result.runbook$"
            ),
        );
        for c in rest {
            s.comments.push(format!(
                "Slack channel {c} not attached: the slack action takes one channel per search"
            ));
        }
    }
    if let Some((first, rest)) = pagerduty.split_first() {
        s.text("action.pagerduty", "1");
        s.comments.push(format!(
            "PagerDuty {first}: action of the PagerDuty App for Splunk (pagerduty_incidents); it pages the app's global integration unless action.pagerduty.param.integration_url_override is set for this search in local/savedsearches.conf"
        ));
        for p in rest {
            s.comments.push(format!(
                "PagerDuty {p} not attached: the pagerduty action takes one integration per search"
            ));
        }
    }
}

/// The daily SLO report over the SLO window: SLI, remaining budget and margin band.
pub fn report(service: &Service, slo: &Slo, source: Source) -> Stanza {
    let budget = spl::number(slo.error_budget().0);
    let mut lines = spl::sli_pipeline(source, &slo.exclusions);
    let mut stats = "| stats count AS total sum(sloxide_bad) AS bad".to_string();
    let mut columns = String::from("slo sli objective budget_remaining");
    if slo.bands.is_some() {
        columns.push_str(" band");
    }
    columns.push_str(" total bad");
    if let Source::Latency { percentiles, .. } = source {
        for p in percentiles {
            let name = p.label().replace('.', "_");
            stats.push_str(&format!(
                " perc{}(sloxide_duration) AS {name}",
                spl::number(p.0)
            ));
            columns.push(' ');
            columns.push_str(&name);
        }
    }
    lines.push(stats);
    lines.push("| fillnull value=0 bad".into());
    lines.push(format!(
        "| eval objective={}, sli=if(total>0,(total-bad)/total,null()), budget_remaining=if(total>0,1-(bad/total)/{budget},null())",
        spl::number(slo.objective.0)
    ));
    if let Some(b) = &slo.bands {
        lines.push(format!(
            "| eval band=case(isnull(sli),\"NO DATA\",sli{}{},\"GREEN\",sli{}{},\"RED\",true(),\"YELLOW\")",
            b.green.op.symbol(),
            spl::number(b.green.value.0),
            b.red.op.symbol(),
            spl::number(b.red.value.0)
        ));
    }
    lines.push(format!("| eval slo={}", spl::string(&slo.name)));
    lines.push(format!("| table {columns}"));
    let mut s = Stanza::new(names::report(service, slo));
    s.text(
        "description",
        format!(
            "{}: SLI, remaining error budget{} over the last {} (objective {}). Runbook: {}",
            slo.title,
            if slo.bands.is_some() {
                " and margin band"
            } else {
                ""
            },
            slo.window,
            slo.objective.percent(),
            naming::runbook_url(service, &naming::slo_anchor(slo))
        ),
    );
    s.lines("search", lines);
    s.text("dispatch.earliest_time", ago(slo.window, "d"));
    s.text("dispatch.latest_time", "@d");
    s.text("enableSched", "1");
    s.text("cron_schedule", "15 0 * * *");
    s.text("schedule_window", "auto");
    s.text("disabled", "0");
    s
}

/// The trend for dashboards: SLI per bucket against objective and bands, and the budget
/// remaining since the start of the time range.
pub fn trend(service: &Service, slo: &Slo, source: Source) -> Stanza {
    let budget = spl::number(slo.error_budget().0);
    let span = if slo.window <= Duration::from_secs(7 * 86_400) {
        "1h"
    } else {
        "4h"
    };
    let mut lines = spl::sli_pipeline(source, &slo.exclusions);
    lines.push(format!(
        "| timechart span={span} count AS total sum(sloxide_bad) AS bad"
    ));
    lines.push("| fillnull value=0 total bad".into());
    lines.push("| streamstats sum(bad) AS cum_bad sum(total) AS cum_total".into());
    let mut fields = String::from("_time total sli objective");
    let mut eval = format!(
        "| eval sli=if(total>0,round(100*(total-bad)/total,4),null()), objective={}",
        pct(slo.objective.0)
    );
    if let Some(b) = &slo.bands {
        eval.push_str(&format!(
            ", green={}, red={}",
            pct(b.green.value.0),
            pct(b.red.value.0)
        ));
        fields.push_str(" green red");
    }
    eval.push_str(&format!(
        ", budget_remaining=if(cum_total>0,round(100*(1-(cum_bad/cum_total)/{budget}),2),null())"
    ));
    fields.push_str(" budget_remaining");
    lines.push(eval);
    lines.push(format!("| fields {fields}"));
    let mut s = Stanza::new(names::trend(service, slo));
    s.text(
        "description",
        format!(
            "{}: SLI (%) per {span} against the objective{}, and error budget remaining (%) since the start of the range",
            slo.title,
            if slo.bands.is_some() { " and band thresholds" } else { "" }
        ),
    );
    s.lines("search", lines);
    s.text("dispatch.earliest_time", ago(slo.window, "d"));
    s.text("dispatch.latest_time", "now");
    s.text("enableSched", "0");
    s.text("disabled", "0");
    s
}

/// Share of journeys per duration bucket (relative to the threshold), for a pie chart.
pub fn buckets(service: &Service, slo: &Slo, source: Source, threshold: Duration) -> Stanza {
    let t = threshold.secs_decimal();
    let mut arms = vec![format!(
        "isnull(sloxide_duration),{}",
        spl::string(&format!("6: no end after {}", threshold.human()))
    )];
    let factors = [Decimal::new(5, 1), Decimal::ONE, Decimal::TWO, Decimal::TEN];
    for (i, f) in factors.into_iter().enumerate() {
        let limit = Duration::from_millis(
            u64::try_from((t * f * Decimal::from(1000)).round()).unwrap_or(u64::MAX),
        );
        arms.push(format!(
            "sloxide_duration<={},{}",
            spl::number(t * f),
            spl::string(&format!("{}: <= {}", i + 1, limit.human()))
        ));
    }
    let top = Duration::from_millis(threshold.millis().saturating_mul(10));
    arms.push(format!(
        "true(),{}",
        spl::string(&format!("5: > {}", top.human()))
    ));
    let mut lines = spl::sli_pipeline(source, &slo.exclusions);
    lines.push(format!("| eval duration_bucket=case({})", arms.join(",")));
    lines.push("| stats count AS journeys by duration_bucket".into());
    let mut s = Stanza::new(names::buckets(service, slo));
    s.text(
        "description",
        format!(
            "{}: journeys per duration bucket (threshold {})",
            slo.title,
            threshold.human()
        ),
    );
    s.lines("search", lines);
    s.text("dispatch.earliest_time", ago(slo.window, "d"));
    s.text("dispatch.latest_time", "now");
    s.text("enableSched", "0");
    s.text("disabled", "0");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_and_times() {
        assert_eq!(cron(Duration::from_secs(300)), "*/5 * * * *");
        assert_eq!(cron(Duration::from_secs(1800)), "*/5 * * * *");
        assert_eq!(cron(Duration::from_secs(3000)), "*/10 * * * *");
        assert_eq!(cron(Duration::from_secs(7200)), "*/15 * * * *");
        assert_eq!(cron(Duration::from_secs(21600)), "0 * * * *");
        assert_eq!(ago(Duration::from_secs(259_200), "m"), "-3d@m");
        assert_eq!(ago(Duration::from_millis(90_500), "m"), "-90s@m");
    }
}
