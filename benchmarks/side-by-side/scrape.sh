#!/usr/bin/env bash
# Side-by-side scraping: Kiln, Prometheus 2.42 and VictoriaMetrics (single node, -promscrape.config: scrapes and
# stores, like the other two) scrape the same N fake exporters (SERIES counters each) at the same interval, at the
# same time, for WINDOW seconds; prints each one's CPU seconds per million scraped samples (from /proc) and RSS.
# Samples are counted on each server with sum_over_time(scrape_samples_scraped[WINDOW]). Loopback only, bounded.
# Kiln's JVM options: KILN_JAVA_OPTS and KILN_JIT_OPTS (default: the launcher's; KILN_JIT_OPTS="" for the JDK's JIT
# thresholds); KILN_JAR another server jar; KILN_ARGS extra server flags. VM=0 leaves VictoriaMetrics out. WARMUP: seconds
# before the window (default two intervals). KEEPALIVE=1: the exporters keep HTTP/1.1 connections open (default:
# HTTP/1.0, a new connection per scrape; see targets.py).
# Usage: benchmarks/side-by-side/scrape.sh [N] [SERIES] [INTERVAL_S] [WINDOW_S]   (defaults 50 2000 5 60)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n=${1:-50}; series=${2:-2000}; interval=${3:-5}; window=${4:-60}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl server -am package)
# PORT_BASE: take ports from PORT_BASE upwards (the first free one) instead of any free port.
free_port() { python3 -c 'import socket,sys
b=int(sys.argv[1])
for p in (range(b, b+1000) if b else [0]):
    try:
        s=socket.socket(); s.bind(("127.0.0.1",p)); print(s.getsockname()[1]); break
    except OSError: pass' "${PORT_BASE:-0}"; }
wait_ready() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
cpu() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

python3 "$root/benchmarks/side-by-side/targets.py" "$n" "$series" "$work/ports" & pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/ports" ] && break; sleep 0.1; done
targets=$(sed 's/^/"127.0.0.1:/; s/$/"/' "$work/ports" | paste -sd, -)
cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: ${interval}s, scrape_timeout: ${interval}s}
scrape_configs:
  - job_name: app
    static_configs: [{targets: [$targets]}]
YAML
kport=$(free_port); PORT_BASE=${PORT_BASE:+$((kport + 1))} pport=$(free_port); PORT_BASE=${PORT_BASE:+$((pport + 1))} vport=$(free_port)
KILN_JAVA_OPTS=${KILN_JAVA_OPTS:-$(sed -n 's/^: "${KILN_JAVA_OPTS:=\(.*\)}"$/\1/p' "$root/kiln")}
KILN_JIT_OPTS=${KILN_JIT_OPTS-$(sed -n 's/^: "${KILN_JIT_OPTS=\(.*\)}"$/\1/p' "$root/kiln")}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$(sed -n 's/^export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-\(.*\)}"$/\1/p' "$root/kiln")}
# shellcheck disable=SC2086
java $KILN_JAVA_OPTS $KILN_JIT_OPTS -jar "${KILN_JAR:-$jar}" --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/kiln" --web.listen-address=127.0.0.1:$kport --log.level=warn ${KILN_ARGS:-} >"$work/kiln.log" 2>&1 & kpid=$!; pids+=($kpid)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" --web.listen-address=127.0.0.1:$pport \
  >"$work/prom.log" 2>&1 & ppid=$!; pids+=($ppid)
vpid=
if [ "${VM:-1}" != 0 ]; then
  victoria-metrics -promscrape.config="$work/prometheus.yml" -storageDataPath="$work/vm" -httpListenAddr=127.0.0.1:$vport \
    -search.latencyOffset=0s >"$work/vm.log" 2>&1 & vpid=$!; pids+=($vpid)
fi
wait_ready "http://127.0.0.1:$kport/-/ready"; wait_ready "http://127.0.0.1:$pport/-/ready"
[ -z "$vpid" ] || wait_ready "http://127.0.0.1:$vport/health"
# Warm-up: the first scrapes create the series; WARMUP (seconds, default two intervals) longer lets Kiln's JIT
# finish compiling before the window, so the window measures the steady state.
sleep "${WARMUP:-$((interval * 2))}"
k0=$(cpu $kpid); p0=$(cpu $ppid); [ -z "$vpid" ] || v0=$(cpu $vpid); t0=$(date +%s)
sleep "$window"
k1=$(cpu $kpid); p1=$(cpu $ppid); [ -z "$vpid" ] || v1=$(cpu $vpid); t1=$(date +%s)
[ -z "$vpid" ] || curl -sf "http://127.0.0.1:$vport/internal/force_flush" >/dev/null
samples() { curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=sum(sum_over_time(scrape_samples_scraped[$((t1 - t0))s]))" \
  --data-urlencode "time=$t1" ${2:-} | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])'; }
line() { # name samples cpu0 cpu1 pid
  printf '%-16s samples=%s cpu_s=%.2f cpu_s_per_million=%.2f rss_mib=%s\n' "$1" "$2" "$(echo "$4 - $3" | bc)" "$(echo "($4 - $3) / ($2 / 1000000)" | bc -l)" "$(rss "$5")"
}
line kiln "$(samples $kport)" "$k0" "$k1" $kpid
line prometheus-2.42 "$(samples $pport)" "$p0" "$p1" $ppid
[ -z "$vpid" ] || line victoria-metrics "$(samples $vport "--data-urlencode nocache=1")" "$v0" "$v1" $vpid
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
