package dev.kiln.promql.ast;

/**
 * Where a node sits in the query text: character offsets, {@code start} inclusive and {@code end}
 * exclusive. Positions are not part of a node's meaning: {@link Expr#equalsIgnoringPosition}
 * compares trees without them.
 */
public record PositionRange(int start, int end) {
  /** The range of a node that has no place in any text (built by code, not parsed). */
  public static final PositionRange NONE = new PositionRange(-1, -1);

  /** The smallest range covering both. */
  public PositionRange merge(PositionRange other) {
    if (this.start < 0) {
      return other;
    }
    if (other.start < 0) {
      return this;
    }
    return new PositionRange(Math.min(start, other.start), Math.max(end, other.end));
  }
}
