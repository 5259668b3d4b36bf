#!/usr/bin/env bash
# Side-by-side remote_write ingest and dashboard queries: Kiln (through its launcher, with its defaults),
# Prometheus 2.42 (--web.enable-remote-write-receiver) and VictoriaMetrics (-search.disableCache, nocache=1), Debian
# packages, on loopback, one after the other in each round (the order rotates per round). Each gets the same
# deterministic DashboardWorkload series (125 per host) over CONNECTIONS connections, STEPS samples at 15 s ending
# now, then every query of shared/workloads/dashboard-queries.md as an instant query and 1 h/15 s and 6 h/30 s range
# queries (median of RUNS after one warm-up call each, and after WARMUP untimed passes over all queries, default 1).
# Prints one table of medians over ROUNDS rounds, with ratios. SERVERS (default "kiln prometheus victoriametrics")
# runs a subset, and may add kiln-batched (Kiln with --storage.tsdb.wal-fsync-interval=10s: what the per-commit WAL
# fsync of Kiln's default costs); KEEP_RESULTS=FILE keeps the raw key=value lines. IDLE=SECONDS (default 15) also reads each server's
# RSS after that long without requests following the queries, and after the same idle time following ingest
# (the figure of a server between dashboard refreshes; Kiln gives memory back when idle, docs/operations.md).
# Usage: benchmarks/side-by-side/dashboard.sh [SERIES] [STEPS] [ROUNDS] [CONNECTIONS] [RUNS]
#        (defaults 5000 1440 3 4 5; SERIES is rounded down to whole hosts)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
series=${1:-5000}; steps=${2:-1440}; rounds=${3:-3}; conns=${4:-4}; runs=${5:-5}
queries=${QUERIES:-$root/../shared/workloads/dashboard-queries.md}
[ -f "$queries" ] || queries=/work/shared/workloads/dashboard-queries.md
hosts=$((series / 125)); [ "$hosts" -ge 1 ] || hosts=1
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
bench="$root/benchmarks/target/benchmarks.jar"
[ -f "$jar" ] && [ -f "$bench" ] || (cd "$root" && mvn -B -q -ntp -DskipTests package)
touch "$jar"   # the launcher rebuilds when sources are newer than the jar; this run measures the jar as built
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
# rss_of PID PREFIX: PREFIX_mib= and PREFIX_anon_mib= from /proc/PID/status
rss_of() { awk -v p="$2" '$1 == "VmRSS:" {r=$2} $1 == "RssAnon:" {a=$2} END {printf "%s_mib=%.0f %s_anon_mib=%.0f", p, r/1024, p, a/1024}' "/proc/$1/status"; }
echo "global: {scrape_interval: 1h}" > "$work/empty.yml"
results="$work/results"
drive() { java -cp "$bench" dev.kiln.benchmarks.sidebyside.DashboardBench "$@"; }

one() { # round server
  local port data extra="" base ready
  port=$(free_port); data="$work/data-$2"; base="http://127.0.0.1:$port"
  case $2 in
    kiln|kiln-batched)
          # kiln-batched: the WAL fsynced every 10 s instead of per commit (Prometheus's trade: a power
          # loss may lose the last seconds of acknowledged samples), to show what the per-commit fsync costs.
          local fsync=()
          [ "$2" = kiln-batched ] && fsync=(--storage.tsdb.wal-fsync-interval=10s)
          "$root/kiln" --config.file="$work/empty.yml" --storage.tsdb.path="$data" --web.listen-address=127.0.0.1:$port \
            "${fsync[@]}" --log.level=warn >"$work/$2.log" 2>&1 & pid=$!; ready=$base/-/ready ;;
    prometheus) prometheus --config.file="$work/empty.yml" --storage.tsdb.path="$data" --web.enable-remote-write-receiver \
            --web.listen-address=127.0.0.1:$port >"$work/$2.log" 2>&1 & pid=$!; ready=$base/-/ready ;;
    victoriametrics) victoria-metrics -httpListenAddr=127.0.0.1:$port -storageDataPath="$data" -search.disableCache \
            -search.latencyOffset=1s >"$work/$2.log" 2>&1 & pid=$!; ready=$base/health; extra="nocache=1" ;;
  esac
  wait_ready "$ready"
  local end=$(( $(date +%s) / 15 * 15 * 1000 ))
  echo "round=$1 server=$2 $(drive write "$base/api/v1/write" "$pid" "$hosts" "$steps" "$conns" "$end")" | tee -a "$results"
  [ "$2" = victoriametrics ] && curl -sf "$base/internal/force_flush" >/dev/null
  sleep 2
  local idle=${IDLE:-15}
  if [ "$idle" -gt 0 ]; then
    sleep "$idle"; echo "round=$1 server=$2 $(rss_of "$pid" rss_idle_after_ingest)" >> "$results"
  fi
  # Untimed passes over the whole query set first (WARMUP, default 1), the same for all three: a dashboard
  # server runs its queries all day, and this keeps the JIT's first compilations out of Kiln's medians.
  for _ in $(seq 1 "${WARMUP:-1}"); do drive query "$base" "$pid" "$end" 1 "$queries" "$extra" >/dev/null; done
  drive query "$base" "$pid" "$end" "$runs" "$queries" "$extra" | sed "s/^/round=$1 server=$2 /" >> "$results"
  if [ "$idle" -gt 0 ]; then
    sleep "$idle"; echo "round=$1 server=$2 $(rss_of "$pid" rss_idle_after_queries)" >> "$results"
  fi
  echo "round=$1 server=$2 disk_bytes=$(du -sb "$data" | cut -f1)" >> "$results"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  rm -rf "$data"
}

read -r -a order <<< "${SERVERS:-kiln prometheus victoriametrics}"
for r in $(seq 1 "$rounds"); do
  for i in "${!order[@]}"; do one "$r" "${order[$(( (i + r - 1) % ${#order[@]} ))]}"; done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$root/benchmarks/side-by-side/dashboard_table.py" "$results" "$queries"
[ -n "${KEEP_RESULTS:-}" ] && cp "$results" "$KEEP_RESULTS"; true
