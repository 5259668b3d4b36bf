package dev.kiln.server.rules;

import dev.kiln.config.ConfigException;
import dev.kiln.config.YamlNode;
import dev.kiln.server.template.AlertTemplates;
import dev.kiln.server.template.TemplateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads Prometheus rule files strictly, validating like {@code promtool check rules}: unknown
 * fields, duplicate groups, rules with both or neither of record/alert, invalid names, PromQL
 * that does not parse, templates that do not parse.
 */
public final class RuleFileParser {
  private final Consumer<String> exprValidator;

  /**
   * @param exprValidator throws an exception whose message explains the problem when the PromQL
   *     expression is invalid
   */
  public RuleFileParser(Consumer<String> exprValidator) {
    this.exprValidator = exprValidator;
  }

  /** Parses one file. */
  public List<RuleGroupSpec> parse(Path file, long defaultIntervalMillis, long defaultQueryOffsetMillis) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuleFileException(file + ": cannot read rule file: " + e.getMessage());
    }
    return parse(file.toString(), text, defaultIntervalMillis, defaultQueryOffsetMillis);
  }

  /** Parses rule file text. */
  public List<RuleGroupSpec> parse(String file, String text, long defaultIntervalMillis, long defaultQueryOffsetMillis) {
    try {
      YamlNode root = YamlNode.parse(file, text);
      List<RuleGroupSpec> groups = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (YamlNode g : root.get("groups").items()) {
        String name = g.string("name", "");
        if (name.isEmpty()) {
          throw g.error("group name should not be empty");
        }
        if (!names.add(name)) {
          throw g.error("groupname: \"" + name + "\" is repeated in the same file");
        }
        long interval = g.duration("interval", defaultIntervalMillis);
        long limit = g.integer("limit", 0);
        long offset = g.duration("query_offset", defaultQueryOffsetMillis);
        Map<String, String> labels = g.stringMap("labels");
        List<RuleSpec> rules = new ArrayList<>();
        int index = 0;
        for (YamlNode r : g.get("rules").items()) {
          index++;
          rules.add(rule(r, name, index));
        }
        g.get("source_tenants");
        g.rejectUnknownKeys("rule group");
        groups.add(new RuleGroupSpec(file, name, interval, limit, offset, labels, List.copyOf(rules)));
      }
      root.rejectUnknownKeys("rule file");
      return groups;
    } catch (ConfigException e) {
      throw new RuleFileException(e.getMessage());
    }
  }

  private RuleSpec rule(YamlNode r, String group, int index) {
    String record = r.string("record", null);
    String alert = r.string("alert", null);
    String expr = r.string("expr", "");
    long forMs = r.duration("for", 0);
    long keep = r.duration("keep_firing_for", 0);
    boolean hasFor = r.has("for");
    boolean hasKeep = r.has("keep_firing_for");
    Map<String, String> labels = new LinkedHashMap<>(r.stringMap("labels"));
    boolean hasAnnotations = r.has("annotations");
    Map<String, String> annotations = new LinkedHashMap<>(r.stringMap("annotations"));
    r.rejectUnknownKeys("rule");
    String where = "group \"" + group + "\", rule " + index;
    if (record != null && alert != null) {
      throw r.error(where + ": only one of 'record' and 'alert' must be set");
    }
    if (record == null && alert == null) {
      throw r.error(where + ": one of 'record' or 'alert' must be set");
    }
    if (expr.isEmpty()) {
      throw r.error(where + ": field 'expr' must be set in rule");
    }
    try {
      exprValidator.accept(expr);
    } catch (RuntimeException e) {
      throw r.error(where + ", \"" + (record != null ? record : alert) + "\": could not parse expression: " + e.getMessage());
    }
    if (record != null) {
      if (hasAnnotations) {
        throw r.error(where + ", \"" + record + "\": invalid field 'annotations' in recording rule");
      }
      if (hasFor) {
        throw r.error(where + ", \"" + record + "\": invalid field 'for' in recording rule");
      }
      if (hasKeep) {
        throw r.error(where + ", \"" + record + "\": invalid field 'keep_firing_for' in recording rule");
      }
      if (record.contains("{") || record.contains("}")) {
        throw r.error(where + ", \"" + record + "\": braces present in the recording rule name; should it be in expr?: " + record);
      }
      if (!record.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
        throw r.error(where + ", \"" + record + "\": invalid recording rule name: " + record);
      }
    } else if (alert.isEmpty()) {
      throw r.error(where + ": invalid alert name: \"\"");
    }
    for (Map.Entry<String, String> l : labels.entrySet()) {
      if (l.getKey().equals("__name__")) {
        throw r.error(where + ": invalid label name: __name__");
      }
      checkTemplate(r, where, "label " + l.getKey(), l.getValue());
    }
    for (Map.Entry<String, String> a : annotations.entrySet()) {
      checkTemplate(r, where, "annotation " + a.getKey(), a.getValue());
    }
    return new RuleSpec(record, alert, expr, forMs, keep, Map.copyOf(labels), Map.copyOf(annotations));
  }

  private static void checkTemplate(YamlNode r, String where, String what, String text) {
    try {
      AlertTemplates.validate(what, text);
    } catch (TemplateException e) {
      throw r.error(where + ": " + what + ": " + e.getMessage());
    }
  }
}
