package dev.quorum.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Reads the gzip form of another stream, compressing a chunk at a time as it is read: the upload pulls from an
 * InputStream, and the JDK only compresses into an OutputStream. Memory: one chunk and its compressed form.
 */
final class GzipCompressingStream extends InputStream {

  private static final int CHUNK = 64 * 1024;

  private final InputStream source;
  private final byte[] chunk = new byte[CHUNK];
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream(CHUNK);
  private final GZIPOutputStream gzip;
  private byte[] ready = new byte[0];
  private int position;
  private boolean sourceDone;

  GzipCompressingStream(InputStream source) throws IOException {
    this.source = source;
    // the fastest level: on incompressible data even it halves the backup's throughput (docs/benchmarks.md)
    this.gzip = new GZIPOutputStream(sink, CHUNK) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    };
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (position == ready.length) {
      if (sourceDone) {
        return -1;
      }
      fill();
    }
    int n = Math.min(length, ready.length - position);
    System.arraycopy(ready, position, buffer, offset, n);
    position += n;
    return n;
  }

  /** Compresses the next chunk of the source (or finishes the gzip trailer at its end) into {@link #ready}. */
  private void fill() throws IOException {
    int n = source.read(chunk);
    if (n < 0) {
      gzip.finish();
      sourceDone = true;
    } else {
      gzip.write(chunk, 0, n);
    }
    ready = sink.toByteArray();
    sink.reset();
    position = 0;
  }

  @Override
  public void close() throws IOException {
    try {
      source.close();
    } finally {
      gzip.close();
    }
  }
}
