package dev.kiln.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Expands a path whose last segment may contain {@code *} and {@code ?} wildcards. */
public final class Globs {
  private Globs() {}

  /** Matching files, sorted; a pattern matching nothing yields an empty list. */
  public static List<Path> expand(Path baseDir, String pattern) {
    Path p = baseDir == null ? Path.of(pattern) : baseDir.resolve(pattern);
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    String glob = p.getFileName().toString();
    List<Path> out = new ArrayList<>();
    if (!glob.contains("*") && !glob.contains("?") && !glob.contains("[")) {
      if (Files.isRegularFile(p)) {
        out.add(p);
      }
      return out;
    }
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
      for (Path f : ds) {
        if (Files.isRegularFile(f)) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      return out;
    }
    out.sort(null);
    return out;
  }
}
