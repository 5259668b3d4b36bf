package dev.kiln.tsdb.block;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@code meta.json} exactly as Prometheus does ({@code json.MarshalIndent} with a
 * tab; zero statistics omitted). The reader accepts any JSON object with the known fields and
 * ignores unknown ones. Stateless.
 */
public final class MetaJson {
  private MetaJson() {}

  /** The JSON text of a meta, with a trailing newline omitted as in Prometheus. */
  public static String write(BlockMeta m) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n");
    sb.append("\t\"ulid\": \"").append(m.ulid()).append("\",\n");
    sb.append("\t\"minTime\": ").append(m.minTime()).append(",\n");
    sb.append("\t\"maxTime\": ").append(m.maxTime()).append(",\n");
    List<String> stats = new ArrayList<>();
    if (m.numSamples() != 0) {
      stats.add("\"numSamples\": " + m.numSamples());
    }
    if (m.numSeries() != 0) {
      stats.add("\"numSeries\": " + m.numSeries());
    }
    if (m.numChunks() != 0) {
      stats.add("\"numChunks\": " + m.numChunks());
    }
    if (m.numTombstones() != 0) {
      stats.add("\"numTombstones\": " + m.numTombstones());
    }
    if (stats.isEmpty()) {
      sb.append("\t\"stats\": {},\n");
    } else {
      sb.append("\t\"stats\": {\n\t\t").append(String.join(",\n\t\t", stats)).append("\n\t},\n");
    }
    sb.append("\t\"compaction\": {\n");
    sb.append("\t\t\"level\": ").append(m.level());
    if (!m.sources().isEmpty()) {
      sb.append(",\n\t\t\"sources\": [\n");
      for (int i = 0; i < m.sources().size(); i++) {
        sb.append("\t\t\t\"").append(m.sources().get(i)).append('"');
        sb.append(i + 1 < m.sources().size() ? ",\n" : "\n");
      }
      sb.append("\t\t]");
    }
    if (m.deletable()) {
      sb.append(",\n\t\t\"deletable\": true");
    }
    if (!m.parents().isEmpty()) {
      sb.append(",\n\t\t\"parents\": [\n");
      for (int i = 0; i < m.parents().size(); i++) {
        BlockMeta.Parent p = m.parents().get(i);
        sb.append("\t\t\t{\n\t\t\t\t\"ulid\": \"").append(p.ulid()).append("\",\n");
        sb.append("\t\t\t\t\"minTime\": ").append(p.minTime()).append(",\n");
        sb.append("\t\t\t\t\"maxTime\": ").append(p.maxTime()).append("\n\t\t\t}");
        sb.append(i + 1 < m.parents().size() ? ",\n" : "\n");
      }
      sb.append("\t\t]");
    }
    sb.append("\n\t},\n");
    sb.append("\t\"version\": 1\n}");
    return sb.toString();
  }

  /**
   * Parses meta.json text.
   *
   * @throws IllegalArgumentException when the text is not valid JSON, lacks a field, or has a
   *     version other than 1
   */
  public static BlockMeta parse(String text) {
    Object root = new Parser(text).document();
    if (!(root instanceof Map<?, ?> obj)) {
      throw new IllegalArgumentException("meta.json is not a JSON object");
    }
    long version = number(obj, "version", true);
    if (version != 1) {
      throw new IllegalArgumentException("unsupported meta.json version " + version);
    }
    Map<?, ?> stats = obj.get("stats") instanceof Map<?, ?> m ? m : Map.of();
    Map<?, ?> comp = obj.get("compaction") instanceof Map<?, ?> m ? m : Map.of();
    List<Ulid> sources = new ArrayList<>();
    if (comp.get("sources") instanceof List<?> l) {
      for (Object o : l) {
        sources.add(Ulid.parse(String.valueOf(o)));
      }
    }
    List<BlockMeta.Parent> parents = new ArrayList<>();
    if (comp.get("parents") instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> p) {
          parents.add(new BlockMeta.Parent(
              Ulid.parse(String.valueOf(p.get("ulid"))), number(p, "minTime", true), number(p, "maxTime", true)));
        }
      }
    }
    Object ulid = obj.get("ulid");
    if (!(ulid instanceof String)) {
      throw new IllegalArgumentException("meta.json lacks \"ulid\"");
    }
    return new BlockMeta(
        Ulid.parse((String) ulid),
        number(obj, "minTime", true),
        number(obj, "maxTime", true),
        number(stats, "numSamples", false),
        number(stats, "numSeries", false),
        number(stats, "numChunks", false),
        number(stats, "numTombstones", false),
        (int) number(comp, "level", false),
        sources,
        parents,
        Boolean.TRUE.equals(comp.get("deletable")));
  }

  private static long number(Map<?, ?> obj, String key, boolean required) {
    Object v = obj.get(key);
    if (v == null) {
      if (required) {
        throw new IllegalArgumentException("meta.json lacks \"" + key + "\"");
      }
      return 0;
    }
    if (!(v instanceof Long l)) {
      throw new IllegalArgumentException("meta.json field \"" + key + "\" is not an integer: " + v);
    }
    return l;
  }

  /** A small recursive-descent JSON parser: objects, arrays, strings, integers, booleans, null. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Object document() {
      Object v = value();
      ws();
      if (pos != s.length()) {
        throw error("trailing characters");
      }
      return v;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("meta.json: " + what + " at offset " + pos);
    }

    private void ws() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private Object value() {
      ws();
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) {
        throw error("unexpected token");
      }
      pos += word.length();
      return v;
    }

    private Object number() {
      int start = pos;
      while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
      String t = s.substring(start, pos);
      if (t.isEmpty()) {
        throw error("unexpected character");
      }
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e2) {
          throw error("bad number " + t);
        }
      }
    }

    private String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(pos++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private List<Object> array() {
      pos++;
      List<Object> out = new ArrayList<>();
      ws();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return out;
      }
      while (true) {
        out.add(value());
        ws();
        char c = pos < s.length() ? s.charAt(pos++) : 0;
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          throw error("expected , or ]");
        }
      }
    }

    private Map<String, Object> object() {
      pos++;
      Map<String, Object> out = new LinkedHashMap<>();
      ws();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return out;
      }
      while (true) {
        ws();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a key");
        }
        String k = string();
        ws();
        if (pos >= s.length() || s.charAt(pos++) != ':') {
          throw error("expected :");
        }
        out.put(k, value());
        ws();
        char c = pos < s.length() ? s.charAt(pos++) : 0;
        if (c == '}') {
          return out;
        }
        if (c != ',') {
          throw error("expected , or }");
        }
      }
    }
  }
}
