package dev.kiln.server.remote;

import dev.kiln.config.HttpAuthorization;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.QueueConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends encoded remote write requests to one endpoint with Prometheus's retry rules: 2xx is done;
 * 4xx (and 429 unless {@code retry_on_http_429}) drops the request as unrecoverable; 5xx, 429 when
 * enabled and network errors are retried without limit while the sender runs, waiting
 * {@code Retry-After} when the receiver gives one, else an exponential backoff between
 * {@code min_backoff} and {@code max_backoff}.
 */
final class RemoteWriteClient {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteClient.class);
  private static final Set<String> RESERVED = Set.of("content-encoding", "content-type", "user-agent",
      "x-prometheus-remote-write-version", "retry-attempt", "authorization", "host", "content-length");

  /** What became of a request. */
  enum Outcome {
    SENT,
    FAILED,
    ABANDONED
  }

  private final URI url;
  private final HttpClientConfig http;
  /** This queue's credentials; an OAuth2 token lives as long as the queue. */
  private final HttpAuthorization auth;
  private final Map<String, String> headers;
  private final long timeoutMillis;
  private final QueueConfig queue;
  private final String userAgent;
  private final HttpClient client;
  private final QueueMetrics metrics;
  private final boolean v2;

  /** @param v2 whether requests are remote write 2.0 ({@code io.prometheus.write.v2.Request}), else 1.0 */
  RemoteWriteClient(URI url, HttpClientConfig http, Map<String, String> headers, long timeoutMillis, QueueConfig queue,
      String userAgent, QueueMetrics metrics, boolean v2) {
    this.v2 = v2;
    this.url = url;
    this.http = http;
    this.auth = http.newAuthorization();
    this.headers = headers;
    this.timeoutMillis = timeoutMillis;
    this.queue = queue;
    this.userAgent = userAgent;
    this.metrics = metrics;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(Math.min(timeoutMillis, 30_000)));
    try {
      http.configure(b, true);
    } catch (Exception e) {
      throw new IllegalStateException("remote write to " + url + ": cannot set up TLS: " + e.getMessage(), e);
    }
    this.client = b.build();
  }

  /**
   * Sends one request, retrying while {@code running} holds; {@code onRetry} runs before each
   * retry (to count what is retried), {@code what} names the content in log lines ("12 samples").
   *
   * @return SENT, FAILED (dropped as unrecoverable) or ABANDONED (the sender stopped first)
   */
  Outcome send(byte[] body, String what, Runnable onRetry, BooleanSupplier running) throws InterruptedException {
    long backoff = queue.minBackoffMillis();
    for (int attempt = 0; running.getAsBoolean(); attempt++) {
      long wait;
      try {
        HttpResponse<String> resp = client.send(request(body, attempt), HttpResponse.BodyHandlers.ofString());
        int status = resp.statusCode();
        if (status / 100 == 2) {
          return Outcome.SENT;
        }
        boolean recoverable = status / 100 == 5 || (status == 429 && queue.retryOnHttp429());
        if (!recoverable) {
          metrics.requestsFailed.incrementAndGet();
          LOG.error("remote write to {}: non-recoverable error {}, dropping {}: {}", url, status, what,
              firstLine(resp.body()));
          return Outcome.FAILED;
        }
        wait = retryAfter(resp).orElse(backoff);
        LOG.warn("remote write to {}: {} (attempt {}), retrying in {} ms", url, status, attempt + 1, wait);
      } catch (IOException e) {
        wait = backoff;
        LOG.warn("remote write to {}: {} (attempt {}), retrying in {} ms", url, e.toString(), attempt + 1, wait);
      }
      onRetry.run();
      sleepWhileRunning(wait, running);
      backoff = Math.min(Math.max(wait, backoff) * 2, queue.maxBackoffMillis());
    }
    return Outcome.ABANDONED;
  }

  private HttpRequest request(byte[] body, int attempt) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url)
        .timeout(Duration.ofMillis(timeoutMillis))
        .header("Content-Encoding", "snappy")
        .header("Content-Type", v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request" : "application/x-protobuf")
        .header("User-Agent", userAgent)
        .header("X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (attempt > 0) {
      b.header("Retry-Attempt", Integer.toString(attempt));
    }
    String authorization = auth.header();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    for (Map<String, String> hs : java.util.List.of(http.headers(), headers)) {
      for (Map.Entry<String, String> h : hs.entrySet()) {
        if (!RESERVED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
          b.header(h.getKey(), h.getValue());
        }
      }
    }
    return b.build();
  }

  /** The {@code Retry-After} wait in milliseconds (seconds or an HTTP date), when positive. */
  private static java.util.Optional<Long> retryAfter(HttpResponse<?> resp) {
    String v = resp.headers().firstValue("Retry-After").orElse(null);
    if (v == null || v.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      long s = Long.parseLong(v.trim());
      return s > 0 ? java.util.Optional.of(s * 1000) : java.util.Optional.empty();
    } catch (NumberFormatException e) {
      try {
        long ms = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
            - System.currentTimeMillis();
        return ms > 0 ? java.util.Optional.of(ms) : java.util.Optional.empty();
      } catch (RuntimeException ignored) {
        return java.util.Optional.empty();
      }
    }
  }

  private static void sleepWhileRunning(long millis, BooleanSupplier running) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (running.getAsBoolean()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000L)));
    }
  }

  private static String firstLine(String body) {
    if (body == null) {
      return "";
    }
    int nl = body.indexOf('\n');
    String line = nl < 0 ? body : body.substring(0, nl);
    return line.length() > 256 ? line.substring(0, 256) : line;
  }
}
