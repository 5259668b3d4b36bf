package dev.kiln.config;

import java.util.List;

/** A {@code file_sd_configs} entry: file patterns (resolved) and the refresh interval. */
public record FileSdConfig(List<String> files, long refreshIntervalMillis) {
  public FileSdConfig {
    files = List.copyOf(files);
  }

  static FileSdConfig parse(YamlNode n, java.nio.file.Path baseDir) {
    List<String> files = n.strings("files");
    long refresh = n.duration("refresh_interval", 300_000);
    n.rejectUnknownKeys("file_sd_config");
    List<String> resolved = new java.util.ArrayList<>();
    for (String f : files) {
      if (!(f.endsWith(".json") || f.endsWith(".yml") || f.endsWith(".yaml"))) {
        throw n.error("path name \"" + f + "\" is not valid for file discovery");
      }
      String dirPart = f.contains("/") ? f.substring(0, f.lastIndexOf('/')) : "";
      if (dirPart.contains("*")) {
        throw n.error("path name \"" + f + "\" is not valid for file discovery: * is allowed only in the last path segment");
      }
      resolved.add(baseDir.resolve(f).toString());
    }
    return new FileSdConfig(resolved, refresh);
  }
}
