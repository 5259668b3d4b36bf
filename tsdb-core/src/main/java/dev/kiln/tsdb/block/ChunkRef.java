package dev.kiln.tsdb.block;

/**
 * A chunk's entry in the index: time range (both inclusive, milliseconds) and its reference in
 * the chunk segments ({@code segment << 32 | offset}).
 */
public record ChunkRef(long minTime, long maxTime, long ref) {}
