package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionCpuTest {
  @TempDir Path tasks;

  private void task(String tid, String comm, String schedstat) throws Exception {
    Path t = Files.createDirectories(tasks.resolve(tid));
    Files.writeString(t.resolve("comm"), comm + "\n");
    Files.writeString(t.resolve("schedstat"), schedstat + "\n");
  }

  @Test
  void readsTheRunTimeOfTheVmThread() throws Exception {
    task("100", "java", "5 0 1");
    task("101", "VM Thread", "123456789 42 7");
    task("102", "C2 CompilerThre", "9 0 1");
    Path stat = CollectionCpu.vmThreadSchedstat(tasks);
    assertEquals(tasks.resolve("101").resolve("schedstat"), stat);
    assertEquals(123456789L, CollectionCpu.read(stat));
  }

  @Test
  void noVmThreadNoFile() throws Exception {
    task("100", "java", "5 0 1");
    assertNull(CollectionCpu.vmThreadSchedstat(tasks));
    assertEquals(-1, CollectionCpu.read(tasks.resolve("missing")));
  }

  @Test
  void thisJvmsCounterDoesNotGoBackwards() {
    java.util.function.LongSupplier cpu = CollectionCpu.ofJvm();
    long a = cpu.getAsLong();
    System.gc();
    assertTrue(cpu.getAsLong() >= a);
  }
}
