package dev.kiln.server.remote;

import dev.kiln.tsdb.storage.Metadata;

/**
 * The metadata of one metric family as a scrape target exposes it: the family name (as the
 * exposition's {@code # TYPE} line names it) with its type, help and unit.
 */
public record FamilyMetadata(String family, Metadata metadata) {}
