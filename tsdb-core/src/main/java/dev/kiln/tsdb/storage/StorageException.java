package dev.kiln.tsdb.storage;

/**
 * A failure inside the storage layer (I/O, corruption, closed storage). Unchecked; the server
 * maps it to Prometheus's "internal" or "execution" error at the HTTP boundary.
 */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
