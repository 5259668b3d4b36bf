package dev.kiln.tsdb.storage;

/**
 * One chunk of a series as the storage holds it: its time range (both inclusive, milliseconds),
 * the kind of samples it holds ({@link ValueType#FLOAT} for an XOR chunk, {@link ValueType#HISTOGRAM}
 * or {@link ValueType#FLOAT_HISTOGRAM} for the two histogram encodings) and its bytes exactly as
 * stored after the encoding byte, or null bytes where the stored bytes are not the series' data as
 * read (a head chunk still being appended to, or a chunk with deleted samples); the samples of
 * that range are then to be read through {@link Series#iterator}.
 */
public record StoredChunk(long minTime, long maxTime, ValueType kind, byte[] data) {}
