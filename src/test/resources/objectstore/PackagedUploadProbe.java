import dev.quorum.objectstore.ObjectStore;
import dev.quorum.objectstore.S3Credentials;
import dev.quorum.objectstore.S3Settings;
import dev.quorum.objectstore.UploadResult;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Run by StreamingUploadIT as a source file on the packaged operator's classpath alone (target/quarkus-app), so a
 * runtime dependency the test classpath happens to provide cannot hide. Args: endpoint bucket accessKey secretKey key.
 */
public class PackagedUploadProbe {

  public static void main(String[] args) {
    S3Settings settings = new S3Settings(args[1], "us-east-1", Optional.of(URI.create(args[0])), true,
        Optional.of(new S3Credentials(args[2], args[3])));
    try (ObjectStore store = ObjectStore.connect(settings)) {
      UploadResult result = store.upload(new ByteArrayInputStream(new byte[1024]), args[4], Map.of("probe", "packaged"));
      System.out.println("uploaded " + result.sizeBytes() + " bytes, sha256 " + result.sha256Hex());
    }
  }
}
