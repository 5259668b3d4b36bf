package dev.kiln.scraper.scrape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.LongSupplier;

/**
 * Idle keep-alive {@link HttpConnection}s by key (host and port): at most {@code maxIdlePerKey}
 * per key, newest first, each closed once it has been idle for {@code idleNanos}. Connections of
 * keys no longer asked for are closed by a sweep at most once a minute. Thread-safe; a connection
 * taken out belongs to the taker until it is offered back.
 */
final class HttpConnectionPool {
  private static final long SWEEP_NANOS = 60_000_000_000L;

  private final long idleNanos;
  private final int maxIdlePerKey;
  private final LongSupplier nanoClock;
  private final Map<String, ConcurrentLinkedDeque<HttpConnection>> idle = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests move a fake) */
  HttpConnectionPool(long idleNanos, int maxIdlePerKey, LongSupplier nanoClock) {
    this.idleNanos = idleNanos;
    this.maxIdlePerKey = maxIdlePerKey;
    this.nanoClock = nanoClock;
    this.lastSweep = nanoClock.getAsLong();
  }

  /** The most recently offered live connection for {@code key}, or null; expired ones met on the way are closed. */
  HttpConnection poll(String key) {
    sweep();
    ConcurrentLinkedDeque<HttpConnection> q = idle.get(key);
    if (q == null) {
      return null;
    }
    long now = nanoClock.getAsLong();
    for (HttpConnection c; (c = q.pollFirst()) != null; ) {
      if (now - c.idleSince < idleNanos) {
        return c;
      }
      c.close();
    }
    return null;
  }

  /** Keeps {@code c} for reuse under {@code key}, closing the oldest past the per-key maximum. */
  void offer(String key, HttpConnection c) {
    ConcurrentLinkedDeque<HttpConnection> q = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    c.idleSince = nanoClock.getAsLong();
    q.offerFirst(c);
    while (q.size() > maxIdlePerKey) {
      HttpConnection extra = q.pollLast();
      if (extra == null) {
        break;
      }
      extra.close();
    }
  }

  /** Idle connections kept for {@code key}. */
  int idle(String key) {
    ConcurrentLinkedDeque<HttpConnection> q = idle.get(key);
    return q == null ? 0 : q.size();
  }

  /** Keys with idle connections. */
  int keys() {
    return idle.size();
  }

  /** Closes connections idle for too long, including those of targets that went away. */
  private void sweep() {
    long now = nanoClock.getAsLong();
    if (now - lastSweep < SWEEP_NANOS) {
      return;
    }
    lastSweep = now;
    for (var it = idle.entrySet().iterator(); it.hasNext(); ) {
      ConcurrentLinkedDeque<HttpConnection> q = it.next().getValue();
      for (HttpConnection c : q) {
        if (now - c.idleSince >= idleNanos && q.remove(c)) {
          c.close();
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }
}
