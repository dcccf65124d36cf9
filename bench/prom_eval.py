#!/usr/bin/env python3
"""Helpers of bench/prometheus_eval.sh (see its header): synthetic data, backfill,
exporter, measurement and report. Subcommands:

  plan      PARAMS  --services --series --kind --days --scrape --specs DIR --sloth DIR --pyrra DIR
  backfill  PARAMS  --work DIR --sets sloxide,sloth --rules set=DIR ... --phase bulk|tail
                    (tail also fixes the scenario anchor: --anchor-in SECONDS)
  exporter  PARAMS  PORTFILE
  compacted DIR...  --timeout S   (wait until no data directory has overlapping blocks)
  measure   PARAMS  SERVERS --warm S --rounds N --window S

The synthetic model is a deterministic function of wall-clock time: per service a daily
sinusoid of traffic (per instance 1-3 req/s) and a piecewise-constant error fraction, so
counters have closed forms: the backfill, the recordings computed from it and the live
exporter all agree to the sample.
"""

import argparse
import glob
import http.server
import json
import math
import os
import queue
import re
import socketserver
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "upstream"))
import pyrra  # noqa: E402
import sloth  # noqa: E402
from slo_yaml import bench_slo, prom_duration  # noqa: E402

OMEGA = 2 * math.pi / 86400
AMP = 0.25              # traffic: rate = R * (1 + AMP * sin(OMEGA t + phase))
BASE_FRAC = 0.0001      # error fraction of every non-scenario service: 0.1x burn at 99.9%
BLOCK_S = 54 * 3600     # promtool --max-block-duration: the largest range a 60d-retention
                        # Prometheus compacts to (max block = retention/10 = 6d -> 54h)
EVAL = 30               # rule evaluation interval (global), backfill cadence of recordings
OBJECTIVE = 99.9
BUDGET = 1 - OBJECTIVE / 100
LATENCY_LES = ["0.1", "0.3", "1", "+Inf"]   # threshold 0.3 s

# Scenario services: (index, description, [(start relative to anchor s, fraction)]).
# The anchor is the planned end of the measurement (when alerts are read).
SCENARIOS = [
    (0, "full outage for the last 15m", [(-15 * 60, 1.0)]),
    (1, "20x burn for the last 2h", [(-2 * 3600, 20 * BUDGET)]),
    (2, "3.5x burn for the last 1d", [(-86400, 3.5 * BUDGET)]),
    (3, "0.9x burn for 30d (just inside)", [(None, 0.9 * BUDGET)]),
]

# Recordings each set reads over long ranges: name -> (counter, kind, period s).
#   E/B/G: events, bad-event and good-event (E - B) counters of the SLO. Values at an
#   evaluation time t:
#   total:   X(t)                            every P s (P = 30: every evaluation)
#   rate:    (X(t) - X(t-P)) / P             every 30 s
#   ratio:   (B(t)-B(t-P)) / (E(t)-E(t-P))   every 30 s
# X counts from the start of the history, as a total does from the first evaluation.
GENERATORS = {
    "sloxide": {
        # one recording per kind of count, the two counts told apart by a label; which two
        # an SLO records (events/errors, good/errors, events/good) is read from its total's rule
        "slo:sli_counts:total": [({"sloxide_count": "events"}, ("E", "total", 30)),
                                 ({"sloxide_count": "errors"}, ("B", "total", 30)),
                                 ({"sloxide_count": "good"}, ("G", "total", 30))],
    },
    "sloth": {"slo:sli_error:ratio_rate5m": ("R", "ratio", 300)},
    "pyrra": {},
}

# Recordings of a shared group (no labels of their own) that copy another recording's
# series: name -> (the recording whose label sets they carry, generator).
COPIES = {
    "sloxide": {
        "slo:sli_counts:checkpoint1h": ("slo:sli_counts:total", {"events": ("E", "total", 3600),
                                                                "errors": ("B", "total", 3600),
                                                                "good": ("G", "total", 3600)}),
    },
}


def sloxide_counts(group):
    """The two values of sloxide_count an SLO's counts carry, from its total's rule."""
    for r in group["rules"]:
        if r.get("record") == "slo:sli_counts:total":
            return set(re.findall(r'"sloxide_count", "(\w+)"', str(r["expr"])))
    return None


# The counts each SLO of a set records, from its group: group -> set of labels, or None.
COUNTS_OF = {"sloxide": sloxide_counts}


def log(*a):
    print(*a, flush=True)


# ----------------------------------------------------------------------------- model

class Slo:
    def __init__(self, d, origin):
        self.d = d
        self.service, self.kind = d["service"], d["kind"]
        self.rates = d["rates"]
        self.rsum = sum(self.rates)
        self.phase = d["phase"]
        self.origin = origin
        self.cphase0 = math.cos(OMEGA * origin + self.phase)
        segs = sorted(d["segments"], key=lambda s: s[0])   # [(from, frac)], first from = origin
        self.bounds = [max(origin, s[0]) for s in segs]
        self.fracs = [s[1] for s in segs]
        self.gcum = [0.0]
        for k in range(1, len(self.bounds)):
            self.gcum.append(self.gcum[-1] + self.fracs[k - 1] * (self.F(self.bounds[k]) - self.F(self.bounds[k - 1])))

    def F(self, t):
        """Integral of (1 + AMP sin(OMEGA u + phase)) du from origin to t."""
        return (t - self.origin) - AMP / OMEGA * (math.cos(OMEGA * t + self.phase) - self.cphase0)

    def G(self, t, f=None):
        """Integral of the same times the error fraction."""
        f = self.F(t) if f is None else f
        k = 0
        for i, b in enumerate(self.bounds):
            if b <= t:
                k = i
        return self.gcum[k] + self.fracs[k] * (f - self.F(self.bounds[k]))

    def FG(self, ts):
        """F and G over an increasing list of times."""
        fs, gs = [], []
        fb = [self.F(b) for b in self.bounds]
        k, nb = 0, len(self.bounds)
        for t in ts:
            while k + 1 < nb and self.bounds[k + 1] <= t:
                k += 1
            f = self.F(t)
            fs.append(f)
            gs.append(self.gcum[k] + self.fracs[k] * (f - fb[k]))
        return fs, gs

    # raw series: (metric, labels, a, b); the counter value at t is a F(t) + b G(t)
    def series(self):
        out = []
        for i, r in enumerate(self.rates):
            base = f'job="{self.service}",instance="i-{i}"'
            if self.kind == "availability":
                out.append(("http_requests_total", base + ',code="200"', r, -r))
                out.append(("http_requests_total", base + ',code="500"', 0.0, r))
            else:
                m = "http_request_duration_seconds"
                out.append((m + "_bucket", base + ',le="0.1"', 0.7 * r, -0.7 * r))
                out.append((m + "_bucket", base + ',le="0.3"', r, -r))
                out.append((m + "_bucket", base + ',le="1"', r, -0.5 * r))
                out.append((m + "_bucket", base + ',le="+Inf"', r, 0.0))
                out.append((m + "_count", base, r, 0.0))
        return out

    def ratio(self, t, w, since=None):
        """Ideal error ratio over (t-w, t], or over (since, t] when the history is shorter."""
        lo = t - w if since is None else max(t - w, since)
        e = self.F(t) - self.F(lo)
        return (self.G(t) - self.G(lo)) / e if e > 0 else float("nan")


def load_params(path):
    p = json.load(open(path))
    p["slo_objs"] = [Slo(d, p["origin"]) for d in p["slos"]]
    return p


def scenario_segments(p, anchor):
    for d in p["slos"]:
        idx = int(d["service"].split("-")[1])
        d["segments"] = [[p["origin"], BASE_FRAC]]
        for si, _, segs in SCENARIOS:
            if si == idx:
                d["segments"] = [[p["origin"] if rel is None else anchor + rel, f] for rel, f in segs]
                if segs[0][0] is not None:
                    d["segments"].insert(0, [p["origin"], BASE_FRAC])


# ------------------------------------------------------------------------------ plan

def sloxide_spec(svc, kind):
    slo = bench_slo(svc, kind)
    if kind == "availability":
        sli = (f"    ratio:\n      prometheus:\n        total: {slo['total']}\n"
               f"        bad: {slo['errors']}\n")
    else:
        sli = (f"    latency:\n      threshold: 300ms\n      prometheus:\n"
               f"        histogram: http_request_duration_seconds{{job=\"{svc}\"}}\n"
               f"        buckets: [0.1, 0.3, 1]\n")
    return f"""apiVersion: sloxide/v1
service:
  name: {svc}
  owners: {{ product_owner: P, tech_lead: T }}
  notify:
    page: [ {{ pagerduty: {svc} }} ]
    ticket: [ {{ slack: "#{svc}" }} ]
slis:
  - name: {kind}
{sli}slos:
  - name: {kind}
    sli: {kind}
    objective: 99.9%
"""


def cmd_plan(a):
    now = int(time.time())
    start = (now - int(a.days * 86400)) // 3600 * 3600
    slos = []
    for s in range(a.services):
        svc = f"svc-{s:03d}"
        kind = a.kind if a.kind != "mixed" else ("availability", "latency")[s % 2]
        n = max(1, a.series // (2 if kind == "availability" else 5))
        rates = [1.0 + ((s * 7 + i * 3) % 5) * 0.5 for i in range(n)]
        slos.append({"service": svc, "kind": kind, "rates": rates,
                     "phase": (s * 0.61803) % (2 * math.pi), "segments": [[start - 7200, BASE_FRAC]]})
        os.makedirs(a.specs, exist_ok=True)
        with open(os.path.join(a.specs, f"{svc}.yaml"), "w") as f:
            f.write(sloxide_spec(svc, kind))
        os.makedirs(a.sloth, exist_ok=True)
        with open(os.path.join(a.sloth, f"{svc}.yml"), "w") as f:
            f.write(sloth.rule_file([bench_slo(svc, kind)]))
        os.makedirs(a.pyrra, exist_ok=True)
        ps = bench_slo(svc, kind)
        with open(os.path.join(a.pyrra, f"{pyrra.slo_name(ps)}.yaml"), "w") as f:
            f.write(pyrra.rule_file(ps))
    p = {"start": start, "origin": start - 7200, "split": (now - 60) // EVAL * EVAL,
         "scrape": a.scrape, "days": a.days, "kind": a.kind, "series_per_slo": a.series,
         "slos": slos, "scenario_services": [f"svc-{i:03d}" for i, _, _ in SCENARIOS if i < a.services]}
    json.dump(p, open(a.params, "w"), indent=1)
    raw_series = sum(len(Slo(d, p["origin"]).series()) for d in slos)
    log(f"plan: {a.services} services x 1 {a.kind} SLO, {raw_series} raw series "
        f"(availability: code 200|500 per instance; latency: 4 buckets + _count), history from {time.strftime('%Y-%m-%d %H:%M', time.gmtime(start))} UTC, scrape {a.scrape}s")


# ------------------------------------------------------------------------- rule sets

def load_rule_groups(dirs):
    import yaml
    groups = []
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "**", "*.y*ml"), recursive=True)):
            doc = yaml.load(open(f), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
            groups += doc.get("groups", [])
    return groups


RANGE_RE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*(?:\[[^\]]+\]|offset\b)")


def backfill_targets(set_name, rule_dir, slos_by_key, verbose=True):
    """(record, labels, slo, generator) for every recording of the set that the backfill
    knows how to compute, with the label set read from the generated rule."""
    groups = load_rule_groups([rule_dir])
    gens = GENERATORS[set_name]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    long_reads = set()
    for g in groups:
        for r in g["rules"]:
            for m in RANGE_RE.finditer(str(r["expr"])):
                if m.group(1) in recorded:
                    long_reads.add(m.group(1))
    out, seen = [], set()
    for g in groups:
        for r in g["rules"]:
            name = r.get("record")
            if name not in gens or name not in long_reads or name in COPIES.get(set_name, {}):
                continue
            labels = {str(k): str(v) for k, v in (r.get("labels") or {}).items()}
            if " by " in str(r["expr"]) or " by(" in str(r["expr"]):
                log(f"  warning: {name} aggregates 'by' labels; backfill uses the rule labels only")
            svc = labels.get("service") or labels.get("sloth_service")
            kind = labels.get("slo") if "slo" in labels and "sloth_slo" not in labels else labels.get("sloth_slo")
            slo = slos_by_key.get((svc, kind))
            if slo is None:
                raise SystemExit(f"{set_name}: cannot map {name}{labels} to a synthetic SLO")
            variants = gens[name] if isinstance(gens[name], list) else [({}, gens[name])]
            counted = COUNTS_OF.get(set_name, lambda g: None)(g)
            if counted is not None:
                variants = [v for v in variants if v[0].get("sloxide_count") in counted]
            for extra, gen in variants:
                full = {**labels, **extra}
                key = (name, tuple(sorted(full.items())))
                if key not in seen:
                    seen.add(key)
                    out.append((name, full, slo, gen))
    for name, (source, gens_by_count) in COPIES.get(set_name, {}).items():
        if name not in long_reads:
            continue
        for src, labels, slo, _ in [t for t in out if t[0] == source]:
            out.append((name, labels, slo, gens_by_count[labels["sloxide_count"]]))
    names = sorted({t[0] for t in out})
    missing = sorted(long_reads - set(names))
    if verbose:
        log(f"  {set_name}: backfilled (recorded and read over a range or offset): {', '.join(names) or 'none'}")
        if missing:
            log(f"  {set_name}: WARNING read over ranges/offsets but not backfilled: {', '.join(missing)}")
    return out


# -------------------------------------------------------------------------- backfill

def fmt_labels(labels):
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


class Importer:
    """Runs promtool on finished OpenMetrics files in a background thread (one at a time),
    deleting each file after import; at most `depth` files wait on disk."""

    def __init__(self, depth=4):
        self.q = queue.Queue(maxsize=depth)
        self.err = None
        self.proc = None
        self.samples = 0
        self.busy = 0.0
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while True:
            item = self.q.get()
            if item is None:
                return
            path, out = item
            t0 = time.time()
            self.proc = subprocess.Popen(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                                          f"--max-block-duration={BLOCK_S // 3600}h", path, out],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            o, _ = self.proc.communicate()
            self.busy += time.time() - t0
            if self.proc.returncode != 0 and self.err is None:
                self.err = f"promtool failed on {path}: {o[-3000:]}"
            self.proc = None
            os.remove(path)

    def put(self, path, out):
        if self.err:
            raise SystemExit(self.err)
        self.q.put((path, out))

    def close(self):
        self.q.put(None)
        self.t.join()
        if self.err:
            raise SystemExit(self.err)


def write_raw(f, slos, lo, hi, step):
    """Raw counters of `slos` on the scrape lattice in [lo, hi)."""
    t0 = -(-lo // step) * step
    ts = list(range(t0, hi, step))
    if not ts:
        return 0
    sfx = [f" {t}\n" for t in ts]
    n = 0
    fams = [("http_requests", "counter", [s for s in slos if s.kind == "availability"]),
            ("http_request_duration_seconds", "histogram", [s for s in slos if s.kind == "latency"])]
    for fam, typ, members in fams:
        if not members:
            continue
        f.write(f"# HELP {fam} Synthetic.\n# TYPE {fam} {typ}\n")
        for s in members:
            fs, gs = s.FG(ts)
            for metric, lab, a, b in s.series():
                head = f"{metric}{{{lab}}} "
                f.write("".join([f"{head}{a * x + b * y:.3f}{z}" for x, y, z in zip(fs, gs, sfx)]))
                n += len(ts)
    return n


def write_recordings(f, targets, lo, hi):
    """Recordings on the 30 s evaluation lattice (phase 0) in [lo, hi)."""
    t0 = -(-lo // EVAL) * EVAL
    ts = list(range(t0, hi, EVAL))
    if not ts:
        return 0
    back = 3600 // EVAL
    lattice = list(range(t0 - 3600, hi, EVAL))
    cache = {}
    n = 0
    by_name = {}
    for t in targets:
        by_name.setdefault(t[0], []).append(t)
    for name in sorted(by_name):
        f.write(f"# HELP {name} Backfilled recording.\n# TYPE {name} gauge\n")
        for _, labels, slo, (ctr, kind, P) in by_name[name]:
            if slo.service not in cache:
                fs, gs = slo.FG(lattice)
                cache[slo.service] = ([slo.rsum * x for x in fs], [slo.rsum * y for y in gs])
            E, B = cache[slo.service]
            X = E if ctr == "E" else B if ctr == "B" else [e - b for e, b in zip(E, B)]
            k = P // EVAL
            head = f"{name}{{{fmt_labels(labels)}}} "
            parts = []
            for j, t in enumerate(ts):
                i = j + back
                if kind == "total":
                    if t % P:
                        continue
                    v = X[i]
                elif kind == "rate":
                    v = (X[i] - X[i - k]) / P
                else:  # ratio
                    de = E[i] - E[i - k]
                    v = (B[i] - B[i - k]) / de if de > 0 else 0.0
                parts.append(f"{head}{v:.10g} {t}\n")
            f.write("".join(parts))
            n += len(parts)
    return n


def backfill_range(work, imp, streams, lo, hi, tag):
    """streams: [(dest name, outdir, writer)]; one file per stream and aligned block window."""
    total = 0
    w = lo // BLOCK_S * BLOCK_S
    while w < hi:
        a, b = max(lo, w), min(hi, w + BLOCK_S)
        for dest, outdir, writer in streams:
            path = os.path.join(work, f"om-{tag}-{dest}-{a}.om")
            with open(path, "w", buffering=1 << 22) as f:
                n = writer(f, a, b)
                f.write("# EOF\n")
            if n:
                imp.put(path, outdir)
                total += n
            else:
                os.remove(path)
        w += BLOCK_S
    return total


def cmd_backfill(a):
    p = load_params(a.params)
    sets = [s for s in a.sets.split(",") if s]
    rule_dirs = dict(x.split("=", 1) for x in a.rules)
    step = p["scrape"]
    scen = set(p["scenario_services"])
    t_start = time.time()
    if a.phase == "tail":
        end = (int(time.time()) - 15) // EVAL * EVAL
        anchor = end + a.anchor_in
        scenario_segments(p, anchor)
        p["end"], p["anchor"] = end, anchor
        json.dump({k: v for k, v in p.items() if k != "slo_objs"}, open(a.params, "w"), indent=1)
        p = load_params(a.params)
    slos = p["slo_objs"]
    by_key = {(s.service, s.kind): s for s in slos}
    targets = {}
    for s in sets:
        targets[s] = backfill_targets(s, rule_dirs[s], by_key, a.phase == "bulk") if s in rule_dirs else []
    if a.phase == "bulk":
        span = p["split"] - p["start"]
        raw = sum(len(o.series()) for o in slos) * span / step
        rec = {s: sum(span / max(P if kind == "total" else EVAL, EVAL) for _, _, _, (_, kind, P) in targets[s])
               for s in sets if targets[s]}
        tot = raw + sum(rec.values())
        log(f"  backfill: raw {raw / 1e6:.1f} M samples, recordings "
            + (", ".join(f"{k} {v / 1e6:.1f} M" for k, v in rec.items()) or "none")
            + f"; total {tot / 1e6:.1f} M" + ("  (WARNING: above 150 M)" if tot > 150e6 else ""))
    imp = Importer()

    def stop(*_):  # the driver's cleanup sends TERM: stop promtool too, then exit
        if imp.proc:
            imp.proc.kill()
        os._exit(143)
    import signal
    signal.signal(signal.SIGTERM, stop)
    os.makedirs(os.path.join(a.work, "blocks", "raw"), exist_ok=True)

    def streams(members, lo, hi):
        ms = set(members)
        out = [("raw", os.path.join(a.work, "blocks", "raw"),
                lambda f, x, y: write_raw(f, [s for s in slos if s.service in ms], x, y, step))]
        for s in sets:
            tg = [t for t in targets[s] if t[2].service in ms]
            if tg:
                out.append((s, os.path.join(a.work, "blocks", s),
                            lambda f, x, y, tg=tg: write_recordings(f, tg, x, y)))
        return out

    if a.phase == "bulk":
        members = [s.service for s in slos if s.service not in scen]
        n = backfill_range(a.work, imp, streams(members, p["start"], p["split"]), p["start"], p["split"], "bulk")
    else:
        members = [s.service for s in slos if s.service not in scen]
        end1 = p["end"] + 1
        n = backfill_range(a.work, imp, streams(members, p["split"], end1), p["split"], end1, "tail")
        sc = [s.service for s in slos if s.service in scen]
        n += backfill_range(a.work, imp, streams(sc, p["start"], end1), p["start"], end1, "scen")
    gen_s = time.time() - t_start
    imp.close()
    log(f"  {a.phase}: {n / 1e6:.2f} M samples (python {gen_s:.0f} s, promtool {imp.busy:.0f} s busy, "
        f"wall {time.time() - t_start:.0f} s)")
    if a.phase == "tail":
        log(f"  data ends {time.strftime('%H:%M:%S', time.gmtime(p['end']))} UTC; scenario anchor "
            f"(planned alert check) {time.strftime('%H:%M:%S', time.gmtime(p['anchor']))} UTC")


# -------------------------------------------------------------------------- exporter

def cmd_exporter(a):
    p = load_params(a.params)
    slos = p["slo_objs"]

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            t = time.time()
            lines = []
            fams = [("http_requests", "counter", "availability"),
                    ("http_request_duration_seconds", "histogram", "latency")]
            for fam, typ, kind in fams:
                members = [s for s in slos if s.kind == kind]
                if not members:
                    continue
                lines.append(f"# HELP {fam} Synthetic.\n# TYPE {fam} {typ}\n")
                for s in members:
                    f = s.F(t)
                    g = s.G(t, f)
                    for metric, lab, ca, cb in s.series():
                        lines.append(f"{metric}{{{lab}}} {ca * f + cb * g:.3f}\n")
            body = "".join(lines).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = S(("127.0.0.1", 0), H)
    tmp = a.portfile + ".tmp"
    open(tmp, "w").write(str(srv.server_address[1]))
    os.rename(tmp, a.portfile)
    srv.serve_forever()


# ------------------------------------------------------------------------ compaction

def overlaps(datadir):
    metas = []
    for m in glob.glob(os.path.join(datadir, "*", "meta.json")):
        if len(os.path.basename(os.path.dirname(m))) != 26:
            continue
        try:
            j = json.load(open(m))
        except (OSError, ValueError):
            continue
        metas.append((j["minTime"], j["maxTime"]))
    metas.sort()
    return sum(1 for x, y in zip(metas, metas[1:]) if y[0] < x[1]), len(metas)


def cmd_compacted(a):
    t0 = time.time()
    first = {d: overlaps(d) for d in a.dirs}
    while True:
        state = {d: overlaps(d) for d in a.dirs}
        if all(o == 0 for o, _ in state.values()):
            break
        if time.time() - t0 > a.timeout:
            log(f"  WARNING: overlapping blocks remain after {a.timeout} s: "
                + ", ".join(f"{os.path.basename(d)}={o}" for d, (o, _) in state.items()))
            return
        time.sleep(2)
    log("  blocks before -> after vertical compaction: " + ", ".join(
        f"{os.path.basename(d).removeprefix('data-')} {first[d][1]}->{state[d][1]}" for d in a.dirs)
        + f" ({time.time() - t0:.0f} s)")


# --------------------------------------------------------------------------- measure

def http_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.load(r)


def http_text(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return r.read().decode()


CLK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    s = open(f"/proc/{pid}/stat").read()
    rest = s[s.rfind(")") + 2:].split()
    return (int(rest[11]) + int(rest[12])) / CLK


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


METRIC_RE = re.compile(r"^(prometheus_rule_group_duration_seconds_sum|prometheus_rule_group_iterations_missed_total"
                       r"|prometheus_rule_evaluation_failures_total|prometheus_rule_group_iterations_total)(\{[^}]*\})? (\S+)$", re.M)


def self_metrics(port):
    out = {}
    for m in METRIC_RE.finditer(http_text(port, "/metrics")):
        out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(3))
    return out


def snapshot(servers):
    snap = {}
    for s in servers:
        snap[s["name"]] = {"t": time.time(), "cpu": cpu_s(s["pid"]), "metrics": self_metrics(s["port"])}
    for s in servers:
        if s["name"] == "none":
            continue
        now = time.time()
        groups = http_json(s["port"], "/api/v1/rules")["data"]["groups"]
        snap[s["name"]]["groups"] = groups
        snap[s["name"]]["rules_t"] = now
    return snap


def parse_ts(x):
    # 2024-01-01T00:00:00.123456789Z (RFC3339Nano) -> epoch seconds
    if not x or x.startswith("0001"):
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", x)
    import calendar
    t = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)) + (0, 0, 0))
    t += float(m.group(7) or 0)
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        t -= sign * (int(m.group(8)[1:3]) * 3600 + int(m.group(8)[4:6]) * 60)
    return t


def group_stats(groups, now):
    ev = sum(g["evaluationTime"] for g in groups)
    load = sum(g["evaluationTime"] / g["interval"] for g in groups if g.get("interval"))
    late = []
    for g in groups:
        le = parse_ts(g.get("lastEvaluation"))
        lag = None if le is None else now - le
        if lag is None or lag > g["interval"] + 10:
            late.append((g["name"], lag))
    return ev, load, late


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def cmd_measure(a):
    p = load_params(a.params)
    servers = json.load(open(a.servers))
    names = [s["name"] for s in servers]
    sets = [n for n in names if n != "none"]
    t_up = min(s["started"] for s in servers)
    log(f"measure: warm-up {a.warm} s, then {a.rounds} windows of {a.window} s")
    time.sleep(a.warm)
    snaps = [snapshot(servers)]
    for r in range(a.rounds):
        time.sleep(a.window)
        snaps.append(snapshot(servers))
        prev, cur = snaps[-2], snaps[-1]
        line = []
        for n in names:
            d = cur[n]["cpu"] - prev[n]["cpu"]
            line.append(f"{n} {d:.2f}s")
        log(f"  window {r + 1}/{a.rounds}: process CPU " + ", ".join(line))
    # ---- per-window numbers
    res = {n: {"cpu": [], "cpu_raw": [], "ev": [], "load": [], "evsum": [], "late": 0, "missed": 0.0,
               "fail": 0.0} for n in names}
    for prev, cur in zip(snaps, snaps[1:]):
        span = cur["none"]["t"] - prev["none"]["t"]
        none_cpu = cur["none"]["cpu"] - prev["none"]["cpu"]
        for n in names:
            c = cur[n]["cpu"] - prev[n]["cpu"]
            res[n]["cpu_raw"].append(c * 60 / span)
            res[n]["cpu"].append((c - none_cpu) * 60 / span)
            if n == "none":
                continue
            ev, load, late = group_stats(cur[n]["groups"], cur[n]["rules_t"])
            res[n]["ev"].append(ev)
            res[n]["load"].append(load)
            res[n]["late"] += len(late)
            res[n].setdefault("late_names", []).extend(late)
            res[n]["never"] = sum(1 for _, lag in late if lag is None)
            pm, cm = prev[n]["metrics"], cur[n]["metrics"]
            res[n]["evsum"].append((cm.get("prometheus_rule_group_duration_seconds_sum", 0)
                                    - pm.get("prometheus_rule_group_duration_seconds_sum", 0)) * 60 / span)
            res[n]["missed"] += cm.get("prometheus_rule_group_iterations_missed_total", 0) - pm.get(
                "prometheus_rule_group_iterations_missed_total", 0)
            res[n]["fail"] += cm.get("prometheus_rule_evaluation_failures_total", 0) - pm.get(
                "prometheus_rule_evaluation_failures_total", 0)
    last = snaps[-1]
    # ---- rules: counts and health
    log("")
    log("rule sets (from /api/v1/rules at the end):")
    counts = {}
    all_ok = True
    for n in sets:
        groups = last[n]["groups"]
        rec = sum(1 for g in groups for r in g["rules"] if r["type"] == "recording")
        al = sum(1 for g in groups for r in g["rules"] if r["type"] == "alerting")
        health = {}
        for g in groups:
            for r in g["rules"]:
                health[r.get("health", "?")] = health.get(r.get("health", "?"), 0) + 1
        bad = [(g["name"], r["name"], r.get("lastError", "")) for g in groups for r in g["rules"]
               if r.get("health") not in ("ok", "unknown")]
        unknown = [g["name"] for g in groups if any(r.get("health") == "unknown" for r in g["rules"])]
        counts[n] = (len(groups), rec, al)
        ivs = sorted({g["interval"] for g in groups})
        hs = ", ".join(f"{v} {k}" for k, v in sorted(health.items()))
        log(f"  {n:8s} {len(groups):5d} groups (intervals {', '.join(prom_duration(int(i)) for i in ivs)}), "
            f"{rec:6d} recording + {al:5d} alerting rules, health: {hs}")
        # where the evaluation time goes: the costliest rule names, per evaluation of
        # their group, summed over the SLOs (from the last snapshot)
        cost, per_min = {}, {}
        for g in groups:
            for r in g["rules"]:
                # a shared rule per window: tell the windows apart
                window = (r.get("labels") or {}).get("window")
                key = r["name"] + (f"{{{window}}}" if window else "")
                cost[key] = cost.get(key, 0.0) + r.get("evaluationTime", 0.0)
                if g.get("interval"):
                    per_min[key] = per_min.get(key, 0.0) + r.get("evaluationTime", 0.0) * 60 / g["interval"]
        total = sum(per_min.values()) or 1.0
        top = sorted(per_min.items(), key=lambda kv: -kv[1])[:10]
        log("      costliest rules (share of evaluation time per minute): " + "; ".join(
            f"{name} {100 * v / total:.0f}% ({cost[name] * 1000:.0f} ms/eval)" for name, v in top))
        for g, r, e in bad[:10]:
            log(f"      {g} / {r}: lastError {e}")
        if bad:
            all_ok = False
        if unknown:
            log(f"      not evaluated yet (interval longer than the run so far): {', '.join(sorted(set(unknown))[:4])}"
                + (" ..." if len(set(unknown)) > 4 else ""))
        if res[n]["late"] or res[n]["missed"] or res[n]["fail"]:
            log(f"      lastEvaluation late in {res[n]['late']} group snapshots, iterations missed "
                f"{res[n]['missed']:.0f}, evaluation failures {res[n]['fail']:.0f}; late: "
                + ", ".join(f"{g} ({'never evaluated' if lag is None else f'{lag:.0f} s ago'})"
                            for g, lag in res[n].get("late_names", [])[:4]))
        else:
            log("      every group evaluated on schedule in every window (lastEvaluation within interval+10s, "
                "0 missed iterations, 0 failures)")
    # ---- cost table
    log("")
    log(f"steady-state cost, median of {a.rounds} windows of {a.window} s (CPU over the 'none' server, "
        f"which scrapes the same {sum(len(s.series()) for s in p['slo_objs'])} series without rules):")
    log(f"  {'set':8s} {'CPU s/min':>10s} {'(raw)':>8s} {'eval ms/cycle':>14s} {'eval s/min':>11s} {'RSS MB':>8s}")
    med = {}
    for n in names:
        r = res[n]
        med[n] = {k: median(r[k]) for k in ("cpu", "cpu_raw", "ev", "evsum", "load")}
        rss = rss_mb([s for s in servers if s["name"] == n][0]["pid"])
        if n == "none":
            log(f"  {n:8s} {'-':>10s} {med[n]['cpu_raw']:8.2f} {'-':>14s} {'-':>11s} {rss:8.0f}")
        else:
            log(f"  {n:8s} {med[n]['cpu']:10.2f} {med[n]['cpu_raw']:8.2f} {med[n]['ev'] * 1000:14.1f} "
                f"{med[n]['evsum']:11.2f} {rss:8.0f}")
    log("  CPU s/min: process CPU seconds per minute minus the 'none' server's; eval ms/cycle: sum of every")
    log("  group's last evaluationTime; eval s/min: rule-group evaluation wall time per minute")
    log("  (prometheus_rule_group_duration_seconds_sum), which accounts for Pyrra's 2m30s increase groups.")
    ratios = []
    if "sloxide" in med:
        for other in ("sloth", "pyrra"):
            if other in med:
                def rt(k):
                    return med["sloxide"][k] / med[other][k] if med[other][k] else float("nan")
                ratios.append((other, rt("cpu"), rt("ev"), rt("evsum")))
                log(f"  sloxide:{other} = CPU {rt('cpu'):.2f}, eval/cycle {rt('ev'):.2f}, eval/min {rt('evsum'):.2f}")
    # ---- the period SLI each set records, against the ideal (shows the history is read)
    period_report(p, servers, sets, time.time())
    # ---- alerts
    alerts_report(p, servers, sets, time.time(), t_up)
    # ---- summary line
    kind = p["kind"]
    n_slo = len(p["slos"])
    cells = []
    for n in sets:
        cells.append(f"{n} {med[n]['cpu']:.2f} CPU-s/min {med[n]['ev'] * 1000:.0f} ms/cycle ({counts[n][1] + counts[n][2]} rules)")
    rs = "; ".join(f"sloxide:{o} CPU {c:.2f} eval {e:.2f}" for o, c, e, _ in ratios)
    log("")
    log(f"SUMMARY | {n_slo} x {kind} | {p['series_per_slo']} series/SLO | {p['days']}d history | scrape "
        f"{p['scrape']}s | " + " | ".join(cells) + (f" | {rs}" if rs else "") + " |")
    if not all_ok:
        sys.exit(1)


def query(port, q):
    import urllib.parse
    r = http_json(port, "/api/v1/query?query=" + urllib.parse.quote(q))["data"]["result"]
    return float(r[0]["value"][1]) if r else None


def period_report(p, servers, sets, now):
    log("")
    log("30d error ratio as each set records it (sloxide/sloth slo:sli_error:ratio_rate30d, pyrra from its")
    log("increase30d recordings) next to the ideal one of the synthetic counters over the same history:")
    ports = {s["name"]: s["port"] for s in servers}
    shown = [o for o in p["slo_objs"] if o.service in p["scenario_services"]] + \
        [o for o in p["slo_objs"] if o.service not in p["scenario_services"]][:1]
    for o in shown:
        cells = [f"ideal {o.ratio(now, 30 * 86400, p['start']) * 100:.4f}%"]
        for n in sets:
            if n == "sloxide":
                q = f'slo:sli_error:ratio_rate30d{{service="{o.service}",slo="{o.kind}"}}'
            elif n == "sloth":
                q = f'slo:sli_error:ratio_rate30d{{sloth_service="{o.service}",sloth_slo="{o.kind}"}}'
            elif o.kind == "availability":
                sel = f'slo="{pyrra.slo_name(bench_slo(o.service, o.kind))}"'
                q = f'sum(http_requests:increase30d{{{sel},code=~"5.."}}) / sum(http_requests:increase30d{{{sel}}})'
            else:
                sel = f'slo="{pyrra.slo_name(bench_slo(o.service, o.kind))}"'
                q = (f'1 - sum(http_request_duration_seconds:increase30d{{{sel},le="0.3"}}) / '
                     f'sum(http_request_duration_seconds:increase30d{{{sel},le=""}})')
            v = query(ports[n], q)
            cells.append(f"{n} " + ("n/a" if v is None else f"{v * 100:.4f}%"))
        log(f"  {o.service} {o.kind:12s} " + "  ".join(cells))
    log("  (Sloth's 30d value averages the 5m ratios over time by design; all should be close to ideal)")


def norm_alerts(name, alerts):
    """(service, tier, detail, state) for each active alert of a set."""
    out = []
    for al in alerts:
        lb = al["labels"]
        an = lb.get("alertname", "")
        if name == "sloth":
            svc, tier, det = lb.get("sloth_service"), lb.get("sloth_severity"), ""
        elif name == "pyrra":
            svc = lb.get("job")
            if an == "SLOMetricAbsent":
                tier, det = "absent", ""
            else:
                tier = {"critical": "page", "warning": "ticket"}.get(lb.get("severity"), lb.get("severity"))
                det = f"{lb.get('short')}/{lb.get('long')}"
        else:
            svc, tier = lb.get("service"), lb.get("severity")
            m = re.search(r"(Page|Ticket)(\w+)$", an)
            det = m.group(2) if m else an
        out.append((svc, tier, det, al["state"]))
    return out


SRE_PAIRS = [("page", 300, 3600, 14.4), ("page", 1800, 6 * 3600, 6),
             ("ticket", 7200, 86400, 3), ("ticket", 6 * 3600, 3 * 86400, 1)]


def expected(slo, name, t, since):
    """Alerts the ideal ratios fire at t (ignoring for:): [(tier, detail)]. Windows longer
    than the history (since) see only the history, as rate() and sum_over_time() do."""
    out = []
    if name == "pyrra":
        for w in pyrra.windows(30 * 86400):
            th = w["factor"] * BUDGET
            if slo.ratio(t, w["short"], since) > th and slo.ratio(t, w["long"], since) > th:
                tier = "page" if w["severity"] == "critical" else "ticket"
                out.append((tier, f"{prom_duration(w['short'])}/{prom_duration(w['long'])}"))
        return out
    for tier, s, lw, f in SRE_PAIRS:
        if slo.ratio(t, s, since) > f * BUDGET and slo.ratio(t, lw, since) > f * BUDGET:
            out.append((tier, prom_duration(lw)))
    if name == "sloth":
        out = sorted({(tier, "") for tier, _ in out})
    return out


def alerts_report(p, servers, sets, now, t_up):
    log("")
    anchor = p.get("anchor", now)
    log(f"alerts at {time.strftime('%H:%M:%S', time.gmtime(now))} UTC (scenario anchor "
        f"{'+' if now >= anchor else '-'}{abs(now - anchor):.0f} s; servers up {now - t_up:.0f} s). "
        "F = firing, P = pending (condition true, waiting for its for:); expected = the ideal ratios of")
    log("the synthetic counters at this instant against each set's own windows and factors (for: ignored):")
    obs = {}
    for s in servers:
        if s["name"] in sets:
            obs[s["name"]] = norm_alerts(s["name"], http_json(s["port"], "/api/v1/alerts")["data"]["alerts"])
    by_svc = {o.service: o for o in p["slo_objs"]}
    scen = {}
    for i, d, segs in SCENARIOS:
        rel = segs[0][0]
        scen[f"svc-{i:03d}"] = d if rel is None else f"{d}; at this instant {prom_duration(int(now - anchor - rel))}"
    listed = sorted(set(p["scenario_services"]) | {a[0] for v in obs.values() for a in v if a[0]})
    disagreements = 0
    for svc in listed:
        slo = by_svc.get(svc)
        log(f"  {svc} ({scen.get(svc, 'baseline 0.1x')}):")
        for n in sets:
            got = [a for a in obs[n] if a[0] == svc]
            exp = expected(slo, n, now, p["start"]) if slo else []
            got_s = " ".join(f"{t}[{d}]{'F' if st == 'firing' else 'P'}" if d else f"{t}{'F' if st == 'firing' else 'P'}"
                             for _, t, d, st in sorted(got, key=lambda x: (x[1], x[2]))) or "-"
            exp_s = " ".join(f"{t}[{d}]" if d else t for t, d in exp) or "-"
            ok = {t for _, t, _, _ in got} == {t for t, _ in exp}
            disagreements += not ok
            log(f"      {n:8s} observed {got_s:48s} expected {exp_s:40s} {'ok' if ok else 'DIFFERS'}")
    log("  deliberate differences: Pyrra scales its windows from 28d (5m/1h4m, 32m/6h26m, 2h9m/1d1h43m,")
    log("  6h26m/4d6h51m), uses factors 14/7/2/1 (not 14.4/6/3/1) and for: 2m/16m/1h4m/3h13m, so its")
    log("  slower tiers stay P during a short run; Sloth ORs two window pairs into one alert per tier")
    log("  (page, ticket) without for:; sloxide names one alert per pair (long window shown).")
    log(f"  tier sets differing from expectation: {disagreements}")


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("plan")
    s.add_argument("params")
    s.add_argument("--services", type=int, required=True)
    s.add_argument("--series", type=int, required=True)
    s.add_argument("--kind", required=True, choices=["availability", "latency", "mixed"])
    s.add_argument("--days", type=float, required=True)
    s.add_argument("--scrape", type=int, required=True)
    s.add_argument("--specs", required=True)
    s.add_argument("--sloth", required=True)
    s.add_argument("--pyrra", required=True)
    s = sub.add_parser("backfill")
    s.add_argument("params")
    s.add_argument("--work", required=True)
    s.add_argument("--sets", default="")
    s.add_argument("--rules", action="append", default=[])
    s.add_argument("--phase", choices=["bulk", "tail"], required=True)
    s.add_argument("--anchor-in", type=int, default=0)
    s = sub.add_parser("exporter")
    s.add_argument("params")
    s.add_argument("portfile")
    s = sub.add_parser("compacted")
    s.add_argument("dirs", nargs="+")
    s.add_argument("--timeout", type=int, default=600)
    s = sub.add_parser("measure")
    s.add_argument("params")
    s.add_argument("servers")
    s.add_argument("--warm", type=int, required=True)
    s.add_argument("--rounds", type=int, required=True)
    s.add_argument("--window", type=int, required=True)
    a = ap.parse_args()
    {"plan": cmd_plan, "backfill": cmd_backfill, "exporter": cmd_exporter,
     "compacted": cmd_compacted, "measure": cmd_measure}[a.cmd](a)


if __name__ == "__main__":
    main()
