package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpClientConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.zip.GZIPInputStream;

/**
 * {@link HttpFetcher} for plain-HTTP targets: one HTTP/1.1 GET on a blocking socket in the calling
 * (scraping) thread, with the body read straight into the caller's reused buffer. Keep-alive
 * connections are reused per host and port and closed after five idle minutes. No extra threads,
 * futures or intermediate copies. Everything else goes to a fallback fetcher (the JDK client):
 * https, a redirect to follow, and hosts the JVM's proxy selector routes through a proxy.
 *
 * <p>Same request (headers, Authorization), same limits and the same error messages as
 * {@link JdkHttpFetcher}. Thread-safe.
 */
public final class SocketHttpFetcher implements HttpFetcher {
  private static final long IDLE_NANOS = 5 * 60 * 1_000_000_000L;
  private static final int MAX_IDLE_PER_HOST = 4;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final HttpFetcher fallback;
  private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
  private final Map<URI, Boolean> direct = new ConcurrentHashMap<>();
  private volatile long lastSweep = System.nanoTime();

  /** With a {@link JdkHttpFetcher} as the fallback. */
  public SocketHttpFetcher() {
    this(new JdkHttpFetcher());
  }

  public SocketHttpFetcher(HttpFetcher fallback) {
    this.fallback = fallback;
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit)
      throws IOException {
    return fetch(url, headers, cfg, timeoutMillis, bodyLimit, null);
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit,
      byte[] reuse) throws IOException {
    String host = url.getHost();
    boolean proxied = cfg.proxy() != null && cfg.proxy().isSet();
    if (!"http".equalsIgnoreCase(url.getScheme()) || host == null || proxied || !isDirect(url)) {
      return fallback.fetch(url, headers, cfg, timeoutMillis, bodyLimit, reuse);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() < 0 ? 80 : url.getPort();
    long deadline = System.nanoTime() + Math.max(1, timeoutMillis) * 1_000_000L;
    Map<String, String> all = headers;
    if (!cfg.headers().isEmpty()) {
      all = new java.util.LinkedHashMap<>(headers);
      all.putAll(cfg.headers());
    }
    byte[] request = request(url, all);
    String key = host + ":" + port;
    sweepIdle();
    Connection c = pollIdle(key);
    while (true) {
      boolean reused = c != null;
      try {
        if (c == null) {
          c = Connection.open(host, port, deadline);
        }
        Exchange x = c.exchange(request, deadline, reuse, bodyLimit);
        if (x.status >= 300 && x.status < 400 && x.status != 304 && x.location && cfg.followRedirects()) {
          c.close();
          return fallback.fetch(url, headers, cfg, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L), bodyLimit,
              reuse);
        }
        if (x.keepAlive) {
          offerIdle(key, c);
        } else {
          c.close();
        }
        return x.response;
      } catch (StaleConnection e) {
        c.close();
        c = null;
        if (!reused) {
          throw new IOException("Get \"" + url + "\": EOF", e);
        }
        // A kept-alive connection the target had closed: retry once on a new one.
      } catch (BodyTooLargeException e) {
        c.close();
        throw e;
      } catch (SocketTimeoutException | Deadline e) {
        if (c != null) {
          c.close();
        }
        throw new IOException("Get \"" + url + "\": context deadline exceeded", e);
      } catch (ConnectException e) {
        throw new IOException("Get \"" + url + "\": connection refused", e);
      } catch (IOException e) {
        if (c != null) {
          c.close();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new IOException("Get \"" + url + "\": " + msg, e);
      }
    }
  }

  /** Whether the JVM's proxy selector sends this host and port direct (as the JDK client would ask it). */
  private boolean isDirect(URI url) {
    Boolean d = direct.get(url);
    if (d == null) {
      if (direct.size() > 10_000) {
        direct.clear(); // targets come and go; keep the memo bounded
      }
      ProxySelector sel = ProxySelector.getDefault();
      List<Proxy> proxies = sel == null ? List.of() : sel.select(url);
      d = proxies.isEmpty() || proxies.get(0).type() == Proxy.Type.DIRECT;
      direct.put(url, d);
    }
    return d;
  }

  private static byte[] request(URI url, Map<String, String> headers) throws IOException {
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

  private Connection pollIdle(String key) {
    ConcurrentLinkedDeque<Connection> q = idle.get(key);
    if (q == null) {
      return null;
    }
    long now = System.nanoTime();
    for (Connection c; (c = q.pollFirst()) != null; ) {
      if (now - c.idleSince < IDLE_NANOS) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private void offerIdle(String key, Connection c) {
    ConcurrentLinkedDeque<Connection> q = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    c.idleSince = System.nanoTime();
    q.offerFirst(c);
    while (q.size() > MAX_IDLE_PER_HOST) {
      Connection extra = q.pollLast();
      if (extra == null) {
        break;
      }
      extra.close();
    }
  }

  /** Closes connections idle for too long, including those of targets that went away. */
  private void sweepIdle() {
    long now = System.nanoTime();
    if (now - lastSweep < 60_000_000_000L) {
      return;
    }
    lastSweep = now;
    for (var it = idle.entrySet().iterator(); it.hasNext(); ) {
      ConcurrentLinkedDeque<Connection> q = it.next().getValue();
      for (Connection c : q) {
        if (now - c.idleSince >= IDLE_NANOS && q.remove(c)) {
          c.close();
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The deadline passed between reads. */
  private static final class Deadline extends IOException {
    Deadline() {
      super("deadline exceeded");
    }
  }

  /** A reused connection ended before any byte of the response. */
  private static final class StaleConnection extends IOException {
    StaleConnection(Throwable cause) {
      super("connection closed by peer", cause);
    }
  }

  /** What one request/response exchange produced. */
  private static final class Exchange {
    Response response;
    int status;
    boolean keepAlive;
    boolean location;
  }

  /** One socket with its read buffer. Used by one thread at a time. */
  private static final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final byte[] buf = new byte[16384];
    int pos;
    int lim;
    long idleSince;
    /** Compressed bodies are read here first; kept for the connection's next response. */
    byte[] raw;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    static Connection open(String host, int port, long deadline) throws IOException {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        long remaining = remainingMillis(deadline);
        s.connect(new InetSocketAddress(host, port), (int) Math.min(remaining, CONNECT_TIMEOUT_MILLIS));
        return new Connection(s);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }

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
        socket.setSoTimeout((int) remainingMillis(deadline));
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
        socket.setSoTimeout((int) remainingMillis(deadline));
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
      socket.setSoTimeout((int) remainingMillis(deadline));
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
  }

  private static long remainingMillis(long deadline) throws Deadline {
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
