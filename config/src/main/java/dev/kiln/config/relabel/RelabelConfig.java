package dev.kiln.config.relabel;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.kiln.config.YamlNode;
import java.util.List;

/**
 * One relabeling step, validated at load time exactly as Prometheus validates it.
 *
 * @param regexSource the regular expression as written ({@code (.*)} by default)
 * @param regex the compiled, fully anchored RE2 pattern
 */
public record RelabelConfig(
    List<String> sourceLabels,
    String separator,
    String regexSource,
    Pattern regex,
    String targetLabel,
    String replacement,
    long modulus,
    RelabelAction action) {

  public static final String DEFAULT_REGEX = "(.*)";

  /** Builds and validates a step; throws IllegalArgumentException with Prometheus's messages. */
  public static RelabelConfig of(
      List<String> sourceLabels,
      String separator,
      String regex,
      String targetLabel,
      String replacement,
      long modulus,
      RelabelAction action,
      boolean replacementSet) {
    Pattern p;
    try {
      p = Pattern.compile("^(?s:" + regex + ")$");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex \"" + regex + "\": " + e.getDescription());
    }
    String a = action.spelling();
    boolean needsTarget =
        switch (action) {
          case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
          default -> false;
        };
    if (needsTarget && (targetLabel == null || targetLabel.isEmpty())) {
      throw new IllegalArgumentException("relabel configuration for " + a + " action requires 'target_label' value");
    }
    if ((action == RelabelAction.LOWERCASE || action == RelabelAction.UPPERCASE || action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL)
        && replacementSet) {
      throw new IllegalArgumentException("'replacement' can not be set for " + a + " action");
    }
    if (action == RelabelAction.HASHMOD && modulus <= 0) {
      throw new IllegalArgumentException("relabel configuration for hashmod requires non-zero modulus");
    }
    if ((action == RelabelAction.LABELDROP || action == RelabelAction.LABELKEEP)
        && (!sourceLabels.isEmpty() || (targetLabel != null && !targetLabel.isEmpty()) || modulus != 0 || !";".equals(separator) || replacementSet)) {
      throw new IllegalArgumentException(a + " action requires only 'regex', and no other fields");
    }
    if ((action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL) && (!DEFAULT_REGEX.equals(regex) || modulus != 0 || !";".equals(separator))) {
      throw new IllegalArgumentException(a + " action requires only 'source_labels' and `target_label`, and no other fields");
    }
    if (action == RelabelAction.REPLACE && targetLabel != null && !targetLabel.contains("$") && targetLabel.isEmpty()) {
      throw new IllegalArgumentException("\"" + targetLabel + "\" is invalid 'target_label' for replace action");
    }
    return new RelabelConfig(List.copyOf(sourceLabels), separator, regex, p, targetLabel == null ? "" : targetLabel, replacement, modulus, action);
  }

  /** Reads one relabel_config mapping. */
  public static RelabelConfig parse(YamlNode n) {
    List<String> source = n.strings("source_labels");
    String separator = n.string("separator", ";");
    YamlNode regexNode = n.get("regex");
    String regex = regexNode.absent() ? (n.has("regex") ? "" : DEFAULT_REGEX) : regexNode.text();
    String target = n.string("target_label", "");
    boolean replacementSet = n.has("replacement");
    String replacement = n.string("replacement", "$1");
    long modulus = n.integer("modulus", 0);
    String actionText = n.string("action", "replace");
    RelabelAction action = RelabelAction.parse(actionText);
    n.rejectUnknownKeys("relabel_config");
    if (action == null) {
      throw n.error("unknown relabel action \"" + actionText + "\"");
    }
    try {
      return of(source, separator, regex, target, replacement, modulus, action, replacementSet);
    } catch (IllegalArgumentException e) {
      throw n.error(e.getMessage());
    }
  }
}
