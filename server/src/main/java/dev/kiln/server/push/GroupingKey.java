package dev.kiln.server.push;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.Utf8Order;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A push group's grouping key as the Pushgateway keeps it: label names to values, sorted by name,
 * where an empty value is kept (a path label {@code foo@base64/=} makes {@code foo=""} part of the
 * key, so {@code /job/j/foo@base64/=} and {@code /job/j} are two groups). Immutable.
 */
public final class GroupingKey implements Comparable<GroupingKey> {
  private final Map<String, String> pairs;

  private GroupingKey(Map<String, String> sorted) {
    this.pairs = Collections.unmodifiableMap(sorted);
  }

  /** A key from alternating names and values; empty values are kept. */
  public static GroupingKey of(String... namesAndValues) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return new GroupingKey(m);
  }

  /** A key from a map; empty values are kept. */
  public static GroupingKey of(Map<String, String> labels) {
    return new GroupingKey(new TreeMap<>(labels));
  }

  /** The names and values, sorted by name, empty values included. */
  public Map<String, String> asMap() {
    return pairs;
  }

  public boolean has(String name) {
    return pairs.containsKey(name);
  }

  /** The value of {@code name}, or null when the key has no such label. */
  public String get(String name) {
    return pairs.get(name);
  }

  /** Every label, empty values included, sorted by name. */
  public void forEach(BiConsumer<String, String> consumer) {
    pairs.forEach(consumer);
  }

  /** The key as a series' labels: an empty value is the same as no label. */
  public Labels labels() {
    return Labels.of(pairs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupingKey k && k.pairs.equals(pairs);
  }

  @Override
  public int hashCode() {
    return pairs.hashCode();
  }

  /** Label by label, name then value (Go's byte order), a shorter key first when one is a prefix. */
  @Override
  public int compareTo(GroupingKey o) {
    var a = pairs.entrySet().iterator();
    var b = o.pairs.entrySet().iterator();
    while (a.hasNext() && b.hasNext()) {
      Map.Entry<String, String> x = a.next();
      Map.Entry<String, String> y = b.next();
      int c = Utf8Order.compare(x.getKey(), y.getKey());
      if (c == 0) {
        c = Utf8Order.compare(x.getValue(), y.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(a.hasNext(), b.hasNext());
  }

  @Override
  public String toString() {
    return pairs.toString();
  }
}
