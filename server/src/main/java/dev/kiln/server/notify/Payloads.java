package dev.kiln.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.tsdb.model.Labels;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Builds the JSON bodies of the built-in notifier: Alertmanager's webhook format (version 4),
 * Slack incoming webhooks, Teams Workflows (Adaptive Card) and legacy Teams MessageCards.
 */
final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** What one notification is about. */
  record Notification(String receiver, String groupKey, Labels groupLabels, List<GroupAlert> alerts, int truncated, String externalURL) {
    boolean firing() {
      return alerts.stream().anyMatch(a -> !a.resolved());
    }

    long firingCount() {
      return alerts.stream().filter(a -> !a.resolved()).count();
    }

    String title() {
      String name = groupLabels.get("alertname");
      if (name == null && !alerts.isEmpty()) {
        name = alerts.get(0).labels().getOrEmpty("alertname");
      }
      return firing() ? "[FIRING:" + firingCount() + "] " + name : "[RESOLVED] " + name;
    }

    Labels commonLabels() {
      return common(alerts.stream().map(GroupAlert::labels).toList());
    }

    Labels commonAnnotations() {
      return common(alerts.stream().map(GroupAlert::annotations).toList());
    }

    private static Labels common(List<Labels> all) {
      if (all.isEmpty()) {
        return Labels.EMPTY;
      }
      Labels.Builder b = all.get(0).toBuilder();
      for (Labels l : all) {
        for (String name : all.get(0).names()) {
          if (!all.get(0).get(name).equals(l.get(name))) {
            b.delete(name);
          }
        }
      }
      return b.build();
    }

    /** The most useful line for a person on call: the summary, else the description. */
    String summary() {
      Labels ca = commonAnnotations();
      String s = ca.get("summary");
      if (s == null) {
        s = ca.get("description");
      }
      if (s == null && !alerts.isEmpty()) {
        s = alerts.get(0).annotations().get("summary");
      }
      return s == null ? "" : s;
    }
  }

  static byte[] webhook(Notification n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", "4");
    o.put("groupKey", n.groupKey());
    o.put("truncatedAlerts", n.truncated());
    o.put("status", n.firing() ? "firing" : "resolved");
    o.put("receiver", n.receiver());
    labels(o.putObject("groupLabels"), n.groupLabels());
    labels(o.putObject("commonLabels"), n.commonLabels());
    labels(o.putObject("commonAnnotations"), n.commonAnnotations());
    o.put("externalURL", n.externalURL());
    ArrayNode arr = o.putArray("alerts");
    for (GroupAlert a : n.alerts()) {
      ObjectNode ao = arr.addObject();
      ao.put("status", a.resolved() ? "resolved" : "firing");
      labels(ao.putObject("labels"), a.labels());
      labels(ao.putObject("annotations"), a.annotations());
      ao.put("startsAt", rfc3339(a.startsAt()));
      ao.put("endsAt", a.resolved() ? rfc3339(a.endsAt()) : "0001-01-01T00:00:00Z");
      ao.put("generatorURL", a.generatorURL());
      ao.put("fingerprint", a.fingerprint());
    }
    return bytes(o);
  }

  static byte[] slack(Notification n, String channel) {
    ObjectNode o = JSON.createObjectNode();
    o.put("text", n.title());
    if (channel != null) {
      o.put("channel", channel);
    }
    ObjectNode att = o.putArray("attachments").addObject();
    att.put("color", n.firing() ? "danger" : "good");
    att.put("fallback", n.title());
    att.put("title", n.title());
    att.put("title_link", n.externalURL() + "/alerts");
    StringBuilder text = new StringBuilder();
    for (GroupAlert a : n.alerts()) {
      String s = a.annotations().get("summary");
      text.append("*").append(esc(a.labels().getOrEmpty("instance").isEmpty() ? a.labels().getOrEmpty("alertname") : a.labels().get("instance")))
          .append("*: ").append(esc(s == null ? a.labels().toString() : s)).append(a.resolved() ? " (resolved)" : "").append('\n');
    }
    att.put("text", text.toString().strip());
    ArrayNode fields = att.putArray("fields");
    n.commonLabels().forEach((k, v) -> {
      if (!k.equals("alertname")) {
        fields.addObject().put("title", k).put("value", esc(v)).put("short", true);
      }
    });
    att.put("footer", "Kiln");
    att.put("ts", n.alerts().isEmpty() ? 0 : n.alerts().get(0).startsAt() / 1000);
    att.putArray("mrkdwn_in").add("text").add("fields");
    return bytes(o);
  }

  static byte[] teamsWorkflows(Notification n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "message");
    ObjectNode att = o.putArray("attachments").addObject();
    att.put("contentType", "application/vnd.microsoft.card.adaptive");
    att.putNull("contentUrl");
    ObjectNode card = att.putObject("content");
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    card.putObject("msteams").put("width", "Full");
    ArrayNode body = card.putArray("body");
    body.addObject().put("type", "TextBlock").put("text", n.title()).put("weight", "Bolder").put("size", "Medium")
        .put("style", "heading").put("color", n.firing() ? "Attention" : "Good").put("wrap", true);
    if (!n.summary().isEmpty()) {
      body.addObject().put("type", "TextBlock").put("text", n.summary()).put("wrap", true);
    }
    ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
    n.commonLabels().forEach((k, v) -> {
      if (!k.equals("alertname")) {
        facts.addObject().put("title", k).put("value", v);
      }
    });
    if (!n.alerts().isEmpty()) {
      facts.addObject().put("title", "since").put("value", human(n.alerts().get(0).startsAt()));
    }
    if (n.alerts().size() > 1) {
      StringBuilder list = new StringBuilder();
      int shown = 0;
      for (GroupAlert a : n.alerts()) {
        if (shown++ == 20) {
          list.append("- ... and ").append(n.alerts().size() - 20).append(" more\n");
          break;
        }
        list.append("- ").append(a.resolved() ? "RESOLVED " : "").append(a.labels().withoutMetricName()).append('\n');
      }
      body.addObject().put("type", "TextBlock").put("text", list.toString()).put("wrap", true);
    }
    card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Open in Kiln").put("url", n.externalURL() + "/alerts");
    return bytes(o);
  }

  static byte[] teamsLegacy(Notification n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("@type", "MessageCard");
    o.put("@context", "https://schema.org/extensions");
    o.put("themeColor", n.firing() ? "8C1A1A" : "2DC72D");
    o.put("summary", n.title());
    o.put("title", n.title());
    o.put("text", n.summary().isEmpty() ? n.title() : n.summary());
    ObjectNode sec = o.putArray("sections").addObject();
    sec.put("activityTitle", n.commonLabels().getOrEmpty("instance"));
    ArrayNode facts = sec.putArray("facts");
    n.commonLabels().forEach((k, v) -> facts.addObject().put("name", k).put("value", v));
    sec.put("markdown", true);
    ObjectNode act = o.putArray("potentialAction").addObject();
    act.put("@type", "OpenUri").put("name", "Open in Kiln");
    act.putArray("targets").addObject().put("os", "default").put("uri", n.externalURL() + "/alerts");
    return bytes(o);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void labels(ObjectNode o, Labels l) {
    l.forEach(o::put);
  }

  static String rfc3339(long millis) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(millis));
  }

  private static String human(long millis) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(millis));
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("BUG: in-memory JSON encoding failed", e);
    }
  }
}
