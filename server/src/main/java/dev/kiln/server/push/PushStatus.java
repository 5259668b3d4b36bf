package dev.kiln.server.push;

import dev.kiln.server.json.JsonOut;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code data} of the Pushgateway's {@code /api/v1/status} in its shape, with Kiln's own
 * values: {@code build_information} (the Pushgateway's keys {@code branch}, {@code buildDate},
 * {@code buildUser}, {@code goVersion}, {@code revision}, {@code version}, holding Kiln's build and
 * the Java version), {@code flags} (Kiln's command-line flags, as {@code /api/v1/status/flags}) and
 * {@code start_time} (when Kiln started, RFC 3339 with nanoseconds, UTC). Keys are sorted as Go
 * writes a map.
 */
public record PushStatus(Map<String, String> buildInformation, Map<String, String> flags, long startNanos) {
  void write(JsonOut out) {
    out.beginObject().name("build_information");
    stringMap(out, buildInformation);
    out.name("flags");
    stringMap(out, flags);
    out.name("start_time").value(PushedMetricsJson.timestamp(startNanos)).endObject();
  }

  private static void stringMap(JsonOut out, Map<String, String> m) {
    out.beginObject();
    new TreeMap<>(m).forEach((k, v) -> out.name(k).value(v));
    out.endObject();
  }
}
