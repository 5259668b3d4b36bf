package dev.kiln.tsdb.histogram;

/**
 * A run of {@code length} consecutive buckets. The first span's offset is the index of its first
 * bucket; every later offset is the gap (number of absent buckets) after the previous span.
 */
public record Span(int offset, int length) {}
