package dev.kiln.tsdb.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;

/**
 * A condition on one label: {@code =}, {@code !=}, {@code =~} or {@code !~}.
 *
 * <p>Regular expressions use RE2 syntax and are fully anchored, as in Prometheus. A missing label
 * has the value "", so {@code {foo=""}} matches series without {@code foo}. Immutable and
 * thread-safe.
 */
public final class LabelMatcher {
  /** The four matcher kinds, with their PromQL spelling. */
  public enum Type {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String symbol;

    Type(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  private final Type type;
  private final String name;
  private final String value;
  private final Pattern pattern;

  private LabelMatcher(Type type, String name, String value) {
    this.type = Objects.requireNonNull(type);
    this.name = Objects.requireNonNull(name);
    this.value = Objects.requireNonNull(value);
    if (type == Type.REGEX || type == Type.NOT_REGEX) {
      try {
        this.pattern = Pattern.compile("^(?s:" + value + ")$");
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression " + GoStrings.quote(value) + ": " + e.getDescription(), e);
      }
    } else {
      this.pattern = null;
    }
  }

  /**
   * Creates a matcher.
   *
   * @throws IllegalArgumentException when a regular expression does not compile
   */
  public static LabelMatcher of(Type type, String name, String value) {
    return new LabelMatcher(type, name, value);
  }

  public static LabelMatcher equal(String name, String value) {
    return new LabelMatcher(Type.EQUAL, name, value);
  }

  public static LabelMatcher notEqual(String name, String value) {
    return new LabelMatcher(Type.NOT_EQUAL, name, value);
  }

  public static LabelMatcher regex(String name, String regex) {
    return new LabelMatcher(Type.REGEX, name, regex);
  }

  public static LabelMatcher notRegex(String name, String regex) {
    return new LabelMatcher(Type.NOT_REGEX, name, regex);
  }

  public Type type() {
    return type;
  }

  public String name() {
    return name;
  }

  /** The literal value or the regular expression source as written. */
  public String value() {
    return value;
  }

  /** True when the given label value (use "" for a missing label) satisfies this matcher. */
  public boolean matches(String labelValue) {
    String v = labelValue == null ? "" : labelValue;
    return switch (type) {
      case EQUAL -> value.equals(v);
      case NOT_EQUAL -> !value.equals(v);
      case REGEX -> pattern.matches(v);
      case NOT_REGEX -> !pattern.matches(v);
    };
  }

  /** True when the series' labels satisfy this matcher. */
  public boolean matches(Labels labels) {
    return matches(labels.getOrEmpty(name));
  }

  /** True when this matcher accepts the empty string, that is, series lacking the label. */
  public boolean matchesEmpty() {
    return matches("");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMatcher m
        && m.type == type
        && m.name.equals(name)
        && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, value);
  }

  /**
   * PromQL form as Prometheus prints it, e.g. {@code job=~"api|web"}; a name that is not a legacy
   * label name is quoted too ({@code "service.name"="x"}).
   */
  @Override
  public String toString() {
    return (isLegacyName(name) ? name : GoStrings.quote(name)) + type.symbol + GoStrings.quote(value);
  }

  private static boolean isLegacyName(String n) {
    if (n.isEmpty()) {
      return false;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
