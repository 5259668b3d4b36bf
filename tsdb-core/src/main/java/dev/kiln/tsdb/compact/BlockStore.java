package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.BlockWriter;
import dev.kiln.tsdb.block.Ulid;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open blocks of a data directory. {@link #reload()} scans the directory: it removes
 * leftover temporary directories, opens new blocks, drops blocks that were compacted into others
 * (named as parents of a present block) or marked deletable, and closes blocks that disappeared.
 * A block that fails to open (bad meta.json, index, chunks or tombstones) is logged, listed in
 * {@link #corrupted()}, left on disk untouched and skipped; it never stops start-up.
 *
 * <p>Thread-safe: mutations are synchronized; {@link #blocks()} returns an immutable snapshot
 * sorted by minimum time.
 */
public final class BlockStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);
  static final String DELETION_SUFFIX = ".tmp-for-deletion";

  private final FileIo io;
  private final Path dir;
  private volatile List<Block> blocks = List.of();
  private volatile Map<String, String> corrupted = Map.of();

  public BlockStore(FileIo io, Path dir) {
    this.io = io;
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** Open blocks sorted by minimum time (then ULID). */
  public List<Block> blocks() {
    return blocks;
  }

  /** Block directory name → reason, for blocks that could not be opened at the last reload. */
  public Map<String, String> corrupted() {
    return corrupted;
  }

  /** Largest block maxTime (exclusive), or Long.MIN_VALUE without blocks. */
  public long maxTime() {
    long m = Long.MIN_VALUE;
    for (Block b : blocks) {
      m = Math.max(m, b.meta().maxTime());
    }
    return m;
  }

  /** Re-scans the directory; see the class comment. */
  public synchronized void reload() {
    List<Path> dirs;
    try {
      dirs = io.list(dir);
    } catch (IOException e) {
      throw new StorageException("list blocks in " + dir + ": " + e.getMessage(), e);
    }
    Map<String, BlockMeta> metas = new LinkedHashMap<>();
    Map<String, String> bad = new LinkedHashMap<>();
    for (Path p : dirs) {
      String name = p.getFileName().toString();
      if (name.endsWith(BlockWriter.TMP_SUFFIX) || name.endsWith(DELETION_SUFFIX)) {
        deleteQuietly(p);
        continue;
      }
      if (!Ulid.isValid(name) || !io.isDirectory(p)) {
        continue;
      }
      try {
        metas.put(name, Block.readMeta(io, p));
      } catch (RuntimeException e) {
        bad.put(name, e.getMessage());
      }
    }
    Set<String> drop = new HashSet<>();
    for (Map.Entry<String, BlockMeta> e : metas.entrySet()) {
      if (e.getValue().deletable()) {
        drop.add(e.getKey());
      }
      for (BlockMeta.Parent parent : e.getValue().parents()) {
        drop.add(parent.ulid().toString());
      }
    }
    Map<String, Block> open = new HashMap<>();
    for (Block b : blocks) {
      open.put(b.dir().getFileName().toString(), b);
    }
    List<Block> next = new ArrayList<>();
    for (String name : metas.keySet()) {
      if (drop.contains(name)) {
        continue;
      }
      Block b = open.remove(name);
      if (b == null) {
        try {
          b = Block.open(io, dir.resolve(name));
        } catch (RuntimeException e) {
          LOG.error("skipping block {}: {} (left on disk for inspection)", name, e.getMessage());
          bad.put(name, e.getMessage());
          continue;
        }
      }
      next.add(b);
    }
    next.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()).thenComparing(b -> b.meta().ulid()));
    blocks = List.copyOf(next);
    corrupted = Map.copyOf(bad);
    for (Block b : open.values()) {
      b.close();
    }
    for (String name : drop) {
      if (metas.containsKey(name)) {
        Block b = open.get(name);
        if (b != null) {
          b.close();
        }
        remove(dir.resolve(name));
      }
    }
  }

  /** Drops the blocks from the set and deletes their directories (queries still reading finish first). */
  public synchronized void delete(List<Block> doomed) {
    List<Block> next = new ArrayList<>(blocks);
    next.removeAll(doomed);
    blocks = List.copyOf(next);
    for (Block b : doomed) {
      b.close();
      remove(b.dir());
    }
  }

  /** Renames to a deletion directory first so a crash never leaves a half-deleted block loadable. */
  private void remove(Path blockDir) {
    Path tmp = blockDir.resolveSibling(blockDir.getFileName() + DELETION_SUFFIX);
    try {
      io.rename(blockDir, tmp);
      io.deleteRecursively(tmp);
    } catch (IOException e) {
      LOG.warn("delete block {}: {}", blockDir.getFileName(), e.getMessage());
    }
  }

  private void deleteQuietly(Path p) {
    try {
      io.deleteRecursively(p);
    } catch (IOException e) {
      LOG.warn("remove temporary block directory {}: {}", p, e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    for (Block b : blocks) {
      b.close();
    }
    blocks = List.of();
  }
}
