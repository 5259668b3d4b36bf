package dev.kiln.promql.engine;

/** Expands $1, ${name} references in a label_replace replacement as Go's regexp.Expand. */
final class RegexExpand {
  private RegexExpand() {}

  static String expand(String template, com.google.re2j.Matcher m) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        sb.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        sb.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          sb.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        end = close + 1;
        if (name.isEmpty() || !isWordString(name)) {
          sb.append(c);
          i++;
          continue;
        }
      } else {
        int j = i + 1;
        while (j < template.length() && isWordChar(template.charAt(j))) {
          j++;
        }
        if (j == i + 1) {
          sb.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 1, j);
        end = j;
      }
      sb.append(group(m, name));
      i = end;
    }
    return sb.toString();
  }

  private static String group(com.google.re2j.Matcher m, String name) {
    boolean numeric = !name.isEmpty();
    for (int k = 0; k < name.length(); k++) {
      if (!Character.isDigit(name.charAt(k))) {
        numeric = false;
        break;
      }
    }
    if (numeric) {
      int idx;
      try {
        idx = Integer.parseInt(name);
      } catch (NumberFormatException e) {
        return "";
      }
      if (idx > m.groupCount()) {
        return "";
      }
      String v = m.group(idx);
      return v == null ? "" : v;
    }
    try {
      String v = m.group(name);
      return v == null ? "" : v;
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static boolean isWordChar(char c) {
    return c == '_' || Character.isLetterOrDigit(c);
  }

  private static boolean isWordString(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isWordChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
