#!/usr/bin/env python3
"""Line-by-line port of Prometheus's histogram chunk encoders, used to derive golden vectors.

Sources: prometheus/prometheus tsdb/chunkenc/bstream.go (bstream.writeBit/writeByte/writeBits),
varbit.go (putVarbitInt/putVarbitUint), histogram_meta.go (writeHistogramChunkLayout,
putZeroThreshold, putCustomBound), xor.go (xorWrite), histogram.go (appendHistogram) and
float_histogram.go (appendFloatHistogram). Only the plain append path (no recoding) is ported.
Run: python3 promchunk.py  -> prints the golden vectors used by HistogramChunkGoldenTest.
"""
import math
import struct


class BStream:
    def __init__(self, header):
        self.stream = bytearray(header)
        self.count = 0

    def write_bit(self, bit):
        if self.count == 0:
            self.stream.append(0)
            self.count = 8
        if bit:
            self.stream[-1] |= 1 << (self.count - 1)
        self.count -= 1

    def write_byte(self, byt):
        if self.count == 0:
            self.stream.append(0)
            self.count = 8
        self.stream[-1] |= byt >> (8 - self.count)
        self.stream.append((byt << self.count) & 0xFF)

    def write_bits(self, u, nbits):
        u = (u & ((1 << 64) - 1)) << (64 - nbits) & ((1 << 64) - 1)
        while nbits >= 8:
            self.write_byte(u >> 56)
            u = (u << 8) & ((1 << 64) - 1)
            nbits -= 8
        while nbits > 0:
            self.write_bit((u >> 63) == 1)
            u = (u << 1) & ((1 << 64) - 1)
            nbits -= 1


def bit_range(x, n):
    return -((1 << (n - 1)) - 1) <= x <= (1 << (n - 1))


def put_varbit_int(b, v):
    for prefix, plen, n in ((0b10, 2, 3), (0b110, 3, 6), (0b1110, 4, 9), (0b11110, 5, 12),
                            (0b111110, 6, 18), (0b1111110, 7, 25), (0b11111110, 8, 56)):
        if v == 0:
            b.write_bit(False)
            return
        if bit_range(v, n):
            b.write_bits(prefix, plen)
            b.write_bits(v, n)
            return
    b.write_bits(0b11111111, 8)
    b.write_bits(v, 64)


def put_varbit_uint(b, v):
    if v == 0:
        b.write_bit(False)
        return
    for prefix, plen, n in ((0b10, 2, 3), (0b110, 3, 6), (0b1110, 4, 9), (0b11110, 5, 12),
                            (0b111110, 6, 18), (0b1111110, 7, 25), (0b11111110, 8, 56)):
        if v < (1 << n):
            b.write_bits(prefix, plen)
            b.write_bits(v, n)
            return
    b.write_bits(0b11111111, 8)
    b.write_bits(v, 64)


def f64bits(f):
    return struct.unpack('>Q', struct.pack('>d', f))[0]


def put_zero_threshold(b, t):
    if t == 0:
        b.write_byte(0)
        return
    frac, exp = math.frexp(t)
    if frac != 0.5 or exp < -242 or exp > 11:
        b.write_byte(255)
        b.write_bits(f64bits(t), 64)
        return
    b.write_byte(exp + 243)


def put_custom_bound(b, f):
    tf = f * 1000
    if tf < 0 or tf > 33554430 or (round(tf) / 1000) != f:
        b.write_bit(False)
        b.write_bits(f64bits(f), 64)
        return
    put_varbit_uint(b, int(round(tf)) + 1)


def write_layout(b, schema, zt, pspans, nspans, custom):
    put_zero_threshold(b, zt)
    put_varbit_int(b, schema)
    for spans in (pspans, nspans):
        put_varbit_uint(b, len(spans))
        for off, length in spans:
            put_varbit_uint(b, length)
            put_varbit_int(b, off)
    if schema == -53:
        put_varbit_uint(b, len(custom))
        for c in custom:
            put_custom_bound(b, c)


class Xor:
    def __init__(self, value):
        self.value = value
        self.leading = 0xFF
        self.trailing = 0

    def write(self, b, new):
        delta = f64bits(new) ^ f64bits(self.value)
        self.value = new
        if delta == 0:
            b.write_bit(False)
            return
        b.write_bit(True)
        lead = 64 - delta.bit_length()
        trail = (delta & -delta).bit_length() - 1
        if lead >= 32:
            lead = 31
        if self.leading != 0xFF and lead >= self.leading and trail >= self.trailing:
            b.write_bit(False)
            b.write_bits(delta >> self.trailing, 64 - self.leading - self.trailing)
            return
        self.leading, self.trailing = lead, trail
        b.write_bit(True)
        b.write_bits(lead, 5)
        sig = 64 - lead - trail
        b.write_bits(sig, 6)
        b.write_bits(delta >> trail, sig)


STALE_NAN = struct.unpack('>d', bytes.fromhex('7ff0000000000002'))[0]


def is_stale(v):
    return f64bits(v) == 0x7ff0000000000002


def int_chunk(header_flags, samples):
    """samples: list of (t, schema, zt, pspans, nspans, custom, count, zcount, sum, pdeltas, ndeltas).

    A sample whose sum is the stale NaN is emptied first, as appendHistogram does."""
    b = BStream(bytes([0, 0, header_flags]))
    st = {}
    for n, (t, schema, zt, ps, ns, cv, cnt, zcnt, s, pb, nb) in enumerate(samples):
        stale = is_stale(s)
        if stale:
            schema, zt, ps, ns, cv, cnt, zcnt, pb, nb = 0, 0, [], [], [], 0, 0, [], []
        if n == 0:
            write_layout(b, schema, zt, ps, ns, cv)
            put_varbit_int(b, t)
            put_varbit_uint(b, cnt)
            put_varbit_uint(b, zcnt)
            b.write_bits(f64bits(s), 64)
            for v in pb + nb:
                put_varbit_int(b, v)
            st = dict(t=t, tD=0, cnt=cnt, cD=0, z=zcnt, zD=0, sum=Xor(s), pb=list(pb), nb=list(nb),
                      pD=[0] * len(pb), nD=[0] * len(nb))
        else:
            tD, cD, zD = t - st['t'], cnt - st['cnt'], zcnt - st['z']
            put_varbit_int(b, tD - st['tD'])
            put_varbit_int(b, 0 if stale else cD - st['cD'])
            put_varbit_int(b, 0 if stale else zD - st['zD'])
            st['sum'].write(b, s)
            for key, dkey, vals in (('pb', 'pD', pb), ('nb', 'nD', nb)):
                for i, v in enumerate(vals):
                    d = v - st[key][i]
                    put_varbit_int(b, d - st[dkey][i])
                    st[dkey][i] = d
                    st[key][i] = v
            st.update(t=t, tD=tD, cnt=cnt, cD=cD, z=zcnt, zD=zD)
        b.stream[0:2] = struct.pack('>H', n + 1)
    return bytes(b.stream)


def float_chunk(header_flags, samples):
    """samples: list of (t, schema, zt, pspans, nspans, custom, count, zcount, sum, pbuckets, nbuckets)."""
    b = BStream(bytes([0, 0, header_flags]))
    st = {}
    for n, (t, schema, zt, ps, ns, cv, cnt, zcnt, s, pb, nb) in enumerate(samples):
        if is_stale(s):
            schema, zt, ps, ns, cv, cnt, zcnt, pb, nb = 0, 0, [], [], [], 0.0, 0.0, [], []
        if n == 0:
            write_layout(b, schema, zt, ps, ns, cv)
            put_varbit_int(b, t)
            for v in [cnt, zcnt, s] + pb + nb:
                b.write_bits(f64bits(v), 64)
            st = dict(t=t, tD=0, x=[Xor(v) for v in [cnt, zcnt, s] + pb + nb])
        else:
            tD = t - st['t']
            put_varbit_int(b, tD - st['tD'])
            for x, v in zip(st['x'], [cnt, zcnt, s] + pb + nb):  # a stale sample stops after the sum
                x.write(b, v)
            st.update(t=t, tD=tD)
        b.stream[0:2] = struct.pack('>H', n + 1)
    return bytes(b.stream)


def golden():
    zt = 2.0 ** -128
    out = {}
    # One integer sample: schema 1, spans [0,2],[1,2], absolute counts 1,2,1,1 -> deltas 1,1,-1,0.
    out['int_one'] = int_chunk(0, [(1000, 1, zt, [(0, 2), (1, 2)], [], [], 7, 2, 18.4, [1, 1, -1, 0], [])])
    # Three integer samples 15 s apart, growing buckets, one negative span, header "not reset".
    s1 = (1000, 0, zt, [(-1, 3)], [(2, 1)], [], 10, 1, 12.5, [2, 1, -1], [3])
    s2 = (16000, 0, zt, [(-1, 3)], [(2, 1)], [], 15, 2, 20.25, [3, 1, -1], [5])
    s3 = (31000, 0, zt, [(-1, 3)], [(2, 1)], [], 21, 2, 31.0, [4, 2, -2], [6])
    out['int_three'] = int_chunk(0x40, [s1, s2, s3])
    # Custom buckets (schema -53), bounds 0.1, 0.5, 1, 2.5 and one bound that is not a multiple of 0.001.
    cb = [0.1, 0.5, 1.0, 2.5, 1.0e6]
    c1 = (5, -53, 0, [(0, 3)], [], cb, 6, 0, 4.2, [1, 2, 0], [])
    c2 = (65, -53, 0, [(0, 3)], [], cb, 9, 0, 6.0, [2, 2, 1], [])
    out['int_custom'] = int_chunk(0x80, [c1, c2])
    # Float histogram chunk: zero threshold 0.001 (not a power of two: 9 bytes), gauge header.
    f1 = (-2000, 3, 0.001, [(1, 2)], [(0, 1)], [], 4.5, 0.5, -1.25, [1.5, 2.0], [0.5])
    f2 = (58000, 3, 0.001, [(1, 2)], [(0, 1)], [], 6.0, 0.5, 3.0, [2.5, 2.0], [1.0])
    f3 = (118000, 3, 0.001, [(1, 2)], [(0, 1)], [], 2.0, 0.0, 1.0, [1.0, 0.0], [1.0])
    out['float_three'] = float_chunk(0xC0, [f1, f2, f3])
    # Integer chunk ending in a stale marker: counts' dods are written as 0, no buckets.
    out['int_stale'] = int_chunk(0, [s1, s2, (46000, 0, zt, [], [], [], 0, 0, STALE_NAN, [], [])])
    # Float chunk ending in a stale marker: count and zero count XOR to 0, sum to the stale NaN.
    out['float_stale'] = float_chunk(0xC0, [f1, (178000, 3, 0.001, [], [], [], 0, 0, STALE_NAN, [], [])])
    return out


if __name__ == '__main__':
    for k, v in golden().items():
        print(k, v.hex())
