package dev.kiln.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Maps method and path to handlers. Routes are exact paths or prefixes ending in {@code /*}
 * (the handler reads the rest of the path). Features register their routes at start-up; the
 * router answers 404 for unknown paths and 405 for known paths with other methods. Thread-safe.
 */
public final class Router {
  private record Route(Set<String> methods, String path, boolean prefix, Handler handler) {}

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /** Registers a handler for the given methods on a path ({@code /x/*} for a prefix). */
  public Router add(Set<String> methods, String path, Handler handler) {
    boolean prefix = path.endsWith("/*");
    routes.add(new Route(Set.copyOf(methods), prefix ? path.substring(0, path.length() - 1) : path, prefix, handler));
    return this;
  }

  /** GET and POST, as Kiln accepts on every read endpoint. */
  public Router read(String path, Handler handler) {
    return add(Set.of("GET", "POST"), path, handler);
  }

  /** The outcome of looking up a request. */
  public sealed interface Match permits Found, NotFound, MethodNotAllowed {}

  public record Found(Handler handler) implements Match {}

  public record NotFound() implements Match {}

  public record MethodNotAllowed(Set<String> allowed) implements Match {}

  public Match route(String method, String path) {
    List<Route> pathMatches = new ArrayList<>();
    for (Route r : routes) {
      if (r.prefix ? path.startsWith(r.path) : path.equals(r.path)) {
        pathMatches.add(r);
      }
    }
    if (pathMatches.isEmpty()) {
      return new NotFound();
    }
    String m = method.equals("HEAD") ? "GET" : method;
    for (Route r : pathMatches) {
      if (r.methods.contains(m)) {
        return new Found(r.handler);
      }
    }
    java.util.Set<String> allowed = new java.util.TreeSet<>();
    pathMatches.forEach(r -> allowed.addAll(r.methods));
    return new MethodNotAllowed(allowed);
  }
}
