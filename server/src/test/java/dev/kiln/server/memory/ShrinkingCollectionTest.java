package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class ShrinkingCollectionTest {
  private static String ratio(String name) {
    return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
  }

  @Test
  void collectsAndPutsTheJvmsFreeRatiosBack() {
    String min = ratio("MinHeapFreeRatio");
    String max = ratio("MaxHeapFreeRatio");
    long before = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> b.getCollectionCount()).sum();
    new ShrinkingCollection(5, 15).collect();
    long after = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> b.getCollectionCount()).sum();
    assertEquals(min, ratio("MinHeapFreeRatio"));
    assertEquals(max, ratio("MaxHeapFreeRatio"));
    org.junit.jupiter.api.Assertions.assertTrue(after > before, "a collection ran");
  }

  @Test
  void rejectsRatiosThatCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> new ShrinkingCollection(40, 30));
    assertThrows(IllegalArgumentException.class, () -> new ShrinkingCollection(-1, 30));
    assertThrows(IllegalArgumentException.class, () -> new ShrinkingCollection(10, 101));
  }
}
