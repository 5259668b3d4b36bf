package dev.kiln.server.api;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.db.BlockInfo;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.model.LabelMatcher;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The TSDB admin API ({@code snapshot}, {@code delete_series}, {@code clean_tombstones}), only
 * with {@code --web.enable-admin-api}, and {@code /api/v1/status/tsdb/blocks}.
 */
public final class AdminApi {
  private final Db db;
  private final boolean enabled;

  public AdminApi(Db db, boolean enabled) {
    this.db = db;
    this.enabled = enabled;
  }

  public void register(Router router) {
    Set<String> write = Set.of("POST", "PUT");
    router.add(write, "/api/v1/admin/tsdb/snapshot", this::snapshot);
    router.add(write, "/api/v1/admin/tsdb/delete_series", this::deleteSeries);
    router.add(write, "/api/v1/admin/tsdb/clean_tombstones", this::cleanTombstones);
    router.read("/api/v1/status/tsdb/blocks", this::blocks);
  }

  private void requireEnabled() throws ApiException {
    if (!enabled) {
      throw new ApiException("unavailable", 500, "admin APIs disabled");
    }
  }

  private Response snapshot(Request r) throws ApiException {
    requireEnabled();
    boolean skipHead = "true".equals(r.param("skip_head"));
    String name = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(java.time.Instant.now())
        + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    Path target = db.dir().resolve("snapshots").resolve(name);
    db.snapshot(target, !skipHead);
    return ApiResponses.success(out -> out.beginObject().name("name").value(name).endObject());
  }

  private Response deleteSeries(Request r) throws ApiException {
    requireEnabled();
    List<String> match = r.params("match[]");
    if (match.isEmpty()) {
      throw ApiException.badData("no match[] parameter provided");
    }
    long start = ApiParams.time(r, "start", ApiParams.MIN_TIME);
    long end = ApiParams.time(r, "end", ApiParams.MAX_TIME);
    for (String m : match) {
      List<LabelMatcher> matchers;
      try {
        matchers = PromQLParser.parseSelector(m);
      } catch (ParseException e) {
        throw ApiException.badParam("match[]", e.getMessage());
      }
      db.deleteSeries(start, end, matchers.toArray(new LabelMatcher[0]));
    }
    return Response.empty(204);
  }

  private Response cleanTombstones(Request r) throws ApiException {
    requireEnabled();
    db.cleanTombstones();
    return Response.empty(204);
  }

  private Response blocks(Request r) {
    List<BlockInfo> blocks = db.blockInfos();
    return ApiResponses.success(out -> {
      out.beginObject().name("blocks").beginArray();
      for (BlockInfo m : blocks) {
        out.beginObject().name("ulid").value(m.ulid()).name("minTime").value(m.minTime()).name("maxTime").value(m.maxTime())
            .name("stats").beginObject().name("numSamples").value(m.numSamples()).name("numSeries").value(m.numSeries())
            .name("numChunks").value(m.numChunks()).endObject()
            .name("compaction").beginObject().name("level").value(m.level()).name("sources").beginArray();
        m.sources().forEach(out::value);
        out.endArray().endObject().name("version").value(1).endObject();
      }
      out.endArray().endObject();
    });
  }
}
