package dev.kiln.server.web;

/**
 * A token bucket as Go's {@code rate.NewLimiter(rate.Every(interval), burst)}: one token per
 * interval, at most {@code burst} saved up. Thread-safe.
 */
final class RateLimiter {
  private final long intervalNanos;
  private final int burst;
  private double tokens;
  private long last;

  RateLimiter(long intervalMillis, int burst, long nowNanos) {
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  synchronized boolean allow(long nowNanos) {
    tokens = Math.min(burst, tokens + (double) (nowNanos - last) / intervalNanos);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
