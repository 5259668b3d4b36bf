package dev.kiln.server.rules;

/** Health of a rule after its last evaluation, as {@code /api/v1/rules} reports it. */
public enum RuleHealth {
  UNKNOWN("unknown"),
  OK("ok"),
  ERR("err");

  private final String text;

  RuleHealth(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
