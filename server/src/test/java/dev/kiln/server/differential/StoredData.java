package dev.kiln.server.differential;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one server stored for a selector, read back through its HTTP API: the series, label names,
 * each label's values, and every raw sample in a window. Two snapshots of the same corpus, one
 * from Prometheus and one from Kiln, must be equal; {@link #differences} names what is not.
 */
record StoredData(
    List<String> series,
    List<String> labelNames,
    Map<String, List<String>> labelValues,
    Map<String, List<String>> samples) {

  /** How raw samples are compared: with their timestamps, or only as the set of distinct values. */
  enum Samples {
    EXACT,
    DISTINCT_VALUES
  }

  /**
   * Reads the snapshot: series and labels over [start, end] (seconds), raw samples of
   * {@code selector[window]} at {@code end}.
   */
  static StoredData read(ApiClient api, String selector, long startSeconds, long endSeconds, Samples mode) throws Exception {
    Map<String, Object> range = Map.of("match[]", selector, "start", startSeconds, "end", endSeconds);
    ApiClient.Answer seriesAnswer = api.post("/api/v1/series", range);
    require(api, seriesAnswer, "series");
    List<String> series = new ArrayList<>();
    for (JsonNode s : seriesAnswer.data()) {
      series.add(s.toString());
    }
    series.sort(null);
    ApiClient.Answer labelsAnswer = api.post("/api/v1/labels", range);
    require(api, labelsAnswer, "labels");
    List<String> names = new ArrayList<>();
    labelsAnswer.data().forEach(n -> names.add(n.asText()));
    Map<String, List<String>> values = new TreeMap<>();
    for (String name : names) {
      if (name.isEmpty()) {
        values.put(name, List.of("(an empty label name has no values endpoint)"));
        continue;
      }
      ApiClient.Answer v = api.get("/api/v1/label/" + ApiClient.encode(name) + "/values?match[]=" + ApiClient.encode(selector)
          + "&start=" + startSeconds + "&end=" + endSeconds);
      List<String> vs = new ArrayList<>();
      if (v.status() == 200) {
        v.data().forEach(x -> vs.add(x.asText()));
      } else {
        vs.add("HTTP " + v.status() + " " + v.body().path("error").asText());
      }
      values.put(name, vs);
    }
    long window = endSeconds - startSeconds + 1;
    ApiClient.Answer raw = api.post("/api/v1/query", Map.of("query", selector + "[" + window + "s]", "time", endSeconds));
    require(api, raw, "raw samples");
    Map<String, List<String>> samples = new TreeMap<>();
    for (JsonNode s : raw.data().path("result")) {
      List<String> points = new ArrayList<>();
      if (mode == Samples.EXACT) {
        s.path("values").forEach(p -> points.add(p.get(0).asText() + " " + p.get(1).asText()));
      } else {
        TreeSet<String> distinct = new TreeSet<>();
        s.path("values").forEach(p -> distinct.add(p.get(1).asText()));
        points.addAll(distinct);
      }
      samples.put(s.path("metric").toString(), points);
    }
    return new StoredData(series, names, values, samples);
  }

  private static void require(ApiClient api, ApiClient.Answer a, String what) {
    if (a.status() != 200) {
      throw new AssertionError(api.server() + " answered " + a.status() + " for " + what + ": " + a.raw());
    }
  }

  /** Every difference between this snapshot (Prometheus's) and {@code other} (Kiln's), one line each. */
  List<String> differences(StoredData other) {
    List<String> out = new ArrayList<>();
    diffLists("series", series, other.series, out);
    diffLists("label names", labelNames, other.labelNames, out);
    for (String name : union(labelValues.keySet(), other.labelValues.keySet())) {
      diffLists("values of label " + name, labelValues.getOrDefault(name, List.of()), other.labelValues.getOrDefault(name, List.of()), out);
    }
    for (String s : union(samples.keySet(), other.samples.keySet())) {
      List<String> a = samples.get(s);
      List<String> b = other.samples.get(s);
      if (a == null || b == null) {
        out.add("samples of " + s + ": only " + (a == null ? "Kiln" : "Prometheus") + " has them");
      } else if (!a.equals(b)) {
        out.add("samples of " + s + ": Prometheus " + abbreviate(a) + " vs Kiln " + abbreviate(b));
      }
    }
    return out;
  }

  /** The number of stored samples (or distinct values) in the snapshot. */
  int sampleCount() {
    return samples.values().stream().mapToInt(List::size).sum();
  }

  private static void diffLists(String what, List<String> a, List<String> b, List<String> out) {
    if (a.equals(b)) {
      return;
    }
    List<String> onlyA = new ArrayList<>(a);
    onlyA.removeAll(b);
    List<String> onlyB = new ArrayList<>(b);
    onlyB.removeAll(a);
    if (onlyA.isEmpty() && onlyB.isEmpty()) {
      out.add(what + ": same entries in another order: Prometheus " + abbreviate(a) + " vs Kiln " + abbreviate(b));
      return;
    }
    for (String s : onlyA) {
      out.add(what + ": only Prometheus has " + abbreviate(s));
    }
    for (String s : onlyB) {
      out.add(what + ": only Kiln has " + abbreviate(s));
    }
  }

  private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
  }
}
