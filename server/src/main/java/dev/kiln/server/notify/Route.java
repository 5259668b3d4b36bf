package dev.kiln.server.notify;

import dev.kiln.config.YamlNode;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node of the Alertmanager-style routing tree. Children inherit unset settings from their
 * parent. Immutable.
 *
 * @param groupBy label names to group by; {@code ["..."]} groups by all labels
 * @param key the route's key for {@code groupKey}: {@code {}} at the root, then {@code /<matchers>}
 */
public record Route(
    String receiver,
    List<String> groupBy,
    long groupWaitMillis,
    long groupIntervalMillis,
    long repeatIntervalMillis,
    List<LabelMatcher> matchers,
    boolean continueMatching,
    List<Route> routes,
    String key) {

  /** Reads a route (and its children) with Alertmanager's defaults for the root. */
  static Route parseRoot(YamlNode n) {
    return parse(n, null, "{}");
  }

  private static Route parse(YamlNode n, Route parent, String parentKey) {
    String receiver = n.string("receiver", parent == null ? null : parent.receiver);
    if (receiver == null) {
      throw n.error("root route must specify a default receiver");
    }
    List<String> groupBy = n.has("group_by") ? n.strings("group_by") : (parent == null ? List.of() : parent.groupBy);
    long wait = n.duration("group_wait", parent == null ? 30_000 : parent.groupWaitMillis);
    long interval = n.duration("group_interval", parent == null ? 300_000 : parent.groupIntervalMillis);
    long repeat = n.duration("repeat_interval", parent == null ? 4 * 3_600_000 : parent.repeatIntervalMillis);
    List<LabelMatcher> matchers = new ArrayList<>();
    for (String m : n.strings("matchers")) {
      matchers.add(parseMatcher(n, m));
    }
    for (Map.Entry<String, String> e : n.stringMap("match").entrySet()) {
      matchers.add(LabelMatcher.equal(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, String> e : n.stringMap("match_re").entrySet()) {
      matchers.add(LabelMatcher.regex(e.getKey(), e.getValue()));
    }
    boolean cont = n.bool("continue", false);
    n.get("mute_time_intervals");
    n.get("active_time_intervals");
    String key = parent == null ? "{}" : parentKey + "/{" + String.join(",", matchers.stream().map(LabelMatcher::toString).toList()) + "}";
    List<Route> children = new ArrayList<>();
    Route self = new Route(receiver, groupBy, wait, interval, repeat, matchers, cont, children, key);
    for (YamlNode c : n.get("routes").items()) {
      children.add(parse(c, self, key));
    }
    n.rejectUnknownKeys("route");
    return new Route(receiver, groupBy, wait, interval, repeat, List.copyOf(matchers), cont, List.copyOf(children), key);
  }

  /** Parses {@code name="value"}, {@code name=~"re"}, {@code name!="v"}, {@code name!~"re"}. */
  static LabelMatcher parseMatcher(YamlNode n, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*$").matcher(text);
    if (!m.matches()) {
      throw n.error("invalid matcher \"" + text + "\"");
    }
    String v = m.group(3);
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    LabelMatcher.Type t = switch (m.group(2)) {
      case "=~" -> LabelMatcher.Type.REGEX;
      case "!~" -> LabelMatcher.Type.NOT_REGEX;
      case "!=" -> LabelMatcher.Type.NOT_EQUAL;
      default -> LabelMatcher.Type.EQUAL;
    };
    try {
      return LabelMatcher.of(t, m.group(1), v);
    } catch (IllegalArgumentException e) {
      throw n.error("invalid matcher \"" + text + "\": " + e.getMessage());
    }
  }

  /** The routes an alert goes to: depth first, first match wins unless {@code continue}. */
  List<Route> match(Labels labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels)) {
        return List.of();
      }
    }
    List<Route> out = new ArrayList<>();
    for (Route child : routes) {
      List<Route> sub = child.match(labels);
      out.addAll(sub);
      if (!sub.isEmpty() && !child.continueMatching) {
        break;
      }
    }
    if (out.isEmpty()) {
      out.add(this);
    }
    return out;
  }
}
