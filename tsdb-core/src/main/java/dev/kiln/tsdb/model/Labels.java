package dev.kiln.tsdb.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable label set, sorted by label name, with unique names and no empty values.
 *
 * <p>A series is identified by its label set, including {@code __name__}. Instances are
 * validated once, at construction; {@link #hashCode()} is computed once and cached. Instances are
 * safe to share between threads.
 */
public final class Labels implements Comparable<Labels> {
  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  /** The empty label set. */
  public static final Labels EMPTY = new Labels(new String[0]);

  /** Alternating names and values: name0, value0, name1, value1, ... sorted by name. */
  private final String[] pairs;
  private int hash;
  private long hash64;

  private Labels(String[] sortedPairs) {
    this.pairs = sortedPairs;
  }

  /**
   * Builds a label set from alternating names and values. Labels with an empty value are
   * dropped (an empty value means "no such label"); a repeated name keeps the last value.
   */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels need an even number of names and values");
    }
    Builder b = new Builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.set(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /** Builds a label set from a map; empty values are dropped. */
  public static Labels of(Map<String, String> map) {
    Builder b = new Builder();
    map.forEach(b::set);
    return b.build();
  }

  /**
   * Wraps alternating names and values that the caller guarantees are sorted by name, unique and
   * non-empty. The array is owned by the new instance afterwards. Used by decoders on hot paths.
   */
  public static Labels ofSortedUnchecked(String[] sortedPairs) {
    return new Labels(sortedPairs);
  }

  /** Returns a builder initialised with no labels. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder initialised with these labels. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < pairs.length; i += 2) {
      b.map.put(pairs[i], pairs[i + 1]);
    }
    return b;
  }

  /** Number of labels. */
  public int size() {
    return pairs.length / 2;
  }

  public boolean isEmpty() {
    return pairs.length == 0;
  }

  /** Name of the i-th label in sorted order. */
  public String name(int i) {
    return pairs[2 * i];
  }

  /** Value of the i-th label in sorted order. */
  public String value(int i) {
    return pairs[2 * i + 1];
  }

  /** The value of the named label, or {@code null} when absent. */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : pairs[2 * i + 1];
  }

  /** The value of the named label, or "" when absent (Prometheus's convention). */
  public String getOrEmpty(String name) {
    String v = get(name);
    return v == null ? "" : v;
  }

  public boolean has(String name) {
    return indexOf(name) >= 0;
  }

  /** The metric name, or {@code null}. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  private int indexOf(String name) {
    int lo = 0;
    int hi = pairs.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = pairs[2 * mid].compareTo(name);
      if (c == 0) {
        return mid;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  /** Calls the consumer with each (name, value) in sorted order. */
  public void forEach(BiConsumer<String, String> consumer) {
    for (int i = 0; i < pairs.length; i += 2) {
      consumer.accept(pairs[i], pairs[i + 1]);
    }
  }

  /** The label names in sorted order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(size());
    for (int i = 0; i < pairs.length; i += 2) {
      names.add(pairs[i]);
    }
    return names;
  }

  /** A sorted map copy of the labels. */
  public Map<String, String> toMap() {
    Map<String, String> m = new TreeMap<>();
    forEach(m::put);
    return m;
  }

  /** These labels without {@code __name__}. */
  public Labels withoutMetricName() {
    return indexOf(METRIC_NAME) < 0 ? this : without(List.of(METRIC_NAME));
  }

  /** These labels without the given names. */
  public Labels without(Collection<String> names) {
    return select(names, false);
  }

  /** Only the labels with the given names. */
  public Labels keep(Collection<String> names) {
    return select(names, true);
  }

  /**
   * The labels whose name is in {@code names} ({@code keep}) or not in it; this same instance
   * when that is every label. One scan of the pairs, no intermediate collections: aggregations
   * call it for every input series.
   */
  private Labels select(Collection<String> names, boolean keep) {
    Collection<String> lookup = names.size() > 16 && !(names instanceof Set<?>) ? Set.copyOf(names) : names;
    int n = pairs.length / 2;
    long chosen = 0;
    int count = 0;
    boolean[] wide = n > 64 ? new boolean[n] : null;
    for (int i = 0; i < n; i++) {
      if (lookup.contains(pairs[2 * i]) == keep) {
        count++;
        if (wide == null) {
          chosen |= 1L << i;
        } else {
          wide[i] = true;
        }
      }
    }
    if (count == n) {
      return this;
    }
    if (count == 0) {
      return EMPTY;
    }
    String[] out = new String[2 * count];
    int o = 0;
    for (int i = 0; i < n; i++) {
      if (wide == null ? (chosen & (1L << i)) != 0 : wide[i]) {
        out[o++] = pairs[2 * i];
        out[o++] = pairs[2 * i + 1];
      }
    }
    return new Labels(out);
  }

  /** A stable 64-bit hash of the label set (FNV-1a over names and values with separators). */
  public long hash64() {
    long h = hash64;
    if (h == 0) {
      h = 0xcbf29ce484222325L;
      for (String s : pairs) {
        for (int i = 0; i < s.length(); i++) {
          h ^= s.charAt(i);
          h *= 0x100000001b3L;
        }
        h ^= 0xff;
        h *= 0x100000001b3L;
      }
      if (h == 0) {
        h = 1;
      }
      hash64 = h;
    }
    return h;
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      long l = hash64();
      h = (int) (l ^ (l >>> 32));
      if (h == 0) {
        h = 1;
      }
      hash = h;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Labels other)) {
      return false;
    }
    return hashCode() == other.hashCode() && Arrays.equals(pairs, other.pairs);
  }

  /**
   * Orders label sets as Prometheus does: label by label, name first, then value, each compared
   * by UTF-8 bytes as Go compares strings.
   */
  @Override
  public int compareTo(Labels o) {
    int n = Math.min(pairs.length, o.pairs.length);
    for (int i = 0; i < n; i += 2) {
      int c = Utf8Order.compare(pairs[i], o.pairs[i]);
      if (c != 0) {
        return c;
      }
      c = Utf8Order.compare(pairs[i + 1], o.pairs[i + 1]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(pairs.length, o.pairs.length);
  }

  /** Formats as Prometheus does: {@code {__name__="up", job="x"}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(pairs[i]).append("=\"");
      appendEscaped(sb, pairs[i + 1]);
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  private static void appendEscaped(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
  }

  /** A mutable, single-thread builder of {@link Labels}. Setting an empty value deletes. */
  public static final class Builder {
    private final TreeMap<String, String> map = new TreeMap<>();

    public Builder set(String name, String value) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("label name must not be empty");
      }
      if (value == null || value.isEmpty()) {
        map.remove(name);
      } else {
        map.put(name, value);
      }
      return this;
    }

    public Builder delete(String name) {
      map.remove(name);
      return this;
    }

    public String get(String name) {
      return map.get(name);
    }

    public Labels build() {
      String[] p = new String[map.size() * 2];
      int i = 0;
      for (Map.Entry<String, String> e : map.entrySet()) {
        p[i++] = e.getKey();
        p[i++] = e.getValue();
      }
      return p.length == 0 ? EMPTY : new Labels(p);
    }
  }
}
