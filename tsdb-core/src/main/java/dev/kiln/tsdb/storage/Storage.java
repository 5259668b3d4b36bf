package dev.kiln.tsdb.storage;

/** A readable and writable store, such as the whole database. Thread-safe. */
public interface Storage extends Queryable, Appendable, AutoCloseable {
  @Override
  void close();
}
