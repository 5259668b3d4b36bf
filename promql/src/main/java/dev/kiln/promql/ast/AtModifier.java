package dev.kiln.promql.ast;

/**
 * The {@code @} modifier of a selector or subquery.
 *
 * @param kind not set, a fixed time, or the query's {@code start()} / {@code end()}
 * @param timeMillis the fixed time in milliseconds when kind is {@link Kind#TIME}
 */
public record AtModifier(Kind kind, long timeMillis) {
  /** How the modifier was written. */
  public enum Kind {
    NONE,
    TIME,
    START,
    END
  }

  public static final AtModifier NONE = new AtModifier(Kind.NONE, 0);
  public static final AtModifier START = new AtModifier(Kind.START, 0);
  public static final AtModifier END = new AtModifier(Kind.END, 0);

  /** A fixed time in milliseconds. */
  public static AtModifier at(long timeMillis) {
    return new AtModifier(Kind.TIME, timeMillis);
  }

  public boolean isSet() {
    return kind != Kind.NONE;
  }
}
