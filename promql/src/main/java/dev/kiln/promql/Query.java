package dev.kiln.promql;

/**
 * A prepared query. {@link #exec()} may be called once; {@link #cancel()} may be called from any
 * thread and makes a running {@code exec()} throw {@link QueryCanceledException}.
 */
public interface Query extends AutoCloseable {
  /**
   * Runs the query.
   *
   * @throws PromQLException for parse-time type errors found late, limits, timeout, cancel
   * @throws dev.kiln.tsdb.storage.StorageException when the storage fails
   */
  QueryResult exec();

  void cancel();

  /** The expression as given. */
  String expression();

  @Override
  void close();
}
