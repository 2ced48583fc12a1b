package dev.quorum.objectstore;

/** An object-store call failed; {@link #failure()} says why and whether retrying can help. */
public class ObjectStoreException extends RuntimeException {

  private final Failure failure;

  public ObjectStoreException(Failure failure, Throwable cause) {
    super(failure.message(), cause);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }

  public String reason() {
    return failure.reason();
  }

  public boolean isTransient() {
    return failure.isTransient();
  }
}
