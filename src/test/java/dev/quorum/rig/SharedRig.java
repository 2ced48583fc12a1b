package dev.quorum.rig;

import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One rig for the whole test run (starting a control plane costs seconds), closed when the run ends, also
 * when tests fail. Tests keep out of each other's way by working in a namespace of their own.
 */
public final class SharedRig {

  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(SharedRig.class);

  /** Five nodes: a StaticPod-mode cluster grows from three of them to five, one member per node. */
  public static final int SUITE_NODES = 5;

  private SharedRig() {
  }

  public static Rig get(ExtensionContext context) {
    return context.getRoot().getStore(STORE)
        .getOrComputeIfAbsent("rig", k -> new Closeable(Rig.start("suite", SUITE_NODES)), Closeable.class).rig;
  }

  /**
   * A fresh namespace named after the test class, so pod logs carry the test's name, whose pods the API server's Pod
   * Security admission holds to {@code level} ({@code restricted}, or {@code privileged} for a node agent's host
   * directory).
   */
  public static String namespace(Rig rig, ExtensionContext context, String level) {
    String base = context.getRequiredTestClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2")
        .toLowerCase(Locale.ROOT);
    String name = base.length() > 50 ? base.substring(0, 50) : base;
    rig.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName(name)
        .addToLabels("pod-security.kubernetes.io/enforce", level)
        .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
        .endMetadata().build()).serverSideApply();
    return name;
  }

  private record Closeable(Rig rig) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      rig.close();
    }
  }
}
