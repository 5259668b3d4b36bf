package dev.kiln.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code otlp} section of {@code prometheus.yml}: how the OTLP receiver translates OpenTelemetry
 * metrics, with Prometheus 3's defaults and validation ({@code config.OTLPConfig}). Immutable.
 *
 * @param translationStrategy how metric and label names are escaped and suffixed
 * @param promoteResourceAttributes resource attributes copied onto every series (trimmed, unique)
 * @param promoteAllResourceAttributes copy every resource attribute except {@code ignoreResourceAttributes}
 * @param ignoreResourceAttributes resource attributes not promoted when promoting all
 * @param keepIdentifyingResourceAttributes keep {@code service.name}, {@code service.namespace} and
 *     {@code service.instance.id} on {@code target_info} as well as in {@code job}/{@code instance}
 * @param convertHistogramsToNhcb write explicit-bucket histograms as native histograms with custom
 *     buckets instead of classic {@code _bucket}/{@code _sum}/{@code _count} series
 * @param promoteScopeMetadata add {@code otel_scope_*} labels from the instrumentation scope
 */
public record OtlpConfig(
    TranslationStrategy translationStrategy,
    List<String> promoteResourceAttributes,
    boolean promoteAllResourceAttributes,
    List<String> ignoreResourceAttributes,
    boolean keepIdentifyingResourceAttributes,
    boolean convertHistogramsToNhcb,
    boolean promoteScopeMetadata) {

  /** Prometheus's defaults: underscore escaping with suffixes, nothing promoted. */
  public static final OtlpConfig DEFAULT = new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithSuffixes, List.of(), false,
      List.of(), false, false, false);

  public OtlpConfig {
    promoteResourceAttributes = List.copyOf(promoteResourceAttributes);
    ignoreResourceAttributes = List.copyOf(ignoreResourceAttributes);
  }

  /** Prometheus's {@code otlp.translation_strategy} values. */
  public enum TranslationStrategy {
    /** Escape names to the legacy character set and add unit and type suffixes (the default). */
    UnderscoreEscapingWithSuffixes(true, true),
    /** Escape names to the legacy character set, no suffixes. */
    UnderscoreEscapingWithoutSuffixes(true, false),
    /** Keep UTF-8 names as they are, add unit and type suffixes. */
    NoUTF8EscapingWithSuffixes(false, true),
    /** Keep names exactly as sent. */
    NoTranslation(false, false);

    private final boolean escape;
    private final boolean suffixes;

    TranslationStrategy(boolean escape, boolean suffixes) {
      this.escape = escape;
      this.suffixes = suffixes;
    }

    /** True when names are escaped to Prometheus's legacy character set. */
    public boolean escapes() {
      return escape;
    }

    /** True when unit and type suffixes ({@code _seconds}, {@code _total}) are added. */
    public boolean addsSuffixes() {
      return suffixes;
    }
  }

  /**
   * Parses the section.
   *
   * @param legacyNames true when {@code global.metric_name_validation_scheme} is {@code legacy}, which
   *     forbids the strategies that keep UTF-8 names
   */
  static OtlpConfig parse(YamlNode n, boolean legacyNames) {
    if (n.absent()) {
      return DEFAULT;
    }
    String s = n.string("translation_strategy", TranslationStrategy.UnderscoreEscapingWithSuffixes.name());
    TranslationStrategy strategy = null;
    for (TranslationStrategy t : TranslationStrategy.values()) {
      if (t.name().equals(s)) {
        strategy = t;
      }
    }
    if (strategy == null) {
      throw n.error("unsupported OTLP translation strategy \"" + s + "\"");
    }
    if (legacyNames && !strategy.escapes()) {
      throw n.error("OTLP translation strategy \"" + s + "\" is not allowed when UTF8 is disabled");
    }
    List<String> promote = n.strings("promote_resource_attributes");
    boolean promoteAll = n.bool("promote_all_resource_attributes", false);
    List<String> ignore = n.strings("ignore_resource_attributes");
    OtlpConfig c = new OtlpConfig(strategy,
        promoteAll ? promote : sanitize(n, promote, "promote_resource_attributes", "promoted"),
        promoteAll,
        promoteAll ? sanitize(n, ignore, "ignore_resource_attributes", "ignored") : ignore,
        n.bool("keep_identifying_resource_attributes", false),
        n.bool("convert_histograms_to_nhcb", false),
        n.bool("promote_scope_metadata", false));
    n.rejectUnknownKeys("otlp");
    if (promoteAll && !promote.isEmpty()) {
      throw n.error("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
    }
    if (!promoteAll && !ignore.isEmpty()) {
      throw n.error("'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
    }
    return c;
  }

  /** Trims the names and rejects empty and repeated ones, as Prometheus's {@code sanitizeAttributes}. */
  private static List<String> sanitize(YamlNode n, List<String> attrs, String key, String adjective) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (String a : attrs) {
      String t = a.trim();
      if (t.isEmpty()) {
        problems.add("empty " + adjective + " OTel resource attribute");
      } else if (!seen.add(t)) {
        problems.add("duplicated " + adjective + " OTel resource attribute \"" + t + "\"");
      }
    }
    if (!problems.isEmpty()) {
      throw n.error("invalid '" + key + "': " + String.join("; ", problems));
    }
    return new ArrayList<>(seen);
  }
}
