package dev.kiln.server.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks {@code Authorization: Basic} credentials against bcrypt hashes as exporter-toolkit does:
 * an unknown user is compared against a fixed hash (same cost, so timing does not reveal which
 * users exist), one bcrypt comparison runs at a time, and outcomes are cached per (user, hash,
 * password) so a client repeating good credentials pays the bcrypt cost once. Thread-safe.
 */
final class BasicAuthenticator {
  /** exporter-toolkit's bcrypt hash of "fakepassword", used for unknown users. */
  private static final String FAKE_HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
  private static final int CACHE_SIZE = 100;

  private final Object bcryptLock = new Object();
  private final Map<String, Boolean> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  /** Number of bcrypt comparisons made so far (cache misses); for tests and metrics. */
  private long comparisons;

  /** True when the header carries a user of {@code users} with a matching password. */
  boolean authenticate(String authorizationHeader, Map<String, String> users) {
    String[] up = parse(authorizationHeader);
    if (up == null) {
      return false;
    }
    String hash = users.get(up[0]);
    boolean known = hash != null;
    if (!known) {
      hash = FAKE_HASH;
    }
    String key = cacheKey(up[0], hash, up[1]);
    Boolean ok;
    synchronized (cache) {
      ok = cache.get(key);
    }
    if (ok == null) {
      boolean match;
      synchronized (bcryptLock) {
        comparisons++;
        match = Bcrypt.matches(up[1], hash);
      }
      ok = known && match;
      synchronized (cache) {
        cache.put(key, ok);
      }
    }
    return ok && known;
  }

  long comparisons() {
    synchronized (bcryptLock) {
      return comparisons;
    }
  }

  /** Go's {@code Request.BasicAuth}: user and password, or null when absent or malformed. */
  static String[] parse(String header) {
    if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(header.substring(6));
    } catch (IllegalArgumentException e) {
      return null;
    }
    String s = new String(raw, StandardCharsets.UTF_8);
    int colon = s.indexOf(':');
    return colon < 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
  }

  private static String cacheKey(String user, String hash, String pass) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {user, hash, pass}) {
        byte[] b = part.getBytes(StandardCharsets.UTF_8);
        d.update((byte) (b.length >>> 24));
        d.update((byte) (b.length >>> 16));
        d.update((byte) (b.length >>> 8));
        d.update((byte) b.length);
        d.update(b);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: no SHA-256", e);
    }
  }
}
