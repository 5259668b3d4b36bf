package dev.kiln.scraper.scrape;

import dev.kiln.scraper.scrape.HttpFetcher.BodyTooLargeException;
import dev.kiln.scraper.scrape.HttpFetcher.Response;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One HTTP/1.1 client connection: writes a GET request and reads its response, with the body
 * (Content-Length, chunked, or to the end of the connection; gzip inflated) read straight into
 * the caller's reused buffer through one 16 KiB read buffer. Blocking, in the calling thread,
 * every read bounded by the exchange's deadline. Used by one thread at a time; a pool hands it
 * from one exchange to the next.
 */
final class HttpConnection {

  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  /** Sets the read timeout of the transport before each blocking read. */
  interface ReadTimeout {
    void set(int millis) throws IOException;
  }

  private final Closeable transport;
  private final InputStream in;
  private final OutputStream out;
  private final ReadTimeout readTimeout;
  private final byte[] buf = new byte[16384];
  private int pos;
  private int lim;
  /** When the connection went back to its pool ({@link System#nanoTime()} or the pool's clock). */
  long idleSince;
  /** Compressed bodies are read here first; kept for the connection's next response. */
  private byte[] raw;

  /**
   * A connection over any byte transport (tests use in-memory streams).
   *
   * @param readTimeout applied before every blocking read with the time left to the deadline
   */
  HttpConnection(InputStream in, OutputStream out, ReadTimeout readTimeout, Closeable transport) {
    this.in = in;
    this.out = out;
    this.readTimeout = readTimeout;
    this.transport = transport;
  }

  /**
   * Connects a TCP socket (no delay) to {@code host:port}, within 10 s and the deadline. The socket
   * is a plain one ({@link Proxy#NO_PROXY}): the caller has already asked the proxy selector about
   * the target's http URL, as the JDK client does, and a socket made without a proxy skips the
   * SOCKS wrapper, which would ask the selector again (building a URI) on every connect.
   */
  static HttpConnection open(String host, int port, long deadline) throws IOException {
    Socket s = new Socket(Proxy.NO_PROXY);
    try {
      s.setTcpNoDelay(true);
      long remaining = remainingMillis(deadline);
      s.connect(new InetSocketAddress(host, port), (int) Math.min(remaining, CONNECT_TIMEOUT_MILLIS));
      return new HttpConnection(s.getInputStream(), s.getOutputStream(), s::setSoTimeout, s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Closes the transport; never throws. */
  void close() {
    try {
      transport.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  /**
   * Writes {@code request} and reads the response (1xx interim responses skipped): the body by
   * Content-Length, chunked, or until the connection ends; a gzip body is inflated into
   * {@code reuse} (or a new array). The connection may be reused afterwards when
   * {@link Exchange#keepAlive} says so.
   *
   * @param bodyLimit the most body bytes accepted (inflated size for gzip), 0 for no limit
   * @throws StaleConnection when the connection ends before the first response byte
   * @throws HttpFetcher.BodyTooLargeException past {@code bodyLimit}
   * @throws Deadline when {@code deadline} ({@link System#nanoTime()}) passes between reads
   */
  Exchange exchange(byte[] request, long deadline, byte[] reuse, long bodyLimit) throws IOException {
    pos = 0;
    lim = 0;
    try {
      out.write(request);
      out.flush();
      if (!fill(deadline)) {
        throw new StaleConnection(null);
      }
    } catch (java.net.SocketException e) {
      throw new StaleConnection(e);
    }
    Exchange x = new Exchange();
    String statusLine;
    long contentLength;
    boolean chunked;
    boolean gzip;
    String contentType;
    String connection;
    boolean http10;
    while (true) {
      statusLine = readLine(deadline);
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
        throw new IOException("malformed HTTP response \"" + abbreviate(statusLine) + "\"");
      }
      http10 = statusLine.charAt(7) == '0';
      try {
        x.status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("malformed HTTP status code \"" + abbreviate(statusLine) + "\"");
      }
      contentLength = -1;
      chunked = false;
      gzip = false;
      contentType = null;
      connection = null;
      x.location = false;
      int headerBytes = 0;
      for (String line; !(line = readLine(deadline)).isEmpty(); ) {
        headerBytes += line.length();
        if (headerBytes > MAX_HEADER_BYTES) {
          throw new IOException("response headers too large");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("malformed HTTP header \"" + abbreviate(line) + "\"");
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> {
            try {
              contentLength = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new IOException("bad Content-Length \"" + abbreviate(value) + "\"");
            }
          }
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
          case "content-encoding" -> gzip = value.equalsIgnoreCase("gzip");
          case "content-type" -> {
            if (contentType == null) {
              contentType = value;
            }
          }
          case "connection" -> connection = value.toLowerCase(Locale.ROOT);
          case "location" -> x.location = true;
          default -> {
            // not needed
          }
        }
      }
      if (x.status >= 100 && x.status < 200 && x.status != 101) {
        continue; // interim response; the real one follows
      }
      break;
    }
    x.keepAlive = http10 ? "keep-alive".equals(connection) : !"close".equals(connection);
    boolean noBody = x.status == 204 || x.status == 304 || x.status == 101;
    if (noBody) {
      x.response = new Response(x.status, contentType, reuse == null ? new byte[0] : reuse, 0);
      return x;
    }
    if (!chunked && contentLength < 0) {
      x.keepAlive = false; // the body ends when the connection does
    }
    if (!gzip) {
      x.response = readBody(x.status, contentType, chunked, contentLength, reuse, bodyLimit, deadline);
      return x;
    }
    long rawLimit = bodyLimit > 0 ? bodyLimit * 2 + 65536 : 0;
    Response compressed = readBody(x.status, contentType, chunked, contentLength, raw, rawLimit, deadline);
    raw = compressed.body();
    try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(compressed.body(), 0, compressed.length()), 8192)) {
      x.response = JdkHttpFetcher.readBody(x.status, contentType, gz, reuse, -1, bodyLimit);
    }
    return x;
  }

  private Response readBody(int status, String contentType, boolean chunked, long contentLength, byte[] reuse,
      long bodyLimit, long deadline) throws IOException {
    if (chunked) {
      byte[] body = reuse == null ? new byte[16384] : reuse;
      int len = 0;
      while (true) {
        String sizeLine = readLine(deadline);
        int semi = sizeLine.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size \"" + abbreviate(sizeLine) + "\"");
        }
        if (size == 0) {
          while (!readLine(deadline).isEmpty()) {
            // trailers are ignored
          }
          return new Response(status, contentType, body, len);
        }
        if (size < 0 || (bodyLimit > 0 && len + size > bodyLimit)) {
          throw size < 0 ? new IOException("bad chunk size") : new BodyTooLargeException(bodyLimit);
        }
        if (len + size > Integer.MAX_VALUE - 16) {
          throw new IOException("body too large");
        }
        int end = (int) (len + size);
        if (end > body.length) {
          body = Arrays.copyOf(body, (int) Math.min(Integer.MAX_VALUE - 16L, Math.max(end, body.length * 2L)));
        }
        readFully(body, len, end, deadline);
        len = end;
        if (!readLine(deadline).isEmpty()) {
          throw new IOException("malformed chunk");
        }
      }
    }
    if (contentLength >= 0) {
      if (bodyLimit > 0 && contentLength > bodyLimit) {
        throw new BodyTooLargeException(bodyLimit);
      }
      if (contentLength > Integer.MAX_VALUE - 16) {
        throw new IOException("body too large");
      }
      int n = (int) contentLength;
      byte[] body = reuse != null && reuse.length >= n ? reuse : new byte[n + n / 8];
      readFully(body, 0, n, deadline);
      return new Response(status, contentType, body, n);
    }
    // Until the connection ends.
    byte[] body = reuse == null ? new byte[16384] : reuse;
    int len = Math.min(lim - pos, body.length);
    if (lim - pos > body.length) {
      body = Arrays.copyOf(body, lim - pos + 16384);
      len = lim - pos;
    }
    System.arraycopy(buf, pos, body, 0, len);
    pos = lim;
    while (true) {
      if (bodyLimit > 0 && len > bodyLimit) {
        throw new BodyTooLargeException(bodyLimit);
      }
      if (len == body.length) {
        body = Arrays.copyOf(body, (int) Math.min(Integer.MAX_VALUE - 16L, body.length * 2L));
      }
      readTimeout.set((int) remainingMillis(deadline));
      int r = in.read(body, len, body.length - len);
      if (r < 0) {
        return new Response(status, contentType, body, len);
      }
      len += r;
    }
  }

  /** Reads {@code body[from, to)}: buffered bytes first, then straight from the socket. */
  private void readFully(byte[] body, int from, int to, long deadline) throws IOException {
    int have = Math.min(lim - pos, to - from);
    System.arraycopy(buf, pos, body, from, have);
    pos += have;
    from += have;
    while (from < to) {
      readTimeout.set((int) remainingMillis(deadline));
      int r = in.read(body, from, to - from);
      if (r < 0) {
        throw new IOException("unexpected EOF");
      }
      from += r;
    }
  }

  /** Refills the read buffer; false at end of stream. */
  private boolean fill(long deadline) throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    readTimeout.set((int) remainingMillis(deadline));
    int r = in.read(buf, lim, buf.length - lim);
    if (r < 0) {
      return false;
    }
    lim += r;
    return true;
  }

  /** One CRLF- (or LF-) terminated line, without the terminator, as ISO-8859-1. */
  private String readLine(long deadline) throws IOException {
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
          pos = i + 1;
          return line;
        }
      }
      if (pos == 0 && lim == buf.length) {
        throw new IOException("response line too long");
      }
      if (!fill(deadline)) {
        throw new IOException("unexpected EOF");
      }
    }
  }

  /** The bytes of a GET of {@code url} with {@code headers} (the caller's Authorization among them). */
  static byte[] request(URI url, Map<String, String> headers) throws IOException {
    StringBuilder sb = new StringBuilder(256);
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    sb.append("GET ").append(path);
    if (url.getRawQuery() != null) {
      sb.append('?').append(url.getRawQuery());
    }
    String authority = url.getRawAuthority();
    sb.append(" HTTP/1.1\r\nHost: ").append(authority, authority.lastIndexOf('@') + 1, authority.length()).append("\r\n");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      header(sb, h.getKey(), h.getValue());
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void header(StringBuilder sb, String name, String value) throws IOException {
    if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IOException("invalid header " + name);
    }
    sb.append(name).append(": ").append(value).append("\r\n");
  }

  /** What one request/response exchange produced. */
  static final class Exchange {
    Response response;
    int status;
    /** Whether the connection can carry another exchange. */
    boolean keepAlive;
    /** Whether the response had a Location header. */
    boolean location;
  }

  /** The deadline passed between reads. */
  static final class Deadline extends IOException {
    Deadline() {
      super("deadline exceeded");
    }
  }

  /** A (reused) connection ended before any byte of the response. */
  static final class StaleConnection extends IOException {
    StaleConnection(Throwable cause) {
      super("connection closed by peer", cause);
    }
  }

  static long remainingMillis(long deadline) throws Deadline {
    long ns = deadline - System.nanoTime();
    if (ns <= 0) {
      throw new Deadline();
    }
    return Math.max(1, Math.min(Integer.MAX_VALUE, ns / 1_000_000L));
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
