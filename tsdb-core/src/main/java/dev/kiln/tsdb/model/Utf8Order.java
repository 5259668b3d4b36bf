package dev.kiln.tsdb.model;

import java.util.Comparator;

/**
 * Orders strings by their UTF-8 bytes, as Go compares strings (differs from
 * {@link String#compareTo} only for characters outside the Basic Multilingual Plane).
 */
public final class Utf8Order {
  public static final Comparator<String> COMPARATOR = Utf8Order::compare;

  private Utf8Order() {}

  public static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean sx = Character.isSurrogate(x);
        boolean sy = Character.isSurrogate(y);
        if (sx != sy) {
          // A surrogate encodes a code point above U+FFFF, which sorts after any BMP character.
          return sx ? 1 : -1;
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }
}
