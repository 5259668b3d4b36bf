package dev.kiln.server.push;

import dev.kiln.tsdb.model.Labels;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the grouping key from {@code /metrics/job/<job>{/<label>/<value>}}, with {@code @base64} values. */
final class GroupingKeyParser {
  private GroupingKeyParser() {}

  /** @param rest the path after {@code /metrics/}, e.g. {@code job/batch/instance/i1} */
  static Labels parse(String rest) throws PushException {
    String[] parts = rest.split("/", -1);
    if (parts.length < 2 || parts.length % 2 != 0) {
      throw new PushException("odd number of path segments after /metrics/, or no job given: " + rest);
    }
    Labels.Builder b = Labels.builder();
    for (int i = 0; i < parts.length; i += 2) {
      String name = decode(parts[i]);
      String value = decode(parts[i + 1]);
      if (name.endsWith("@base64")) {
        name = name.substring(0, name.length() - 7);
        value = base64(value);
      }
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.startsWith("__")) {
        throw new PushException("invalid label name \"" + name + "\"");
      }
      if (i == 0 && (!name.equals("job") || value.isEmpty())) {
        throw new PushException("job name is required");
      }
      b.set(name, value);
    }
    return b.build();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String base64(String s) throws PushException {
    if (s.equals("=")) {
      return "";
    }
    try {
      String t = s.replace('+', '-').replace('/', '_');
      return new String(Base64.getUrlDecoder().decode(t.replace("=", "")), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new PushException("invalid base64 encoding in \"" + s + "\"");
    }
  }
}
