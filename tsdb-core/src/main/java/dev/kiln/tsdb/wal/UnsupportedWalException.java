package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.storage.StorageException;

/**
 * The write-ahead log holds valid data Kiln cannot read (such as compressed records). Unlike
 * corruption this is never repaired: opening fails and nothing is changed on disk.
 */
public final class UnsupportedWalException extends StorageException {
  public UnsupportedWalException(String message) {
    super("unsupported write-ahead log content: " + message);
  }
}
