package dev.kiln.tsdb.model;

/**
 * Go's {@code strconv.Quote}, the quoting Prometheus uses when it prints label values, matchers and
 * PromQL string literals. Bytes that were not valid UTF-8 when a string was decoded are carried
 * as U+DC80..U+DCFF (the low byte is the original byte) and printed back as {@code \xNN}.
 */
public final class GoStrings {
  private GoStrings() {}

  /** The double-quoted Go literal of {@code s}. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      switch (cp) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case 0x07 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 0x0b -> sb.append("\\v");
        default -> appendOther(sb, cp);
      }
    }
    return sb.append('"').toString();
  }

  private static void appendOther(StringBuilder sb, int cp) {
    if (cp >= 0xDC80 && cp <= 0xDCFF) {
      sb.append(String.format("\\x%02x", cp - 0xDC00));
    } else if (cp < 0x20 || cp == 0x7f) {
      sb.append(String.format("\\x%02x", cp));
    } else if (isPrintable(cp)) {
      sb.appendCodePoint(cp);
    } else if (cp < 0x10000) {
      sb.append(String.format("\\u%04x", cp));
    } else {
      sb.append(String.format("\\U%08x", cp));
    }
  }

  /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
  private static boolean isPrintable(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE,
          Character.SURROGATE, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }
}
