package dev.kiln.config;

/**
 * The {@code queue_config} of a {@code remote_write} endpoint, with Prometheus 3's defaults.
 *
 * @param capacity samples buffered per shard before new samples wait or are dropped
 * @param maxSamplesPerSend samples per request
 * @param batchSendDeadlineMillis longest a sample waits for its request to fill up
 * @param sampleAgeLimitMillis samples older than this are dropped instead of sent; 0 = no limit
 */
public record QueueConfig(
    int capacity, int maxShards, int minShards, int maxSamplesPerSend, long batchSendDeadlineMillis,
    long minBackoffMillis, long maxBackoffMillis, boolean retryOnHttp429, long sampleAgeLimitMillis) {
  public static final QueueConfig DEFAULT = new QueueConfig(10_000, 50, 1, 2000, 5000, 30, 5000, false, 0);

  static QueueConfig parse(YamlNode n) {
    if (n.absent()) {
      return DEFAULT;
    }
    QueueConfig d = DEFAULT;
    QueueConfig q = new QueueConfig(
        (int) n.integer("capacity", d.capacity()),
        (int) n.integer("max_shards", d.maxShards()),
        (int) n.integer("min_shards", d.minShards()),
        (int) n.integer("max_samples_per_send", d.maxSamplesPerSend()),
        n.duration("batch_send_deadline", d.batchSendDeadlineMillis()),
        n.duration("min_backoff", d.minBackoffMillis()),
        n.duration("max_backoff", d.maxBackoffMillis()),
        n.bool("retry_on_http_429", d.retryOnHttp429()),
        n.duration("sample_age_limit", d.sampleAgeLimitMillis()));
    n.rejectUnknownKeys("queue_config");
    if (q.capacity() <= 0 || q.maxSamplesPerSend() <= 0 || q.minShards() <= 0 || q.maxShards() < q.minShards()) {
      throw n.error("queue_config: capacity, max_samples_per_send and min_shards must be positive and"
          + " max_shards at least min_shards");
    }
    return q;
  }
}
