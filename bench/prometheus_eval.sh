#!/bin/bash
# Evaluation cost of sloxide's Prometheus rules vs naive per-window-from-raw rules, on a
# real Prometheus (127.0.0.1, random free port) with backfilled synthetic data.
#
#   bench/prometheus_eval.sh            # N=100 services, INSTANCES=5, DAYS=2, RUN_S=75
#
# Per service: one availability SLO (99.9%, 30d, SRE Workbook alerts) over
# http_requests_total{job=svc-NNN,instance=i-K,code=200|500} (2*INSTANCES raw series).
# Both rule sets are loaded into the same server:
#   - sloxide: the rules `sloxide build` generates (5m base rates from raw; 30m/1h direct;
#     2h, 6h, 1d, 3d, 30d derived from the 5m recordings). The 5m recordings are backfilled
#     for the past DAYS (as a long-running server would have them), computed from the same
#     synthetic data;
#   - naive: Sloth-style, every window's ratio straight from the raw counters.
# Prints the sum of per-group evaluationTime (from /api/v1/rules) of each set, the ratio,
# and whether both sets fire the same alerts (service, severity, long window).
# Needs: prometheus, promtool, python3, curl, cargo. Bounded by RUN_S; stops its server.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}; INSTANCES=${INSTANCES:-5}; DAYS=${DAYS:-2}; RUN_S=${RUN_S:-75}
WORK=$(mktemp -d /tmp/sloxide-eval.XXXXXX)
PID=""
cleanup() { if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
cargo build --release --quiet --bin sloxide
SLOXIDE=${CARGO_TARGET_DIR:-target}/release/sloxide

python3 - "$WORK" "$N" "$INSTANCES" "$DAYS" <<'PY'
import os, sys, time
work, n, inst, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
os.makedirs(f"{work}/specs"); os.makedirs(f"{work}/naive")
step = 60
end = (int(time.time()) // step) * step - 120      # blocks must end before "now"
start = end - int(days * 86400)
rps = 2.0                                           # requests/s per instance

def err_frac(s, t):
    age = end - t
    if s == 0 and age < 900: return 1.0             # svc-000: outage, last 15 min -> pages
    if s == 1 and age < 7200: return 0.03           # svc-001: 3% for 2 h -> page 14.4x? no: 6x and tickets
    if s == 2 and age < 30 * 3600: return 0.004     # svc-002: 0.4% for 30 h -> ticket
    return 0.0003                                    # others: well inside budget

windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
alerts = [("page", 14.4, "1h", "5m"), ("page", 6, "6h", "30m"), ("ticket", 3, "1d", "2h"), ("ticket", 1, "3d", "6h")]
with open(f"{work}/metrics.om", "w") as f:
    f.write("# HELP http_requests Synthetic requests.\n# TYPE http_requests counter\n")
    base = {}
    for s in range(n):
        job = f"svc-{s:03d}"
        spec = f"""apiVersion: sloxide/v1
service:
  name: {job}
  owners: {{ product_owner: P, tech_lead: T }}
  notify:
    page: [ {{ pagerduty: {job} }} ]
slis:
  - name: availability
    ratio:
      prometheus:
        total: http_requests_total{{job="{job}"}}
        bad: http_requests_total{{job="{job}",code=~"5.."}}
slos:
  - name: availability
    sli: availability
    objective: 99.9%
"""
        open(f"{work}/specs/{job}.yaml", "w").write(spec)
        # naive rules (Sloth-style): every window from raw
        sel_t = f'http_requests_total{{job="{job}"}}'
        sel_b = f'http_requests_total{{job="{job}",code=~"5.."}}'
        lines = ["groups:", f"- name: naive:{job}", "  rules:"]
        for w in windows:
            lines += [f"  - record: naive:sli_error:ratio_rate{w}",
                      f"    expr: sum(rate({sel_b}[{w}])) / sum(rate({sel_t}[{w}]))",
                      f"    labels: {{service: {job}, slo: availability}}"]
        for sev, br, lw, sw in alerts:
            thr = round(br * 0.001, 6)
            sel = f'{{service="{job}",slo="availability"}}'
            lines += [f"  - alert: NaiveBurnRate{sev.title()}{lw}",
                      f"    expr: naive:sli_error:ratio_rate{lw}{sel} > {thr} and naive:sli_error:ratio_rate{sw}{sel} > {thr}",
                      f"    labels: {{severity: {sev}}}"]
        open(f"{work}/naive/{job}.yml", "w").write("\n".join(lines) + "\n")
        # raw counters
        tot = [0.0] * len(range(start, end + 1, step))
        bad = [0.0] * len(tot)
        for i in range(inst):
            ok_c = err_c = 0.0
            ok_l, err_l = [], []
            for k, t in enumerate(range(start, end + 1, step)):
                e = err_frac(s, t)
                ok_c += rps * step * (1 - e); err_c += rps * step * e
                ok_l.append(f'http_requests_total{{job="{job}",instance="i-{i}",code="200"}} {ok_c:.3f} {t}\n')
                err_l.append(f'http_requests_total{{job="{job}",instance="i-{i}",code="500"}} {err_c:.3f} {t}\n')
            f.writelines(ok_l); f.writelines(err_l)
        base[job] = True
    # backfilled 5m base recordings: events and errors per second over the last 5 minutes
    f.write("# HELP slo:sli_events:rate5m Backfilled recording.\n# TYPE slo:sli_events:rate5m gauge\n")
    for s in range(n):
        job = f"svc-{s:03d}"
        for t in range(start + 300, end + 1, step):
            f.write(f'slo:sli_events:rate5m{{service="{job}",slo="availability"}} {rps*inst:.6f} {t}\n')
    f.write("# HELP slo:sli_errors:rate5m Backfilled recording.\n# TYPE slo:sli_errors:rate5m gauge\n")
    for s in range(n):
        job = f"svc-{s:03d}"
        for t in range(start + 300, end + 1, step):
            # mean error fraction of the samples in (t-5m, t]
            e = sum(err_frac(s, u) for u in range(t - 240, t + 1, step)) / 5
            f.write(f'slo:sli_errors:rate5m{{service="{job}",slo="availability"}} {rps*inst*e:.6f} {t}\n')
    f.write("# EOF\n")
print(f"data: {n} services x {2*inst} raw series, {days} days at 1m, ending {end}")
PY

"$SLOXIDE" build "$WORK/specs" --target prometheus -o "$WORK/out" >/dev/null 2>&1
printf 'global:\n  evaluation_interval: 30s\nrule_files:\n  - %s/out/prometheus/*.yml\n  - %s/naive/*.yml\n' "$WORK" "$WORK" > "$WORK/prometheus.yml"
promtool check config "$WORK/prometheus.yml" >/dev/null
/usr/bin/time -f "backfill: %e s" promtool tsdb create-blocks-from openmetrics --quiet "$WORK/metrics.om" "$WORK/data" >/dev/null
rm -f "$WORK/metrics.om"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout $((RUN_S + 120)) prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address=127.0.0.1:$PORT --storage.tsdb.retention.time=60d > "$WORK/prometheus.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break; sleep 1; done
sleep "$RUN_S"
curl -fsS "http://127.0.0.1:$PORT/api/v1/rules" > "$WORK/rules.json"
curl -fsS "http://127.0.0.1:$PORT/api/v1/alerts" > "$WORK/alerts.json"
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
python3 - "$WORK" <<'PY'
import json, sys, re
work = sys.argv[1]
groups = json.load(open(f"{work}/rules.json"))["data"]["groups"]
cost = {"sloxide": 0.0, "naive": 0.0}; count = {"sloxide": 0, "naive": 0}
health = set()
for g in groups:
    kind = "naive" if g["name"].startswith("naive:") else "sloxide"
    cost[kind] += g["evaluationTime"]; count[kind] += len(g["rules"])
    health |= {r["health"] for r in g["rules"]}
fires = {"sloxide": set(), "naive": set()}
for a in json.load(open(f"{work}/alerts.json"))["data"]["alerts"]:
    if a["state"] != "firing": continue
    name = a["labels"]["alertname"]
    kind = "naive" if name.startswith("Naive") else "sloxide"
    window = re.search(r"(Page|Ticket)(\w+)$", name).group(2)
    fires[kind].add((a["labels"]["service"], a["labels"]["severity"], window))
print(f"rules: sloxide {count['sloxide']}, naive {count['naive']}; rule health: {sorted(health)}")
print(f"evaluation time per cycle (sum of group evaluationTime): sloxide {cost['sloxide']*1000:.1f} ms, naive {cost['naive']*1000:.1f} ms")
if cost["sloxide"] > 0:
    print(f"naive / sloxide = {cost['naive']/cost['sloxide']:.1f}x")
print(f"firing: sloxide {sorted(fires['sloxide'])}")
print(f"firing: naive   {sorted(fires['naive'])}")
print("identical alert decisions:", fires["sloxide"] == fires["naive"])
PY
