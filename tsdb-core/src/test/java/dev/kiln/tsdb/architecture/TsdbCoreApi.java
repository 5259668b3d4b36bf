package dev.kiln.tsdb.architecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What modules above tsdb-core may use of it (listed in {@code docs/storage.md}): the public
 * packages, and from {@code chunk} only the encodings' entry points (remote read ships Prometheus
 * chunks: XOR chunks as they are stored, and series re-encoded by {@code SeriesToChunkEncoder}). Everything else (head, wal, block, compact, index, the rest of
 * chunk) is internal to tsdb-core.
 */
public final class TsdbCoreApi {
  /** The packages whose every public type other modules may use. */
  public static final Set<String> PUBLIC_PACKAGES =
      Set.of(
          "dev.kiln.tsdb.model",
          "dev.kiln.tsdb.storage",
          "dev.kiln.tsdb.histogram",
          "dev.kiln.tsdb.db",
          "dev.kiln.tsdb.memory",
          "dev.kiln.tsdb.io");

  /** Single classes of otherwise internal packages that other modules may use. */
  public static final Set<String> PUBLIC_CLASSES =
      Set.of(
          "dev.kiln.tsdb.chunk.Chunk",
          "dev.kiln.tsdb.chunk.ChunkAppender",
          "dev.kiln.tsdb.chunk.ChunkEncoding",
          "dev.kiln.tsdb.chunk.Chunks",
          "dev.kiln.tsdb.chunk.SeriesToChunkEncoder",
          "dev.kiln.tsdb.chunk.XorChunk");

  private TsdbCoreApi() {}

  /** True when code outside tsdb-core may refer to {@code className}. */
  public static boolean isPublic(String className) {
    if (!className.startsWith("dev.kiln.tsdb.")) {
      return true;
    }
    String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
    return PUBLIC_PACKAGES.contains(ClassReferences.packageOf(outer)) || PUBLIC_CLASSES.contains(outer);
  }

  /** Each {@code "Referrer → internal class"} in {@code references} (referrer → classes it uses). */
  public static List<String> internalUses(Map<String, Set<String>> references) {
    List<String> out = new ArrayList<>();
    references.forEach((from, tos) -> {
      for (String to : tos) {
        if (!isPublic(to)) {
          out.add(from + " → " + to);
        }
      }
    });
    return out;
  }
}
