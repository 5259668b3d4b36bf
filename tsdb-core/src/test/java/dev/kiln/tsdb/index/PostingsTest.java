package dev.kiln.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Postings algebra against {@link TreeSet} oracles, over every implementation mix. */
class PostingsTest {
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  private static TreeSet<Long> randomSet(Random r) {
    TreeSet<Long> s = new TreeSet<>();
    int n = r.nextInt(4) == 0 ? 0 : r.nextInt(200);
    int range = 1 + r.nextInt(r.nextBoolean() ? 300 : 100_000);
    for (int i = 0; i < n; i++) {
      s.add((long) r.nextInt(range));
    }
    return s;
  }

  /** One of three implementations; some bitmaps are advanced by a seek(0) to force cursors. */
  private static Postings of(Random r, TreeSet<Long> s) {
    long[] arr = s.stream().mapToLong(Long::longValue).toArray();
    switch (r.nextInt(3)) {
      case 0:
        return new ListPostings(arr);
      case 1:
        RoaringBitmap bm = new RoaringBitmap();
        for (long v : arr) {
          bm.add((int) v);
        }
        return new BitmapPostings(bm);
      default:
        RoaringBitmap b2 = new RoaringBitmap();
        for (long v : arr) {
          b2.add((int) v);
        }
        return Postings.merge(List.of(new BitmapPostings(b2), new ListPostings(new long[0])));
    }
  }

  private static long[] arr(TreeSet<Long> s) {
    return s.stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void intersectMergeWithoutMatchSetAlgebra() {
    for (int round = 0; round < 500; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      int k = 1 + r.nextInt(4);
      List<TreeSet<Long>> sets = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        sets.add(randomSet(r));
      }
      TreeSet<Long> inter = new TreeSet<>(sets.get(0));
      TreeSet<Long> union = new TreeSet<>();
      for (TreeSet<Long> s : sets) {
        inter.retainAll(s);
        union.addAll(s);
      }
      List<Postings> a = new ArrayList<>();
      List<Postings> b = new ArrayList<>();
      for (TreeSet<Long> s : sets) {
        a.add(of(r, s));
        b.add(of(r, s));
      }
      String msg = "seed=" + seed;
      assertArrayEquals(arr(inter), Postings.toArray(Postings.intersect(a)), msg);
      assertArrayEquals(arr(union), Postings.toArray(Postings.merge(b)), msg);
      TreeSet<Long> drop = randomSet(r);
      TreeSet<Long> diff = new TreeSet<>(sets.get(0));
      diff.removeAll(drop);
      assertArrayEquals(
          arr(diff), Postings.toArray(Postings.without(of(r, sets.get(0)), of(r, drop))), msg);
    }
  }

  @Test
  void seekNeverMovesBackwardsAndFindsCeiling() {
    for (int round = 0; round < 300; round++) {
      long seed = BASE_SEED * 7 + round;
      Random r = new Random(seed);
      TreeSet<Long> s1 = randomSet(r);
      TreeSet<Long> s2 = randomSet(r);
      s2.addAll(s1);
      TreeSet<Long> expectedSet = new TreeSet<>(s1);
      Postings p =
          switch (r.nextInt(4)) {
            case 0 -> of(r, s1);
            case 1 -> Postings.intersect(List.of(of(r, s1), of(r, s2)));
            case 2 -> Postings.merge(List.of(of(r, s1), of(r, s1)));
            default -> Postings.without(of(r, s1), of(r, new TreeSet<>()));
          };
      long pos = -1;
      for (int i = 0; i < 30; i++) {
        long target = pos + r.nextInt(50) - 5;
        Long ceil = expectedSet.ceiling(Math.max(target, Math.max(pos, 0)));
        boolean ok = p.seek(target);
        String msg = "seed=" + seed + " target=" + target;
        if (ceil == null) {
          assertFalse(ok, msg);
          break;
        }
        assertTrue(ok, msg);
        assertEquals((long) ceil, p.at(), msg);
        pos = p.at();
      }
    }
  }

  @Test
  void emptyListsCombine() {
    assertEquals(0, Postings.toArray(Postings.intersect(List.of())).length);
    assertEquals(0, Postings.toArray(Postings.merge(List.of())).length);
    assertEquals(
        0,
        Postings.toArray(
                Postings.intersect(List.of(Postings.EMPTY, new ListPostings(new long[] {1}))))
            .length);
  }
}
