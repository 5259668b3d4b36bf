package dev.kiln.server.api;

import dev.kiln.scraper.scrape.DroppedTarget;
import dev.kiln.scraper.scrape.ScrapeManager;
import dev.kiln.scraper.scrape.TargetStatus;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.model.Durations;
import dev.kiln.tsdb.storage.Metadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/** {@code /api/v1/targets}, {@code /api/v1/scrape_pools}, {@code /api/v1/metadata}, {@code /api/v1/targets/metadata}. */
public final class TargetsApi {
  private final Supplier<ScrapeManager> scrape;

  public TargetsApi(Supplier<ScrapeManager> scrape) {
    this.scrape = scrape;
  }

  public void register(Router router) {
    router.read("/api/v1/targets", this::targets);
    router.read("/api/v1/scrape_pools", this::pools);
    router.read("/api/v1/metadata", this::metadata);
    router.read("/api/v1/targets/metadata", this::targetMetadata);
  }

  private Response targets(Request r) {
    String state = r.param("state");
    String pool = r.param("scrapePool");
    boolean active = state == null || state.isEmpty() || state.equals("active") || state.equals("any")
        || !(state.equals("dropped"));
    boolean dropped = state == null || state.isEmpty() || state.equals("dropped") || state.equals("any")
        || !(state.equals("active"));
    ScrapeManager m = scrape.get();
    List<TargetStatus> act = new ArrayList<>(m.activeTargets());
    act.removeIf(t -> pool != null && !pool.isEmpty() && !t.scrapePool().equals(pool));
    act.sort(Comparator.comparing(TargetStatus::scrapePool));
    List<DroppedTarget> drop = new ArrayList<>(m.droppedTargets());
    drop.removeIf(t -> pool != null && !pool.isEmpty() && !t.scrapePool().equals(pool));
    Map<String, Integer> dropCounts = new TreeMap<>();
    for (DroppedTarget d : m.droppedTargets()) {
      dropCounts.merge(d.scrapePool(), 1, Integer::sum);
    }
    return ApiResponses.success(out -> {
      out.beginObject().name("activeTargets").beginArray();
      if (active) {
        for (TargetStatus t : act) {
          out.beginObject();
          out.name("discoveredLabels");
          ResultWriter.labels(out, t.discoveredLabels());
          out.name("labels");
          ResultWriter.labels(out, t.labels());
          out.name("scrapePool").value(t.scrapePool());
          out.name("scrapeUrl").value(t.scrapeUrl());
          out.name("globalUrl").value(t.scrapeUrl());
          out.name("lastError").value(t.lastError());
          out.name("lastScrape").value(Times.rfc3339(t.lastScrapeMillis()));
          out.name("lastScrapeDuration").number(t.lastScrapeDurationSeconds());
          out.name("health").value(t.health().text());
          out.name("scrapeInterval").value(Durations.format(t.scrapeIntervalMillis()));
          out.name("scrapeTimeout").value(Durations.format(t.scrapeTimeoutMillis()));
          out.endObject();
        }
      }
      out.endArray().name("droppedTargets").beginArray();
      if (dropped) {
        for (DroppedTarget d : drop) {
          out.beginObject().name("discoveredLabels");
          ResultWriter.labels(out, d.discoveredLabels());
          out.name("scrapePool").value(d.scrapePool()).endObject();
        }
      }
      out.endArray().name("droppedTargetCounts").beginObject();
      dropCounts.forEach((k, v) -> out.name(k).value(v));
      out.endObject().endObject();
    });
  }

  private Response pools(Request r) {
    TreeSet<String> pools = new TreeSet<>();
    for (TargetStatus t : scrape.get().activeTargets()) {
      pools.add(t.scrapePool());
    }
    return ApiResponses.success(out -> {
      out.beginObject().name("scrapePools").beginArray();
      pools.forEach(out::value);
      out.endArray().endObject();
    });
  }

  private Response metadata(Request r) throws Exception {
    String metric = r.param("metric");
    int limit = ApiParams.limit(r);
    String lpm = r.param("limit_per_metric");
    int limitPerMetric = lpm == null || lpm.isEmpty() ? 0 : Integer.parseInt(lpm);
    Map<String, Set<Metadata>> byMetric = new TreeMap<>();
    for (ScrapeManager.TargetMetadata tm : scrape.get().targetMetadata()) {
      if (metric != null && !metric.isEmpty() && !metric.equals(tm.metric())) {
        continue;
      }
      byMetric.computeIfAbsent(tm.metric(), k -> new LinkedHashSet<>()).add(tm.metadata());
    }
    String limitText = r.param("limit");
    boolean zeroLimit = "0".equals(limitText);
    return ApiResponses.success(out -> {
      out.beginObject();
      if (!zeroLimit) {
        int n = 0;
        for (Map.Entry<String, Set<Metadata>> e : byMetric.entrySet()) {
          if (limit > 0 && n++ >= limit) {
            break;
          }
          out.name(e.getKey()).beginArray();
          int k = 0;
          for (Metadata md : e.getValue()) {
            if (limitPerMetric > 0 && k++ >= limitPerMetric) {
              break;
            }
            out.beginObject().name("type").value(md.type().text()).name("help").value(md.help()).name("unit").value(md.unit()).endObject();
          }
          out.endArray();
        }
      }
      out.endObject();
    });
  }

  private Response targetMetadata(Request r) throws Exception {
    String metric = r.param("metric");
    String match = r.param("match_target");
    List<dev.kiln.tsdb.model.LabelMatcher> matchers = match == null || match.isEmpty() ? List.of()
        : parseTargetMatchers(match);
    int limit = ApiParams.limit(r);
    Map<String, Integer> perTarget = new LinkedHashMap<>();
    List<ScrapeManager.TargetMetadata> rows = new ArrayList<>();
    for (ScrapeManager.TargetMetadata tm : scrape.get().targetMetadata()) {
      if (metric != null && !metric.isEmpty() && !metric.equals(tm.metric())) {
        continue;
      }
      boolean ok = matchers.stream().allMatch(m -> m.matches(tm.target()));
      if (!ok) {
        continue;
      }
      String key = tm.target().toString();
      if (limit > 0 && !perTarget.containsKey(key) && perTarget.size() >= limit) {
        continue;
      }
      perTarget.merge(key, 1, Integer::sum);
      rows.add(tm);
    }
    boolean omitMetric = metric != null && !metric.isEmpty();
    return ApiResponses.success(out -> {
      out.beginArray();
      for (ScrapeManager.TargetMetadata tm : rows) {
        out.beginObject().name("target");
        ResultWriter.labels(out, tm.target());
        if (!omitMetric) {
          out.name("metric").value(tm.metric());
        }
        out.name("type").value(tm.metadata().type().text()).name("help").value(tm.metadata().help())
            .name("unit").value(tm.metadata().unit()).endObject();
      }
      out.endArray();
    });
  }

  private static List<dev.kiln.tsdb.model.LabelMatcher> parseTargetMatchers(String sel) throws Exception {
    String s = sel.trim();
    if (s.startsWith("{")) {
      s = "{__name__=~\".+\"," + s.substring(1);
    }
    try {
      List<dev.kiln.tsdb.model.LabelMatcher> all = new ArrayList<>();
      for (dev.kiln.tsdb.model.LabelMatcher m : dev.kiln.promql.parser.PromQLParser.parseSelector(s)) {
        if (!m.name().equals("__name__")) {
          all.add(m);
        }
      }
      return all;
    } catch (dev.kiln.promql.ParseException e) {
      throw dev.kiln.server.http.ApiException.badParam("match_target", e.getMessage());
    }
  }
}
