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
  private final Map<Labels, PushedGroup> groups = new TreeMap<>();

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
  public synchronized void push(Labels key, String body, boolean replaceAll, long nowNanos) throws PushException, IOException {
    apply(key, () -> parse(key, body), replaceAll, nowNanos);
  }

  /**
   * Applies a push in the delimited protobuf format (varint-length-delimited MetricFamily
   * messages), with the semantics of {@link #push}.
   */
  public synchronized void pushProtobuf(Labels key, byte[] body, boolean replaceAll, long nowNanos)
      throws PushException, IOException {
    apply(key, () -> ProtobufFamilies.parse(key, body), replaceAll, nowNanos);
  }

  /** Parses a push body into families. */
  private interface BodyParser {
    Map<String, PushedGroup.Family> parse() throws PushException;
  }

  private void apply(Labels key, BodyParser parser, boolean replaceAll, long nowNanos) throws PushException, IOException {
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
  public synchronized void delete(Labels key) throws IOException {
    if (groups.remove(key) != null) {
      save();
    }
  }

  /** Deletes every group. */
  public synchronized void wipe() throws IOException {
    groups.clear();
    save();
  }

  private static Map<String, PushedGroup.Family> parse(Labels key, String body) throws PushException {
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
          Labels.Builder b = s.labels().toBuilder();
          key.forEach(b::set);
          Labels l = b.build();
          String name = s.metricName();
          if (isPushTimeFamily(name)) {
            return;
          }
          samples.computeIfAbsent(familyOf(name, types), k -> new ArrayList<>()).add(new PushedGroup.PushedSample(l, value));
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

  private void checkConsistency(Labels key, Map<String, PushedGroup.Family> parsed) throws PushException {
    java.util.Set<Labels> seen = new java.util.HashSet<>();
    for (Map.Entry<String, PushedGroup.Family> e : parsed.entrySet()) {
      for (PushedGroup.PushedSample s : e.getValue().samples()) {
        if (!seen.add(s.labels())) {
          throw PushException.inconsistent("collected metric \"" + s.labels().metricName() + "\" " + exposed(s.labels())
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
          Labels first = e.getValue().samples().isEmpty() ? key : e.getValue().samples().get(0).labels();
          throw PushException.inconsistent("collected metric \"" + e.getKey() + "\" " + exposed(first) + " is not a "
              + typeName(other.type()).toUpperCase(java.util.Locale.ROOT));
        }
        for (PushedGroup.PushedSample s : e.getValue().samples()) {
          for (PushedGroup.PushedSample o : other.samples()) {
            if (o.labels().equals(s.labels())) {
              throw PushException.inconsistent("collected metric \"" + s.labels().metricName() + "\" " + exposed(s.labels())
                  + " was collected before with the same name and label values");
            }
          }
        }
      }
    }
  }

  /** A series' labels as the Pushgateway exposes them (with {@code instance=""} when it has none). */
  private static String exposed(Labels l) {
    String line = line(l, 0, l.metricName());
    return line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1);
  }

  /** The exposition text of every group, with push_time_seconds and push_failure_time_seconds. */
  public synchronized String exposition() {
    StringBuilder sb = new StringBuilder();
    Map<String, List<String>> lines = new TreeMap<>();
    Map<String, String> typeLines = new HashMap<>();
    for (PushedGroup g : groups.values()) {
      for (Map.Entry<String, PushedGroup.Family> f : g.families().entrySet()) {
        typeLines.putIfAbsent(f.getKey(), typeName(f.getValue().type()));
        for (PushedGroup.PushedSample s : f.getValue().samples()) {
          lines.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(line(s.labels(), s.value(), null));
        }
      }
      lines.computeIfAbsent("push_time_seconds", k -> new ArrayList<>()).add(line(g.key(), g.pushTime(), "push_time_seconds"));
      lines.computeIfAbsent("push_failure_time_seconds", k -> new ArrayList<>()).add(line(g.key(), g.failureTime(), "push_failure_time_seconds"));
      typeLines.put("push_time_seconds", "gauge");
      typeLines.put("push_failure_time_seconds", "gauge");
    }
    for (Map.Entry<String, List<String>> e : lines.entrySet()) {
      sb.append("# TYPE ").append(e.getKey()).append(' ').append(typeLines.get(e.getKey())).append('\n');
      e.getValue().forEach(sb::append);
    }
    return sb.toString();
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
   * Every group in the delimited protobuf format, with push_time_seconds and
   * push_failure_time_seconds: protobuf-pushed families as pushed, text-pushed ones encoded.
   */
  public synchronized byte[] protobufExposition() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Map<Labels, Double> pushTimes = new TreeMap<>();
    Map<Labels, Double> failureTimes = new TreeMap<>();
    for (PushedGroup g : groups.values()) {
      for (Map.Entry<String, PushedGroup.Family> e : g.families().entrySet()) {
        PushedGroup.Family f = e.getValue();
        if (f.protobuf() != null) {
          out.write(f.protobuf(), 0, f.protobuf().length);
        } else {
          MetricFamilyCodec.delimit(out, MetricFamilyCodec.encode(e.getKey(), f.type(), f.help(), f.samples()));
        }
      }
      pushTimes.put(g.key(), g.pushTime());
      failureTimes.put(g.key(), g.failureTime());
    }
    if (!pushTimes.isEmpty()) {
      MetricFamilyCodec.delimit(out, MetricFamilyCodec.gauge("push_time_seconds", pushTimes));
      MetricFamilyCodec.delimit(out, MetricFamilyCodec.gauge("push_failure_time_seconds", failureTimes));
    }
    return out.toByteArray();
  }

  private static String typeName(MetricType t) {
    return switch (t) {
      case COUNTER, GAUGE, HISTOGRAM, SUMMARY -> t.text();
      default -> "untyped";
    };
  }

  private static String line(Labels l, double v, String name) {
    StringBuilder sb = new StringBuilder(name != null ? name : l.metricName()).append('{');
    boolean first = true;
    for (int i = 0; i < l.size(); i++) {
      if (l.name(i).equals("__name__")) {
        continue;
      }
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(l.name(i)).append("=\"").append(l.value(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
    }
    if (!l.has("instance")) {
      sb.append(first ? "" : ",").append("instance=\"\"");
    }
    return sb.append("} ").append(GoFloats.format(v, Notation.G)).append('\n').toString();
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
      Labels key = labels(o.get("key"));
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
          ss.add(new PushedGroup.PushedSample(labels(s.get("labels")), GoFloats.parse(s.get("value").asText())));
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
