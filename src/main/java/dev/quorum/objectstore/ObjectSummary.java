package dev.quorum.objectstore;

import java.time.Instant;

/** One object as a listing shows it (no metadata: S3 lists none; {@link ObjectStore#head} has it). */
public record ObjectSummary(String key, long sizeBytes, Instant lastModified, String eTag) {
}
