package dev.kiln.server.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as handlers see it: method, decoded path, merged parameters (form body first,
 * then URL query string, as Go's {@code FormValue}), headers (lower-case names) and body. No
 * Netty types.
 *
 * <p>The body is held either as a byte array or as a buffer the server lends for the duration of
 * the handler call (a pooled direct buffer, so a handler that can read a {@link ByteBuffer}, such
 * as the remote write receiver, never copies it). {@link #body()} copies a lent buffer into an
 * array on first use. A handler must not keep the {@link #bodyBuffer()} view, or the request,
 * beyond its return. Used by one thread at a time.
 */
public final class Request {
  private final String method;
  private final String path;
  private final Map<String, List<String>> params;
  private final Map<String, String> headers;
  private final ByteBuffer bodyBuffer;
  private byte[] body;

  /** A request whose body is the given array (owned by the request from now on). */
  public Request(String method, String path, Map<String, List<String>> params, Map<String, String> headers, byte[] body) {
    this(method, path, params, headers, ByteBuffer.wrap(body), body);
  }

  private Request(String method, String path, Map<String, List<String>> params, Map<String, String> headers,
      ByteBuffer bodyBuffer, byte[] body) {
    this.method = method;
    this.path = path;
    this.params = params;
    this.headers = headers;
    this.bodyBuffer = bodyBuffer;
    this.body = body;
  }

  /**
   * A request whose body is {@code body}'s remaining bytes, lent by the caller until the handler
   * returns (the caller releases it then). The buffer is not copied.
   */
  public static Request withLentBody(String method, String path, Map<String, List<String>> params,
      Map<String, String> headers, ByteBuffer body) {
    return new Request(method, path, params, headers, body.slice(), null);
  }

  /** The same request under another path (the body is shared, not copied). */
  public Request withPath(String newPath) {
    return new Request(method, newPath, params, headers, bodyBuffer, body);
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  public Map<String, List<String>> params() {
    return params;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The body as an array; a lent body is copied on the first call. */
  public byte[] body() {
    if (body == null) {
      body = new byte[bodyBuffer.remaining()];
      bodyBuffer.get(bodyBuffer.position(), body);
    }
    return body;
  }

  /**
   * The body without a copy: a view (position 0, limit = length) of the array or of the lent
   * buffer, direct when the server received it so. Valid only until the handler returns.
   */
  public ByteBuffer bodyBuffer() {
    return bodyBuffer.duplicate();
  }

  /** Body length in bytes. */
  public int bodyLength() {
    return bodyBuffer.remaining();
  }

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

  @Override
  public String toString() {
    return "Request[" + method + " " + path + ", " + bodyLength() + " body bytes]";
  }
}
