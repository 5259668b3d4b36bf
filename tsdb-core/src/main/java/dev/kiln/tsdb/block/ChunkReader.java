package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.Chunks;
import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads chunks from a block's {@code chunks/} segment files (format: {@link ChunkSegmentWriter})
 * through memory mappings. Opening checks every segment's magic and version; each read checks
 * the chunk's bounds and CRC32C. {@link #chunk} returns a heap copy, so chunks stay valid after
 * close; {@link #read} fills a caller's reused buffer instead (the query path: no allocation per
 * chunk).
 * Thread-safe; {@link #close()} unmaps.
 */
public final class ChunkReader implements AutoCloseable {
  private final List<MappedFile> segments = new ArrayList<>();

  public ChunkReader(FileIo io, Path dir) throws IOException {
    try {
      List<Path> files = new ArrayList<>();
      for (Path p : io.list(dir)) {
        String n = p.getFileName().toString();
        if (n.length() == 6 && n.chars().allMatch(Character::isDigit)) {
          files.add(p);
        }
      }
      files.sort(null);
      for (int i = 0; i < files.size(); i++) {
        Path p = files.get(i);
        if (!p.getFileName().toString().equals(ChunkSegmentWriter.segmentName(i))) {
          throw new BlockCorruptException(p, 0, "chunk segment sequence has a gap before " + p.getFileName());
        }
        MappedFile f = new MappedFile(io, p);
        segments.add(f);
        if (f.size() < ChunkSegmentWriter.HEADER_BYTES || f.be32(0) != ChunkSegmentWriter.MAGIC) {
          throw new BlockCorruptException(p, 0, "bad chunk segment magic");
        }
        if (f.get(4) != 1) {
          throw new BlockCorruptException(p, 4, "unsupported chunk segment version " + f.get(4));
        }
      }
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  /**
   * Reads the chunk with the given reference into a chunk of its own.
   *
   * @throws BlockCorruptException when the reference is out of range or the checksum differs
   */
  public Chunk chunk(long ref) {
    ChunkBytes b = read(ref, new ChunkBytes());
    try {
      return Chunks.fromBytes(b.encoding, b.copy());
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(b.path, b.offset, e.getMessage());
    }
  }

  /**
   * Reads the chunk with the given reference into {@code into}'s buffer (grown when too small,
   * otherwise reused), checking its bounds and checksum, and returns {@code into}.
   *
   * @throws BlockCorruptException when the reference is out of range, the checksum differs or the
   *     encoding is unknown
   */
  ChunkBytes read(long ref, ChunkBytes into) {
    int seq = (int) (ref >>> 32);
    long off = ref & 0xFFFFFFFFL;
    if (seq >= segments.size()) {
      throw new BlockCorruptException(segments.isEmpty() ? Path.of("chunks") : segments.get(0).path(), off,
          "chunk reference to missing segment " + (seq + 1));
    }
    MappedFile f = segments.get(seq);
    if (off < ChunkSegmentWriter.HEADER_BYTES) {
      throw new BlockCorruptException(f.path(), off, "chunk reference inside the segment header");
    }
    long len = f.uvarint(off, into.varintSize);
    if (len > Integer.MAX_VALUE - 16 || off + into.varintSize[0] + 1 + len + 4 > f.size()) {
      throw new BlockCorruptException(f.path(), off, "chunk length " + len + " beyond the end of the segment");
    }
    int n = (int) len;
    byte[] b = into.room(n + 5);
    f.read(off + into.varintSize[0], b, 0, n + 5);
    CRC32C c = into.crc;
    c.reset();
    c.update(b, 0, n + 1);
    int want = ((b[n + 1] & 0xff) << 24) | ((b[n + 2] & 0xff) << 16) | ((b[n + 3] & 0xff) << 8) | (b[n + 4] & 0xff);
    if ((int) c.getValue() != want) {
      throw new BlockCorruptException(f.path(), off, "chunk checksum mismatch");
    }
    try {
      into.encoding = ChunkEncoding.fromCode(b[0]);
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(f.path(), off, e.getMessage());
    }
    into.length = n;
    into.path = f.path();
    into.offset = off;
    return into;
  }

  /** Total bytes of all segments. */
  public long size() {
    long n = 0;
    for (MappedFile f : segments) {
      n += f.size();
    }
    return n;
  }

  /** Maps the segments afresh (see {@link MappedFile#releaseResidentPages()}); the block must be open. */
  void releaseResidentPages() throws IOException {
    for (MappedFile f : segments) {
      f.releaseResidentPages();
    }
  }

  /** See {@link MappedFile#dropResidentPages()}; the block must be open. */
  boolean dropResidentPages() {
    boolean ok = true;
    for (MappedFile f : segments) {
      ok &= f.dropResidentPages();
    }
    return ok;
  }

  @Override
  public void close() {
    for (MappedFile f : segments) {
      f.close();
    }
    segments.clear();
  }
}
