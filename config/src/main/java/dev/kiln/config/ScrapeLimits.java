package dev.kiln.config;

/** Per-scrape limits; 0 means no limit. A scrape config inherits each 0 from the global value. */
public record ScrapeLimits(
    long bodySizeLimitBytes,
    long sampleLimit,
    long labelLimit,
    long labelNameLengthLimit,
    long labelValueLengthLimit,
    long targetLimit,
    long keepDroppedTargets) {

  public static final ScrapeLimits NONE = new ScrapeLimits(0, 0, 0, 0, 0, 0, 0);

  static ScrapeLimits parse(YamlNode n, ScrapeLimits parent) {
    return new ScrapeLimits(
        orParent(n.bytes("body_size_limit", 0), parent.bodySizeLimitBytes),
        orParent(n.integer("sample_limit", 0), parent.sampleLimit),
        orParent(n.integer("label_limit", 0), parent.labelLimit),
        orParent(n.integer("label_name_length_limit", 0), parent.labelNameLengthLimit),
        orParent(n.integer("label_value_length_limit", 0), parent.labelValueLengthLimit),
        orParent(n.integer("target_limit", 0), parent.targetLimit),
        orParent(n.integer("keep_dropped_targets", 0), parent.keepDroppedTargets));
  }

  private static long orParent(long v, long parent) {
    return v == 0 ? parent : v;
  }
}
