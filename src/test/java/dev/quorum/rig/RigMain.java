package dev.quorum.rig;

/** Starts a rig and keeps it up: for poking at it by hand with kubectl (KUBECONFIG is printed). */
public final class RigMain {
  public static void main(String[] args) throws Exception {
    try (Rig rig = Rig.start("manual", Integer.parseInt(args.length > 0 ? args[0] : "1"))) {
      System.out.println("KUBECONFIG=" + rig.controlPlane().kubeconfig());
      Thread.currentThread().join();
    }
  }
}
