package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HttpConnectionPool} on a clock the test moves. */
class HttpConnectionPoolTest {
  private static final long IDLE = 300_000_000_000L;
  private long now = 1_000_000_000_000L;
  private final HttpConnectionPool pool = new HttpConnectionPool(IDLE, 2, () -> now);
  private final List<HttpConnection> closed = new ArrayList<>();

  private HttpConnection connection() {
    HttpConnection[] self = new HttpConnection[1];
    self[0] = new HttpConnection(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), t -> { },
        () -> closed.add(self[0]));
    return self[0];
  }

  @Test
  void anOfferedConnectionIsTakenOnceNewestFirst() {
    HttpConnection a = connection();
    HttpConnection b = connection();
    pool.offer("h:1", a);
    pool.offer("h:1", b);
    assertSame(b, pool.poll("h:1"));
    assertSame(a, pool.poll("h:1"));
    assertNull(pool.poll("h:1"));
    assertNull(pool.poll("other:1"));
    assertEquals(List.of(), closed);
  }

  @Test
  void pastTheMaximumTheOldestIsClosed() {
    HttpConnection a = connection();
    HttpConnection b = connection();
    HttpConnection c = connection();
    pool.offer("h:1", a);
    pool.offer("h:1", b);
    pool.offer("h:1", c);
    assertEquals(List.of(a), closed);
    assertEquals(2, pool.idle("h:1"));
  }

  @Test
  void aConnectionIdleForTooLongIsClosedInsteadOfReused() {
    HttpConnectionPool noSweepYet = new HttpConnectionPool(10, 2, () -> now);
    HttpConnection old = connection();
    noSweepYet.offer("h:1", old);
    now += 5;
    HttpConnection fresh = connection();
    noSweepYet.offer("h:1", fresh);
    now += 5;
    assertSame(fresh, noSweepYet.poll("h:1"), "idle for 5 of 10 ns");
    assertEquals(List.of(), closed);
    assertNull(noSweepYet.poll("h:1"), "the older one reached the idle time");
    assertEquals(List.of(old), closed);
  }

  @Test
  void aSweepClosesExpiredConnectionsOfKeysNoLongerAskedFor() {
    HttpConnection gone = connection();
    pool.offer("gone:1", gone);
    now += IDLE;
    assertNull(pool.poll("h:1"));
    assertEquals(List.of(gone), closed, "the sweep ran: more than a minute since the pool was made");
    assertEquals(0, pool.keys());
  }

  @Test
  void sweepsRunAtMostOnceAMinute() {
    assertNull(pool.poll("h:1"));
    now += 61_000_000_000L;
    assertNull(pool.poll("h:1")); // sweeps now
    HttpConnection c = connection();
    pool.offer("gone:1", c);
    now += IDLE;
    // IDLE (5 min) has passed: the next poll sweeps; the one just before did not see c expire.
    assertNull(pool.poll("h:1"));
    assertEquals(List.of(c), closed);
  }
}
