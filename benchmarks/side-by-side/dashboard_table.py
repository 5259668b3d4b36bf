"""Tabulates the key=value lines of dashboard.sh: medians over rounds, Kiln's ratio to each peer."""
import re
import statistics
import sys
from collections import defaultdict

SERVERS = ["kiln", "prometheus", "victoriametrics"]


def main(results, queries_md):
    queries, inside = [], False
    for line in open(queries_md):
        if line.startswith("```"):
            inside = not inside
        elif inside and line.strip():
            queries.append(line.strip())
    vals = defaultdict(list)  # (server, key) -> values over rounds
    for line in open(results):
        kv = dict(re.findall(r"(\w+)=(\S+)", line))
        s = kv.get("server")
        if "query" in kv and "mode" in kv:
            vals[(s, "q%s/%s" % (kv["query"], kv["mode"]))].append(float(kv["median_ms"]))
            vals[(s, "n%s/%s" % (kv["query"], kv["mode"]))].append(float(kv["series"]))
            continue
        for k, v in kv.items():
            if k not in ("round", "server", "first_error"):
                vals[(s, k)].append(float(v))
    med = {k: statistics.median(v) for k, v in vals.items()}
    rounds = max(len(v) for v in vals.values())

    def row(label, key, fmt, scale=1.0, better="lower"):
        xs = [med.get((s, key)) for s in SERVERS]
        cells = [fmt % (x * scale) if x is not None else "-" for x in xs]
        k, p, v = xs
        ratio = lambda a, b: "%.2f" % (a / b) if a is not None and b else "-"
        print("| %s | %s | %s | %s |" % (label, " | ".join(cells), ratio(k, p), ratio(k, v)))

    samples = med.get(("kiln", "samples"), 0)
    print("\nmedians of %d round(s); %d series, %d samples per receiver\n" % (rounds, med.get(("kiln", "series"), 0), samples))
    print("| figure | Kiln | Prometheus 2.42 | VictoriaMetrics | Kiln/Prometheus | Kiln/VictoriaMetrics |")
    print("|---|---|---|---|---|---|")
    row("ingest samples/s (higher is better)", "samples_per_s", "%.0f")
    row("server CPU s per 1 M samples ingested", "cpu_s_per_million", "%.2f")
    row("RSS after ingest, MiB", "rss_mib", "%.0f")
    row("RSS after queries, MiB", "rss_after_queries_mib", "%.0f")
    row("anonymous RSS after ingest, MiB", "rss_anon_mib", "%.0f")
    row("anonymous RSS after queries, MiB", "rss_anon_after_queries_mib", "%.0f")
    if any(k == "rss_1s_after_queries_mib" for _, k in med):
        row("RSS 1 s after queries, MiB", "rss_1s_after_queries_mib", "%.0f")
        row("anonymous RSS 1 s after queries, MiB", "rss_1s_after_queries_anon_mib", "%.0f")
    if any(k == "rss_idle_after_queries_mib" for _, k in med):
        row("RSS after ingest and IDLE s idle, MiB", "rss_idle_after_ingest_mib", "%.0f")
        row("RSS after queries and IDLE s idle, MiB", "rss_idle_after_queries_mib", "%.0f")
        row("anonymous RSS after ingest and IDLE s idle, MiB", "rss_idle_after_ingest_anon_mib", "%.0f")
        row("anonymous RSS after queries and IDLE s idle, MiB", "rss_idle_after_queries_anon_mib", "%.0f")
    for s in SERVERS:
        if (s, "disk_bytes") in med and samples:
            med[(s, "disk_per_sample")] = med[(s, "disk_bytes")] / samples
    row("disk bytes per sample (data dir after queries)", "disk_per_sample", "%.2f")
    row("CPU s for all queries", "query_cpu_s", "%.2f")
    if any(k == "query_cpu_1s_after_s" for _, k in med):
        row("CPU s for all queries and the second after", "query_cpu_1s_after_s", "%.2f")
    row("ingest errors", "errors", "%.0f")
    for i, q in enumerate(queries):
        for mode in ("instant", "1h", "6h"):
            key = "q%d/%s" % (i, mode)
            label = "q%d %s, ms" % (i, mode)
            row(label, key, "%.1f")
    if ("kiln-batched", "samples_per_s") in med:
        b = lambda k: med.get(("kiln-batched", k))
        ratio = lambda a, x: "%.2f" % (a / x) if a is not None and x else "-"
        print("\nkiln-batched (WAL fsynced every 10 s): %.0f samples/s (%s of Kiln's, %s of VictoriaMetrics's), "
              "%.2f CPU s per 1 M samples, %.0f ingest errors"
              % (b("samples_per_s"), ratio(b("samples_per_s"), med.get(("kiln", "samples_per_s"))),
                 ratio(b("samples_per_s"), med.get(("victoriametrics", "samples_per_s"))), b("cpu_s_per_million"),
                 b("errors") or 0))
    print("\nresult series per query (Kiln / Prometheus / VictoriaMetrics), to check that all three answer alike:")
    for i, q in enumerate(queries):
        counts = ["/".join("%g" % med.get((s, "n%d/%s" % (i, m)), -1) for s in SERVERS) for m in ("instant", "1h", "6h")]
        print("  q%d  %s   %s" % (i, "  ".join(counts), q[:100]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
