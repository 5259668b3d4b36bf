package dev.kiln.tsdb.io;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The single seam through which tsdb-core opens, maps, syncs, renames and deletes files.
 *
 * <p>Tests subclass it to inject faults (failing fsyncs, short writes, crashes between steps)
 * and to count open files and mappings. Java 17 cannot unmap a buffer deterministically: {@link
 * #unmap} drops Kiln's reference and the mapping goes away when the buffer is garbage-collected;
 * a Java 21+ variant can replace this class with one based on {@code Arena}. Thread-safe.
 */
public class FileIo {
  /** The real file system. */
  public static final FileIo DEFAULT = new FileIo();

  /** Largest run of zeros {@link #writeZeros} hands to one {@code write}. */
  private static final int ZERO_BLOCK = 256 * 1024;

  private final ResidentPages residentPages = ResidentPages.detect();

  protected FileIo() {}

  /** Opens a file for appending writes, creating it if needed; the position is at its end. */
  public FileChannel openForAppend(Path file) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    ch.position(ch.size());
    return ch;
  }

  /** Opens an existing file for reading. */
  public FileChannel openForRead(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  /** Opens an existing file for reading and writing (repairs). */
  public FileChannel openForUpdate(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** Writes the whole buffer at the channel's position. */
  public void write(FileChannel ch, java.nio.ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /**
   * Writes {@code length} zero bytes at {@code position} without moving the channel's position:
   * extends a file ahead of the bytes still to be written into it, so that their fsyncs find its
   * size already settled.
   */
  public void writeZeros(FileChannel ch, long position, long length) throws IOException {
    java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate((int) Math.min(length, ZERO_BLOCK));
    long at = position;
    long end = position + length;
    while (at < end) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
      while (zeros.hasRemaining()) {
        at += ch.write(zeros, at);
      }
    }
  }

  /** Cuts an open file to {@code size} bytes (not synced). */
  public void truncate(FileChannel ch, long size) throws IOException {
    ch.truncate(size);
  }

  /**
   * Lengthens an open file to {@code size} bytes (not synced) by writing its last byte, leaving
   * the bytes between its old end and that one unwritten (a hole: zeros that take no disk
   * blocks). Does nothing when the file is already that long.
   */
  public void extend(FileChannel ch, long size) throws IOException {
    if (size > ch.size()) {
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      while (last.hasRemaining()) {
        ch.write(last, size - 1);
      }
    }
  }

  /** Makes the file's data durable (fdatasync). */
  public void sync(FileChannel ch) throws IOException {
    ch.force(false);
  }

  /** Makes the entries of a directory (creations, renames, deletions) durable. */
  public void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Truncates a file to {@code size} bytes and syncs it. */
  public void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = openForUpdate(file)) {
      ch.truncate(size);
      ch.force(true);
    }
  }

  /**
   * Maps {@code [offset, offset+size)} of a file opened with the given channel. Read-write when
   * the channel is writable.
   */
  public MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long offset, long size)
      throws IOException {
    return ch.map(mode, offset, size);
  }

  /** Writes a mapping's changes to disk and waits for them (msync). */
  public void force(MappedByteBuffer buffer) {
    buffer.force();
  }

  /**
   * Replaces a small file atomically and durably: writes a temporary sibling, syncs it, renames
   * it over the target and syncs the directory.
   */
  public void writeAtomically(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      write(ch, java.nio.ByteBuffer.wrap(content));
      sync(ch);
    }
    rename(tmp, file);
    syncDirectory(file.getParent());
  }

  /** Releases Kiln's hold on a mapping (see the class comment). */
  public void unmap(MappedByteBuffer buffer) {
    // Java 17: the mapping is released when the buffer becomes unreachable.
  }

  /**
   * Takes a mapping's pages out of the process's resident set, leaving them in the page cache and
   * the mapping in place (see {@link ResidentPages}); returns false where this JVM cannot.
   */
  public boolean dropResidentPages(MappedByteBuffer buffer) {
    return residentPages.release(buffer);
  }

  /** Whether {@link #dropResidentPages} can do anything on this JVM. */
  public boolean canDropResidentPages() {
    return residentPages.available();
  }

  /** Closes a channel. */
  public void close(FileChannel ch) throws IOException {
    ch.close();
  }

  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  /** Renames atomically, replacing the target. */
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Deletes a file or a directory tree; a missing path is not an error. */
  public void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        for (Path p : s.toList()) {
          deleteRecursively(p);
        }
      }
    }
    try {
      Files.delete(path);
    } catch (NoSuchFileException e) {
      // already gone
    }
  }

  /** The entries of a directory (empty when it does not exist). */
  public List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.toList());
    }
  }

  /**
   * Takes an exclusive lock on a lock file (created if needed), released by closing the returned
   * channel or by the process ending; null when another process holds it.
   */
  public FileChannel tryLock(Path lockFile) throws IOException {
    FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      return null;
    }
    return ch;
  }

  /** The size of a file in bytes. */
  public long size(Path file) throws IOException {
    return Files.size(file);
  }

  /** Whether a file or directory exists. */
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  /** Whether a path is an existing directory. */
  public boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  /** Reads a whole small file (metadata, tombstones, state). */
  public byte[] readAll(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  /** Creates a hard link {@code link} to the existing file {@code target} (snapshots). */
  public void createLink(Path link, Path target) throws IOException {
    Files.createLink(link, target);
  }
}
