package dev.kiln.server.template;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoStrings;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code fmt} formatting for the values templates handle: strings, floats, integers, booleans.
 * Float digits come from {@link GoFloats#formatFloat}.
 */
public final class GoFormat {
  private GoFormat() {}

  /** Go's {@code %v} of a value. */
  public static String v(Object o) {
    if (o == null) {
      return "<no value>";
    }
    if (o instanceof Double d) {
      return GoFloats.formatFloat(d, 'g', -1);
    }
    if (o instanceof Float f) {
      return GoFloats.formatFloat(f.doubleValue(), 'g', -1);
    }
    if (o instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("map[");
      boolean first = true;
      for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
        if (!first) {
          sb.append(' ');
        }
        first = false;
        sb.append(v(e.getKey())).append(':').append(v(e.getValue()));
      }
      return sb.append(']').toString();
    }
    if (o instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(' ');
        }
        sb.append(v(l.get(i)));
      }
      return sb.append(']').toString();
    }
    return o.toString();
  }

  /** Go's {@code fmt.Sprintf} for the verbs alert templates use. */
  public static String sprintf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int argi = 0;
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      i++;
      if (i >= format.length()) {
        out.append("%!(NOVERB)");
        break;
      }
      if (format.charAt(i) == '%') {
        out.append('%');
        i++;
        continue;
      }
      boolean minus = false;
      boolean plus = false;
      boolean zero = false;
      boolean space = false;
      while (i < format.length() && "-+0 #".indexOf(format.charAt(i)) >= 0) {
        char fl = format.charAt(i++);
        minus |= fl == '-';
        plus |= fl == '+';
        zero |= fl == '0';
        space |= fl == ' ';
      }
      int width = -1;
      int ws = i;
      while (i < format.length() && Character.isDigit(format.charAt(i))) {
        i++;
      }
      if (i > ws) {
        width = Integer.parseInt(format.substring(ws, i));
      }
      int prec = -1;
      if (i < format.length() && format.charAt(i) == '.') {
        i++;
        int ps = i;
        while (i < format.length() && Character.isDigit(format.charAt(i))) {
          i++;
        }
        prec = i > ps ? Integer.parseInt(format.substring(ps, i)) : 0;
      }
      if (i >= format.length()) {
        out.append("%!(NOVERB)");
        break;
      }
      char verb = format.charAt(i++);
      if (argi >= args.size()) {
        out.append("%!").append(verb).append("(MISSING)");
        continue;
      }
      Object arg = args.get(argi++);
      String s = formatOne(verb, prec, plus, space, arg);
      if (width > s.length()) {
        String pad = (zero && !minus && verb != 's' && verb != 'q' ? "0" : " ").repeat(width - s.length());
        if (minus) {
          s = s + pad;
        } else if (zero && (s.startsWith("-") || s.startsWith("+")) && pad.startsWith("0")) {
          s = s.charAt(0) + pad + s.substring(1);
        } else {
          s = pad + s;
        }
      }
      out.append(s);
    }
    if (argi < args.size()) {
      out.append("%!(EXTRA ");
      for (int k = argi; k < args.size(); k++) {
        if (k > argi) {
          out.append(", ");
        }
        Object a = args.get(k);
        out.append(typeName(a)).append('=').append(v(a));
      }
      out.append(')');
    }
    return out.toString();
  }

  private static String typeName(Object a) {
    if (a instanceof Double) {
      return "float64";
    }
    if (a instanceof Long || a instanceof Integer) {
      return "int";
    }
    if (a instanceof String) {
      return "string";
    }
    if (a instanceof Boolean) {
      return "bool";
    }
    return a == null ? "<nil>" : a.getClass().getSimpleName();
  }

  private static String formatOne(char verb, int prec, boolean plus, boolean space, Object arg) {
    switch (verb) {
      case 'v':
        return v(arg);
      case 's':
        return prec >= 0 && v(arg).length() > prec ? v(arg).substring(0, prec) : v(arg);
      case 'q':
        return GoStrings.quote(v(arg));
      case 'd':
        if (arg instanceof Long || arg instanceof Integer) {
          return signed(Long.toString(((Number) arg).longValue()), plus, space);
        }
        return "%!d(" + typeName(arg) + "=" + v(arg) + ")";
      case 'f':
      case 'F':
      case 'e':
      case 'g':
        if (arg instanceof Number n) {
          double d = n.doubleValue();
          char f = verb == 'F' ? 'f' : verb;
          int p = prec < 0 && f != 'g' ? 6 : prec;
          return signed(GoFloats.formatFloat(d, f, p), plus, space);
        }
        return "%!" + verb + "(" + typeName(arg) + "=" + v(arg) + ")";
      case 'x':
        if (arg instanceof Long || arg instanceof Integer) {
          return Long.toHexString(((Number) arg).longValue());
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : v(arg).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          hex.append(String.format("%02x", b));
        }
        return hex.toString();
      case 't':
        return v(arg);
      default:
        return "%!" + verb + "(" + typeName(arg) + "=" + v(arg) + ")";
    }
  }

  private static String signed(String s, boolean plus, boolean space) {
    if (s.startsWith("-") || s.startsWith("+")) {
      return s;
    }
    return plus ? "+" + s : (space ? " " + s : s);
  }
}
