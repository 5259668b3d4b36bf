package dev.kiln.tsdb.model;

import java.math.BigInteger;

/**
 * The shortest decimal that reads back as a normal double, and among those the one closest to the
 * double's exact value (ties to an even last digit): the digits Go's {@code strconv} shortest
 * formatting prints. Raffaello Giulietti's Schubfach algorithm ("The Schubfach way to render
 * doubles", 2020; the algorithm behind {@code Double.toString} from JDK 19 on): the double's
 * rounding interval is scaled by a 126-bit approximation of a power of ten so that its decimal
 * digits come out of a few 64-bit multiplications, without allocation. Subnormal values are not
 * handled here (their intervals are too wide for the one-digit-less check; callers use a slower
 * path). An instance holds the last result: single-thread; the table is shared and immutable.
 */
public final class ShortestDigits {
  private static final int P = 53;
  private static final int Q_MIN = -1074;
  private static final long C_MIN = 1L << (P - 1);
  private static final long T_MASK = C_MIN - 1;
  private static final long MASK_63 = (1L << 63) - 1;
  private static final int K_MIN = -324;
  private static final int K_MAX = 292;

  /** The digits of the last {@link #set} call, without trailing zeros. */
  private long digits;
  /** The decimal exponent of the first of {@link #digits}. */
  private int exponent;
  /** How many digits {@link #digits} has. */
  private int length;

  /** The digits found by the last {@link #set}, without trailing zeros. */
  public long digits() {
    return digits;
  }

  /** The decimal exponent of the first digit: the value is 0.d1d2... * 10^(exponent + 1). */
  public int exponent() {
    return exponent;
  }

  /** The number of digits. */
  public int length() {
    return length;
  }

  /** Whether {@link #set} handles {@code a}: positive, finite and normal. */
  public static boolean handles(double a) {
    return a >= Double.MIN_NORMAL && a <= Double.MAX_VALUE;
  }

  /**
   * Finds the shortest digits of {@code a}, which must be one {@link #handles}; read them with
   * {@link #digits}, {@link #exponent} and {@link #length}.
   */
  public void set(double a) {
    long bits = Double.doubleToRawLongBits(a);
    int bq = (int) (bits >>> (P - 1)) & 0x7ff;
    long c = C_MIN | (bits & T_MASK);
    int mq = -Q_MIN + 1 - bq;
    if (0 < mq && mq < P) {
      long f = c >> mq;
      if (f << mq == c) {
        pack(f, 0);
        return;
      }
    }
    toDecimal(-mq, c);
  }

  /** {@code c * 2^q} as {@code f * 10^e} with the fewest digits, closest to the exact value. */
  private void toDecimal(int q, long c) {
    int out = (int) c & 1;
    long cb = c << 2;
    long cbr = cb + 2;
    long cbl;
    int k;
    if (c != C_MIN || q == Q_MIN) {
      cbl = cb - 2;
      k = flog10pow2(q);
    } else {
      cbl = cb - 1;
      k = flog10threeQuartersPow2(q);
    }
    int h = q + flog2pow10(-k) + 2;
    long g1 = Powers.G[2 * (k - K_MIN)];
    long g0 = Powers.G[2 * (k - K_MIN) + 1];
    long vb = rop(g1, g0, cb << h);
    long vbl = rop(g1, g0, cbl << h);
    long vbr = rop(g1, g0, cbr << h);
    long s = vb >> 2;
    if (s >= 100) {
      // One digit less: the multiples of ten around s.
      long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4);
      long tp10 = sp10 + 10;
      boolean upin = vbl + out <= sp10 << 2;
      boolean wpin = (tp10 << 2) + out <= vbr;
      if (upin != wpin) {
        pack(upin ? sp10 : tp10, k);
        return;
      }
    }
    long t = s + 1;
    boolean uin = vbl + out <= s << 2;
    boolean win = (t << 2) + out <= vbr;
    if (uin != win) {
      pack(uin ? s : t, k);
      return;
    }
    long cmp = vb - ((s + t) << 1);
    pack(cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t, k);
  }

  /** Keeps {@code f * 10^e} (f > 0) with trailing zeros removed. */
  private void pack(long f, int e) {
    while (f % 10 == 0) {
      f /= 10;
      e++;
    }
    int len = DecimalDigits.count(f);
    digits = f;
    length = len;
    exponent = e + len - 1;
  }

  /** The high 64 bits (rounded to odd) of the 190-bit product of g (126 bits) and cp. */
  private static long rop(long g1, long g0, long cp) {
    long x1 = Math.multiplyHigh(g0, cp);
    long y0 = g1 * cp;
    long y1 = Math.multiplyHigh(g1, cp);
    long z = (y0 >>> 1) + x1;
    long vbp = y1 + (z >>> 63);
    return vbp | (((z & MASK_63) + MASK_63) >>> 63);
  }

  /** floor(e * log10(2)) for |e| <= 5456721. */
  static int flog10pow2(int e) {
    return (int) (e * 661_971_961_083L >> 41);
  }

  /** floor(log10(3/4 * 2^e)) for |e| <= 2500. */
  static int flog10threeQuartersPow2(int e) {
    return (int) ((e * 661_971_961_083L + -274_743_187_321L) >> 41);
  }

  /** floor(e * log2(10)) for |e| <= 1233. */
  static int flog2pow10(int e) {
    return (int) (e * 913_124_641_741L >> 38);
  }

  /**
   * For each k in [K_MIN, K_MAX], the two 63-bit halves of g = floor(10^-k * 2^(125 -
   * flog2pow10(-k))) + 1, a 126-bit number that overestimates 10^-k scaled into [2^125, 2^126).
   * Computed once, on first use.
   */
  static final class Powers {
    static final long[] G = table();

    private Powers() {}

    private static long[] table() {
      long[] g = new long[2 * (K_MAX - K_MIN + 1)];
      BigInteger mask = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
      for (int k = K_MIN; k <= K_MAX; k++) {
        int shift = 125 - flog2pow10(-k);
        BigInteger v;
        if (k <= 0) {
          BigInteger p = BigInteger.TEN.pow(-k);
          v = shift >= 0 ? p.shiftLeft(shift) : p.shiftRight(-shift);
        } else {
          v = BigInteger.ONE.shiftLeft(shift).divide(BigInteger.TEN.pow(k));
        }
        v = v.add(BigInteger.ONE);
        g[2 * (k - K_MIN)] = v.shiftRight(63).longValueExact();
        g[2 * (k - K_MIN) + 1] = v.and(mask).longValueExact();
      }
      return g;
    }
  }
}
