package dev.quorum.objectstore;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What HeadObject tells of one object. */
public record ObjectInfo(String key, long sizeBytes, Instant lastModified, String eTag, Optional<String> versionId,
    Map<String, String> metadata) {

  /** The SHA-256 the upload stored; absent for objects this adapter did not write. */
  public Optional<String> sha256Hex() {
    return Optional.ofNullable(metadata.get(UserMetadata.SHA256));
  }
}
