#!/usr/bin/env bash
# Kiln's memory under JVM settings: for each VARIANT (a command prefix that ends in a java binary and its options,
# e.g. "MALLOC_ARENA_MAX=2 java -XX:+UseSerialGC -Xss512k"), starts Kiln with it on loopback, feeds it the dashboard
# workload over remote write (DashboardBench write: SERIES series rounded down to whole hosts of 125, STEPS samples
# at 15 s, CONNECTIONS connections), runs every dashboard query once as instant, 1 h and 6 h range query, and prints
# samples/s, CPU per million samples, RSS and anonymous RSS (RssAnon, leaving out resident pages of mapped files)
# after ingest and after queries, and the native memory tracking summary after queries (the variant's own jcmd;
# NMT=0 leaves it out). Variants run one after the other, ROUNDS times, the order rotating per round.
# Usage: benchmarks/side-by-side/kiln-memory.sh SERIES STEPS ROUNDS VARIANT...   (CONNECTIONS=4 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
series=$1; steps=$2; rounds=$3; shift 3
variants=("$@"); conns=${CONNECTIONS:-4}
queries=${QUERIES:-$root/../shared/workloads/dashboard-queries.md}
[ -f "$queries" ] || queries=/work/shared/workloads/dashboard-queries.md
hosts=$((series / 125)); [ "$hosts" -ge 1 ] || hosts=1
work=$(mktemp -d); pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
bench="$root/benchmarks/target/benchmarks.jar"
[ -f "$jar" ] && [ -f "$bench" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl server,benchmarks -am package)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
status() { awk -v f="$2:" '$1 == f {printf "%.0f", $2/1024}' "/proc/$1/status"; }
echo "global: {scrape_interval: 1h}" > "$work/empty.yml"
drive() { java -cp "$bench" dev.kiln.benchmarks.sidebyside.DashboardBench "$@"; }

for r in $(seq 1 "$rounds"); do
  for i in "${!variants[@]}"; do
    v=${variants[$(( (i + r - 1) % ${#variants[@]} ))]}
    port=$(free_port); rm -rf "$work/data"
    nmt=; [ "${NMT:-1}" = 1 ] && nmt=-XX:NativeMemoryTracking=summary
    # shellcheck disable=SC2086
    env $v $nmt --enable-native-access=ALL-UNNAMED -jar "$jar" --config.file="$work/empty.yml" \
      --storage.tsdb.path="$work/data" --web.listen-address=127.0.0.1:$port --log.level=warn >"$work/kiln.log" 2>&1 & pid=$!
    wait_ready "http://127.0.0.1:$port/-/ready"
    end=$(( $(date +%s) / 15 * 15 * 1000 ))
    w=$(drive write "http://127.0.0.1:$port/api/v1/write" "$pid" "$hosts" "$steps" "$conns" "$end")
    file1=$(status $pid RssFile)
    q=$(drive query "http://127.0.0.1:$port" "$pid" "$end" 1 "$queries" "" | grep query_cpu_s)
    file2=$(status $pid RssFile)
    echo "round=$r variant=[$v] $w rss_file_mib=$file1 | $q rss_file_after_queries_mib=$file2 load=$(cut -d' ' -f1 /proc/loadavg)"
    if [ -n "$nmt" ]; then
      jcmd=jcmd
      for word in $v; do case $word in */java|java) jcmd="$(dirname "$(command -v "$word")")/jcmd" ;; esac; done
      "$jcmd" "$pid" VM.native_memory summary scale=MB | grep -E '^-|Total' | sed 's/^/    /'
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
