package dev.kiln.tsdb.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Which package uses which, between the classes of one directory of compiled classes, with one
 * example class pair per package edge (to say what to move when a rule fails). Immutable once
 * built.
 */
public final class PackageGraph {
  /** {@code from package → to package → "FromClass → ToClass"} (first pair found, sorted). */
  private final Map<String, Map<String, String>> edges = new TreeMap<>();
  /** Every class reference leaving the scanned classes, by referring class. */
  private final Map<String, Set<String>> references = new TreeMap<>();

  private PackageGraph() {}

  /**
   * Reads every {@code .class} file under {@code classes} (a directory of compiled classes, or a
   * jar, as a reactor build puts a module's classes on the classpath after its package phase) whose
   * class lies under {@code prefix} (a package name such as {@code dev.kiln.tsdb}); the graph keeps
   * edges between such packages only, while {@link #references()} keeps every reference.
   */
  public static PackageGraph scan(Path classes, String prefix) {
    if (Files.isRegularFile(classes) && classes.toString().endsWith(".jar")) {
      try (FileSystem jar = FileSystems.newFileSystem(classes)) {
        return scanDirectory(jar.getPath("/"), prefix);
      } catch (IOException e) {
        throw new UncheckedIOException("open " + classes + ": " + e.getMessage(), e);
      }
    }
    if (!Files.isDirectory(classes)) {
      throw new IllegalArgumentException("neither a directory of compiled classes nor a jar: " + classes);
    }
    return scanDirectory(classes, prefix);
  }

  private static PackageGraph scanDirectory(Path classesDir, String prefix) {
    PackageGraph g = new PackageGraph();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classesDir)) {
      files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path f : files) {
      String rel = classesDir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
      String from = rel.substring(0, rel.length() - ".class".length());
      if (!from.startsWith(prefix + ".")) {
        continue;
      }
      Set<String> refs;
      try {
        refs = ClassReferences.of(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new UncheckedIOException("read " + f + ": " + e.getMessage(), e);
      }
      g.references.put(from, refs);
      for (String to : refs) {
        if (to.startsWith(prefix + ".")) {
          g.addEdge(from, to);
        }
      }
    }
    return g;
  }

  /** A graph from explicit class pairs {@code {from, to}}, for testing the graph itself. */
  static PackageGraph of(String[]... classPairs) {
    PackageGraph g = new PackageGraph();
    for (String[] p : classPairs) {
      g.references.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[1]);
      g.addEdge(p[0], p[1]);
    }
    return g;
  }

  /** The directory or jar a class was loaded from, as a path. */
  public static Path classesDirOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void addEdge(String fromClass, String toClass) {
    String from = ClassReferences.packageOf(fromClass);
    String to = ClassReferences.packageOf(toClass);
    if (!from.equals(to)) {
      edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, fromClass + " → " + toClass);
    }
    edges.computeIfAbsent(to, k -> new TreeMap<>());
  }

  /** Every package seen (as a user or as used). */
  public Set<String> packages() {
    return edges.keySet();
  }

  /** The packages {@code pkg} uses. */
  public Set<String> uses(String pkg) {
    return edges.getOrDefault(pkg, Map.of()).keySet();
  }

  /** An example class pair behind the edge {@code from → to}, or null when there is none. */
  public String example(String from, String to) {
    return edges.getOrDefault(from, Map.of()).get(to);
  }

  /** Referring class → every class it refers to. */
  public Map<String, Set<String>> references() {
    return references;
  }

  /**
   * The package cycles: each strongly connected component of more than one package (Tarjan),
   * its packages sorted; empty when the packages form a directed acyclic graph.
   */
  public List<Set<String>> cycles() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    int[] next = {0};
    for (String p : edges.keySet()) {
      if (!index.containsKey(p)) {
        strongConnect(p, index, low, stack, onStack, out, next);
      }
    }
    return out;
  }

  private void strongConnect(String p, Map<String, Integer> index, Map<String, Integer> low,
      Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] next) {
    index.put(p, next[0]);
    low.put(p, next[0]);
    next[0]++;
    stack.push(p);
    onStack.add(p);
    for (String q : uses(p)) {
      if (!index.containsKey(q)) {
        strongConnect(q, index, low, stack, onStack, out, next);
        low.put(p, Math.min(low.get(p), low.get(q)));
      } else if (onStack.contains(q)) {
        low.put(p, Math.min(low.get(p), index.get(q)));
      }
    }
    if (low.get(p).equals(index.get(p))) {
      Set<String> component = new TreeSet<>();
      String q;
      do {
        q = stack.pop();
        onStack.remove(q);
        component.add(q);
      } while (!q.equals(p));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }

  /** Describes a cycle: each edge inside it with its example class pair. */
  public String describe(Set<String> cycle) {
    StringBuilder sb = new StringBuilder("package cycle " + cycle + ":");
    for (String from : cycle) {
      for (String to : uses(from)) {
        if (cycle.contains(to)) {
          sb.append("\n  ").append(from).append(" → ").append(to).append(" (").append(example(from, to)).append(')');
        }
      }
    }
    return sb.toString();
  }
}
