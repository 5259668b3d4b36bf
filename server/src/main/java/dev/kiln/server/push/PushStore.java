package dev.kiln.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Pushgateway-compatible store: groups by grouping key, PUT/POST/DELETE semantics, validation
 * as the Pushgateway does it, and durability (every change is written to a file atomically before
 * the push is acknowledged). Thread-safe.
 */
public final class PushStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<GroupingKey, PushedGroup> groups = new TreeMap<>();

  /** Opens the store persisted in {@code file}, loading the groups saved there. */
  public PushStore(Path file) throws IOException {
    this.file = file;
    if (Files.exists(file)) {
      load();
    }
  }

  /** A snapshot of all groups, ordered by grouping key. */
  public synchronized List<PushedGroup> groups() {
    return List.copyOf(groups.values());
  }

  /**
   * Applies a push. {@code replaceAll} is PUT (the group becomes the body) versus POST (only
   * families named in the body are replaced).
   */
  public synchronized void push(GroupingKey key, String body, boolean replaceAll, long nowNanos) throws PushException, IOException {
    apply(key, () -> parse(key, body), replaceAll, nowNanos);
  }

  /**
   * Applies a push in the delimited protobuf format (varint-length-delimited MetricFamily
   * messages), with the semantics of {@link #push}.
   */
  public synchronized void pushProtobuf(GroupingKey key, byte[] body, boolean replaceAll, long nowNanos)
      throws PushException, IOException {
    apply(key, () -> ProtobufFamilies.parse(key, body), replaceAll, nowNanos);
  }

  /** Parses a push body into families. */
  private interface BodyParser {
    Map<String, PushedGroup.Family> parse() throws PushException;
  }

  private void apply(GroupingKey key, BodyParser parser, boolean replaceAll, long nowNanos) throws PushException, IOException {
    PushedGroup old = groups.get(key);
    Map<String, PushedGroup.Family> parsed;
    try {
      parsed = parser.parse();
      checkConsistency(key, parsed);
    } catch (PushException e) {
      if (e.isInconsistent()) {
        // The Pushgateway records a refused push, creating the group (empty) if it is new.
        groups.put(key, old != null ? new PushedGroup(key, old.families(), old.pushNanos(), nowNanos, old.createdNanos())
            : new PushedGroup(key, Map.of(), 0, nowNanos, nowNanos));
        save();
      }
      throw e;
    }
    Map<String, PushedGroup.Family> families = new TreeMap<>();
    if (!replaceAll && old != null) {
      families.putAll(old.families());
    }
    parsed.forEach((name, f) -> families.put(name, f.at(nowNanos)));
    groups.put(key, new PushedGroup(key, Map.copyOf(families), nowNanos, old == null ? 0 : old.failureNanos(),
        old == null ? nowNanos : old.createdNanos()));
    save();
  }

  /** Whether a family is one of the push times the store keeps itself (pushed ones are dropped). */
  static boolean isPushTimeFamily(String name) {
    return name.equals("push_time_seconds") || name.equals("push_failure_time_seconds");
  }

  /** Deletes a group; unknown groups are fine. */
  public synchronized void delete(GroupingKey key) throws IOException {
    if (groups.remove(key) != null) {
      save();
    }
  }

  /** Deletes every group. */
  public synchronized void wipe() throws IOException {
    groups.clear();
    save();
  }

  private static Map<String, PushedGroup.Family> parse(GroupingKey key, String body) throws PushException {
    Map<String, PushedGroup.Family> out = new LinkedHashMap<>();
    Map<String, MetricType> types = new HashMap<>();
    Map<String, String> helps = new HashMap<>();
    Map<String, List<PushedGroup.PushedSample>> samples = new LinkedHashMap<>();
    boolean[] timestamped = {false};
    try {
      ExpositionParser.parse(body, ExpositionParser.Format.PUSHGATEWAY_TEXT, new ExpositionSink() {
        @Override
        public void sample(String raw, ParsedSeries s, double value, long ts) {
          if (ts != NO_TIMESTAMP) {
            timestamped[0] = true;
          }
          String name = s.metricName();
          if (isPushTimeFamily(name)) {
            return;
          }
          // As the Pushgateway's sanitizeLabels: the grouping key's values win, empty ones included.
          Labels.Builder b = s.labels().toBuilder();
          java.util.TreeSet<String> empty = new java.util.TreeSet<>(EmptyLabels.in(raw));
          key.forEach((n, v) -> {
            b.set(n, v);
            if (v.isEmpty()) {
              empty.add(n);
            } else {
              empty.remove(n);
            }
          });
          samples.computeIfAbsent(familyOf(name, types), k -> new ArrayList<>())
              .add(new PushedGroup.PushedSample(b.build(), value, List.copyOf(empty)));
        }

        @Override
        public void metadata(String family, MetricType type, String help, String unit) {
          types.put(family, type);
          helps.put(family, help);
        }
      });
    } catch (dev.kiln.scraper.parse.ExpositionException e) {
      throw new PushException("text format parsing error in " + e.getMessage());
    }
    if (timestamped[0]) {
      throw PushException.inconsistent("pushed metrics must not have timestamps");
    }
    samples.forEach((fam, list) -> out.put(fam, new PushedGroup.Family(types.getOrDefault(fam, MetricType.UNKNOWN),
        helps.getOrDefault(fam, ""), List.copyOf(list))));
    return out;
  }

  private static String familyOf(String name, Map<String, MetricType> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        MetricType t = types.get(base);
        if (t == MetricType.HISTOGRAM || t == MetricType.SUMMARY) {
          return base;
        }
      }
    }
    return name;
  }

  /**
   * A series as the Pushgateway's consistency check tells series apart: its name and exposed
   * labels, so {@code a{foo=""}} and {@code a} are two series.
   */
  private static List<Object> identity(PushedGroup.PushedSample s) {
    return List.of(s.labels().metricName(), s.exposedLabels());
  }

  private void checkConsistency(GroupingKey key, Map<String, PushedGroup.Family> parsed) throws PushException {
    java.util.Set<List<Object>> seen = new java.util.HashSet<>();
    for (Map.Entry<String, PushedGroup.Family> e : parsed.entrySet()) {
      for (PushedGroup.PushedSample s : e.getValue().samples()) {
        if (!seen.add(identity(s))) {
          throw PushException.inconsistent("collected metric \"" + s.labels().metricName() + "\" " + exposed(s)
              + " was collected before with the same name and label values");
        }
      }
    }
    for (PushedGroup g : groups.values()) {
      if (g.key().equals(key)) {
        continue;
      }
      for (Map.Entry<String, PushedGroup.Family> e : parsed.entrySet()) {
        PushedGroup.Family other = g.families().get(e.getKey());
        if (other == null) {
          continue;
        }
        if (other.type() != e.getValue().type()) {
          String first = e.getValue().samples().isEmpty() ? exposed(new PushedGroup.PushedSample(key.labels(), 0))
              : exposed(e.getValue().samples().get(0));
          throw PushException.inconsistent("collected metric \"" + e.getKey() + "\" " + first + " is not a "
              + typeName(other.type()).toUpperCase(java.util.Locale.ROOT));
        }
        java.util.Set<List<Object>> others = new java.util.HashSet<>();
        other.samples().forEach(o -> others.add(identity(o)));
        for (PushedGroup.PushedSample s : e.getValue().samples()) {
          if (others.contains(identity(s))) {
            throw PushException.inconsistent("collected metric \"" + s.labels().metricName() + "\" " + exposed(s)
                + " was collected before with the same name and label values");
          }
        }
      }
    }
  }

  private static String typeName(MetricType t) {
    return switch (t) {
      case COUNTER, GAUGE, HISTOGRAM, SUMMARY -> t.text();
      default -> "untyped";
    };
  }

  /** A series' labels as the Pushgateway exposes them, e.g. {@code {instance="",job="j"}}. */
  private static String exposed(PushedGroup.PushedSample s) {
    StringBuilder sb = new StringBuilder("{");
    s.exposedLabels().forEach((n, v) -> sb.append(sb.length() > 1 ? "," : "").append(n).append('=')
        .append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
    return sb.append('}').toString();
  }

  /**
   * Every group as the Pushgateway's {@code /metrics} exposes it (its own metrics aside), in the
   * text format: see {@link GatheredFamilies} and {@link FamilyText}.
   */
  public synchronized String exposition() {
    return FamilyText.write(GatheredFamilies.of(groups.values()));
  }

  /** Whether a group holds a family pushed in the protobuf format. */
  public synchronized boolean hasProtobuf() {
    for (PushedGroup g : groups.values()) {
      for (PushedGroup.Family f : g.families().values()) {
        if (f.protobuf() != null) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Every group in the delimited protobuf format, one MetricFamily message per family name as the
   * Pushgateway gathers them: protobuf-pushed families as pushed, text-pushed ones encoded.
   */
  public synchronized byte[] protobufExposition() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (dev.kiln.server.exposition.proto.MetricFamily f : GatheredFamilies.of(groups.values())) {
      MetricFamilyCodec.delimit(out, f.toByteArray());
    }
    return out.toByteArray();
  }

  private void save() throws IOException {
    ArrayNode arr = JSON.createArrayNode();
    for (PushedGroup g : groups.values()) {
      ObjectNode o = arr.addObject();
      ObjectNode k = o.putObject("key");
      g.key().forEach(k::put);
      o.put("pushNanos", g.pushNanos());
      o.put("failureNanos", g.failureNanos());
      o.put("createdNanos", g.createdNanos());
      ArrayNode fams = o.putArray("families");
      for (Map.Entry<String, PushedGroup.Family> f : g.families().entrySet()) {
        ObjectNode fo = fams.addObject();
        fo.put("name", f.getKey()).put("type", f.getValue().type().text()).put("help", f.getValue().help())
            .put("pushedNanos", f.getValue().pushedNanos());
        if (f.getValue().protobuf() != null) {
          fo.put("protobuf", f.getValue().protobuf());
        }
        ArrayNode ss = fo.putArray("samples");
        for (PushedGroup.PushedSample s : f.getValue().samples()) {
          ObjectNode so = ss.addObject();
          ObjectNode lo = so.putObject("labels");
          s.labels().forEach(lo::put);
          so.put("value", GoFloats.format(s.value(), Notation.G));
          if (!s.emptyLabels().isEmpty()) {
            ArrayNode empty = so.putArray("empty");
            s.emptyLabels().forEach(empty::add);
          }
        }
      }
    }
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(arr));
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void load() throws IOException {
    JsonNode arr = JSON.readTree(file.toFile());
    for (JsonNode o : arr) {
      Map<String, String> keyMap = new TreeMap<>();
      o.get("key").fields().forEachRemaining(e -> keyMap.put(e.getKey(), e.getValue().asText()));
      GroupingKey key = GroupingKey.of(keyMap);
      // Files written before the nanosecond times held seconds as doubles.
      long pushNanos = o.has("pushNanos") ? o.get("pushNanos").asLong() : Math.round(o.get("pushTime").asDouble() * 1e9);
      long failureNanos = o.has("failureNanos") ? o.get("failureNanos").asLong()
          : Math.round(o.get("failureTime").asDouble() * 1e9);
      long createdNanos = o.has("createdNanos") ? o.get("createdNanos").asLong()
          : pushNanos == 0 ? failureNanos : failureNanos == 0 ? pushNanos : Math.min(pushNanos, failureNanos);
      Map<String, PushedGroup.Family> fams = new TreeMap<>();
      for (JsonNode f : o.get("families")) {
        List<PushedGroup.PushedSample> ss = new ArrayList<>();
        for (JsonNode s : f.get("samples")) {
          List<String> empty = new ArrayList<>();
          s.path("empty").forEach(n -> empty.add(n.asText()));
          ss.add(new PushedGroup.PushedSample(labels(s.get("labels")), GoFloats.parse(s.get("value").asText()), List.copyOf(empty)));
        }
        byte[] protobuf = f.has("protobuf") ? f.get("protobuf").binaryValue() : null;
        fams.put(f.get("name").asText(), new PushedGroup.Family(MetricType.parse(f.get("type").asText()), f.get("help").asText(),
            ss, protobuf, f.has("pushedNanos") ? f.get("pushedNanos").asLong() : pushNanos));
      }
      groups.put(key, new PushedGroup(key, fams, pushNanos, failureNanos, createdNanos));
    }
  }

  private static Labels labels(JsonNode o) {
    Labels.Builder b = Labels.builder();
    o.fields().forEachRemaining(e -> b.set(e.getKey(), e.getValue().asText()));
    return b.build();
  }
}
