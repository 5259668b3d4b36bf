#!/usr/bin/env bash
# Where Kiln's RSS goes right after the dashboard queries. For each JAR (a server jar; "" or "default" is this tree's),
# ROUNDS times, alternating: starts Kiln with the launcher's JVM options (KILN_JAVA_OPTS / KILN_JIT_OPTS as the
# launcher sets them, EXTRA_OPTS appended), feeds it the dashboard workload over remote write (SERIES series, STEPS
# samples at 15 s), runs WARMUP untimed passes and one timed pass of RUNS over all dashboard queries as
# dashboard.sh does, and right after the last query prints RSS, RssAnon, RssFile, the resident pages of Kiln's
# own data files (smaps), the heap (jcmd GC.heap_info) and, with NMT=1, native memory tracking; DETAIL=1 adds the
# thread count, smaps_rollup, the largest resident mappings and the live heap's class histogram (a full collection).
# SERVER_JAVA runs Kiln on another java than the PATH's (the driver stays on the PATH's).
# Usage: benchmarks/side-by-side/kiln-rss-after-queries.sh SERIES STEPS ROUNDS [JAR[::JVM_OPTS]...]   (RUNS=5 WARMUP=1)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
series=$1; steps=$2; rounds=$3; shift 3
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=(default)
runs=${RUNS:-5}; conns=${CONNECTIONS:-4}
queries=${QUERIES:-$root/../shared/workloads/dashboard-queries.md}
[ -f "$queries" ] || queries=/work/shared/workloads/dashboard-queries.md
hosts=$((series / 125)); [ "$hosts" -ge 1 ] || hosts=1
work=$(mktemp -d); pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
bench="$root/benchmarks/target/benchmarks.jar"
port_base=${PORT_BASE:-0}
free_port() { if [ "$port_base" -gt 0 ]; then port_base=$((port_base + 1)); echo "$port_base"; else
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; fi; }
wait_ready() { for _ in $(seq 1 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
status() { awk -v f="$2:" '$1 == f {printf "%.0f", $2/1024}' "/proc/$1/status"; }
# resident KiB of mappings whose path is under DIR
data_rss() { awk -v d="$2" '/^[0-9a-f]+-[0-9a-f]+ / {m = (index($0, d) > 0); k = ($0 ~ /chunks_head/) ? "head" : ($0 ~ /\/index$/) ? "index" : "blockchunks"}
  m && $1 == "Rss:" {s[k] += $2; t += $2} END {printf "%.0f(head=%.0f,blockchunks=%.0f,index=%.0f)", t/1024, s["head"]/1024, s["blockchunks"]/1024, s["index"]/1024}' "/proc/$1/smaps"; }
echo "global: {scrape_interval: 1h}" > "$work/empty.yml"
drive() { java -cp "$bench" dev.kiln.benchmarks.sidebyside.DashboardBench "$@"; }
opts=$(grep -o '^: "${KILN_JAVA_OPTS:=[^}]*' "$root/kiln" | sed 's/^.*OPTS:=//')
jit=$(grep -o '^: "${KILN_JIT_OPTS=[^}]*' "$root/kiln" | sed 's/^.*OPTS=//')
server_java=${SERVER_JAVA:-java}
modules=; release="$(dirname "$(readlink -f "$(command -v "$server_java")")")/../release"
grep -q '^JAVA_VERSION="1[78][."]' "$release" 2>/dev/null && grep -q jdk.incubator.foreign "$release" && modules="--add-modules jdk.incubator.foreign"
for r in $(seq 1 "$rounds"); do
  for i in "${!jars[@]}"; do
    item=${jars[$(( (i + r - 1) % ${#jars[@]} ))]}
    jar=${item%%::*}; vopts=; [ "$item" != "$jar" ] && vopts=${item#*::}
    [ "$jar" = default ] && jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
    port=$(free_port); rm -rf "$work/data"; mkdir -p "$work/data"
    nmt=; [ "${NMT:-0}" = 1 ] && nmt=-XX:NativeMemoryTracking=summary
    # shellcheck disable=SC2086
    MALLOC_ARENA_MAX=2 "$server_java" $opts $jit ${EXTRA_OPTS:-} $vopts $nmt $modules --enable-native-access=ALL-UNNAMED -jar "$jar" \
      --config.file="$work/empty.yml" --storage.tsdb.path="$work/data" --web.listen-address=127.0.0.1:$port \
      --log.level=warn >"$work/kiln.log" 2>&1 & pid=$!
    wait_ready "http://127.0.0.1:$port/-/ready" || { cat "$work/kiln.log" >&2; exit 1; }
    end=$(( $(date +%s) / 15 * 15 * 1000 ))
    w=$(drive write "http://127.0.0.1:$port/api/v1/write" "$pid" "$hosts" "$steps" "$conns" "$end")
    sleep 2
    for _ in $(seq 1 "${WARMUP:-1}"); do drive query "http://127.0.0.1:$port" "$pid" "$end" 1 "$queries" "" >/dev/null; done
    q=$(drive query "http://127.0.0.1:$port" "$pid" "$end" "$runs" "$queries" "")
    line="rss=$(status $pid VmRSS) anon=$(status $pid RssAnon) file=$(status $pid RssFile) data_files=$(data_rss $pid "$work/data")"
    heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | grep -E 'def new|tenured' | awk '$1 == "def" {printf "young=%s/%s ", $7, $5} $1 == "tenured" {printf "old=%s/%s ", $6, $4}' | tr -d ',' || true)
    sleep 1; later="rss_1s_later=$(status $pid VmRSS)"
    ms=$(echo "$q" | awk '/^query=/ {split($3, a, "="); s += a[2]} END {printf "%.0f", s}')
    echo "round=$r jar=$(basename "$jar")${vopts:+[$vopts]} $line heap_used/committed: $heap $later sum_median_ms=$ms $(echo "$q" | grep query_cpu_s) ingest: $(echo "$w" | grep -o 'cpu_s_per_million=[^ ]*') load=$(cut -d' ' -f1 /proc/loadavg)"
    [ -n "${KEEP:-}" ] && echo "$q" > "$KEEP.$r.$i"
    if [ -n "$nmt" ]; then jcmd "$pid" VM.native_memory summary scale=MB | grep -E '^-|Total' | sed 's/^/    /'; fi
    if [ "${DETAIL:-0}" = 1 ]; then
      jcmd "$pid" GC.heap_info 2>/dev/null | sed -n '2,$p' | sed 's/^/    heap: /'
      echo "    threads=$(ls /proc/$pid/task | wc -l)"
      grep -E '^(Rss|Anonymous|Shared|Private)' /proc/$pid/smaps_rollup | tr -s ' ' | paste -sd' ' | sed 's/^/    smaps_rollup: /'
      # the largest resident mappings, by path (anonymous ones as [anon])
      awk '/^[0-9a-f]+-[0-9a-f]+ / {n = (NF >= 6) ? $6 : "[anon]"} $1 == "Rss:" {s[n] += $2} END {for (k in s) if (s[k] >= 1024) printf "%.0f %s\n", s[k]/1024, k}' \
        /proc/$pid/smaps | sort -rn | head -8 | sed 's/^/    mapped MiB: /'
      [ -n "$nmt" ] && jcmd "$pid" VM.native_memory summary scale=KB | grep -E 'committed=' | sed 's/^/    /'
      jcmd "$pid" GC.class_histogram 2>/dev/null | sed -n '3,22p;$p' | sed 's/^/    live: /'
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
