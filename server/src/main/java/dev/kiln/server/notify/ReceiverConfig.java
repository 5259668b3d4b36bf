package dev.kiln.server.notify;

import dev.kiln.config.YamlNode;
import java.util.ArrayList;
import java.util.List;

/** A named receiver with its integrations. Webhook URLs are secrets: never logged. */
public record ReceiverConfig(String name, List<Integration> integrations) {
  /** Kinds of integrations Kiln can send to directly. */
  public enum Kind {
    WEBHOOK,
    SLACK,
    TEAMS_WORKFLOWS,
    TEAMS_LEGACY
  }

  /** One destination. */
  public record Integration(Kind kind, String url, boolean sendResolved, int maxAlerts, String channel) {}

  static ReceiverConfig parse(YamlNode n) {
    String name = n.string("name", "");
    if (name.isEmpty()) {
      throw n.error("missing name in receiver");
    }
    List<Integration> out = new ArrayList<>();
    for (YamlNode w : n.get("webhook_configs").items()) {
      String url = w.string("url", null);
      boolean resolved = w.bool("send_resolved", true);
      int max = (int) w.integer("max_alerts", 0);
      w.get("timeout");
      w.get("http_config");
      w.get("url_file");
      w.rejectUnknownKeys("webhook_config");
      out.add(new Integration(Kind.WEBHOOK, require(w, url, "url"), resolved, max, null));
    }
    for (YamlNode s : n.get("slack_configs").items()) {
      String url = s.string("api_url", null);
      boolean resolved = s.bool("send_resolved", false);
      String channel = s.string("channel", null);
      for (String k : new String[] {"username", "icon_emoji", "icon_url", "title", "text", "color", "http_config", "title_link"}) {
        s.get(k);
      }
      s.rejectUnknownKeys("slack_config");
      out.add(new Integration(Kind.SLACK, require(s, url, "api_url"), resolved, 0, channel));
    }
    for (YamlNode t : n.get("msteamsv2_configs").items()) {
      String url = t.string("webhook_url", null);
      boolean resolved = t.bool("send_resolved", true);
      t.get("title");
      t.get("text");
      t.get("http_config");
      t.rejectUnknownKeys("msteamsv2_config");
      out.add(new Integration(Kind.TEAMS_WORKFLOWS, require(t, url, "webhook_url"), resolved, 0, null));
    }
    for (YamlNode t : n.get("msteams_configs").items()) {
      String url = t.string("webhook_url", null);
      boolean resolved = t.bool("send_resolved", true);
      t.get("title");
      t.get("text");
      t.get("summary");
      t.get("http_config");
      t.rejectUnknownKeys("msteams_config");
      out.add(new Integration(Kind.TEAMS_LEGACY, require(t, url, "webhook_url"), resolved, 0, null));
    }
    n.rejectUnknownKeys("receiver");
    return new ReceiverConfig(name, List.copyOf(out));
  }

  private static String require(YamlNode n, String v, String field) {
    if (v == null || v.isEmpty()) {
      throw n.error("missing " + field);
    }
    return v;
  }
}
