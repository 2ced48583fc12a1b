package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GzipCompressingStreamTest {

  @ParameterizedTest
  @ValueSource(ints = { 0, 1, 65_535, 65_536, 65_537, 1_000_003 })
  void whatIsReadIsTheGzipOfTheSourceAtAnySize(int size) throws IOException {
    byte[] random = new byte[size];
    new Random(size).nextBytes(random);

    assertThat(gunzip(compress(random, 8192))).isEqualTo(random);
    assertThat(gunzip(compress(random, 1))).as("read byte by byte").isEqualTo(random);
  }

  @ParameterizedTest
  @ValueSource(ints = { 100_000, 3_000_000 })
  void repetitiveDataShrinks(int size) throws IOException {
    String line = "{\"kind\":\"ConfigMap\",\"metadata\":{\"namespace\":\"default\"}}\n";
    byte[] text = line.repeat(size / line.length() + 1)
        .substring(0, size).getBytes(StandardCharsets.UTF_8);

    byte[] compressed = compress(text, 8192);

    assertThat(gunzip(compressed)).isEqualTo(text);
    assertThat(compressed.length).isLessThan(size / 10);
  }

  private static byte[] compress(byte[] source, int readSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new GzipCompressingStream(new ByteArrayInputStream(source))) {
      if (readSize == 1) {
        for (int b = in.read(); b >= 0; b = in.read()) {
          out.write(b);
        }
      } else {
        byte[] buffer = new byte[readSize];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
        }
      }
      assertThat(in.read()).as("stays at its end").isEqualTo(-1);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] gzip) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }
}
