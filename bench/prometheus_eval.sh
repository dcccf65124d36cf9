#!/bin/bash
# Steady-state Prometheus rule-evaluation cost of sloxide's rules against faithful Sloth and
# Pyrra rule sets for the same SLOs, side by side in four real Prometheus servers.
#
#   bench/prometheus_eval.sh                       # defaults below; about 15-20 minutes
#   SERVICES=3 DAYS=1 WARM_S=30 ROUNDS=2 WINDOW_S=20 bench/prometheus_eval.sh   # smoke test
#
# Environment (defaults):
#   SERIES=10        raw series per SLO (availability: instances x code 200|500; latency:
#                    instances x _bucket{le=0.1,0.3,1,+Inf} + _count, so a multiple of 5)
#   SERVICES=1000/SERIES  one 99.9%/30d SLO per service (100 at SERIES=10, 20 at SERIES=50)
#   KIND=availability     availability | latency | mixed (even services availability, odd
#                    latency). One kind per run keeps the run under 30 minutes; run the bench
#                    once per kind to compare both shapes.
#   DAYS=30          history backfilled before the servers start
#   SCRAPE=60        scrape interval, 15..60 s (raw history is backfilled at this step)
#   WARM_S=120 ROUNDS=5 WINDOW_S=60   warm-up after compaction, then ROUNDS windows
#   SLOXIDE=<path>   sloxide binary; unset: `cargo build --release --bin sloxide` and use
#                    target/release/sloxide; SLOXIDE=skip runs without the sloxide server
#   CHECK_ONLY=1     stop after generating every rule file and checking it with promtool
#   MAX_S=2400       hard bound on the life of every server and the exporter
#
# What runs. A python exporter (127.0.0.1, random free port) serves counters that are a
# deterministic function of wall-clock time (bench/prom_eval.py: per-instance daily traffic
# sinusoid, piecewise-constant error fraction). The same function backfills DAYS of history
# with `promtool tsdb create-blocks-from openmetrics` (54h blocks, the largest a 60d-retention
# server compacts to; written as plain text files per block window, imported and deleted one
# at a time), so live scraping continues the backfilled series seamlessly. Four servers
# (--storage.tsdb.retention.time=60d, evaluation_interval 30s, scrape SCRAPE) run at once,
# each on its own hard-linked copy of the raw blocks plus its set's recordings:
#   none     no rules: the scrape/TSDB baseline subtracted from the others' CPU
#   sloxide  `sloxide build <specs> --target prometheus`; backfilled: the recordings it reads
#            over long ranges or with offsets (slo:sli_counts:total every 30 s and
#            slo:sli_counts:checkpoint1h only at time()%3600==0, each for
#            sloxide_count="events" and "errors", counted from the start of the history),
#            label sets read from the generated rules
#   sloth    bench/upstream/sloth.py (slok/sloth 0e395d81513ff701f5d27b7aa47d794cb764fd5e,
#            test/integration/prometheus/testdata/out-base.yaml.tpl + internal/plugin/slo/core);
#            backfilled: slo:sli_error:ratio_rate5m (its 30d rule reads it over [30d])
#   pyrra    bench/upstream/pyrra.py (pyrra-dev/pyrra 1ba95afbf90b2311cb9332b1633cf09218b7de9f,
#            slo/rules.go); reads raw series only, nothing to backfill
# Backfilled recordings are computed from the synthetic counters at a 30 s evaluation lattice
# with phase 0 (multiples of 30 s); live evaluation then continues at Prometheus's own group
# phase. OpenMetrics cannot carry staleness markers, so the sparse checkpoint series have none in
# the history (range functions ignore markers, so long-range reads are unaffected).
# Backfilled blocks overlap in time (raw, recordings, the scenario services' history written
# last); each server merges them by vertical compaction about a minute after it starts, and
# the measurement waits until no overlapping blocks remain.
#
# What it measures, after the compaction and WARM_S: over ROUNDS windows of WINDOW_S, per
# server the process CPU (utime+stime from /proc/<pid>/stat) minus the none server's, the sum
# of every group's evaluationTime and the rule-group evaluation time per minute
# (prometheus_rule_group_duration_seconds_sum), and whether every group's lastEvaluation is
# on schedule. Prints medians, the sloxide:sloth and sloxide:pyrra ratios, rule counts and
# health (any lastError), the alerts of the scenario services in every set next to what the
# ideal ratios of the synthetic counters predict for that set's windows, and a SUMMARY line.
# Scenarios (anchored at the planned end of the measurement): svc-000 full outage for the
# last 15m, svc-001 20x burn for 2h, svc-002 3.5x for 1d, svc-003 0.9x for 30d; all other
# services burn 0.1x.
#
# Needs: prometheus + promtool (2.39+: overlapping blocks), python3 with PyYAML, curl; cargo
# unless SLOXIDE is given. Default sizes: ~1000 raw series, ~105 M backfilled samples
# (raw 43 M, sloxide 54 M, sloth 9 M), a few GB of transient text in the work dir (mktemp
# under /tmp, removed on exit with every process this script started).
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${SERIES:-10}
SERVICES=${SERVICES:-$((1000 / SERIES))}
KIND=${KIND:-availability}
DAYS=${DAYS:-30}
SCRAPE=${SCRAPE:-60}
WARM_S=${WARM_S:-120}
ROUNDS=${ROUNDS:-5}
WINDOW_S=${WINDOW_S:-60}
MAX_S=${MAX_S:-2400}
CHECK_ONLY=${CHECK_ONLY:-0}
case "$KIND" in availability|latency|mixed) ;; *) echo "KIND must be availability, latency or mixed" >&2; exit 2 ;; esac
if [ "$SCRAPE" -lt 15 ] || [ "$SCRAPE" -gt 60 ]; then echo "SCRAPE must be 15..60" >&2; exit 2; fi
SETS="sloxide sloth pyrra"
if [ "${SLOXIDE:-}" = skip ]; then SETS="sloth pyrra"; fi

WORK=$(mktemp -d /tmp/sloxide-eval.XXXXXX)
TPIDS=()
CHILD=""
cleanup() {
  local p
  if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  for p in "${TPIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${TPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T0=$(date +%s); TP=$T0
phase() { local now; now=$(date +%s); echo "== $1 ($((now - TP)) s; $((now - T0)) s total)"; TP=$now; }
export PYTHONDONTWRITEBYTECODE=1
PY="python3 bench/prom_eval.py"
# Long steps run in the background and are waited for, so a signal runs the cleanup at once.
run() { "$@" & CHILD=$!; wait "$CHILD"; CHILD=""; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "sloxide Prometheus steady-state eval: SERVICES=$SERVICES SERIES=$SERIES KIND=$KIND DAYS=$DAYS" \
  "SCRAPE=$SCRAPE WARM_S=$WARM_S ROUNDS=$ROUNDS WINDOW_S=$WINDOW_S sets: $SETS; work dir $WORK"

# ---- rule sets
if [[ " $SETS " == *" sloxide "* ]]; then
  if [ -z "${SLOXIDE:-}" ]; then
    cargo build --release --quiet --bin sloxide
    SLOXIDE=${CARGO_TARGET_DIR:-target}/release/sloxide
  fi
  [ -x "$SLOXIDE" ] || { echo "no sloxide binary at $SLOXIDE (SLOXIDE=skip runs without it)" >&2; exit 2; }
fi
$PY plan "$WORK/params.json" --services "$SERVICES" --series "$SERIES" --kind "$KIND" --days "$DAYS" \
  --scrape "$SCRAPE" --specs "$WORK/specs" --sloth "$WORK/rules/sloth" --pyrra "$WORK/rules/pyrra"
python3 bench/upstream/pyrra.py --selftest
if [[ " $SETS " == *" sloxide "* ]]; then
  out=$("$SLOXIDE" build "$WORK/specs" --target prometheus -o "$WORK/sloxide-out" 2>&1) || { echo "$out" >&2; exit 1; }
  mkdir -p "$WORK/rules/sloxide"
  cp "$WORK"/sloxide-out/prometheus/*.yml "$WORK/rules/sloxide/"
  echo "sloxide: $("$SLOXIDE" --version 2>/dev/null || echo "$SLOXIDE")"
fi
for s in $SETS; do
  out=$(promtool check rules "$WORK"/rules/"$s"/* 2>&1) || { echo "$out" | grep -v SUCCESS | head -40; echo "promtool check rules failed for $s" >&2; exit 1; }
  echo "promtool check rules $s: $(echo "$out" | grep -c SUCCESS) files, $(echo "$out" | awk '/SUCCESS/ {n += $2} END {print n}') rules, SUCCESS"
done
phase "rule sets generated and checked"
if [ "$CHECK_ONLY" = 1 ]; then echo "CHECK_ONLY=1: rule files in $WORK/rules (removed on exit)"; exit 0; fi

# ---- backfill
BF_SETS=$(echo $SETS | tr ' ' ',')
BF_RULES=()
for s in $SETS; do BF_RULES+=(--rules "$s=$WORK/rules/$s"); done
run $PY backfill "$WORK/params.json" --work "$WORK" --sets "$BF_SETS" "${BF_RULES[@]}" --phase bulk
phase "backfill: history of the baseline services"
# The scenario services' whole history and everyone's last minutes are written last, so the
# scenarios are anchored at the planned end of the measurement (start-up ~100 s + warm-up + windows).
run $PY backfill "$WORK/params.json" --work "$WORK" --sets "$BF_SETS" "${BF_RULES[@]}" --phase tail \
  --anchor-in $((100 + WARM_S + ROUNDS * WINDOW_S))
NAMES="none $SETS"
for n in $NAMES; do
  mkdir -p "$WORK/data-$n"
  cp -al "$WORK"/blocks/raw/* "$WORK/data-$n/"
  if [ -d "$WORK/blocks/$n" ]; then cp -al "$WORK"/blocks/"$n"/* "$WORK/data-$n/"; fi
done
echo "blocks: raw $(ls "$WORK/blocks/raw" | wc -l), $(for s in $SETS; do [ -d "$WORK/blocks/$s" ] && echo -n "$s $(ls "$WORK/blocks/$s" | wc -l) "; done); on disk $(du -sh "$WORK/blocks" | cut -f1)"
phase "backfill: scenario services and tail, data directories"

# ---- exporter and servers
timeout -k 5 "$MAX_S" $PY exporter "$WORK/params.json" "$WORK/exporter.port" &
TPIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/exporter.port" ] && break; sleep 0.1; done
EXPORTER_PORT=$(cat "$WORK/exporter.port")
echo "[" > "$WORK/servers.json"
first=1
for n in $NAMES; do
  port=$(free_port)
  {
    printf 'global:\n  scrape_interval: %ss\n  evaluation_interval: 30s\n' "$SCRAPE"
    if [ "$n" != none ]; then printf 'rule_files:\n  - %s/rules/%s/*\n' "$WORK" "$n"; fi
    printf 'scrape_configs:\n  - job_name: synthetic\n    honor_labels: true\n'
    printf '    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$EXPORTER_PORT"
  } > "$WORK/prometheus-$n.yml"
  promtool check config "$WORK/prometheus-$n.yml" >/dev/null
  timeout -k 5 "$MAX_S" prometheus --config.file="$WORK/prometheus-$n.yml" --storage.tsdb.path="$WORK/data-$n" \
    --storage.tsdb.retention.time=60d --web.listen-address="127.0.0.1:$port" > "$WORK/prometheus-$n.log" 2>&1 &
  tpid=$!
  TPIDS+=("$tpid")
  pid=""
  for _ in $(seq 1 50); do pid=$(pgrep -P "$tpid" || true); [ -n "$pid" ] && break; sleep 0.1; done
  [ -n "$pid" ] || { echo "prometheus ($n) did not start" >&2; cat "$WORK/prometheus-$n.log" >&2; exit 1; }
  [ $first = 1 ] || echo "," >> "$WORK/servers.json"
  first=0
  printf '{"name": "%s", "port": %s, "pid": %s, "started": %s}' "$n" "$port" "$pid" "$(date +%s)" >> "$WORK/servers.json"
  echo "server $n: 127.0.0.1:$port pid $pid"
done
echo "]" >> "$WORK/servers.json"
for n in $NAMES; do
  port=$(python3 -c "import json,sys; print([s['port'] for s in json.load(open('$WORK/servers.json')) if s['name']=='$n'][0])")
  for i in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
    [ "$i" = 240 ] && { echo "prometheus ($n) not ready" >&2; tail -20 "$WORK/prometheus-$n.log" >&2; exit 1; }
    sleep 0.5
  done
done
phase "servers ready"
DATADIRS=()
for n in $NAMES; do DATADIRS+=("$WORK/data-$n"); done
run $PY compacted "${DATADIRS[@]}" --timeout 600
phase "vertical compaction of the backfilled blocks"

# ---- measurement and report
run $PY measure "$WORK/params.json" "$WORK/servers.json" --warm "$WARM_S" --rounds "$ROUNDS" --window "$WINDOW_S"
phase "warm-up, measurement and report"
for n in $NAMES; do
  if grep -q 'level=error' "$WORK/prometheus-$n.log"; then
    echo "prometheus ($n) logged errors:"; grep 'level=error' "$WORK/prometheus-$n.log" | head -5
  fi
done
