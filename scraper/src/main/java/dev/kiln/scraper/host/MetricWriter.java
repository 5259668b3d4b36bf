package dev.kiln.scraper.host;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;


/** Writes Prometheus text format 0.0.4, one family at a time, with Go number formatting. */
final class MetricWriter {
  private final StringBuilder out = new StringBuilder(64 * 1024);
  private String family;

  /** Starts a family with its HELP and TYPE lines; repeated calls for the same family are no-ops. */
  MetricWriter family(String name, String type, String help) {
    if (!name.equals(family)) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      family = name;
    }
    return this;
  }

  /** A sample of the current family; labels alternate names and values. */
  MetricWriter sample(double value, String... labels) {
    out.append(family);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labels[i]).append("=\"");
        escape(labels[i + 1]);
        out.append('"');
      }
      out.append('}');
    }
    out.append(' ').append(GoFloats.format(value, Notation.G)).append('\n');
    return this;
  }

  private void escape(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  String text() {
    return out.toString();
  }
}
