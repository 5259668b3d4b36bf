package dev.kiln.server.api;

import java.util.regex.Pattern;

/**
 * Redacts secrets in configuration text for {@code /api/v1/status/config}: the values of
 * {@code password}, {@code credentials}, {@code bearer_token}, {@code client_secret} and TLS
 * {@code key} fields become {@code <secret>}, as Prometheus prints them.
 */
public final class SecretRedactor {
  private static final Pattern SECRET = Pattern.compile(
      "(?m)^(\\s*(?:-\\s+)?(?:password|credentials|bearer_token|client_secret|key)\\s*:\\s*)(?!<secret>)(\\S.*?)\\s*$");
  private static final Pattern INLINE = Pattern.compile(
      "([{,]\\s*(?:password|credentials|bearer_token|client_secret|key)\\s*:\\s*)([^,}\\s][^,}]*)");

  private SecretRedactor() {}

  public static String redact(String yaml) {
    String out = SECRET.matcher(yaml).replaceAll("$1<secret>");
    return INLINE.matcher(out).replaceAll("$1<secret>");
  }
}
