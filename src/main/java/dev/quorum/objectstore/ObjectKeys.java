package dev.quorum.objectstore;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Object keys: what the adapter accepts, and the staging key a multipart upload goes to before the finished object
 * is copied onto its final key. Staging keys sit next to their final key, so an operator listing the bucket sees
 * which backup an abandoned one belonged to; {@link ObjectStore#list} hides them.
 */
public final class ObjectKeys {

  /** S3's limit on a key, in UTF-8 bytes. */
  static final int MAX_KEY_BYTES = 1024;
  private static final String STAGING_MARK = ".partial-";
  private static final Pattern STAGING = Pattern.compile(
      Pattern.quote(STAGING_MARK) + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  // the staging key must fit within S3's limit too
  static final int MAX_FINAL_KEY_BYTES = MAX_KEY_BYTES - STAGING_MARK.length() - 36;

  private ObjectKeys() {
  }

  /** Returns {@code key} if the adapter can store an object under it and under its staging key. */
  public static String requireValid(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("an object key is required");
    }
    if (key.startsWith("/")) {
      // s3://bucket//x is a different object from s3://bucket/x: a leading slash is always a mistake here
      throw new IllegalArgumentException("object key \"" + key + "\" starts with '/'");
    }
    if (key.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("object key \"" + key.replaceAll("\\p{Cntrl}", "?")
          + "\" contains control characters");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_FINAL_KEY_BYTES) {
      throw new IllegalArgumentException("object key of " + bytes + " UTF-8 bytes is longer than "
          + MAX_FINAL_KEY_BYTES + " (S3's " + MAX_KEY_BYTES + " less the staging suffix)");
    }
    if (isStaging(key)) {
      throw new IllegalArgumentException("object key \"" + key + "\" has the form of a staging key");
    }
    return key;
  }

  /** Where an upload to {@code key} stages its parts: {@code <key>.partial-<uuid>}. */
  public static String stagingKey(String key, UUID upload) {
    return key + STAGING_MARK + upload;
  }

  /** What every staging key of uploads to {@code key} starts with, to sweep them and only them. */
  public static String stagingPrefix(String key) {
    return key + STAGING_MARK;
  }

  public static boolean isStaging(String key) {
    return STAGING.matcher(key).find();
  }

  /** The final key a staging key was for. */
  public static String finalKeyOf(String stagingKey) {
    if (!isStaging(stagingKey)) {
      throw new IllegalArgumentException("\"" + stagingKey + "\" is not a staging key");
    }
    return stagingKey.substring(0, stagingKey.length() - STAGING_MARK.length() - 36);
  }
}
