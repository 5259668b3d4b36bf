package dev.kiln.server.api;

import dev.kiln.server.KilnVersion;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.WalReplayStatus;
import dev.kiln.tsdb.db.HeadStats;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** {@code /api/v1/status/*}: build info, config, flags, runtime info, TSDB stats, WAL replay. */
public final class StatusApi {
  private final Db db;
  private final Supplier<String> configYaml;
  private final Map<String, String> flags;
  private final BooleanSupplier lastReloadOk;
  private final LongSupplier lastReloadMillis;
  private final String retention;
  private final long startMillis = System.currentTimeMillis();

  public StatusApi(Db db, Supplier<String> configYaml, Map<String, String> flags, BooleanSupplier lastReloadOk,
      LongSupplier lastReloadMillis, String retention) {
    this.db = db;
    this.configYaml = configYaml;
    this.flags = flags;
    this.lastReloadOk = lastReloadOk;
    this.lastReloadMillis = lastReloadMillis;
    this.retention = retention;
  }

  public void register(Router router) {
    router.read("/api/v1/status/buildinfo", r -> ApiResponses.success(out -> out.beginObject()
        .name("version").value(KilnVersion.prometheusCompatibleVersion())
        .name("revision").value(KilnVersion.revision())
        .name("branch").value("main")
        .name("buildUser").value("kiln")
        .name("buildDate").value(KilnVersion.buildDate())
        .name("goVersion").value("java" + System.getProperty("java.version"))
        .endObject()));
    router.read("/api/v1/status/config", r -> ApiResponses.success(out -> out.beginObject().name("yaml").value(configYaml.get()).endObject()));
    router.read("/api/v1/status/flags", r -> ApiResponses.success(out -> {
      out.beginObject();
      new java.util.TreeMap<>(flags).forEach((k, v) -> out.name(k).value(v));
      out.endObject();
    }));
    router.read("/api/v1/status/runtimeinfo", this::runtime);
    router.read("/api/v1/status/tsdb", this::tsdb);
    router.read("/api/v1/status/walreplay", r -> {
      WalReplayStatus s = db.walReplayStatus();
      return ApiResponses.success(out -> out.beginObject().name("min").value(s.min()).name("max").value(s.max())
          .name("current").value(s.current()).endObject());
    });
  }

  private Response runtime(Request r) {
    Runtime rt = Runtime.getRuntime();
    return ApiResponses.success(out -> out.beginObject()
        .name("startTime").value(Times.rfc3339(startMillis))
        .name("CWD").value(System.getProperty("user.dir"))
        .name("hostname").value(hostname())
        .name("serverTime").value(Times.rfc3339(System.currentTimeMillis()))
        .name("reloadConfigSuccess").value(lastReloadOk.getAsBoolean())
        .name("lastConfigTime").value(Times.rfc3339(lastReloadMillis.getAsLong()))
        .name("corruptionCount").value(0)
        .name("goroutineCount").value(ManagementFactory.getThreadMXBean().getThreadCount())
        .name("GOMAXPROCS").value(rt.availableProcessors())
        .name("GOMEMLIMIT").value(rt.maxMemory())
        .name("GOGC").value("")
        .name("GODEBUG").value("")
        .name("storageRetention").value(retention)
        .endObject());
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private Response tsdb(Request r) throws ApiException {
    String l = r.param("limit");
    int limit = 10;
    if (l != null && !l.isEmpty()) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 10_000) {
        throw ApiException.badParam("limit", "limit must be a positive number");
      }
    }
    int n = limit;
    HeadStats s = db.headStats();
    return ApiResponses.success(out -> {
      out.beginObject().name("headStats").beginObject()
          .name("numSeries").value(s.numSeries())
          .name("numLabelPairs").value(s.numLabelPairs())
          .name("chunkCount").value(s.chunkCount())
          .name("minTime").value(s.numSeries() == 0 ? 0 : s.minTime())
          .name("maxTime").value(s.numSeries() == 0 ? 0 : s.maxTime())
          .endObject();
      stats(out, "seriesCountByMetricName", s.seriesCountByMetricName(), n);
      stats(out, "labelValueCountByLabelName", s.labelValueCountByLabelName(), n);
      stats(out, "memoryInBytesByLabelName", s.memoryInBytesByLabelName(), n);
      stats(out, "seriesCountByLabelValuePair", s.seriesCountByLabelValuePair(), n);
      out.endObject();
    });
  }

  private static void stats(JsonOut out, String name, List<HeadStats.Stat> list, int limit) {
    out.name(name).beginArray();
    for (int i = 0; i < Math.min(limit, list.size()); i++) {
      out.beginObject().name("name").value(list.get(i).name()).name("value").value(list.get(i).value()).endObject();
    }
    out.endArray();
  }
}
