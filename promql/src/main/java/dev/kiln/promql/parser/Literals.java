package dev.kiln.promql.parser;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Values of number and string tokens, with Go's rules: numbers are tried as integers first
 * ({@code 0x1f}, {@code 017} is octal) and strings take Go's escapes (duration tokens go to
 * {@link dev.kiln.tsdb.model.Durations}). A {@link LiteralException} carries
 * the message; the caller adds the position.
 */
final class Literals {
  /** Thrown for a literal that does not parse; the message reads like Prometheus's. */
  static final class LiteralException extends RuntimeException {
    final int offset;

    LiteralException(String message, int offset) {
      super(message, null, false, false);
      this.offset = offset;
    }
  }

  private Literals() {}

  static double number(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.equals("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    if (lower.startsWith("0x")) {
      return new BigInteger(text.substring(2), 16).doubleValue();
    }
    if (text.length() > 1 && text.charAt(0) == '0' && text.chars().allMatch(c -> c >= '0' && c <= '7')) {
      return new BigInteger(text.substring(1), 8).doubleValue();
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new LiteralException("bad number or duration syntax: \"" + text + "\"", 0);
    }
  }

  /**
   * The value of a quoted string token (with its quotes). Bytes from {@code \x} and octal escapes
   * that are not valid UTF-8 are kept as U+DC00+byte, so they can be printed back byte for byte.
   */
  static String unquote(String token) {
    char quote = token.charAt(0);
    String body = token.substring(1, token.length() - 1);
    if (quote == '`') {
      return body;
    }
    StringBuilder sb = new StringBuilder(body.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c != '\\') {
        sb.append(c);
        i++;
        continue;
      }
      char e = body.charAt(i + 1);
      switch (e) {
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'v' -> sb.append('\u000b');
        case '\\' -> sb.append('\\');
        case '\'', '"' -> {
          if (e != quote) {
            throw new LiteralException("unknown escape sequence", i + 1);
          }
          sb.append(e);
        }
        case 'x', '0', '1', '2', '3', '4', '5', '6', '7' -> {
          bytes.reset();
          while (i + 1 < body.length() && body.charAt(i) == '\\' && isByteEscape(body.charAt(i + 1))) {
            if (body.charAt(i + 1) == 'x') {
              bytes.write(hex(body, i + 2, 2));
            } else {
              bytes.write(octal(body, i + 1));
            }
            i += 4;
          }
          appendUtf8(sb, bytes.toByteArray());
          continue;
        }
        case 'u' -> {
          sb.appendCodePoint(hex(body, i + 2, 4));
          i += 4;
        }
        case 'U' -> {
          sb.appendCodePoint(hex(body, i + 2, 8));
          i += 8;
        }
        default -> throw new LiteralException("unknown escape sequence", i + 1);
      }
      i += 2;
    }
    return sb.toString();
  }

  private static boolean isByteEscape(char c) {
    return c == 'x' || (c >= '0' && c <= '7');
  }

  private static int hex(String s, int at, int n) {
    if (at + n > s.length()) {
      throw new LiteralException("invalid escape sequence", at + 1);
    }
    try {
      int v = Integer.parseUnsignedInt(s.substring(at, at + n), 16);
      if (n > 2 && (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v < 0xE000))) {
        throw new LiteralException("invalid escape sequence", at + 1);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new LiteralException("invalid escape sequence", at + 1);
    }
  }

  private static int octal(String s, int at) {
    if (at + 3 > s.length()) {
      throw new LiteralException("invalid escape sequence", at + 1);
    }
    try {
      int v = Integer.parseInt(s.substring(at, at + 3), 8);
      if (v > 255) {
        throw new LiteralException("invalid escape sequence", at + 1);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new LiteralException("invalid escape sequence", at + 1);
    }
  }

  /** Decodes UTF-8 bytes; bytes that are not valid UTF-8 become U+DC00+byte. */
  private static void appendUtf8(StringBuilder sb, byte[] b) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
    int i = 0;
    while (i < b.length) {
      int len = utf8Length(b[i]);
      if (len > 0 && i + len <= b.length) {
        try {
          sb.append(d.decode(ByteBuffer.wrap(b, i, len)));
          i += len;
          continue;
        } catch (CharacterCodingException e) {
          // Not valid UTF-8: keep the byte itself below.
        }
      }
      sb.append((char) (0xDC00 + (b[i] & 0xff)));
      i++;
    }
  }

  private static int utf8Length(byte first) {
    int b = first & 0xff;
    if (b < 0x80) {
      return 1;
    }
    if (b >= 0xc2 && b < 0xe0) {
      return 2;
    }
    if (b >= 0xe0 && b < 0xf0) {
      return 3;
    }
    if (b >= 0xf0 && b < 0xf5) {
      return 4;
    }
    return -1;
  }
}
