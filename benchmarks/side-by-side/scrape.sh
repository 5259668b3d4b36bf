#!/usr/bin/env bash
# Side-by-side scraping: Kiln and Prometheus 2.42 scrape the same N fake exporters (SERIES counters each) at
# the same interval, at the same time, for WINDOW seconds; prints each one's CPU seconds per million
# scraped samples (from /proc) and RSS. Loopback only, bounded in time.
# Usage: benchmarks/side-by-side/scrape.sh [N] [SERIES] [INTERVAL_S] [WINDOW_S]   (defaults 50 2000 5 60)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n=${1:-50}; series=${2:-2000}; interval=${3:-5}; window=${4:-60}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl server -am package)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
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
kport=$(free_port); pport=$(free_port)
java ${KILN_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=25} -jar "$jar" --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/kiln" --web.listen-address=127.0.0.1:$kport --log.level=warn >"$work/kiln.log" 2>&1 & kpid=$!; pids+=($kpid)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" --web.listen-address=127.0.0.1:$pport \
  >"$work/prom.log" 2>&1 & ppid=$!; pids+=($ppid)
wait_ready "http://127.0.0.1:$kport/-/ready"; wait_ready "http://127.0.0.1:$pport/-/ready"
sleep $((interval * 2))   # warm-up: first scrapes create the series
k0=$(cpu $kpid); p0=$(cpu $ppid); t0=$(date +%s)
sleep "$window"
k1=$(cpu $kpid); p1=$(cpu $ppid); t1=$(date +%s)
samples() { curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=sum(sum_over_time(scrape_samples_scraped[$((t1 - t0))s]))" \
  --data-urlencode "time=$t1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])'; }
ks=$(samples $kport); ps=$(samples $pport)
printf '%-16s samples=%s cpu_s=%.2f cpu_s_per_million=%.2f rss_mib=%s\n' kiln "$ks" "$(echo "$k1 - $k0" | bc)" "$(echo "($k1 - $k0) / ($ks / 1000000)" | bc -l)" "$(rss $kpid)"
printf '%-16s samples=%s cpu_s=%.2f cpu_s_per_million=%.2f rss_mib=%s\n' prometheus-2.42 "$ps" "$(echo "$p1 - $p0" | bc)" "$(echo "($p1 - $p0) / ($ps / 1000000)" | bc -l)" "$(rss $ppid)"
