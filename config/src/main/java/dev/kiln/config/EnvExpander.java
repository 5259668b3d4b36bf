package dev.kiln.config;

/** Expands {@code ${VAR}} and {@code $VAR} from the environment ({@code $$} is a literal $). */
final class EnvExpander {
  private EnvExpander() {}

  static String expand(String s) {
    if (s.indexOf('$') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '$' || i + 1 >= s.length()) {
        out.append(c);
        i++;
      } else if (s.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (s.charAt(i + 1) == '{') {
        int close = s.indexOf('}', i + 2);
        if (close < 0) {
          out.append(c);
          i++;
        } else {
          out.append(env(s.substring(i + 2, close)));
          i = close + 1;
        }
      } else {
        int j = i + 1;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
          j++;
        }
        if (j == i + 1) {
          out.append(c);
          i++;
        } else {
          out.append(env(s.substring(i + 1, j)));
          i = j;
        }
      }
    }
    return out.toString();
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null ? "" : v;
  }
}
