package dev.kiln.tsdb.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * tsdb-core's packages form a directed acyclic graph, read from the compiled classes (so fully
 * qualified names and method chains count, not only imports), and the write-ahead log sits below
 * the head: {@code head} uses {@code wal}, never the other way round.
 */
class TsdbCorePackagesTest {
  private static final String PREFIX = "dev.kiln.tsdb";

  private static PackageGraph mainClasses() {
    PackageGraph g = PackageGraph.scan(PackageGraph.classesDirOf(Labels.class), PREFIX);
    // Guards against scanning the wrong directory and passing on an empty graph.
    assertTrue(g.packages().containsAll(Set.of(PREFIX + ".head", PREFIX + ".wal", PREFIX + ".chunk", PREFIX + ".db")),
        "scanned packages: " + g.packages());
    return g;
  }

  @Test
  void noPackageCycles() {
    PackageGraph g = mainClasses();
    List<Set<String>> cycles = g.cycles();
    if (!cycles.isEmpty()) {
      fail(cycles.stream().map(g::describe).collect(Collectors.joining("\n")));
    }
  }

  @Test
  void walUsesNoHeadOrDatabaseTypes() {
    PackageGraph g = mainClasses();
    for (String above : List.of("head", "db", "compact", "block")) {
      String to = PREFIX + "." + above;
      assertTrue(!g.uses(PREFIX + ".wal").contains(to), "wal uses " + to + ": " + g.example(PREFIX + ".wal", to));
    }
  }

  @Test
  void cycleDetectionFindsEveryCycleAndOnlyCycles() {
    PackageGraph g =
        PackageGraph.of(
            new String[] {"p.a.A", "p.b.B"},
            new String[] {"p.b.B", "p.c.C"},
            new String[] {"p.c.C2", "p.a.A2"},
            new String[] {"p.d.D", "p.a.A"},
            new String[] {"p.e.E", "p.f.F"},
            new String[] {"p.f.F", "p.e.E"},
            new String[] {"p.g.G", "p.g.G2"});
    assertEquals(List.of(Set.of("p.a", "p.b", "p.c"), Set.of("p.e", "p.f")),
        g.cycles().stream().sorted((x, y) -> x.toString().compareTo(y.toString())).toList());
    assertTrue(g.describe(Set.of("p.a", "p.b", "p.c")).contains("p.c → p.a (p.c.C2 → p.a.A2)"));
    assertTrue(PackageGraph.of(new String[] {"p.a.A", "p.b.B"}, new String[] {"p.b.B", "p.c.C"}).cycles().isEmpty());
  }

  /** Refers to Iterator and Collection only through a method chain, to List only in a signature. */
  static final class ChainFixture {
    int first(java.util.Map<String, java.util.List<Integer>> m) {
      return m.values().iterator().next().size();
    }
  }

  @Test
  void classReferencesSeeSignaturesAndMethodChains() throws IOException {
    byte[] bytes;
    try (InputStream in = ChainFixture.class.getResourceAsStream("TsdbCorePackagesTest$ChainFixture.class")) {
      bytes = in.readAllBytes();
    }
    Set<String> refs = ClassReferences.of(bytes);
    assertTrue(refs.containsAll(Set.of("java.util.Map", "java.util.List", "java.util.Collection", "java.util.Iterator",
        "java.lang.String", "java.lang.Integer", PREFIX + ".architecture.TsdbCorePackagesTest$ChainFixture")), refs.toString());
  }
}
