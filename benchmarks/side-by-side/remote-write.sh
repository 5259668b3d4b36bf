#!/usr/bin/env bash
# Side-by-side remote_write ingest: Kiln, Prometheus 2.42 and VictoriaMetrics (Debian packages) on loopback,
# each fed the same generated node_exporter-like series by RemoteWriteLoad, one after the other.
# Usage: benchmarks/side-by-side/remote-write.sh [SERIES] [SAMPLES] [CONNECTIONS]   (defaults 10000 60 4)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
series=${1:-10000}; samples=${2:-60}; conns=${3:-4}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
bench="$root/benchmarks/target/benchmarks.jar"
[ -f "$jar" ] && [ -f "$bench" ] || (cd "$root" && mvn -B -q -ntp -DskipTests package)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
run() { # name pid url
  printf '%-16s ' "$1"
  java -cp "$bench" dev.kiln.benchmarks.sidebyside.RemoteWriteLoad "$3" "$2" "$series" "$samples" "$conns"
}
echo "global: {scrape_interval: 1h}" > "$work/empty.yml"

port=$(free_port)
java ${KILN_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=25} -jar "$jar" --config.file="$work/empty.yml" --storage.tsdb.path="$work/kiln" \
  --web.listen-address=127.0.0.1:$port --log.level=warn >"$work/kiln.log" 2>&1 & pid=$!
wait_ready "http://127.0.0.1:$port/-/ready"; run kiln $pid "http://127.0.0.1:$port/api/v1/write"; kill $pid; wait $pid || true

port=$(free_port)
prometheus --config.file="$work/empty.yml" --storage.tsdb.path="$work/prom" --web.enable-remote-write-receiver \
  --web.listen-address=127.0.0.1:$port >"$work/prom.log" 2>&1 & pid=$!
wait_ready "http://127.0.0.1:$port/-/ready"; run prometheus-2.42 $pid "http://127.0.0.1:$port/api/v1/write"; kill $pid; wait $pid || true

port=$(free_port)
victoria-metrics -httpListenAddr=127.0.0.1:$port -storageDataPath="$work/vm" >"$work/vm.log" 2>&1 & pid=$!
wait_ready "http://127.0.0.1:$port/health"; run victoria-metrics $pid "http://127.0.0.1:$port/api/v1/write"; kill $pid; wait $pid || true
