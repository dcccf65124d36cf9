#!/usr/bin/env python3
"""Pyrra's Prometheus rule set for the benchmark SLOs, in the shape `pyrra generate` writes.

Follows pyrra-dev/pyrra at commit 1ba95afbf90b2311cb9332b1633cf09218b7de9f (2026-08-03):
  - slo/rules.go   Windows() (windows scaled from 28d, rounded to the minute, factors
                   14/7/2/1, for: = window/(28*24*30) ...), burnratesFromWindows(),
                   Burnrates() (group <name>, interval 30s: <metric>:burnrate<w> and four
                   ErrorBudgetBurn alerts), IncreaseRules() / increaseInterval() (group
                   <name>-increase, 2m30s for a 28d..34d window: <metric>:increase<window>
                   and SLOMetricAbsent), increaseRulesRatio(), increaseRuleLatency()
  - slo/slo.go     Exhausts(), AbsentDuration(), AlertName() defaults
  - slo/promql.go  groupingLabels() (labels only in the errors selector, minus le)
  - filesystem.go  writeRuleFile(): groups [increase, burnrates], sigs.k8s.io/yaml output
                   (keys in alphabetical order)
  - slo/rules_test.go  TestObjective_Burnrates / TestObjective_IncreaseRules expectations
                       (this file reproduces their http-ratio and http-latency cases; run
                       `pyrra.py --selftest`)

Per SLO (ServiceLevelObjective name <svc>-<kind>, target "99.9", window 30d, default
alerting: burnrates and absent on, no pyrra.dev/ labels, no --generic-rules, no
performanceOverAccuracy, no --external-url):
  <name>-increase (interval 2m30s)
      availability: http_requests:increase30d = sum by (code) (increase(total[30d])), SLOMetricAbsent
      latency:      http_request_duration_seconds:increase30d over _count and over
                    _bucket{le} (label le), two SLOMetricAbsent
  <name> (interval 30s)
      <metric>:burnrate{5m,32m,1h4m,2h9m,6h26m,1d1h43m,4d6h51m}
      ErrorBudgetBurn x4: 5m&1h4m >14x for 2m, 32m&6h26m >7x for 16m (critical),
                          2h9m&1d1h43m >2x for 1h4m, 6h26m&4d6h51m >1x for 3h13m (warning)

Usage: pyrra.py OUTDIR --services N [--kind availability|latency|mixed] | pyrra.py --selftest
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slo_yaml import bench_slo, check_roundtrip, dump, go_duration, go_float, prom_duration  # noqa: E402

NS = 1_000_000_000
MINUTE = 60 * NS


def go_round(d, m):
    """time.Duration.Round(m) for positive d: halfway values round away from zero."""
    r = d % m
    return d - r + m if r + r >= m else d - r


def windows(slo_window_s):
    """slo/rules.go Windows(): integer nanosecond division, then Round(time.Minute)."""
    w = slo_window_s * NS
    r = lambda d: go_round(d, MINUTE) // NS  # noqa: E731  (seconds)
    return [
        {"severity": "critical", "for": r(w // (28 * 24 * 30)), "long": r(w // (28 * 24)),
         "short": r(w // (28 * 24 * 12)), "factor": 14},
        {"severity": "critical", "for": r(w // (28 * 24 * 4)), "long": r(w // (28 * 4)),
         "short": r(w // (28 * 24 * 2)), "factor": 7},
        {"severity": "warning", "for": r(w // (28 * 24)), "long": r(w // 28),
         "short": r(w // (28 * 12)), "factor": 2},
        {"severity": "warning", "for": r(w // (28 * 8)), "long": r(w // 7),
         "short": r(w // (28 * 4)), "factor": 1},
    ]


def increase_interval(slo_window_s):
    day = 86400
    for limit, iv in ((7, 30), (14, 60), (21, 90), (28, 120), (35, 150), (42, 180), (49, 210)):
        if slo_window_s < limit * day:
            return iv
    return 240


_SEL = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$')
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def parse_selector(sel):
    m = _SEL.match(sel.strip())
    name, body = m.group(1), m.group(2)
    matchers, pos = [], 0
    while pos < len(body):
        mm = _MATCHER.match(body, pos)
        if not mm:
            raise ValueError(f"cannot parse selector {sel!r}")
        matchers.append((mm.group(1), mm.group(2), mm.group(3)))
        pos = mm.end()
    return name, matchers


def render(name, matchers):
    # promql/parser VectorSelector.String(): matcher strings sorted
    return name + "{" + ",".join(sorted(f'{n}{op}"{v}"' for n, op, v in matchers)) + "}"


def trim(metric, suffixes):
    for s in suffixes:
        if metric.endswith(s):
            metric = metric[: -len(s)]
    return metric


def sum_by(grouping, inner):
    return f"sum by ({', '.join(grouping)}) ({inner})" if grouping else f"sum({inner})"


def objective_groups(name, target_pct, window_s, kind, total, errors, latency_for_style=None):
    """The two rule groups of one objective. kind: ratio (total/errors selectors) or
    latency (total = _count selector, errors = success _bucket{le} selector)."""
    target = target_pct / 100
    tstr = go_float(target)  # strconv.FormatFloat(o.Target, 'f', -1, 64)
    tname, tm = parse_selector(total)
    ename, em = parse_selector(errors)
    rule_labels = {"slo": name}
    for n, op, v in tm:
        if op == "=":
            rule_labels[n] = v
    ws = windows(window_s)
    wstr = prom_duration(window_s)
    burn_metric = trim(tname, ["_total", "_count"])

    # ---- <name>-increase
    t_names = {n for n, _, _ in tm}
    grouping = {n for n, _, _ in em if n not in t_names and n != "le"}  # groupingLabels()
    grouping |= {n for n, op, _ in tm if op in ("=~", "!~")}
    grouping = sorted(grouping)
    inc_labels = {k: v for k, v in rule_labels.items() if k not in grouping}
    inc_rules = []
    absent_for = absent_duration(ws[0], target)
    if kind == "ratio":
        inc_rules.append({
            "expr": sum_by(grouping, f"increase({render(tname, tm)}[{wstr}])"),
            "labels": dict(sorted(inc_labels.items())),
            "record": f"{trim(tname, ['_total', '_count', '_bucket'])}:increase{wstr}",
        })
        inc_rules.append({
            "alert": "SLOMetricAbsent",
            "expr": f"absent({render(tname, tm)}) == 1",
            "for": prom_duration(absent_for),
            "labels": dict(sorted({**inc_labels, "severity": "critical"}.items())),
        })
        # errors metric == total metric here, so no second increase rule (increaseRulesRatio)
        assert ename == tname
    else:
        le = next(v for n, _, v in em if n == "le")
        le_labels = dict(sorted({**inc_labels, "le": le}.items()))
        rec = f"{trim(tname, ['_total', '_count', '_bucket'])}:increase{wstr}"
        inc_rules.append({"expr": sum_by(grouping, f"increase({render(tname, tm)}[{wstr}])"),
                          "labels": dict(sorted(inc_labels.items())), "record": rec})
        inc_rules.append({"expr": sum_by(grouping, f"increase({render(ename, em)}[{wstr}])"),
                          "labels": le_labels,
                          "record": f"{trim(ename, ['_total', '_count', '_bucket'])}:increase{wstr}"})
        inc_rules.append({"alert": "SLOMetricAbsent", "expr": f"absent({render(tname, tm)}) == 1",
                          "for": prom_duration(absent_for),
                          "labels": dict(sorted({**inc_labels, "severity": "critical"}.items()))})
        inc_rules.append({"alert": "SLOMetricAbsent", "expr": f"absent({render(ename, em)}) == 1",
                          "for": prom_duration(absent_for),
                          "labels": dict(sorted({**le_labels, "severity": "critical"}.items()))})

    # ---- <name> (burnrates)
    rates = sorted({w[k] for w in ws for k in ("short", "long")})
    br_rules = []
    for r in rates:
        rs = prom_duration(r)
        if kind == "ratio":
            expr = (f"sum(rate({render(ename, em)}[{rs}])) / "
                    f"sum(rate({render(tname, tm)}[{rs}]))")
        else:
            expr = (f"(sum(rate({render(tname, tm)}[{rs}])) - "
                    f"sum(rate({render(ename, em)}[{rs}]))) / "
                    f"sum(rate({render(tname, tm)}[{rs}]))")
        br_rules.append({"expr": expr, "labels": dict(sorted(rule_labels.items())),
                         "record": f"{burn_metric}:burnrate{rs}"})
    alert_matchers = [f'{n}{op}"{v}"' for n, op, v in tm if op not in ("=~", "!~")]
    alert_matchers.append(f'slo="{name}"')
    am = ",".join(sorted(alert_matchers))
    for w in ws:
        labels = dict(rule_labels)
        labels.update({"short": prom_duration(w["short"]), "long": prom_duration(w["long"]),
                       "severity": w["severity"],
                       "exhaustion": prom_duration(int(window_s / w["factor"]))})
        # Ratio prints For with time.Duration.String() (2m0s), Latency with model.Duration (2m)
        fr = go_duration(w["for"]) if kind == "ratio" else prom_duration(w["for"])
        f = "%.f" % w["factor"]
        br_rules.append({
            "alert": "ErrorBudgetBurn",
            "expr": (f"{burn_metric}:burnrate{prom_duration(w['short'])}{{{am}}} > ({f} * (1-{tstr})) and "
                     f"{burn_metric}:burnrate{prom_duration(w['long'])}{{{am}}} > ({f} * (1-{tstr}))"),
            "for": fr,
            "labels": dict(sorted(labels.items())),
        })
    return [
        {"interval": prom_duration(increase_interval(window_s)), "name": f"{name}-increase",
         "rules": inc_rules},
        {"interval": "30s", "name": name, "rules": br_rules},
    ]


def absent_duration(most_critical, target):
    """slo.go AbsentDuration(): factor*(1-target)*long (truncated to s) + for, Round(minute)."""
    threshold = most_critical["factor"] * (1 - target)
    d = int(threshold * most_critical["long"]) * NS + most_critical["for"] * NS
    return go_round(d, MINUTE) // NS


def slo_name(slo):
    return f"{slo['service']}-{slo['kind']}"


def rule_file(slo, window_s=30 * 86400):
    """One generated file (pyrra generate writes one per ServiceLevelObjective file)."""
    if slo["kind"] == "availability":
        groups = objective_groups(slo_name(slo), slo["objective"], window_s, "ratio",
                                  slo["total"], slo["errors"])
    else:
        groups = objective_groups(slo_name(slo), slo["objective"], window_s, "latency",
                                  slo["count"], slo["bucket"])
    doc = {"groups": groups}
    text = dump(doc) + "\n"
    check_roundtrip(text, doc)
    return text


def selftest():
    """Compare with slo/rules_test.go (target 99, window 28d) and the 30d windows."""
    ws = windows(28 * 86400)
    assert [(w["short"], w["long"], w["for"]) for w in ws] == [
        (300, 3600, 120), (1800, 21600, 900), (7200, 86400, 3600), (21600, 4 * 86400, 10800)]
    w30 = [(prom_duration(w["short"]), prom_duration(w["long"]), prom_duration(w["for"]))
           for w in windows(30 * 86400)]
    assert w30 == [("5m", "1h4m", "2m"), ("32m", "6h26m", "16m"),
                   ("2h9m", "1d1h43m", "1h4m"), ("6h26m", "4d6h51m", "3h13m")], w30
    inc, br = objective_groups("monitoring-http-errors", 99, 28 * 86400, "ratio",
                               'http_requests_total{job="thanos-receive-default"}',
                               'http_requests_total{job="thanos-receive-default",code=~"5.."}')
    assert inc["interval"] == "2m30s" and inc["name"] == "monitoring-http-errors-increase"
    assert inc["rules"][0]["expr"] == 'sum by (code) (increase(http_requests_total{job="thanos-receive-default"}[4w]))'
    assert inc["rules"][0]["record"] == "http_requests:increase4w"
    assert inc["rules"][1]["for"] == "10m"
    assert br["rules"][0]["expr"] == 'sum(rate(http_requests_total{code=~"5..",job="thanos-receive-default"}[5m])) / sum(rate(http_requests_total{job="thanos-receive-default"}[5m]))'
    assert [r["record"] for r in br["rules"][:7]] == [f"http_requests:burnrate{w}" for w in
                                                      ("5m", "30m", "1h", "2h", "6h", "1d", "4d")]
    a = br["rules"][7]
    assert a["expr"] == 'http_requests:burnrate5m{job="thanos-receive-default",slo="monitoring-http-errors"} > (14 * (1-0.99)) and http_requests:burnrate1h{job="thanos-receive-default",slo="monitoring-http-errors"} > (14 * (1-0.99))'
    assert a["for"] == "2m0s"
    assert a["labels"] == {"severity": "critical", "job": "thanos-receive-default", "long": "1h",
                           "slo": "monitoring-http-errors", "short": "5m", "exhaustion": "2d"}
    assert [r["labels"]["exhaustion"] for r in br["rules"][7:]] == ["2d", "4d", "2w", "4w"]
    assert [r["for"] for r in br["rules"][7:]] == ["2m0s", "15m0s", "1h0m0s", "3h0m0s"]
    inc, br = objective_groups("monitoring-http-latency", 99.5, 28 * 86400, "latency",
                               'http_request_duration_seconds_count{job="metrics-service-thanos-receive-default",code=~"2.."}',
                               'http_request_duration_seconds_bucket{job="metrics-service-thanos-receive-default",code=~"2..",le="1"}')
    assert br["rules"][0]["expr"] == '(sum(rate(http_request_duration_seconds_count{code=~"2..",job="metrics-service-thanos-receive-default"}[5m])) - sum(rate(http_request_duration_seconds_bucket{code=~"2..",job="metrics-service-thanos-receive-default",le="1"}[5m]))) / sum(rate(http_request_duration_seconds_count{code=~"2..",job="metrics-service-thanos-receive-default"}[5m]))'
    assert [r.get("record") or r["alert"] for r in inc["rules"]] == [
        "http_request_duration_seconds:increase4w", "http_request_duration_seconds:increase4w",
        "SLOMetricAbsent", "SLOMetricAbsent"]
    assert inc["rules"][0]["expr"] == 'sum by (code) (increase(http_request_duration_seconds_count{code=~"2..",job="metrics-service-thanos-receive-default"}[4w]))'
    assert inc["rules"][1]["expr"] == 'sum by (code) (increase(http_request_duration_seconds_bucket{code=~"2..",job="metrics-service-thanos-receive-default",le="1"}[4w]))'
    assert inc["rules"][1]["labels"] == {"job": "metrics-service-thanos-receive-default",
                                         "slo": "monitoring-http-latency", "le": "1"}
    assert inc["rules"][2]["for"] == "6m"
    assert br["rules"][7]["for"] == "2m"
    assert br["rules"][7]["expr"] == 'http_request_duration_seconds:burnrate5m{job="metrics-service-thanos-receive-default",slo="monitoring-http-latency"} > (14 * (1-0.995)) and http_request_duration_seconds:burnrate1h{job="metrics-service-thanos-receive-default",slo="monitoring-http-latency"} > (14 * (1-0.995))'
    assert [r["for"] for r in br["rules"][7:]] == ["2m", "15m", "1h", "3h"]
    print("pyrra.py selftest: ok (rules_test.go http-ratio / http-latency cases, 30d windows)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--services", type=int)
    ap.add_argument("--kind", default="availability", choices=["availability", "latency", "mixed"])
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    if a.selftest:
        selftest()
        return
    os.makedirs(a.outdir, exist_ok=True)
    for s in range(a.services):
        svc = f"svc-{s:03d}"
        kind = a.kind if a.kind != "mixed" else ("availability", "latency")[s % 2]
        slo = bench_slo(svc, kind)
        with open(os.path.join(a.outdir, f"{slo_name(slo)}.yaml"), "w") as f:
            f.write(rule_file(slo))


if __name__ == "__main__":
    main()
