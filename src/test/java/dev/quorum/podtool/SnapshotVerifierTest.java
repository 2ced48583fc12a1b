package dev.quorum.podtool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class SnapshotVerifierTest {

  /** What etcd sends: a database of whole pages, then the SHA-256 of the database. */
  static byte[] snapshot(int pages, long seed) {
    byte[] database = database(pages, seed);
    byte[] hash = SnapshotVerifier.sha256().digest(database);
    byte[] snapshot = new byte[database.length + hash.length];
    System.arraycopy(database, 0, snapshot, 0, database.length);
    System.arraycopy(hash, 0, snapshot, database.length, hash.length);
    return snapshot;
  }

  /** Random pages behind a bolt file's header: what the verifier can tell of a database without opening it. */
  static byte[] database(int pages, long seed) {
    byte[] database = new byte[pages * 4096];
    new Random(seed).nextBytes(database);
    int magic = SnapshotVerifier.BOLT_MAGIC;
    for (int i = 0; i < 4; i++) {
      database[SnapshotVerifier.BOLT_MAGIC_OFFSET + i] = (byte) (magic >>> (8 * i));
    }
    return database;
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(SnapshotVerifier.sha256().digest(bytes));
  }

  static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void aSnapshotIsCopiedWholeAndBothChecksumsAreVerified() throws Exception {
    byte[] snapshot = snapshot(40, 1);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    SnapshotVerifier.Verified verified = SnapshotVerifier.copy(new ByteArrayInputStream(snapshot), sink, "s3://b/k",
        Optional.of(sha256(snapshot)));

    assertThat(sink.toByteArray()).isEqualTo(snapshot);
    assertThat(verified).isEqualTo(new SnapshotVerifier.Verified(sha256(snapshot), snapshot.length, snapshot.length,
        false, true));
  }

  @Test
  void aGzipObjectIsDecompressedAndItsStoredBytesAreWhatTheChecksumCovers() throws Exception {
    byte[] snapshot = snapshot(10, 2);
    byte[] stored = gzip(snapshot);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    SnapshotVerifier.Verified verified = SnapshotVerifier.copy(new ByteArrayInputStream(stored), sink, "s3://b/k.gz",
        Optional.of(sha256(stored)));

    assertThat(sink.toByteArray()).isEqualTo(snapshot);
    assertThat(verified.compressed()).isTrue();
    assertThat(verified.storedBytes()).isEqualTo(stored.length);
    assertThat(verified.snapshotBytes()).isEqualTo(snapshot.length);
  }

  @Test
  void oneFlippedByteFailsTheObjectsChecksum() {
    byte[] snapshot = snapshot(10, 3);
    String expected = sha256(snapshot);
    snapshot[5000] ^= 0x01;

    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(snapshot), "s3://b/k", Optional.of(expected)))
        .isInstanceOfSatisfying(SnapshotVerifier.SnapshotRejected.class,
            e -> assertThat(e.reason()).isEqualTo(SnapshotVerifier.CHECKSUM_MISMATCH))
        .hasMessageContaining("s3://b/k has SHA-256 " + sha256(snapshot))
        .hasMessageContaining("but " + expected + " was expected");
  }

  @Test
  void withoutAnExpectedChecksumEtcdsOwnStillCatchesAFlippedByte() {
    byte[] snapshot = snapshot(10, 4);
    snapshot[100] ^= 0x40;

    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(snapshot), "s3://b/k", Optional.empty()))
        .isInstanceOf(SnapshotVerifier.SnapshotRejected.class)
        .hasMessageContaining("fails etcd's own snapshot checksum");
  }

  @Test
  void aPlainDatabaseFileNeedsAnExpectedChecksum() throws Exception {
    byte[] database = database(8, 5);

    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(database), "s3://b/db", Optional.empty()))
        .isInstanceOfSatisfying(SnapshotVerifier.SnapshotRejected.class,
            e -> assertThat(e.reason()).isEqualTo(SnapshotVerifier.UNVERIFIABLE))
        .hasMessageContaining("give the expected sha256");
    assertThat(SnapshotVerifier.verify(new ByteArrayInputStream(database), "s3://b/db", Optional.of(sha256(database)))
        .etcdChecksum()).isFalse();
  }

  @Test
  void somethingTooSmallOrBrokenGzipIsNotASnapshot() throws Exception {
    byte[] tiny = "not a snapshot".getBytes();
    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(tiny), "s3://b/t", Optional.of(sha256(tiny))))
        .isInstanceOfSatisfying(SnapshotVerifier.SnapshotRejected.class,
            e -> assertThat(e.reason()).isEqualTo(SnapshotVerifier.NOT_A_SNAPSHOT));
    byte[] broken = gzip(snapshot(2, 6));
    broken[broken.length / 2] ^= 0x7f;
    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(broken), "s3://b/g", Optional.empty()))
        .isInstanceOf(SnapshotVerifier.SnapshotRejected.class);
    byte[] random = new byte[8 * 4096];
    new Random(8).nextBytes(random);
    assertThatThrownBy(() -> SnapshotVerifier.verify(new ByteArrayInputStream(random), "s3://b/r", Optional.of(sha256(random))))
        .as("the right checksum of something else").hasMessageContaining("is not an etcd database");
  }

  @Test
  void aGzipOfSeveralMembersIsReadWhole() throws Exception {
    byte[] snapshot = snapshot(4, 9);
    int half = snapshot.length / 2;
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    stored.write(gzip(java.util.Arrays.copyOfRange(snapshot, 0, half)));
    stored.write(gzip(java.util.Arrays.copyOfRange(snapshot, half, snapshot.length)));
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    SnapshotVerifier.copy(new ByteArrayInputStream(stored.toByteArray()), sink, "s3://b/pigz.gz", Optional.empty());

    assertThat(sink.toByteArray()).isEqualTo(snapshot);
  }

  @Test
  void theTrailingChecksumIsFoundWhateverTheChunking() {
    byte[] snapshot = snapshot(3, 7);
    for (int chunk : new int[] {1, 7, 31, 32, 33, 4096, 5000}) {
      SnapshotVerifier.TrailingChecksum check = new SnapshotVerifier.TrailingChecksum();
      for (int offset = 0; offset < snapshot.length; offset += chunk) {
        check.update(snapshot, offset, Math.min(chunk, snapshot.length - offset));
      }
      assertThat(check.matches()).as("chunks of %d", chunk).isTrue();
      assertThat(check.count()).isEqualTo(snapshot.length);
    }
  }
}
