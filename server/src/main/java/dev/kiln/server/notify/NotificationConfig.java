package dev.kiln.server.notify;

import dev.kiln.config.ConfigException;
import dev.kiln.config.YamlNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kiln's built-in notification settings: the Alertmanager configuration subset (a route tree
 * and receivers with webhook, Slack and Microsoft Teams integrations), so the same file can move
 * to a real Alertmanager later.
 */
public record NotificationConfig(Route route, Map<String, ReceiverConfig> receivers) {
  public static NotificationConfig load(Path file) {
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read notification config " + file + ": " + e.getMessage(), e);
    }
  }

  public static NotificationConfig parse(String source, String yaml) {
    YamlNode root = YamlNode.parse(source, yaml);
    root.get("global");
    root.get("templates");
    root.get("inhibit_rules");
    root.get("time_intervals");
    root.get("mute_time_intervals");
    YamlNode r = root.get("route");
    if (r.absent()) {
      throw root.error("no route provided in config");
    }
    Route route = Route.parseRoot(r);
    Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
    for (YamlNode n : root.get("receivers").items()) {
      ReceiverConfig rc = ReceiverConfig.parse(n);
      if (receivers.put(rc.name(), rc) != null) {
        throw n.error("notification config name \"" + rc.name() + "\" is not unique");
      }
    }
    root.rejectUnknownKeys("alertmanager config");
    check(route, receivers, root);
    return new NotificationConfig(route, receivers);
  }

  private static void check(Route r, Map<String, ReceiverConfig> receivers, YamlNode at) {
    if (!receivers.containsKey(r.receiver())) {
      throw at.error("undefined receiver \"" + r.receiver() + "\" used in route");
    }
    for (Route c : r.routes()) {
      check(c, receivers, at);
    }
  }
}
