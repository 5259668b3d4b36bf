package dev.kiln.server.remote;

import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The metric metadata remote write senders pass on, taken from the scrape targets' current
 * metadata: the distinct entries (family, type, help, unit) for remote write 1.0's metadata
 * requests, as Prometheus's metadata watcher collects them, and per series name the metadata of
 * the family the series belongs to, for remote write 2.0's per-series metadata. A series belongs
 * to a family when its name is the family's, or the family's plus a suffix its type allows
 * ({@code _total} for counters; {@code _bucket}, {@code _sum}, {@code _count} for histograms and
 * summaries; {@code _gsum}, {@code _gcount} for gauge histograms; {@code _info} for info), as
 * Prometheus's scraper decides which series a family's metadata records go with. The lookup
 * table is rebuilt at most once a second. Thread-safe.
 */
final class MetadataIndex {
  private static final long REFRESH_NANOS = 1_000_000_000L;
  private static final MetadataIndex NONE = new MetadataIndex(List::of);

  private final Supplier<? extends Collection<FamilyMetadata>> source;
  private Map<String, Metadata> byFamily = Map.of();
  private long builtNanos;
  private boolean built;

  MetadataIndex(Supplier<? extends Collection<FamilyMetadata>> source) {
    this.source = source;
  }

  /** An index without metadata. */
  static MetadataIndex none() {
    return NONE;
  }

  /** The distinct metadata entries of all targets, in the order first seen. */
  List<FamilyMetadata> entries() {
    return new ArrayList<>(new LinkedHashSet<>(source.get()));
  }

  /** The metadata of the family a series named {@code name} belongs to, or null. */
  Metadata lookup(String name) {
    Map<String, Metadata> families = families();
    Metadata m = families.get(name);
    if (m != null) {
      return m;
    }
    int cut = name.lastIndexOf('_');
    if (cut <= 0) {
      return null;
    }
    m = families.get(name.substring(0, cut));
    return m != null && allows(m.type(), name.substring(cut)) ? m : null;
  }

  private static boolean allows(MetricType type, String suffix) {
    return switch (type) {
      case COUNTER -> suffix.equals("_total");
      case HISTOGRAM -> suffix.equals("_bucket") || suffix.equals("_sum") || suffix.equals("_count");
      case SUMMARY -> suffix.equals("_sum") || suffix.equals("_count");
      case GAUGE_HISTOGRAM -> suffix.equals("_bucket") || suffix.equals("_gsum") || suffix.equals("_gcount");
      case INFO -> suffix.equals("_info");
      default -> false;
    };
  }

  private synchronized Map<String, Metadata> families() {
    long now = System.nanoTime();
    if (!built || now - builtNanos > REFRESH_NANOS) {
      Map<String, Metadata> m = new HashMap<>();
      for (FamilyMetadata f : source.get()) {
        m.putIfAbsent(f.family(), f.metadata());
      }
      byFamily = m;
      builtNanos = now;
      built = true;
    }
    return byFamily;
  }

  /** The remote write protobuf number of a type (1.0's and 2.0's enums agree): 0 for unknown. */
  static int protoType(MetricType type) {
    return type == MetricType.UNKNOWN ? 0 : type.ordinal() + 1;
  }
}
