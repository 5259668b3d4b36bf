package dev.kiln.server.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response produced by a handler. Immutable apart from extra headers added while built. */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
  public static Response json(int status, byte[] body) {
    return new Response(status, "application/json", body, new LinkedHashMap<>());
  }

  public static Response text(int status, String text) {
    return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), new LinkedHashMap<>());
  }

  public static Response empty(int status) {
    return new Response(status, null, new byte[0], new LinkedHashMap<>());
  }

  public Response withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
