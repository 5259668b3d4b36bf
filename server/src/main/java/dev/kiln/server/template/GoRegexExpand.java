package dev.kiln.server.template;

/** Go's {@code Regexp.Expand} for templates; shares the relabeler's implementation. */
final class GoRegexExpand {
  private GoRegexExpand() {}

  static String expand(String template, com.google.re2j.Matcher m) {
    return dev.kiln.scraper.relabel.GoExpand.expand(template, m);
  }
}
