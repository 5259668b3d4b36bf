package dev.kiln.config;

/**
 * The {@code metadata_config} of a {@code remote_write} endpoint, with Prometheus 3's defaults:
 * whether metric metadata (type, help, unit of each scraped family) is sent, how often a remote
 * write 1.0 sender sends it in requests of its own, and how many entries one such request holds.
 */
public record MetadataConfig(boolean send, long sendIntervalMillis, int maxSamplesPerSend) {
  public static final MetadataConfig DEFAULT = new MetadataConfig(true, 60_000, 2000);

  static MetadataConfig parse(YamlNode n) {
    if (n.absent()) {
      return DEFAULT;
    }
    MetadataConfig m = new MetadataConfig(n.bool("send", DEFAULT.send()),
        n.duration("send_interval", DEFAULT.sendIntervalMillis()),
        (int) n.integer("max_samples_per_send", DEFAULT.maxSamplesPerSend()));
    n.rejectUnknownKeys("metadata_config");
    if (m.sendIntervalMillis() <= 0 || m.maxSamplesPerSend() <= 0) {
      throw n.error("metadata_config: send_interval and max_samples_per_send must be positive");
    }
    return m;
  }
}
