package dev.kiln.tsdb.block;

import java.security.SecureRandom;
import java.util.Random;

/**
 * A ULID (Universally Unique Lexicographically Sortable Identifier), the name of a block
 * directory: 48 bits of Unix milliseconds then 80 random bits, written as 26 characters of
 * Crockford base32. ULIDs sort by time as strings. Immutable.
 */
public record Ulid(long msb, long lsb) implements Comparable<Ulid> {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final Random RANDOM = new SecureRandom();

  /** A new ULID for the given time in Unix milliseconds. Thread-safe. */
  public static Ulid generate(long timeMillis) {
    if (timeMillis < 0 || timeMillis >= (1L << 48)) {
      throw new IllegalArgumentException("ULID time out of range: " + timeMillis);
    }
    long r1;
    long r2;
    synchronized (RANDOM) {
      r1 = RANDOM.nextLong();
      r2 = RANDOM.nextLong();
    }
    return new Ulid((timeMillis << 16) | (r1 & 0xFFFF), r2);
  }

  /** The time part, Unix milliseconds. */
  public long timeMillis() {
    return msb >>> 16;
  }

  /**
   * Parses the 26-character form (case-insensitive).
   *
   * @throws IllegalArgumentException when the text is not a ULID
   */
  public static Ulid parse(String s) {
    if (s.length() != 26) {
      throw new IllegalArgumentException("not a ULID (length " + s.length() + "): " + s);
    }
    int first = decode(s.charAt(0), s);
    if (first > 7) {
      throw new IllegalArgumentException("ULID overflows 128 bits: " + s);
    }
    // Accumulate 128 bits: shift (msb, lsb) left by 5 and add each digit.
    long msb = 0;
    long lsb = first;
    for (int i = 1; i < 26; i++) {
      int d = decode(s.charAt(i), s);
      msb = (msb << 5) | (lsb >>> 59);
      lsb = (lsb << 5) | d;
    }
    return new Ulid(msb, lsb);
  }

  /** True when {@code s} is a well-formed ULID. */
  public static boolean isValid(String s) {
    try {
      parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int decode(char c, String s) {
    char u = Character.toUpperCase(c);
    for (int i = 0; i < ALPHABET.length; i++) {
      if (ALPHABET[i] == u) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a ULID (bad character '" + c + "'): " + s);
  }

  @Override
  public String toString() {
    char[] out = new char[26];
    long m = msb;
    long l = lsb;
    for (int i = 25; i >= 0; i--) {
      out[i] = ALPHABET[(int) (l & 31)];
      l = (l >>> 5) | (m << 59);
      m >>>= 5;
    }
    return new String(out);
  }

  @Override
  public int compareTo(Ulid o) {
    int c = Long.compareUnsigned(msb, o.msb);
    return c != 0 ? c : Long.compareUnsigned(lsb, o.lsb);
  }
}
