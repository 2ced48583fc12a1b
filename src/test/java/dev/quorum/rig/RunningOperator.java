package dev.quorum.rig;

/** The operator a test or the demo relies on, however it runs (the chart's pod, or a process on this machine). */
public interface RunningOperator extends AutoCloseable {

  boolean isAlive();

  /** Fails, with the end of its log, when the operator no longer runs: a wait for it to act ends at once. */
  default void assertAlive() {
    if (!isAlive()) {
      throw new IllegalStateException("the operator no longer runs:\n" + logTail(40));
    }
  }

  String logTail(int lines);

  @Override
  void close();
}
