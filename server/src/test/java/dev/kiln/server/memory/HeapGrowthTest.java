package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapGrowthTest {
  private long committed = 32L << 20;

  @Test
  void growthCountsFromTheHeapAtConstructionUntilTheFirstShrink() {
    HeapGrowth g = new HeapGrowth(() -> committed, 1.25, 8L << 20);
    committed = 48L << 20; // 32 * 1.25 + 8
    assertFalse(g.grown(), "exactly at the threshold");
    committed += 1;
    assertTrue(g.grown());
  }

  @Test
  void aShrinkMakesWhatItLeftTheNewReference() {
    HeapGrowth g = new HeapGrowth(() -> committed, 1.25, 8L << 20);
    committed = 80L << 20;
    assertTrue(g.grown());
    committed = 40L << 20;
    g.shrunk();
    assertFalse(g.grown(), "nothing grew since");
    committed = 58L << 20; // 40 * 1.25 + 8
    assertFalse(g.grown());
    committed = 59L << 20;
    assertTrue(g.grown());
  }

  @Test
  void rejectsAFactorBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new HeapGrowth(() -> committed, 0.9, 0));
  }
}
