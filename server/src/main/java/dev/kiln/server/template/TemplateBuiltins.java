package dev.kiln.server.template;

import java.util.List;
import java.util.Map;

/**
 * Go's predefined template functions ({@code and}, {@code or}, {@code not}, {@code len},
 * {@code index}, {@code slice}, {@code call}, {@code print}, {@code printf}, {@code println},
 * comparisons, {@code html}, {@code js}, {@code urlquery}), falling back to the registered
 * functions, and Go truthiness. ({@code and} and {@code or} reached through a template are
 * short-circuited by the executor; called here they get evaluated arguments.)
 * Stateless apart from the template name used in error messages; thread-safe.
 */
final class TemplateBuiltins {
  private static final java.util.Set<String> NAMES = java.util.Set.of(
      "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js",
      "urlquery", "call", "slice");

  private final String name;
  private final Map<String, TemplateFunction> funcs;

  TemplateBuiltins(String name, Map<String, TemplateFunction> funcs) {
    this.name = name;
    this.funcs = funcs;
  }

  /** Whether {@code fn} is one of Go's predefined functions. */
  static boolean isBuiltin(String fn) {
    return NAMES.contains(fn);
  }

  /** Calls a built-in or, failing that, a registered function with evaluated arguments. */
  Object call(String fn, List<Object> args) {
    switch (fn) {
      case "and": {
        Object last = null;
        for (Object a : args) {
          last = a;
          if (!truth(a)) {
            return a;
          }
        }
        return last;
      }
      case "or": {
        Object last = null;
        for (Object a : args) {
          last = a;
          if (truth(a)) {
            return a;
          }
        }
        return last;
      }
      case "not":
        return !truth(args.get(0));
      case "len": {
        Object a = args.get(0);
        if (a instanceof String str) {
          return (long) str.length();
        }
        if (a instanceof Map<?, ?> m) {
          return (long) m.size();
        }
        if (a instanceof List<?> l) {
          return (long) l.size();
        }
        throw new TemplateException("template: " + name + ": len of " + typeOf(a));
      }
      case "index":
        try {
          return index(args);
        } catch (IllegalArgumentException e) {
          throw new TemplateException("template: " + name + ": error calling index: " + e.getMessage());
        }
      case "slice":
        try {
          return slice(args);
        } catch (IllegalArgumentException e) {
          throw new TemplateException("template: " + name + ": error calling slice: " + e.getMessage());
        }
      case "call": {
        Object f = args.isEmpty() ? null : args.get(0);
        if (f == null) {
          throw new TemplateException("template: " + name + ": error calling call: call of nil");
        }
        if (!(f instanceof TemplateFunction tf)) {
          throw new TemplateException("template: " + name + ": error calling call: non-function of type " + typeOf(f));
        }
        try {
          return tf.apply(new java.util.ArrayList<>(args.subList(1, args.size())));
        } catch (TemplateException e) {
          throw e;
        } catch (RuntimeException e) {
          throw new TemplateException("template: " + name + ": error calling call: " + e.getMessage());
        }
      }
      case "print": {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < args.size(); k++) {
          boolean bothNonString = k > 0 && !(args.get(k) instanceof String) && !(args.get(k - 1) instanceof String);
          if (bothNonString) {
            sb.append(' ');
          }
          sb.append(GoFormat.v(args.get(k)));
        }
        return sb.toString();
      }
      case "println": {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < args.size(); k++) {
          if (k > 0) {
            sb.append(' ');
          }
          sb.append(GoFormat.v(args.get(k)));
        }
        return sb.append('\n').toString();
      }
      case "printf":
        return GoFormat.sprintf((String) args.get(0), args.subList(1, args.size()));
      case "eq": {
        Object a = args.get(0);
        for (int k = 1; k < args.size(); k++) {
          if (compare(a, args.get(k), true) == 0) {
            return true;
          }
        }
        return false;
      }
      case "ne":
        return compare(args.get(0), args.get(1), true) != 0;
      case "lt":
        return compare(args.get(0), args.get(1), false) < 0;
      case "le":
        return compare(args.get(0), args.get(1), false) <= 0;
      case "gt":
        return compare(args.get(0), args.get(1), false) > 0;
      case "ge":
        return compare(args.get(0), args.get(1), false) >= 0;
      case "html":
        return GoFormat.v(args.get(0)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&#34;").replace("'", "&#39;");
      case "js":
        return jsEscape(GoFormat.v(args.get(0)));
      case "urlquery":
        return queryEscape(GoFormat.v(args.get(0)));
      default:
        TemplateFunction f = funcs.get(fn);
        if (f == null) {
          throw new TemplateException("template: " + name + ": function \"" + fn + "\" not defined");
        }
        try {
          return f.apply(args);
        } catch (TemplateException e) {
          throw e;
        } catch (RuntimeException e) {
          throw new TemplateException("template: " + name + ": error calling " + fn + ": " + e.getMessage());
        }
    }
  }

  /**
   * Go's {@code index x i j}: {@code x[i][j]}, each step a map (a missing key gives the zero value
   * of its values), a list or a string (its byte at {@code i}); no indexes give {@code x} itself.
   */
  static Object index(List<Object> args) {
    Object v = args.get(0);
    if (v == null) {
      throw new IllegalArgumentException("index of untyped nil");
    }
    for (int k = 1; k < args.size(); k++) {
      Object key = args.get(k);
      if (v instanceof Map<?, ?> m) {
        v = m.containsKey(key) ? m.get(key) : zeroValue(m);
      } else if (v instanceof List<?> l) {
        int i = indexArg(key, l.size());
        if (i == l.size()) {
          throw new IllegalArgumentException("index out of range: " + i);
        }
        v = l.get(i);
      } else if (v instanceof String str) {
        byte[] bytes = str.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int i = indexArg(key, bytes.length);
        if (i == bytes.length) {
          throw new IllegalArgumentException("index out of range: " + i);
        }
        v = (long) (bytes[i] & 0xff);
      } else {
        throw new IllegalArgumentException("can't index item of type " + typeOf(v));
      }
    }
    return v;
  }

  /**
   * Go's {@code slice x i j k}: {@code x[i:j:k]} of a list or (by bytes, at most two indexes) a
   * string; {@code slice x} is {@code x[:]}.
   */
  static Object slice(List<Object> args) {
    Object v = args.get(0);
    if (v == null) {
      throw new IllegalArgumentException("slice of untyped nil");
    }
    int n = args.size() - 1;
    if (n > 3) {
      throw new IllegalArgumentException("too many slice indexes: " + n);
    }
    byte[] bytes = null;
    int length;
    if (v instanceof String str) {
      if (n == 3) {
        throw new IllegalArgumentException("cannot 3-index slice a string");
      }
      bytes = str.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      length = bytes.length;
    } else if (v instanceof List<?> l) {
      length = l.size();
    } else {
      throw new IllegalArgumentException("can't slice item of type " + typeOf(v));
    }
    int[] idx = {0, length, length};
    for (int k = 0; k < n; k++) {
      idx[k] = indexArg(args.get(k + 1), length);
    }
    if (idx[0] > idx[1]) {
      throw new IllegalArgumentException("invalid slice index: " + idx[0] + " > " + idx[1]);
    }
    if (n == 3 && idx[1] > idx[2]) {
      throw new IllegalArgumentException("invalid slice index: " + idx[1] + " > " + idx[2]);
    }
    if (bytes != null) {
      return new String(bytes, idx[0], idx[1] - idx[0], java.nio.charset.StandardCharsets.UTF_8);
    }
    return List.copyOf(((List<?>) v).subList(idx[0], idx[1]));
  }

  /** Go's {@code indexArg}: an integer in {@code [0, size]}. */
  private static int indexArg(Object index, int size) {
    if (index == null) {
      throw new IllegalArgumentException("cannot index slice/array with nil");
    }
    if (!(index instanceof Long || index instanceof Integer)) {
      throw new IllegalArgumentException("cannot index slice/array with type " + typeOf(index));
    }
    long x = ((Number) index).longValue();
    if (x < 0 || x > size) {
      throw new IllegalArgumentException("index out of range: " + x);
    }
    return (int) x;
  }

  /** The zero value of a map's value type, judged by one of its values (Prometheus's maps hold strings). */
  static Object zeroValue(Map<?, ?> m) {
    if (m.isEmpty()) {
      return "";
    }
    Object sample = m.values().iterator().next();
    if (sample instanceof String) {
      return "";
    }
    if (sample instanceof Long || sample instanceof Integer) {
      return 0L;
    }
    if (sample instanceof Double) {
      return 0.0;
    }
    if (sample instanceof Boolean) {
      return false;
    }
    return null;
  }

  private int compare(Object a, Object b, boolean eqOnly) {
    if (a instanceof Number x && b instanceof Number y) {
      if ((a instanceof Double) != (b instanceof Double)) {
        throw new TemplateException("template: " + name + ": error calling comparison: incompatible types for comparison");
      }
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    if (eqOnly) {
      if (a instanceof Boolean x && b instanceof Boolean y) {
        return x.equals(y) ? 0 : 1;
      }
      if (a == null || b == null) {
        return a == b ? 0 : 1;
      }
    }
    throw new TemplateException("template: " + name + ": error calling comparison: incompatible types for comparison");
  }

  /**
   * Go's {@code JSEscapeString}: backslash, quotes escaped with a backslash; {@code < > & =} and
   * control characters as {@code \\u00XX}; unprintable non-ASCII characters as {@code \\uXXXX}.
   */
  static String jsEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        case '"' -> sb.append("\\\"");
        case '<', '>', '&', '=' -> sb.append(String.format("\\u%04X", (int) c));
        default -> {
          if (c < ' ' || (c >= 0x80 && !printable(s.codePointAt(i)))) {
            int cp = s.codePointAt(i);
            sb.append(String.format("\\u%04X", cp));
            i += Character.charCount(cp) - 1;
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  private static boolean printable(int cp) {
    int t = Character.getType(cp);
    return !Character.isISOControl(cp) && t != Character.UNASSIGNED && t != Character.FORMAT
        && t != Character.SURROGATE && t != Character.PRIVATE_USE && t != Character.LINE_SEPARATOR
        && t != Character.PARAGRAPH_SEPARATOR;
  }

  /** Go's {@code url.QueryEscape}: letters, digits and {@code -_.~} kept, space as {@code +}. */
  static String queryEscape(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("*", "%2A").replace("%7E", "~");
  }

  /** Go truthiness: false, 0, nil and empty strings, maps and lists are false. */
  static boolean truth(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  /** Go's name for a value's type in error messages. */
  static String typeOf(Object v) {
    return v == null ? "interface {}" : v.getClass().getSimpleName();
  }
}
