package dev.kiln.server.exposition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The exposition format Kiln answers a scrape of {@code /metrics} or {@code /federate} with,
 * chosen from the request's {@code Accept} header as Prometheus's {@code expfmt.Negotiate} does:
 * media ranges in order of falling {@code q}; the first that is the protobuf type with
 * {@code proto=io.prometheus.client.MetricFamily; encoding=delimited} selects {@link #PROTOBUF},
 * the first {@code text/plain} with version {@code 0.0.4} or none selects {@link #TEXT}; when
 * nothing matches, text. The protobuf {@code text} and {@code compact-text} encodings (debugging
 * forms) are not offered and fall through to the next range.
 */
public enum ExpositionFormat {
  /** Text format 0.0.4. */
  TEXT("text/plain; version=0.0.4; charset=utf-8"),
  /** Varint-length-delimited {@code io.prometheus.client.MetricFamily} messages. */
  PROTOBUF("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");

  private static final String PROTO_TYPE = "application/vnd.google.protobuf";
  private static final String PROTO_MESSAGE = "io.prometheus.client.MetricFamily";

  private final String contentType;

  ExpositionFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The {@code Content-Type} of an answer in this format. */
  public String contentType() {
    return contentType;
  }

  /** The format for an {@code Accept} header value (null or empty: text). */
  public static ExpositionFormat negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return TEXT;
    }
    for (MediaRange r : parse(accept)) {
      if (r.type.equals(PROTO_TYPE) && PROTO_MESSAGE.equals(r.param("proto"))
          && "delimited".equals(r.param("encoding"))) {
        return PROTOBUF;
      }
      String version = r.param("version");
      if (r.type.equals("text/plain") && (version == null || version.isEmpty() || version.equals("0.0.4"))) {
        return TEXT;
      }
    }
    return TEXT;
  }

  /** One media range of an Accept header. */
  private record MediaRange(String type, List<String[]> params, double q, int specificity) {
    String param(String name) {
      for (String[] p : params) {
        if (p[0].equals(name)) {
          return p[1];
        }
      }
      return null;
    }
  }

  /** The ranges sorted by falling q, then by specificity (a wildcard after a concrete type). */
  private static List<MediaRange> parse(String accept) {
    List<MediaRange> out = new ArrayList<>();
    for (String part : accept.split(",")) {
      String[] fields = part.split(";");
      String type = fields[0].trim().toLowerCase(Locale.ROOT);
      if (type.isEmpty()) {
        continue;
      }
      double q = 1;
      List<String[]> params = new ArrayList<>();
      for (int i = 1; i < fields.length; i++) {
        String f = fields[i].trim();
        int eq = f.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String name = f.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = f.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (name.equals("q")) {
          try {
            q = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            q = 0;
          }
        } else {
          params.add(new String[] {name, value});
        }
      }
      int specificity = type.startsWith("*") ? 0 : type.endsWith("/*") ? 1 : 2;
      out.add(new MediaRange(type, params, q, specificity));
    }
    out.sort((a, b) -> a.q != b.q ? Double.compare(b.q, a.q) : Integer.compare(b.specificity, a.specificity));
    return out;
  }
}
