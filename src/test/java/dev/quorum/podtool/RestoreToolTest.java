package dev.quorum.podtool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.model.RestoreSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool's file handling on a real directory; fetching from S3 is proven on the rig (EtcdRestoreIT). */
class RestoreToolTest {

  @TempDir
  Path volume;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return new RestoreTool(new PrintStream(out, true), new PrintStream(err, true)).execute(args);
  }

  @Test
  void aMemberThatHasDataIsNotFetchedAgainItsOwnDatabaseStandsIn() throws Exception {
    Path data = volume.resolve("data");
    Files.createDirectories(data.resolve("member/snap"));
    Files.writeString(data.resolve("member/snap/db"), "the member's database");
    Path work = volume.resolve("restore");

    // no S3 settings at all: nothing is downloaded
    assertThat(run(RestoreTool.FETCH, "--data-dir", data.toString(), "--work-dir", work.toString())).isZero();

    assertThat(work.resolve(RestoreTool.SNAPSHOT_FILE)).hasContent("the member's database");
    assertThat(out.toString()).contains("not restoring again");
  }

  @Test
  void aStaticPodRestartedAfterItsRestoreFindsItsOwnDatabaseInsteadOfTheFetchedSnapshot() throws Exception {
    Path data = volume.resolve("data");
    Path work = volume.resolve("restore");
    String[] prepare = RestoreTool.prepareArgs(data.toString(), work.toString()).toArray(String[]::new);
    assertThat(RestoreTool.isToolCommand(prepare)).isTrue();

    assertThat(run(prepare)).as("before the fetch pod ran").isEqualTo(1);
    assertThat(err.toString()).contains("no snapshot at", "fetched before the member's pod starts");

    Files.createDirectories(work);
    Files.writeString(work.resolve(RestoreTool.SNAPSHOT_FILE), "the fetched snapshot");
    assertThat(run(prepare)).isZero();
    assertThat(work.resolve(RestoreTool.SNAPSHOT_FILE)).hasContent("the fetched snapshot");

    // installed, then the pod restarts: the work directory is gone, the member's data stands in
    Files.delete(work.resolve(RestoreTool.SNAPSHOT_FILE));
    Files.createDirectories(data.resolve("member/snap"));
    Files.writeString(data.resolve("member/snap/db"), "the member's database");
    assertThat(run(prepare)).isZero();
    assertThat(work.resolve(RestoreTool.SNAPSHOT_FILE)).hasContent("the member's database");
    assertThat(out.toString()).contains("not restoring again");
  }

  @Test
  void installMovesTheRestoredDataInOnlyWhenTheMemberHasNone() throws Exception {
    Path data = volume.resolve("data");
    Path work = volume.resolve("restore");
    Files.createDirectories(work.resolve("data/member/snap"));
    Files.writeString(work.resolve("data/member/snap/db"), "restored");
    Files.writeString(work.resolve(RestoreTool.SNAPSHOT_FILE), "snapshot");

    assertThat(run(RestoreTool.INSTALL, "--data-dir", data.toString(), "--work-dir", work.toString())).isZero();
    assertThat(data.resolve("member/snap/db")).hasContent("restored");
    assertThat(work).doesNotExist();

    Files.createDirectories(work.resolve("data/member/snap"));
    Files.writeString(work.resolve("data/member/snap/db"), "restored again");
    assertThat(run(RestoreTool.INSTALL, "--data-dir", data.toString(), "--work-dir", work.toString())).isZero();
    assertThat(data.resolve("member/snap/db")).as("never replaced").hasContent("restored");
    assertThat(work).doesNotExist();
  }

  @Test
  void installWithoutARestoredDirectoryFailsSayingSo() {
    int code = run(RestoreTool.INSTALL, "--data-dir", volume.resolve("data").toString(),
        "--work-dir", volume.resolve("restore").toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("etcdutl snapshot restore did not run");
  }

  @Test
  void aDataDirectoryWithoutADatabaseIsNotTakenForAMembers() throws Exception {
    Files.createDirectories(volume.resolve("data"));

    int code = run(RestoreTool.FETCH, "--data-dir", volume.resolve("data").toString(),
        "--work-dir", volume.resolve("restore").toString(), "--bucket", "b", "--key", "k", "--region", "r");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("holds no etcd database");
  }

  @Test
  void missingOptionsAreNamed() {
    assertThat(run(RestoreTool.FETCH, "--data-dir", volume.resolve("data").toString(),
        "--work-dir", volume.resolve("restore").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("--bucket is required");
  }

  @Test
  void fetchArgumentsCarryTheWholeSourceButNeverItsCredentials() {
    RestoreSource source = new RestoreSource("bucket", "ns/c/b.db.gz", "eu-west-1", Optional.of("http://s3:9000"),
        true, Optional.of(new RestoreSource.CredentialsSecret("s3", "id", "secret")), Optional.of("ab12"));

    assertThat(RestoreTool.fetchArgs(source, "/var/lib/etcd/data", "/var/lib/etcd/restore")).containsExactly(
        "restore-fetch", "--data-dir", "/var/lib/etcd/data", "--work-dir", "/var/lib/etcd/restore",
        "--bucket", "bucket", "--key", "ns/c/b.db.gz", "--region", "eu-west-1", "--endpoint", "http://s3:9000",
        "--path-style", "true", "--sha256", "ab12");
    assertThat(RestoreTool.isToolCommand(RestoreTool.fetchArgs(source, "/d", "/w").toArray(String[]::new))).isTrue();
    assertThat(RestoreTool.isToolCommand(RestoreTool.installArgs("/d", "/w").toArray(String[]::new))).isTrue();
    assertThat(RestoreTool.isToolCommand()).isFalse();
    assertThat(RestoreTool.isToolCommand(List.of("-Dx=y").toArray(String[]::new))).isFalse();
  }
}
