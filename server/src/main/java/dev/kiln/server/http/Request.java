package dev.kiln.server.http;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as handlers see it: method, decoded path, merged parameters (form body first,
 * then URL query string, as Go's {@code FormValue}), headers (lower-case names) and raw body.
 * Immutable; no Netty types.
 */
public record Request(String method, String path, Map<String, List<String>> params, Map<String, String> headers, byte[] body) {
  /** First value of a parameter, or null. */
  public String param(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** All values of a repeated parameter (empty when absent). */
  public List<String> params(String name) {
    List<String> v = params.get(name);
    return v == null ? List.of() : v;
  }

  /** A header by lower-case name, or null. */
  public String header(String name) {
    return headers.get(name);
  }
}
