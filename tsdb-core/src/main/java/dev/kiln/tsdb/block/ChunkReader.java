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
 * the chunk's bounds and CRC32C and returns a heap copy, so chunks stay valid after close.
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
   * Reads the chunk with the given reference.
   *
   * @throws BlockCorruptException when the reference is out of range or the checksum differs
   */
  public Chunk chunk(long ref) {
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
    int[] sz = new int[1];
    long len = f.uvarint(off, sz);
    if (len > Integer.MAX_VALUE - 16 || off + sz[0] + 1 + len + 4 > f.size()) {
      throw new BlockCorruptException(f.path(), off, "chunk length " + len + " beyond the end of the segment");
    }
    byte[] b = f.bytes(off + sz[0], (int) len + 5);
    CRC32C c = new CRC32C();
    c.update(b, 0, (int) len + 1);
    int want = new DecodeBuffer(b, (int) len + 1, (int) len + 5).be32();
    if ((int) c.getValue() != want) {
      throw new BlockCorruptException(f.path(), off, "chunk checksum mismatch");
    }
    byte[] data = new byte[(int) len];
    System.arraycopy(b, 1, data, 0, (int) len);
    ChunkEncoding enc;
    try {
      enc = ChunkEncoding.fromCode(b[0]);
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(f.path(), off, e.getMessage());
    }
    try {
      return Chunks.fromBytes(enc, data);
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(f.path(), off, e.getMessage());
    }
  }

  /** Total bytes of all segments. */
  public long size() {
    long n = 0;
    for (MappedFile f : segments) {
      n += f.size();
    }
    return n;
  }

  @Override
  public void close() {
    for (MappedFile f : segments) {
      f.close();
    }
    segments.clear();
  }
}
