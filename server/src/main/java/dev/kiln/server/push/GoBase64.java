package dev.kiln.server.push;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Go's {@code base64.RawURLEncoding.DecodeString} after trailing {@code =} are trimmed, as the
 * Pushgateway decodes {@code @base64} path parts: the URL-safe alphabet only, no padding, line
 * breaks skipped, unused trailing bits ignored, and Go's error text with the offending input byte.
 */
final class GoBase64 {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  private GoBase64() {}

  /** The decoded text (what was decoded before an error, if any) and the error, or null. */
  record Result(String value, String error) {}

  static Result decodeRawUrl(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    byte[] in = s.substring(0, end).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[in.length];
    int n = 0;
    int si = 0;
    while (si < in.length) {
      int[] quantum = new int[4];
      int j = 0;
      int quantumStart = -1;
      while (j < 4 && si < in.length) {
        byte c = in[si++];
        if (c == '\n' || c == '\r') {
          continue;
        }
        int v = c < 0 ? -1 : ALPHABET.indexOf(c);
        if (v < 0) {
          return new Result(text(out, n), illegal(si - 1));
        }
        if (j == 0) {
          quantumStart = si - 1;
        }
        quantum[j++] = v;
      }
      if (j == 1) {
        return new Result(text(out, n), illegal(quantumStart));
      }
      int bits = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
      for (int k = 0; k < j - 1; k++) {
        out[n++] = (byte) (bits >> (16 - 8 * k));
      }
    }
    return new Result(text(out, n), null);
  }

  private static String illegal(int offset) {
    return "illegal base64 data at input byte " + offset;
  }

  private static String text(byte[] b, int n) {
    return new String(Arrays.copyOf(b, n), StandardCharsets.UTF_8);
  }
}
