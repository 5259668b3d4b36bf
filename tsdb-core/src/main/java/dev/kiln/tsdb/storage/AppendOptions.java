package dev.kiln.tsdb.storage;

/**
 * Optional extras that travel with one appended sample. Kept in one record so that new extras
 * never grow side interfaces on {@link Appender}.
 *
 * @param metadata the metric family's metadata, or {@code null} when unknown
 */
public record AppendOptions(Metadata metadata) {
  /** No extras. */
  public static final AppendOptions NONE = new AppendOptions(null);
}
