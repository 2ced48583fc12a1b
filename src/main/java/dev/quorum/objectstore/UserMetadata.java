package dev.quorum.objectstore;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The user metadata (x-amz-meta-*) stored with an object. Keys are lower case because S3 lowercases them (a
 * "Cluster" written would come back as "cluster"); values are printable ASCII because anything else is encoded
 * differently by each store. {@value #SHA256} is the adapter's own: the SHA-256 of the object's bytes.
 */
public final class UserMetadata {

  /** The hex SHA-256 of the object, written by every upload. */
  public static final String SHA256 = "sha256";
  /** S3's limit on an object's user metadata, keys and values, in bytes. */
  static final int MAX_BYTES = 2048;
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]*");

  private UserMetadata() {
  }

  /** The caller's metadata, checked, with the object's SHA-256 added. */
  static Map<String, String> withSha256(Map<String, String> metadata, String sha256Hex) {
    Map<String, String> all = new TreeMap<>(requireValid(metadata));
    all.put(SHA256, sha256Hex);
    return all;
  }

  /** Checks the caller's metadata before anything is uploaded (so a bad entry never wastes an upload). */
  static Map<String, String> requireValid(Map<String, String> metadata) {
    if (metadata == null) {
      return Map.of();
    }
    // the sha256 entry counts too
    int bytes = SHA256.length() + 64;
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      if (key == null || !KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("metadata key \"" + key + "\" is not lower-case letters, digits, '.', "
            + "'-' or '_'");
      }
      if (key.equals(SHA256)) {
        throw new IllegalArgumentException("metadata key \"" + SHA256 + "\" is reserved: the upload writes the "
            + "object's checksum there");
      }
      if (value == null || !VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("metadata value of \"" + key + "\" is not printable ASCII");
      }
      bytes += key.length() + value.length();
    }
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException("metadata of " + bytes + " bytes (with the sha256) exceeds S3's "
          + MAX_BYTES + " bytes");
    }
    return metadata;
  }
}
