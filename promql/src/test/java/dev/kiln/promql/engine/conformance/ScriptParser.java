package dev.kiln.promql.engine.conformance;

import dev.kiln.promql.engine.conformance.ScriptCommand.Eval;
import dev.kiln.promql.engine.conformance.ScriptCommand.Expectation;
import dev.kiln.promql.engine.conformance.ScriptCommand.Expected;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Prometheus's PromQL test scripts ({@code promql/promqltest/testdata/*.test}) into
 * commands, following {@code promqltest/test.go}: lines are trimmed, comment lines count as empty
 * lines, and an empty line ends a command's block.
 */
final class ScriptParser {
  private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
  private static final Pattern EVAL_INSTANT =
      Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
  private static final Pattern EVAL_RANGE =
      Pattern.compile(
          "^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
  private static final Pattern EXPECT =
      Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
  private static final Pattern EXPECT_RANGE =
      Pattern.compile("^expect range vector\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+)$");

  private ScriptParser() {}

  static List<ScriptCommand> parse(String input) {
    String[] lines = input.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].trim();
      lines[i] = l.startsWith("#") ? "" : l;
    }
    List<ScriptCommand> cmds = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.isEmpty()) {
        continue;
      }
      String c = l.split("[\\t ]+", 2)[0].toLowerCase(java.util.Locale.ROOT);
      if (c.equals("clear")) {
        cmds.add(new ScriptCommand.Clear(i + 1));
      } else if (c.startsWith("load")) {
        i = parseLoad(lines, i, cmds);
      } else if (c.startsWith("eval")) {
        i = parseEval(lines, i, cmds);
      } else {
        throw new IllegalArgumentException("line " + (i + 1) + ": invalid command " + l);
      }
    }
    return cmds;
  }

  private static int parseLoad(String[] lines, int i, List<ScriptCommand> cmds) {
    Matcher m = LOAD.matcher(lines[i]);
    if (!m.matches()) {
      throw new IllegalArgumentException("line " + (i + 1) + ": invalid load command");
    }
    long gap = ScriptDuration.parseMillis(m.group(2));
    int line = i + 1;
    Map<Labels, List<SequenceValue>> series = new LinkedHashMap<>();
    List<Labels> startTimestampMetrics = new ArrayList<>();
    while (i + 1 < lines.length) {
      i++;
      String def = lines[i];
      if (def.isEmpty()) {
        i--;
        break;
      }
      int sp = def.indexOf(' ');
      int tab = def.indexOf('\t');
      int first = sp < 0 ? tab : (tab < 0 ? sp : Math.min(sp, tab));
      if (first >= 0 && def.substring(0, first).endsWith("@st")) {
        // Start-timestamp lines: an experimental extension Kiln's storage does not model.
        String metric = def.substring(0, first - 3);
        startTimestampMetrics.add(metric.isEmpty() ? Labels.EMPTY : SeriesDescription.parse(metric + " _").labels());
        continue;
      }
      SeriesDescription d = SeriesDescription.parse(def);
      series.put(d.labels(), d.values());
    }
    cmds.add(new ScriptCommand.Load(line, gap, m.group(1) != null, series, startTimestampMetrics));
    return i;
  }

  private static int parseEval(String[] lines, int i, List<ScriptCommand> cmds) {
    Matcher inst = EVAL_INSTANT.matcher(lines[i]);
    Matcher rng = EVAL_RANGE.matcher(lines[i]);
    boolean isInstant = inst.matches();
    boolean isRange = !isInstant && rng.matches();
    if (!isInstant && !isRange) {
      throw new IllegalArgumentException("line " + (i + 1) + ": invalid evaluation command");
    }
    String mod;
    Eval ev;
    if (isInstant) {
      mod = inst.group(1);
      ev = new Eval(i + 1, inst.group(3), false);
      long at = inst.group(2) == null ? 0 : ScriptDuration.parseMillis(inst.group(2));
      ev.start = at;
      ev.end = at;
    } else {
      mod = rng.group(1);
      ev = new Eval(i + 1, rng.group(5), true);
      ev.start = ScriptDuration.parseMillis(rng.group(2));
      ev.end = ScriptDuration.parseMillis(rng.group(3));
      ev.step = ScriptDuration.parseMillis(rng.group(4));
    }
    if (mod != null) {
      switch (mod) {
        case "ordered" -> ev.ordered = true;
        case "fail" -> ev.fail = true;
        case "warn" -> ev.warn = true;
        case "info" -> ev.info = true;
        default -> throw new IllegalArgumentException("unknown modifier " + mod);
      }
    }
    boolean expectRangeVector = false;
    for (int j = 1; i + 1 < lines.length; j++) {
      i++;
      String def = lines[i];
      if (def.isEmpty()) {
        i--;
        break;
      }
      if (ev.fail && def.startsWith("expected_fail_message")) {
        ev.expectedFailMessage = def.substring("expected_fail_message".length()).trim();
        break;
      }
      if (ev.fail && def.startsWith("expected_fail_regexp")) {
        ev.expectedFailRegexp =
            Pattern.compile(def.substring("expected_fail_regexp".length()).trim());
        break;
      }
      if (def.startsWith("expect range vector")) {
        Matcher m = EXPECT_RANGE.matcher(def);
        if (!m.matches()) {
          throw new IllegalArgumentException("line " + (i + 1) + ": bad expect range vector");
        }
        expectRangeVector = true;
        ev.start = ScriptDuration.parseMillis(m.group(1));
        ev.end = ScriptDuration.parseMillis(m.group(2));
        ev.step = ScriptDuration.parseMillis(m.group(3));
        ev.excludeFromRangeQuery = true;
        continue;
      }
      if (def.startsWith("expect string")) {
        String lit = def.substring("expect string".length()).trim();
        ev.expectedString = unquote(lit);
        ev.excludeFromRangeQuery = true;
        continue;
      }
      if (def.split(" ")[0].equals("expect")) {
        parseExpect(def, ev, i);
        j--;
        continue;
      }
      Double number = tryParseNumber(def);
      if (number != null) {
        ev.expectScalar = true;
        ev.expected.clear();
        ev.expected.put(Labels.EMPTY, new Expected(0, List.of(SequenceValue.of(number))));
        break;
      }
      SeriesDescription d = SeriesDescription.parse(def);
      if (d.values().size() > 1 && isInstant && !expectRangeVector) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": expecting multiple values in instant evaluation not allowed");
      }
      for (SequenceValue v : d.values()) {
        if (v.isHistogram()) {
          ev.expectsHistogram = true;
        }
      }
      ev.expectScalar = false;
      ev.expected.put(d.labels(), new Expected(j, d.values()));
    }
    if (isInstant && !expectRangeVector) {
      ev.start = ev.end;
    }
    cmds.add(ev);
    return i;
  }

  private static void parseExpect(String def, Eval ev, int i) {
    Matcher m = EXPECT.matcher(def.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("line " + (i + 1) + ": invalid expect statement " + def);
    }
    Expectation e = Expectation.ANY;
    if (m.group(2) != null) {
      String text = m.group(3).trim();
      e = m.group(2).equals("msg") ? new Expectation(text, null) : new Expectation(null, Pattern.compile(text));
    }
    switch (m.group(1)) {
      case "ordered" -> ev.expectOrderedCmd = true;
      case "fail" -> ev.expectFail.add(e);
      case "warn" -> ev.expectWarn.add(e);
      case "info" -> ev.expectInfo.add(e);
      case "no_warn" -> ev.expectNoWarn = true;
      case "no_info" -> ev.expectNoInfo = true;
      default -> throw new IllegalArgumentException("unknown expect " + m.group(1));
    }
  }

  /** Go's ParseInt(s, 0, 64) falling back to ParseFloat, or null. */
  static Double tryParseNumber(String s) {
    try {
      String t = s;
      boolean neg = false;
      if (t.startsWith("-") || t.startsWith("+")) {
        neg = t.startsWith("-");
        t = t.substring(1);
      }
      if (t.matches("0[xX][0-9a-fA-F]+")) {
        double v = Long.parseLong(t.substring(2), 16);
        return neg ? -v : v;
      }
      if (t.matches("0[oO]?[0-7]+") && t.length() > 1) {
        double v = Long.parseLong(t.replaceFirst("^0[oO]?", ""), 8);
        return neg ? -v : v;
      }
      String lower = t.toLowerCase(java.util.Locale.ROOT);
      if (lower.equals("inf") || lower.equals("infinity")) {
        return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      if (lower.equals("nan")) {
        return Double.NaN;
      }
      if (!t.matches("[0-9]*\\.?[0-9]*([eE][+-]?[0-9]+)?") || t.isEmpty() || t.equals(".")) {
        return null;
      }
      double v = Double.parseDouble(t);
      return neg ? -v : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String unquote(String lit) {
    int[] pos = {0};
    return SeriesDescription.readQuoted(lit, pos);
  }
}
