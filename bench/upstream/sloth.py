#!/usr/bin/env python3
"""Sloth's Prometheus rule set for the benchmark SLOs, in the shape `sloth generate` writes.

Follows slok/sloth at commit 0e395d81513ff701f5d27b7aa47d794cb764fd5e (v0.16.0, 2026-04-04):
  - test/integration/prometheus/testdata/out-base.yaml.tpl   (golden output, 30d, default windows)
  - internal/plugin/slo/core/sli_rules_v1/plugin.go          (SLI recordings, "optimized" 30d rule)
  - internal/plugin/slo/core/metadata_rules_v1/plugin.go     (7 metadata recordings)
  - internal/plugin/slo/core/alert_rules_v1/plugin.go        (page + ticket MWMB alerts, template)
  - internal/alert/windows/google-30d.yaml                   (2%/5%/10%/10% -> 14.4, 6, 3, 1)
  - internal/storage/io/std_prometheus.go                    (file header, group order)
  - pkg/common/utils/prometheus/prometheus.go                (LabelSet.String() filters, model.Duration)

Per SLO (prometheus/v1 spec, service=<svc>, slo=<kind>, objective 99.9, default 30d period,
alerting.name set, page and ticket enabled), three groups:
  sloth-slo-sli-recordings-<id>   slo:sli_error:ratio_rate{5m,30m,1h,2h,6h,1d,3d} from the
                                  events queries, plus the optimized ratio_rate30d
                                  (sum_over_time/count_over_time of ratio_rate5m over 30d)
  sloth-slo-meta-recordings-<id>  objective, error budget, time period, current and period
                                  burn rate, period error budget remaining, sloth_slo_info
  sloth-slo-alerts-<id>           <AlertName> page  (5m&1h > 14.4x) or (30m&6h > 6x)
                                  <AlertName> ticket (2h&1d > 3x)  or (6h&3d  > 1x)
Latency is written as Sloth users write it (examples/kubernetes-apiserver.yml): an events
SLI whose error_query is `sum(rate(<_count>[w])) - sum(rate(<_bucket{le}>[w]))`.

Not reproduced byte for byte: go-yaml v2 folds long plain scalars near column 80; this
file keeps them on one line (same YAML value). Everything Prometheus evaluates (group
names, record/alert names, expressions, labels) is the same text Sloth emits.

Usage: sloth.py OUTDIR --services N [--kind availability|latency|mixed]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slo_yaml import bench_slo, check_roundtrip, dump, go_float, prom_duration  # noqa: E402

SLOTH_VERSION = "v0.16.0"
W = "{{.window}}"  # conventions.TplSLIQueryWindowVarName, rendered per window
PERIOD_S = 30 * 86400
# internal/alert/windows/google-30d.yaml: (severity, quick/slow, budget %, short, long)
WINDOWS = {
    "page": [(2, 5 * 60, 3600), (5, 30 * 60, 6 * 3600)],
    "ticket": [(10, 2 * 3600, 86400), (10, 6 * 3600, 3 * 86400)],
}


def burn_factor(budget_pct, long_s):
    # internal/alert/window.go getBurnRateFactor: (budget%/100 * period hours) / long hours
    return (budget_pct / 100 * (PERIOD_S / 3600)) / (long_s / 3600)


def sli_windows():
    ws = sorted({w for pairs in WINDOWS.values() for _, s, l in pairs for w in (s, l)})
    return ws  # 5m 30m 1h 2h 6h 1d 3d (MWMBAlertGroup.TimeDurationWindows)


def label_filter(labels):
    # prommodel.LabelSet.String(): sorted, `, ` separated
    return "{" + ", ".join(f'{k}="{labels[k]}"' for k in sorted(labels)) + "}"


def queries(slo):
    """(error_query, total_query) as a Sloth user writes them, with the {{.window}} variable."""
    if slo["kind"] == "availability":
        return (f"sum(rate({slo['errors']}[{W}]))", f"sum(rate({slo['total']}[{W}]))")
    return (
        f"sum(rate({slo['count']}[{W}])) - sum(rate({slo['bucket']}[{W}]))",
        f"sum(rate({slo['count']}[{W}]))",
    )


def alert_name(slo):
    return "HighErrorRate" if slo["kind"] == "availability" else "HighLatency"


def slo_groups(slo):
    sid = f"{slo['service']}-{slo['slo']}"
    ids = {"sloth_id": sid, "sloth_service": slo["service"], "sloth_slo": slo["slo"]}
    flt = label_filter(ids)
    err_q, tot_q = queries(slo)
    sli = []
    for w in sli_windows():
        ws = prom_duration(w)
        sli.append({
            "record": f"slo:sli_error:ratio_rate{ws}",
            # eventsSLIRecordGenerator: "(%s)\n/\n(%s)\n"
            "expr": f"({err_q.replace(W, ws)})\n/\n({tot_q.replace(W, ws)})\n",
            "labels": dict(sorted({**ids, "sloth_window": ws}.items())),
        })
    pw = prom_duration(PERIOD_S)
    sli.append({
        "record": f"slo:sli_error:ratio_rate{pw}",
        # optimizedSLIRecordGenerator (default: sli_rules_v1 disableOptimized=false)
        "expr": (f"sum_over_time(slo:sli_error:ratio_rate5m{flt}[{pw}])\n"
                 f"/ ignoring (sloth_window)\n"
                 f"count_over_time(slo:sli_error:ratio_rate5m{flt}[{pw}])\n"),
        "labels": dict(sorted({**ids, "sloth_window": pw}.items())),
    })
    obj = slo["objective"] / 100
    burn_tpl = ("{m}{f}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                "slo:error_budget:ratio{f}\n")
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({go_float(obj)})", "labels": ids},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{go_float(obj)})", "labels": ids},
        {"record": "slo:time_period:days", "expr": f"vector({go_float(PERIOD_S / 86400)})", "labels": ids},
        {"record": "slo:current_burn_rate:ratio",
         "expr": burn_tpl.format(m="slo:sli_error:ratio_rate5m", f=flt), "labels": ids},
        {"record": "slo:period_burn_rate:ratio",
         "expr": burn_tpl.format(m=f"slo:sli_error:ratio_rate{pw}", f=flt), "labels": ids},
        {"record": "slo:period_error_budget_remaining:ratio",
         "expr": f"1 - slo:period_burn_rate:ratio{flt}", "labels": ids},
        {"record": "sloth_slo_info", "expr": "vector(1)", "labels": dict(sorted({
            **ids, "sloth_version": SLOTH_VERSION, "sloth_mode": "cli-gen-prom",
            "sloth_spec": "prometheus/v1", "sloth_objective": go_float(slo["objective"])}.items()))},
    ]
    eb = go_float((100 - slo["objective"]) / 100)
    alerts = []
    for sev in ("page", "ticket"):
        (qb, qs, ql), (sb, ss, sl) = WINDOWS[sev]
        qf, sf = go_float(burn_factor(qb, ql)), go_float(burn_factor(sb, sl))
        m = lambda w: f"slo:sli_error:ratio_rate{prom_duration(w)}"  # noqa: E731
        expr = (
            "(\n"
            f"    max({m(qs)}{flt} > ({qf} * {eb})) without (sloth_window)\n"
            "    and\n"
            f"    max({m(ql)}{flt} > ({qf} * {eb})) without (sloth_window)\n"
            ")\n"
            "or\n"
            "(\n"
            f"    max({m(ss)}{flt} > ({sf} * {eb})) without (sloth_window)\n"
            "    and\n"
            f"    max({m(sl)}{flt} > ({sf} * {eb})) without (sloth_window)\n"
            ")\n"
        )
        alerts.append({
            "alert": alert_name(slo),
            "expr": expr,
            "labels": {"sloth_severity": sev},
            "annotations": {
                "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.",
                "title": f"({sev}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} SLO error budget burn rate is too fast.",
            },
        })
    return [
        {"name": f"sloth-slo-sli-recordings-{sid}", "rules": sli},
        {"name": f"sloth-slo-meta-recordings-{sid}", "rules": meta},
        {"name": f"sloth-slo-alerts-{sid}", "rules": alerts},
    ]


def rule_file(slos):
    """One generated file (one Sloth spec file = one service) for `slos`."""
    doc = {"groups": [g for slo in slos for g in slo_groups(slo)]}
    text = (f"\n---\n# Code generated by Sloth ({SLOTH_VERSION}): https://github.com/slok/sloth.\n"
            f"# DO NOT EDIT.\n\n" + dump(doc) + "\n")
    check_roundtrip(text, doc)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--services", type=int, required=True)
    ap.add_argument("--kind", default="availability", choices=["availability", "latency", "mixed"])
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for s in range(a.services):
        svc = f"svc-{s:03d}"
        kind = a.kind if a.kind != "mixed" else ("availability", "latency")[s % 2]
        with open(os.path.join(a.outdir, f"{svc}.yml"), "w") as f:
            f.write(rule_file([bench_slo(svc, kind)]))


if __name__ == "__main__":
    main()
