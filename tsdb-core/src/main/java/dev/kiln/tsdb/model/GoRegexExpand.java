package dev.kiln.tsdb.model;

import com.google.re2j.Matcher;

/**
 * Go's {@code Regexp.Expand}: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}},
 * {@code $$}. A name is the longest run of letters, digits and underscores; a missing group
 * expands to the empty string.
 */
public final class GoRegexExpand {
  private GoRegexExpand() {}

  /** Expands the template against a successful match. */
  public static String expand(String template, Matcher m) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    StringBuilder out = new StringBuilder(template.length() + 16);
    int i = 0;
    int n = template.length();
    while (i < n) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= n) {
        out.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0 || close == i + 2 || !isName(template, i + 2, close)) {
          out.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        end = close + 1;
      } else {
        int j = i + 1;
        while (j < n && isNameChar(template.charAt(j))) {
          j++;
        }
        if (j == i + 1) {
          out.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 1, j);
        end = j;
      }
      out.append(group(m, name));
      i = end;
    }
    return out.toString();
  }

  private static String group(Matcher m, String name) {
    String v = null;
    if (Character.isDigit(name.charAt(0))) {
      boolean allDigits = name.chars().allMatch(Character::isDigit);
      if (allDigits) {
        try {
          int idx = Integer.parseInt(name);
          if (idx <= m.groupCount()) {
            v = m.group(idx);
          }
        } catch (NumberFormatException e) {
          v = null;
        }
      }
    } else {
      try {
        v = m.group(name);
      } catch (IllegalArgumentException e) {
        v = null;
      }
    }
    return v == null ? "" : v;
  }

  private static boolean isName(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isNameChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameChar(char c) {
    return c == '_' || Character.isLetterOrDigit(c);
  }
}
