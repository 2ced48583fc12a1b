package dev.quorum.model;

/** Majority arithmetic of a Raft cluster. */
public final class Quorum {

  private Quorum() {}

  /** Members that must agree for the cluster to make progress. */
  public static int quorum(int size) {
    return size / 2 + 1;
  }

  /** How many more members may fail before quorum is lost. */
  public static int faultTolerance(int readyMembers, int size) {
    return Math.max(0, readyMembers - quorum(size));
  }
}
