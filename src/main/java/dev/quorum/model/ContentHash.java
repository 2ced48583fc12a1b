package dev.quorum.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short hash that tells two contents apart, for an annotation (a pod's shape, the certificates it started with):
 * the first 8 bytes of SHA-256, in hex. Not for integrity: backups keep their whole SHA-256.
 */
public final class ContentHash {

  private ContentHash() {}

  public static String of(String content) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
