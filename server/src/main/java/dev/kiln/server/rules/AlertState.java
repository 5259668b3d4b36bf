package dev.kiln.server.rules;

/** The states of an alert, spelled as the API and the ALERTS series spell them. */
public enum AlertState {
  INACTIVE("inactive"),
  PENDING("pending"),
  FIRING("firing");

  private final String text;

  AlertState(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
