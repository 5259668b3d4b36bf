package dev.kiln.tsdb.storage;

/** Something that accepts samples. Thread-safe: each thread takes its own {@link Appender}. */
public interface Appendable {
  /** Starts a new batch. */
  Appender appender();
}
