package dev.quorum.objectstore;

import java.util.Optional;

/**
 * A finished upload: the object is under {@code key} with these bytes, and its metadata holds {@code sha256Hex}.
 *
 * @param eTag the final object's ETag as the store reports it (for a copied object, not an MD5 of the parts)
 * @param versionId present when the bucket is versioned
 * @param partCount parts streamed: 1 for a stream that fit one part (sent as one PutObject)
 */
public record UploadResult(String key, long sizeBytes, String sha256Hex, String eTag, Optional<String> versionId,
    int partCount) {
}
