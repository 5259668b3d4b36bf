package dev.kiln.tsdb.chunk;

/**
 * A chunk with its time range (both inclusive, milliseconds). The chunk is immutable (a copy of
 * an open chunk, or a completed one).
 */
public record ChunkMeta(long minTime, long maxTime, Chunk chunk) {}
