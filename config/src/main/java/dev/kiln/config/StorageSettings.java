package dev.kiln.config;

/**
 * The {@code storage} section (Prometheus 3.x): {@code tsdb.retention.time} and
 * {@code tsdb.retention.size}, which take precedence over the retention flags when set.
 *
 * @param retentionMillis -1 when not set
 * @param retentionBytes -1 when not set
 */
public record StorageSettings(long retentionMillis, long retentionBytes) {
  public static final StorageSettings NONE = new StorageSettings(-1, -1);

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
    if (!ex.absent()) {
      ex.integer("max_exemplars", 0);
      ex.rejectUnknownKeys("exemplars");
    }
    n.rejectUnknownKeys("storage");
    return new StorageSettings(time, size);
  }
}
