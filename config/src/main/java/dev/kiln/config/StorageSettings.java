package dev.kiln.config;

/**
 * The {@code storage} section: {@code tsdb.retention.time} and {@code tsdb.retention.size}
 * (Prometheus 3.x), which take precedence over the retention flags when set, and
 * {@code exemplars.max_exemplars}, the size of the exemplar storage when the
 * {@code exemplar-storage} feature is on (Prometheus's default 100000 when not set; 0 or less
 * keeps none).
 *
 * @param retentionMillis -1 when not set
 * @param retentionBytes -1 when not set
 * @param maxExemplars the exemplar storage's size
 */
public record StorageSettings(long retentionMillis, long retentionBytes, long maxExemplars) {
  /** Prometheus's {@code DefaultExemplarsConfig.MaxExemplars}. */
  public static final long DEFAULT_MAX_EXEMPLARS = 100_000;
  public static final StorageSettings NONE = new StorageSettings(-1, -1, DEFAULT_MAX_EXEMPLARS);

  /** The same retention settings as {@code o} (the part applied at start only). */
  public boolean sameRetention(StorageSettings o) {
    return retentionMillis == o.retentionMillis && retentionBytes == o.retentionBytes;
  }

  static StorageSettings parse(YamlNode n) {
    if (n.absent()) {
      return NONE;
    }
    YamlNode tsdb = n.get("tsdb");
    long time = -1;
    long size = -1;
    if (!tsdb.absent()) {
      tsdb.duration("out_of_order_time_window", 0);
      YamlNode r = tsdb.get("retention");
      if (!r.absent()) {
        time = r.duration("time", -1);
        size = r.bytes("size", -1);
        r.rejectUnknownKeys("retention");
      }
    }
    YamlNode ex = n.get("exemplars");
    long maxExemplars = DEFAULT_MAX_EXEMPLARS;
    if (!ex.absent()) {
      maxExemplars = ex.integer("max_exemplars", DEFAULT_MAX_EXEMPLARS);
      ex.rejectUnknownKeys("exemplars");
    }
    n.rejectUnknownKeys("storage");
    return new StorageSettings(time, size, maxExemplars);
  }
}
