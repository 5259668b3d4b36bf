package dev.kiln.tsdb.storage;

/** Type, help and unit of a metric family, as seen in HELP/TYPE/UNIT lines or remote_write. */
public record Metadata(MetricType type, String help, String unit) {
  public Metadata {
    type = type == null ? MetricType.UNKNOWN : type;
    help = help == null ? "" : help;
    unit = unit == null ? "" : unit;
  }
}
