#!/usr/bin/env bash
# Side-by-side remote_write ingest: Kiln, Prometheus 2.42 and VictoriaMetrics (Debian packages) on loopback,
# each fed the same generated node_exporter-like series by RemoteWriteLoad, one after the other, RUNS rounds.
# Kiln runs once per WAL fsync mode in KILN_FSYNC (default "0s 10s": an fsync per commit, then an fsync every
# 10 s; see docs/operations.md, "WAL durability"), with the launcher's JVM defaults (and MALLOC_ARENA_MAX) unless KILN_JAVA_OPTS is set.
# KILN_JARS="name=path ..." runs several Kiln builds in every round (e.g. before=old.jar after=new.jar), interleaved.
# JIT options: KILN_JIT_OPTS (default: the launcher's), per build KILN_JIT_OPTS_<name> (e.g. KILN_JIT_OPTS_before="").
# Extra Kiln flags per build: KILN_FLAGS_<name> (e.g. KILN_JARS="on=x.jar off=x.jar" KILN_FLAGS_off=--no-storage.tsdb.wal-compression).
# PEERS="prometheus victoria-metrics" (the default) picks the peers run in every round; PEERS="" runs Kiln only.
# Prints every run (RSS and anonymous RSS at the end of ingest, disk bytes of the data directory, WAL included, and
# of its wal/ directory alone), then
# the medians per receiver and Kiln's ratios to both peers. VictoriaMetrics keeps recent samples in memory for a few
# seconds before writing them, so its disk figure right after ingest is low; dashboard.sh measures disk after queries.
# Usage: benchmarks/side-by-side/remote-write.sh [SERIES] [SAMPLES] [CONNECTIONS] [RUNS]   (defaults 10000 60 4 1)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
series=${1:-10000}; samples=${2:-60}; conns=${3:-4}; runs=${4:-1}
work=$(mktemp -d); pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
jar="$root/server/target/server-0.1.0-SNAPSHOT-all.jar"
bench="$root/benchmarks/target/benchmarks.jar"
[ -f "$jar" ] && [ -f "$bench" ] || (cd "$root" && mvn -B -q -ntp -DskipTests package)
KILN_JAVA_OPTS=${KILN_JAVA_OPTS:-$(sed -n 's/^: "${KILN_JAVA_OPTS:=\(.*\)}"$/\1/p' "$root/kiln")}
KILN_JIT_OPTS=${KILN_JIT_OPTS-$(sed -n 's/^: "${KILN_JIT_OPTS=\(.*\)}"$/\1/p' "$root/kiln")}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$(sed -n 's/^export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-\(.*\)}"$/\1/p' "$root/kiln")}
# PORT_BASE: take ports from PORT_BASE upwards (the first free one) instead of any free port.
free_port() { python3 -c 'import socket,sys
b=int(sys.argv[1])
for p in (range(b, b+1000) if b else [0]):
    try:
        s=socket.socket(); s.bind(("127.0.0.1",p)); print(s.getsockname()[1]); break
    except OSError: pass' "${PORT_BASE:-0}"; }
wait_ready() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
run() { # name pid url data-dir
  local out
  out=$(java -cp "$bench" dev.kiln.benchmarks.sidebyside.RemoteWriteLoad "$3" "$2" "$series" "$samples" "$conns")
  local wal=0
  [ -d "$4/wal" ] && wal=$(du -sb "$4/wal" | cut -f1)
  printf '%-22s %s disk_bytes=%s wal_bytes=%s\n' "$1" "$out" "$(du -sb "$4" | cut -f1)" "$wal" | tee -a "$work/results"
}
echo "global: {scrape_interval: 1h}" > "$work/empty.yml"

for r in $(seq 1 "$runs"); do
  for kiln in ${KILN_JARS:-=$jar}; do
  n=${kiln%%=*}; name=kiln${n:+-$n}
  for fsync in ${KILN_FSYNC:-0s 10s}; do
    port=$(free_port); rm -rf "$work/kiln"
    # shellcheck disable=SC2086
    jitvar="KILN_JIT_OPTS_$n"; jit=${!jitvar-$KILN_JIT_OPTS}
    flagvar="KILN_FLAGS_$n"
    # shellcheck disable=SC2086
    java $KILN_JAVA_OPTS $jit -jar "${kiln#*=}" ${!flagvar-} --config.file="$work/empty.yml" --storage.tsdb.path="$work/kiln" \
      --storage.tsdb.wal-fsync-interval="$fsync" --web.listen-address=127.0.0.1:$port --log.level=warn >"$work/kiln.log" 2>&1 & pid=$!
    wait_ready "http://127.0.0.1:$port/-/ready"; run "$name-fsync-$fsync" $pid "http://127.0.0.1:$port/api/v1/write" "$work/kiln"
    kill $pid; wait $pid || true; pid=
  done
  done

  if [[ " ${PEERS-prometheus victoria-metrics} " == *" prometheus "* ]]; then
  port=$(free_port); rm -rf "$work/prom"
  prometheus --config.file="$work/empty.yml" --storage.tsdb.path="$work/prom" --web.enable-remote-write-receiver \
    --web.listen-address=127.0.0.1:$port >"$work/prom.log" 2>&1 & pid=$!
  wait_ready "http://127.0.0.1:$port/-/ready"; run prometheus-2.42 $pid "http://127.0.0.1:$port/api/v1/write" "$work/prom"
  kill $pid; wait $pid || true; pid=
  fi

  if [[ " ${PEERS-prometheus victoria-metrics} " == *" victoria-metrics "* ]]; then
  port=$(free_port); rm -rf "$work/vm"
  victoria-metrics -httpListenAddr=127.0.0.1:$port -storageDataPath="$work/vm" >"$work/vm.log" 2>&1 & pid=$!
  wait_ready "http://127.0.0.1:$port/health"; run victoria-metrics $pid "http://127.0.0.1:$port/api/v1/write" "$work/vm"
  kill $pid; wait $pid || true; pid=
  fi
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rest = line.split(None, 1)
    kv = dict(re.findall(r'(\w+)=([\d.]+)', rest))
    rows.setdefault(name, []).append(kv)
med = {n: {k: statistics.median(float(r[k]) for r in rs) for k in ('samples_per_s', 'cpu_s_per_million', 'rss_mib', 'rss_anon_mib', 'errors', 'disk_bytes', 'wal_bytes', 'samples')}
       for n, rs in rows.items()}
print('| receiver (median of %d) | samples/s | CPU s per million samples | RSS MiB | anonymous RSS MiB | disk bytes per sample | WAL bytes per sample | errors |'
      % len(next(iter(rows.values()))))
print('|---|---|---|---|---|---|---|---|')
for n, m in med.items():
    print('| %s | %.0f | %.2f | %.0f | %.0f | %.2f | %.2f | %.0f |' % (n, m['samples_per_s'], m['cpu_s_per_million'], m['rss_mib'],
          m['rss_anon_mib'], m['disk_bytes'] / m['samples'], m['wal_bytes'] / m['samples'], m['errors']))
for n, m in med.items():
    if not n.startswith('kiln'):
        continue
    for peer in ('prometheus-2.42', 'victoria-metrics'):
        if peer in med:
            p = med[peer]
            print('%s / %s: samples/s %.2f, CPU per sample %.2f, RSS %.2f, anonymous RSS %.2f' % (n, peer,
                  m['samples_per_s'] / p['samples_per_s'], m['cpu_s_per_million'] / p['cpu_s_per_million'],
                  m['rss_mib'] / p['rss_mib'], m['rss_anon_mib'] / p['rss_anon_mib']))
PY
