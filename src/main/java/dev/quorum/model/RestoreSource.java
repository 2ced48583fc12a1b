package dev.quorum.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshot a member's data is restored from: an object in an S3 or S3-compatible bucket, how to reach it, the
 * Secret holding its access key (the default AWS credentials chain when absent) and the SHA-256 the object must have
 * (when known). Resolved once, when the members are put on record, so a pod created later restores exactly this.
 */
public record RestoreSource(String bucket, String key, String region, Optional<String> endpoint,
    boolean forcePathStyle, Optional<CredentialsSecret> credentials, Optional<String> sha256, long bumpRevision) {

  /** Which Secret, and which of its keys, hold the access key. */
  public record CredentialsSecret(String name, String accessKeyIdKey, String secretAccessKeyKey) {}

  static final String LOCATION_KEY = "restore-from";
  static final String REGION_KEY = "restore-region";
  static final String ENDPOINT_KEY = "restore-endpoint";
  static final String PATH_STYLE_KEY = "restore-path-style";
  static final String SHA256_KEY = "restore-sha256";
  /** Absent from a record written before restores bumped revisions: such a restore finishes as it began, unbumped. */
  static final String BUMP_REVISION_KEY = "restore-bump-revision";
  static final String SECRET_KEY = "restore-credentials-secret";
  static final String ACCESS_KEY_ID_KEY = "restore-access-key-id-key";
  static final String SECRET_ACCESS_KEY_KEY = "restore-secret-access-key-key";
  private static final String SCHEME = "s3://";

  public RestoreSource {
    endpoint = endpoint == null ? Optional.empty() : endpoint;
    credentials = credentials == null ? Optional.empty() : credentials;
    sha256 = sha256 == null ? Optional.empty() : sha256;
  }

  /** A source restored at the snapshot's own revision (the fetch side, which never needs the bump). */
  public RestoreSource(String bucket, String key, String region, Optional<String> endpoint, boolean forcePathStyle,
      Optional<CredentialsSecret> credentials, Optional<String> sha256) {
    this(bucket, key, region, endpoint, forcePathStyle, credentials, sha256, 0);
  }

  /** The same object, expected to have this SHA-256. */
  public RestoreSource withSha256(Optional<String> expected) {
    return new RestoreSource(bucket, key, region, endpoint, forcePathStyle, credentials, expected, bumpRevision);
  }

  /** The same object, its restored data's revision moved {@code bump} past the snapshot's (0: not moved). */
  public RestoreSource withBumpRevision(long bump) {
    return new RestoreSource(bucket, key, region, endpoint, forcePathStyle, credentials, sha256, bump);
  }

  /**
   * In place: the restored data starts past the cluster's own newest revision too, which may be beyond the snapshot's
   * (an earlier restore bumped it, or writes went on after the backup), so a client of the cluster never sees its
   * revisions go back. A restore asked not to bump (0) is left as asked.
   *
   * @param snapshotRevision the snapshot's revision, when known (unknown: counted as 0, which bumps further still)
   * @param clusterRevision the newest revision a member of the cluster answered, when known
   */
  public RestoreSource bumpedPast(Optional<Long> snapshotRevision, Optional<Long> clusterRevision) {
    long behind = clusterRevision.orElse(0L) - snapshotRevision.orElse(0L);
    return bumpRevision == 0 || behind <= 0 ? this : withBumpRevision(bumpRevision + behind);
  }

  /** The revision the restored data starts at: the snapshot's, moved past by the bump. */
  public long restoredRevision(long snapshotRevision) {
    return snapshotRevision + bumpRevision;
  }

  /** {@code s3://bucket/key}, for messages and the record. */
  public String uri() {
    return SCHEME + bucket + "/" + key;
  }

  /** The record's lines for this source, in a stable order. */
  Map<String, String> recordEntries() {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put(LOCATION_KEY, uri());
    entries.put(REGION_KEY, region);
    endpoint.ifPresent(e -> entries.put(ENDPOINT_KEY, e));
    if (forcePathStyle) {
      entries.put(PATH_STYLE_KEY, "true");
    }
    sha256.ifPresent(s -> entries.put(SHA256_KEY, s));
    if (bumpRevision > 0) {
      entries.put(BUMP_REVISION_KEY, Long.toString(bumpRevision));
    }
    credentials.ifPresent(c -> {
      entries.put(SECRET_KEY, c.name());
      entries.put(ACCESS_KEY_ID_KEY, c.accessKeyIdKey());
      entries.put(SECRET_ACCESS_KEY_KEY, c.secretAccessKeyKey());
    });
    return entries;
  }

  /** The source the record's entries name; empty when they hold none or an incomplete one (see {@link #hasSource}). */
  static Optional<RestoreSource> fromRecordEntries(Map<String, String> entries) {
    String location = entries.get(LOCATION_KEY);
    String region = entries.get(REGION_KEY);
    if (location == null || !location.startsWith(SCHEME) || region == null || region.isEmpty()) {
      return Optional.empty();
    }
    String path = location.substring(SCHEME.length());
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      return Optional.empty();
    }
    Optional<CredentialsSecret> credentials = Optional.empty();
    if (entries.containsKey(SECRET_KEY)) {
      String idKey = entries.get(ACCESS_KEY_ID_KEY);
      String secretKey = entries.get(SECRET_ACCESS_KEY_KEY);
      if (idKey == null || secretKey == null) {
        return Optional.empty();
      }
      credentials = Optional.of(new CredentialsSecret(entries.get(SECRET_KEY), idKey, secretKey));
    }
    long bump;
    try {
      bump = Long.parseLong(entries.getOrDefault(BUMP_REVISION_KEY, "0"));
    } catch (NumberFormatException e) {
      return Optional.empty(); // written by another hand: every member must restore with the same bump, or none
    }
    return Optional.of(new RestoreSource(path.substring(0, slash), path.substring(slash + 1), region,
        Optional.ofNullable(entries.get(ENDPOINT_KEY)), "true".equals(entries.get(PATH_STYLE_KEY)), credentials,
        Optional.ofNullable(entries.get(SHA256_KEY)), bump));
  }

  static boolean hasSource(Map<String, String> entries) {
    return entries.containsKey(LOCATION_KEY);
  }
}
