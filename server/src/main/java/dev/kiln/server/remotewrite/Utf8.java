package dev.kiln.server.remotewrite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation in place (Unicode's well-formed byte sequences: no overlong forms, no
 * surrogates, nothing above U+10FFFF), as protobuf and Java's decoder require. Eight ASCII bytes
 * are checked per step.
 */
final class Utf8 {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Utf8() {}

  /** True when the {@code len} bytes at index {@code off} are ASCII only. */
  static boolean isAscii(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      if (((long) LONGS.get(b, i) & 0x8080808080808080L) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /** True when the {@code len} bytes at index {@code off} are well-formed UTF-8. */
  static boolean isValid(byte[] b, int off, int len) {
    return isAscii(b, off, len) || isValidSlow(b, off, off + len);
  }

  private static boolean isValidSlow(byte[] b, int i, int end) {
    while (i < end) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xff;
      int need;
      int lo = 0x80;
      int hi = 0xbf;
      if (c < 0xc2) {
        return false;
      } else if (c < 0xe0) {
        need = 1;
      } else if (c < 0xf0) {
        need = 2;
        if (c == 0xe0) {
          lo = 0xa0;
        } else if (c == 0xed) {
          hi = 0x9f;
        }
      } else if (c < 0xf5) {
        need = 3;
        if (c == 0xf0) {
          lo = 0x90;
        } else if (c == 0xf4) {
          hi = 0x8f;
        }
      } else {
        return false;
      }
      if (end - i <= need) {
        return false;
      }
      int c1 = b[i + 1] & 0xff;
      if (c1 < lo || c1 > hi) {
        return false;
      }
      for (int k = 2; k <= need; k++) {
        int ck = b[i + k] & 0xff;
        if (ck < 0x80 || ck > 0xbf) {
          return false;
        }
      }
      i += need + 1;
    }
    return true;
  }
}
