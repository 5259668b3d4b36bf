package dev.kiln.server;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kiln's small web UI: one page (graph with uPlot, targets, alerts, rules) that talks to the
 * HTTP API, plus the uPlot assets from its webjar. Everything is read once from the classpath.
 */
final class WebUi {
  private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
  private final byte[] index;
  private final Map<String, byte[]> assets = new LinkedHashMap<>();

  /**
   * @param prefix the path prefix of every link and API call in the page (the external URL's
   *     path, as Prometheus's UI uses), "" for none
   * @param title {@code --web.page-title}
   */
  WebUi(String prefix, String title) {
    index = new String(load("/web/index.html"), java.nio.charset.StandardCharsets.UTF_8)
        .replace("{{prefix}}", escapeHtml(prefix))
        .replace("{{prefixJs}}", prefix.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c"))
        .replace("{{title}}", escapeHtml(title))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assets.put("/static/uPlot.iife.min.js", load(UPLOT + "uPlot.iife.min.js"));
    assets.put("/static/uPlot.min.css", load(UPLOT + "uPlot.min.css"));
  }

  private static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static byte[] load(String resource) {
    try (InputStream in = WebUi.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("BUG: web UI resource " + resource + " missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Response page(Request r) {
    return new Response(200, "text/html; charset=utf-8", index, new LinkedHashMap<>());
  }

  Response asset(Request r) {
    byte[] b = assets.get(r.path());
    if (b == null) {
      return Response.text(404, "404 page not found\n");
    }
    String type = r.path().endsWith(".css") ? "text/css; charset=utf-8" : "application/javascript; charset=utf-8";
    return new Response(200, type, b, new LinkedHashMap<>()).withHeader("Cache-Control", "max-age=86400");
  }
}
