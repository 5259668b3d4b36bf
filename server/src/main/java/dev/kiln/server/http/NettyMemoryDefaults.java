package dev.kiln.server.http;

import java.util.Map;
import java.util.Properties;

/**
 * Kiln's defaults for Netty's buffer allocator, set as system properties before Netty's first use
 * (a property the user set on the command line, {@code -Dio.netty.allocator.type=adaptive} for
 * example, wins). Netty 4.2's own default, the adaptive allocator, keeps several MiB of direct
 * memory per event loop; Kiln's request bodies are small (a remote-write batch is tens of KiB) and
 * its responses are wrapped heap arrays, so one pooled arena of 1 MiB chunks per kind serves them
 * with about 1 MiB of direct memory instead of 7-8 MiB (docs/operations.md, "Memory and JVM
 * settings"). Stateless.
 */
public final class NettyMemoryDefaults {
  /** The properties and values Kiln sets when they are absent. */
  static final Map<String, String> DEFAULTS = Map.of(
      "io.netty.allocator.type", "pooled",
      "io.netty.allocator.numDirectArenas", "1",
      "io.netty.allocator.numHeapArenas", "1",
      "io.netty.allocator.maxOrder", "7");

  private NettyMemoryDefaults() {}

  /** Sets every default the given properties do not hold yet. */
  public static void apply(Properties props) {
    DEFAULTS.forEach(props::putIfAbsent);
  }
}
