package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JdkHttpFetcherBodyTest {
  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void readsIntoTheReusedBufferWhenItFits() throws IOException {
    byte[] body = bytes(1000, 1);
    byte[] reuse = new byte[4096];
    HttpFetcher.Response r = JdkHttpFetcher.readBody(200, "text/plain", new ByteArrayInputStream(body), reuse, 1000, 0);
    assertSame(reuse, r.body());
    assertEquals(1000, r.length());
    assertArrayEquals(body, Arrays.copyOf(r.body(), r.length()));
  }

  @Test
  void growsForBodiesOfUnknownOrLargerLength() throws IOException {
    for (long declared : new long[] {-1, 100_000}) {
      byte[] body = bytes(100_000, 2);
      HttpFetcher.Response r =
          JdkHttpFetcher.readBody(200, "text/plain", new ByteArrayInputStream(body), new byte[10], declared, 0);
      assertEquals(100_000, r.length());
      assertArrayEquals(body, Arrays.copyOf(r.body(), r.length()));
    }
  }

  @Test
  void bodyLimitCountsDecompressedBytes() {
    byte[] body = bytes(5000, 3);
    assertThrows(HttpFetcher.BodyTooLargeException.class,
        () -> JdkHttpFetcher.readBody(200, "text/plain", new ByteArrayInputStream(body), null, -1, 4999));
    assertThrows(HttpFetcher.BodyTooLargeException.class,
        () -> JdkHttpFetcher.readBody(200, "text/plain", new ByteArrayInputStream(body), null, 5000, 4999));
  }
}
