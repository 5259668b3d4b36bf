package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.model.Labels;
import java.util.List;

/** One head series and its chunks in a time range, oldest first. Immutable. */
public record SeriesChunks(long ref, Labels labels, List<ChunkMeta> chunks) {}
