package dev.kiln.tsdb.histogram;

/**
 * Shared instances of the common small spans, so that computing a layout (compaction) allocates
 * no span objects for them. Spans are immutable records, so one instance serves every histogram;
 * the table is filled lazily, and a racing fill only creates an equal instance.
 */
final class SharedSpans {
  private static final int MIN_OFFSET = -128;
  private static final int MAX_OFFSET = 127;
  private static final int MAX_LENGTH = 63;
  private static final Span[] TABLE = new Span[(MAX_OFFSET - MIN_OFFSET + 1) * MAX_LENGTH];

  private SharedSpans() {}

  /** The span (offset, length), shared when both are small. */
  static Span of(int offset, int length) {
    if (offset < MIN_OFFSET || offset > MAX_OFFSET || length < 1 || length > MAX_LENGTH) {
      return new Span(offset, length);
    }
    int k = (offset - MIN_OFFSET) * MAX_LENGTH + (length - 1);
    Span s = TABLE[k];
    if (s == null) {
      s = new Span(offset, length);
      TABLE[k] = s;
    }
    return s;
  }
}
