package dev.kiln.config;

/** A configuration file that cannot be loaded; the message names the file, line and field. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
