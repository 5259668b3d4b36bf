package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.RemoteEndpointConfig;
import dev.kiln.promql.QueryEngine;
import dev.kiln.scraper.scrape.ScrapeManager;
import dev.kiln.tsdb.architecture.PackageGraph;
import dev.kiln.tsdb.architecture.TsdbCoreApi;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The modules above tsdb-core (server, promql, config, scraper) use only its public packages, read from
 * their compiled main classes, so a type reached through a method chain counts as much as an
 * import.
 */
class TsdbPublicApiTest {

  private static void assertPublicOnly(Class<?> anyClassOfModule, String prefix) {
    Path classes = PackageGraph.classesDirOf(anyClassOfModule);
    PackageGraph g = PackageGraph.scan(classes, prefix);
    assertTrue(g.references().size() > 10, "scanned " + classes + ": " + g.references().size() + " classes");
    List<String> internal = TsdbCoreApi.internalUses(g.references());
    assertTrue(internal.isEmpty(), "uses of tsdb-core internals from " + classes + ":\n  " + String.join("\n  ", internal));
  }

  @Test
  void serverUsesOnlyPublicTsdbCorePackages() {
    assertPublicOnly(KilnServer.class, "dev.kiln.server");
  }

  @Test
  void promqlConfigAndScraperUseOnlyPublicTsdbCorePackages() {
    assertPublicOnly(QueryEngine.class, "dev.kiln.promql");
    assertPublicOnly(RemoteEndpointConfig.class, "dev.kiln.config");
    assertPublicOnly(ScrapeManager.class, "dev.kiln.scraper");
  }

  @Test
  void internalUseIsReported() {
    Map<String, Set<String>> refs =
        Map.of("dev.kiln.server.X", Set.of("dev.kiln.tsdb.db.Db", "dev.kiln.tsdb.head.Head", "dev.kiln.tsdb.chunk.XorChunk",
            "dev.kiln.tsdb.chunk.BitWriter", "dev.kiln.tsdb.storage.CommitListener$Batch", "java.util.List"));
    assertEquals(
        Set.of("dev.kiln.server.X → dev.kiln.tsdb.head.Head", "dev.kiln.server.X → dev.kiln.tsdb.chunk.BitWriter"),
        Set.copyOf(TsdbCoreApi.internalUses(refs)));
  }
}
