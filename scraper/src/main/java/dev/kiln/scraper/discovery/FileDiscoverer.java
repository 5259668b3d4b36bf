package dev.kiln.scraper.discovery;

import dev.kiln.config.FileSdConfig;
import dev.kiln.config.Globs;
import dev.kiln.config.TargetGroup;
import dev.kiln.config.YamlNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code file_sd_configs}: reads JSON or YAML target files matching the patterns. Files are
 * checked for changes every few seconds (covering edits and atomic renames) and fully re-read
 * every refresh interval. A file that fails to parse keeps its previous groups.
 */
public final class FileDiscoverer implements Discoverer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileDiscoverer.class);
  private static final long WATCH_MILLIS = 5_000;

  private final FileSdConfig cfg;
  private final ScheduledExecutorService scheduler;
  private final Map<Path, List<TargetGroup>> groupsByFile = new LinkedHashMap<>();
  private final Map<Path, FileTime> seen = new HashMap<>();
  private Consumer<List<TargetGroup>> listener;
  private ScheduledFuture<?> watch;
  private long lastFullRead;

  public FileDiscoverer(FileSdConfig cfg, ScheduledExecutorService scheduler) {
    this.cfg = cfg;
    this.scheduler = scheduler;
  }

  @Override
  public synchronized void start(Consumer<List<TargetGroup>> listener) {
    this.listener = listener;
    refresh(true);
    long period = Math.min(WATCH_MILLIS, Math.max(1, cfg.refreshIntervalMillis()));
    watch = scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  private synchronized void tick() {
    try {
      long now = System.currentTimeMillis();
      boolean full = now - lastFullRead >= cfg.refreshIntervalMillis();
      refresh(full);
    } catch (RuntimeException e) {
      LOG.warn("file discovery refresh failed", e);
    }
  }

  /** Re-reads changed files (all files when {@code full}) and reports if anything changed. */
  synchronized void refresh(boolean full) {
    if (full) {
      lastFullRead = System.currentTimeMillis();
    }
    Map<Path, List<TargetGroup>> next = new LinkedHashMap<>();
    boolean changed = false;
    for (String pattern : cfg.files()) {
      for (Path p : Globs.expand(null, pattern)) {
        FileTime mtime;
        try {
          mtime = Files.getLastModifiedTime(p);
        } catch (IOException e) {
          continue;
        }
        List<TargetGroup> old = groupsByFile.get(p);
        if (!full && old != null && mtime.equals(seen.get(p))) {
          next.put(p, old);
          continue;
        }
        seen.put(p, mtime);
        try {
          List<TargetGroup> groups = read(p);
          next.put(p, groups);
          if (!groups.equals(old)) {
            changed = true;
          }
        } catch (RuntimeException | IOException e) {
          LOG.warn("cannot read file SD file {}: {}", p, e.getMessage());
          if (old != null) {
            next.put(p, old);
          }
        }
      }
    }
    if (!next.keySet().equals(groupsByFile.keySet())) {
      changed = true;
    }
    groupsByFile.clear();
    groupsByFile.putAll(next);
    if (changed || full && listener != null) {
      List<TargetGroup> all = new ArrayList<>();
      groupsByFile.values().forEach(all::addAll);
      listener.accept(all);
    }
  }

  /** Reads one target file (JSON is valid YAML, so one reader handles both). */
  static List<TargetGroup> read(Path p) throws IOException {
    String text = Files.readString(p, StandardCharsets.UTF_8);
    YamlNode root = YamlNode.parse(p.toString(), text);
    List<TargetGroup> out = new ArrayList<>();
    for (YamlNode g : root.items()) {
      List<String> targets = g.strings("targets");
      Map<String, String> labels = new LinkedHashMap<>(g.stringMap("labels"));
      g.rejectUnknownKeys("file SD target group");
      labels.put("__meta_filepath", p.toString());
      out.add(new TargetGroup(targets, labels, p.toString()));
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.cancel(false);
    }
  }
}
