package dev.kiln.scraper.scrape;

/** Health of a target as the targets API reports it. */
public enum TargetHealth {
  UNKNOWN("unknown"),
  UP("up"),
  DOWN("down");

  private final String text;

  TargetHealth(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
