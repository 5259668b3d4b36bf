package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.model.Labels;
import java.util.List;

/** A series to write into a block: labels and its chunks, sorted by time, not overlapping. */
public record BlockSeries(Labels labels, List<ChunkMeta> chunks) {}
