package dev.kiln.server.api;

import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.server.json.JsonOut;
import dev.kiln.server.rules.AlertSnapshot;
import dev.kiln.server.rules.AlertState;
import dev.kiln.server.rules.AlertingRule;
import dev.kiln.server.rules.Rule;
import dev.kiln.server.rules.RuleGroup;
import dev.kiln.server.rules.RuleManager;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** {@code /api/v1/rules} and {@code /api/v1/alerts}, shaped as Prometheus's. */
public final class RulesApi {
  private final Supplier<RuleManager> rules;

  public RulesApi(Supplier<RuleManager> rules) {
    this.rules = rules;
  }

  public void register(Router router) {
    router.read("/api/v1/rules", this::rules);
    router.read("/api/v1/alerts", this::alerts);
  }

  private Response rules(Request r) throws ApiException {
    String type = r.param("type");
    if (type != null && !type.isEmpty() && !type.equals("alert") && !type.equals("record")) {
      throw ApiException.badParam("type", "not supported value \"" + type + "\"");
    }
    Set<String> names = Set.copyOf(r.params("rule_name[]"));
    Set<String> groupNames = Set.copyOf(r.params("rule_group[]"));
    Set<String> files = Set.copyOf(r.params("file[]"));
    boolean excludeAlerts = "true".equals(r.param("exclude_alerts"));
    int groupLimit = 0;
    String gl = r.param("group_limit");
    if (gl != null && !gl.isEmpty()) {
      try {
        groupLimit = Integer.parseInt(gl);
      } catch (NumberFormatException e) {
        groupLimit = -1;
      }
      if (groupLimit <= 0) {
        throw ApiException.badParam("group_limit", "group_limit needs to be greater than 0");
      }
    }
    List<RuleGroup> groups = new ArrayList<>(rules.get().groups());
    groups.sort(Comparator.comparing((RuleGroup g) -> g.spec().file()).thenComparing(g -> g.spec().name()));
    String token = r.param("group_next_token");
    if (token != null && !token.isEmpty()) {
      int start = -1;
      for (int i = 0; i < groups.size(); i++) {
        if (token(groups.get(i)).equals(token)) {
          start = i;
          break;
        }
      }
      if (start < 0) {
        throw ApiException.badParam("group_next_token", "invalid group_next_token");
      }
      groups = groups.subList(start, groups.size());
    }
    List<RuleGroup> page = groups;
    int limit = groupLimit;
    return ApiResponses.success(out -> {
      out.beginObject().name("groups").beginArray();
      int shown = 0;
      String next = null;
      for (RuleGroup g : page) {
        if (!groupNames.isEmpty() && !groupNames.contains(g.spec().name())) {
          continue;
        }
        if (!files.isEmpty() && !files.contains(g.spec().file())) {
          continue;
        }
        List<Rule> selected = new ArrayList<>();
        for (Rule rule : g.rules()) {
          boolean alerting = rule instanceof AlertingRule;
          if ("alert".equals(type) && !alerting || "record".equals(type) && alerting) {
            continue;
          }
          if (!names.isEmpty() && !names.contains(rule.spec().name())) {
            continue;
          }
          selected.add(rule);
        }
        if (selected.isEmpty() && (!names.isEmpty() || (type != null && !type.isEmpty()))) {
          continue;
        }
        if (limit > 0 && shown == limit) {
          next = token(g);
          break;
        }
        shown++;
        out.beginObject();
        out.name("name").value(g.spec().name());
        out.name("file").value(g.spec().file());
        out.name("rules").beginArray();
        for (Rule rule : selected) {
          writeRule(out, rule, excludeAlerts);
        }
        out.endArray();
        out.name("interval").number(g.spec().intervalMillis() / 1000.0);
        out.name("limit").value(g.spec().limit());
        out.name("evaluationTime").number(g.evaluationSeconds());
        out.name("lastEvaluation").value(Times.rfc3339(g.lastEvaluationMillis()));
        out.endObject();
      }
      out.endArray();
      if (next != null) {
        out.name("groupNextToken").value(next);
      }
      out.endObject();
    });
  }

  /** A stable, opaque pagination token for a group: a hash of its file and name. */
  private static String token(RuleGroup g) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1")
          .digest((g.spec().file() + ";" + g.spec().name()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: SHA-1 is always available", e);
    }
  }

  private static void writeRule(JsonOut out, Rule rule, boolean excludeAlerts) {
    out.beginObject();
    if (rule instanceof AlertingRule ar) {
      out.name("state").value(ar.state().text());
      out.name("name").value(rule.spec().alert());
      out.name("query").value(rule.spec().expr());
      out.name("duration").number(rule.spec().forMillis() / 1000.0);
      out.name("keepFiringFor").number(rule.spec().keepFiringForMillis() / 1000.0);
      out.name("labels");
      map(out, rule.spec().labels());
      out.name("annotations");
      map(out, rule.spec().annotations());
      out.name("alerts");
      if (excludeAlerts) {
        out.nullValue();
      } else {
        out.beginArray();
        for (AlertSnapshot a : ar.alerts()) {
          if (a.state() != AlertState.INACTIVE) {
            writeAlert(out, a);
          }
        }
        out.endArray();
      }
    } else {
      out.name("name").value(rule.spec().record());
      out.name("query").value(rule.spec().expr());
      out.name("labels");
      map(out, rule.spec().labels());
    }
    out.name("health").value(rule.health().text());
    if (!rule.lastError().isEmpty()) {
      out.name("lastError").value(rule.lastError());
    }
    out.name("evaluationTime").number(rule.evaluationSeconds());
    out.name("lastEvaluation").value(Times.rfc3339(rule.lastEvaluationMillis()));
    out.name("type").value(rule instanceof AlertingRule ? "alerting" : "recording");
    out.endObject();
  }

  private static void map(JsonOut out, Map<String, String> m) {
    out.beginObject();
    new TreeMap<>(m).forEach((k, v) -> out.name(k).value(v));
    out.endObject();
  }

  static void writeAlert(JsonOut out, AlertSnapshot a) {
    out.beginObject();
    out.name("labels");
    ResultWriter.labels(out, a.labels());
    out.name("annotations");
    ResultWriter.labels(out, a.annotations());
    out.name("state").value(a.state().text());
    out.name("activeAt").value(Times.rfc3339(a.activeAtMillis()));
    if (a.keepFiringSinceMillis() != 0) {
      out.name("keepFiringSince").value(Times.rfc3339(a.keepFiringSinceMillis()));
    }
    out.name("value").value(GoFloats.format(a.value(), Notation.EXPONENT));
    out.endObject();
  }

  private Response alerts(Request r) {
    List<AlertSnapshot> all = new ArrayList<>();
    for (RuleGroup g : rules.get().groups()) {
      for (Map.Entry<AlertingRule, AlertSnapshot> e : g.alerts()) {
        if (e.getValue().state() != AlertState.INACTIVE) {
          all.add(e.getValue());
        }
      }
    }
    return ApiResponses.success(out -> {
      out.beginObject().name("alerts").beginArray();
      for (AlertSnapshot a : all) {
        writeAlert(out, a);
      }
      out.endArray().endObject();
    });
  }

}
