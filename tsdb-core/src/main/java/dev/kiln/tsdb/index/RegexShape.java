package dev.kiln.tsdb.index;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of an anchored regular expression, recognised so that common label regexes avoid the
 * regex engine: {@code .*} (anything), {@code .+} (anything non-empty), literal alternations
 * {@code a|b|c} (optionally in one group), literal prefixes {@code foo.*} and literal suffixes
 * {@code .*_total} / {@code .+_seconds_total} (dot matches every character, as the matchers compile
 * with {@code (?s)}). Everything else is
 * {@link Kind#GENERAL}. Immutable.
 */
public final class RegexShape {
  /** Recognised forms. */
  public enum Kind {
    ANY,
    NON_EMPTY,
    LITERAL_SET,
    PREFIX,
    /** {@code .*suffix} or {@code .+suffix}: a literal suffix after anything (or anything non-empty). */
    SUFFIX,
    GENERAL
  }

  private static final String META = ".+*?()|[]{}^$\\";
  private static final RegexShape ANY = new RegexShape(Kind.ANY, List.of(), "");
  private static final RegexShape NON_EMPTY = new RegexShape(Kind.NON_EMPTY, List.of(), "");
  private static final RegexShape GENERAL = new RegexShape(Kind.GENERAL, List.of(), "");

  private final Kind kind;
  private final List<String> literals;
  private final String prefix;
  /** For {@link Kind#SUFFIX}: the shortest matching value's length in chars. */
  private final int minLength;

  private RegexShape(Kind kind, List<String> literals, String prefix) {
    this(kind, literals, prefix, 0);
  }

  private RegexShape(Kind kind, List<String> literals, String affix, int minLength) {
    this.kind = kind;
    this.literals = literals;
    this.prefix = affix;
    this.minLength = minLength;
  }

  public Kind kind() {
    return kind;
  }

  /** For {@link Kind#LITERAL_SET}: the alternatives, in the order written (may include ""). */
  public List<String> literals() {
    return literals;
  }

  /** For {@link Kind#PREFIX}: the literal prefix. */
  public String prefix() {
    return prefix;
  }

  /** For {@link Kind#SUFFIX}: the literal suffix. */
  public String suffix() {
    return prefix;
  }

  /**
   * Whether the value matches, for every kind but {@link Kind#GENERAL}.
   *
   * @throws IllegalStateException for {@link Kind#GENERAL}
   */
  public boolean matches(String v) {
    return switch (kind) {
      case ANY -> true;
      case NON_EMPTY -> !v.isEmpty();
      case LITERAL_SET -> literals.contains(v);
      case PREFIX -> v.startsWith(prefix);
      // Any non-empty head holds at least one character, so a length test stands for ".+".
      case SUFFIX -> v.length() >= minLength && v.endsWith(prefix);
      case GENERAL -> throw new IllegalStateException("general regex needs the regex engine");
    };
  }

  /** Analyses the regex source as written in a matcher (anchoring is implied). */
  public static RegexShape of(String regex) {
    if (regex.equals(".*")) {
      return ANY;
    }
    if (regex.equals(".+")) {
      return NON_EMPTY;
    }
    if (regex.endsWith(".*") && !regex.endsWith("\\.*")) {
      String lit = literal(regex.substring(0, regex.length() - 2));
      if (lit != null) {
        return new RegexShape(Kind.PREFIX, List.of(), lit);
      }
      return GENERAL;
    }
    if (regex.startsWith(".*") || regex.startsWith(".+")) {
      String lit = literal(regex.substring(2));
      if (lit != null) {
        return new RegexShape(Kind.SUFFIX, List.of(), lit, lit.length() + (regex.charAt(1) == '+' ? 1 : 0));
      }
      return GENERAL;
    }
    String body = regex;
    if (body.startsWith("(?:") && body.endsWith(")")) {
      body = body.substring(3, body.length() - 1);
    } else if (body.startsWith("(") && body.endsWith(")") && !body.startsWith("(?")) {
      body = body.substring(1, body.length() - 1);
    }
    List<String> alternatives = splitAlternatives(body);
    if (alternatives == null) {
      return GENERAL;
    }
    List<String> lits = new ArrayList<>(alternatives.size());
    for (String alt : alternatives) {
      String lit = literal(alt);
      if (lit == null) {
        return GENERAL;
      }
      lits.add(lit);
    }
    return new RegexShape(Kind.LITERAL_SET, List.copyOf(lits), "");
  }

  /** Splits on unescaped '|'; null when the text holds a group or class (not a flat list). */
  private static List<String> splitAlternatives(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '(' || c == '[') {
        return null;
      } else if (c == '|') {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** The literal text a regex fragment stands for, or null when it has any operator. */
  static String literal(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          return null;
        }
        char n = s.charAt(++i);
        if (Character.isLetterOrDigit(n) || n == '_' || n > 127) {
          return null; // a class such as \d or an escape we do not interpret
        }
        sb.append(n);
      } else if (META.indexOf(c) >= 0) {
        return null;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
