package dev.quorum.specs;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** Security contexts that satisfy the "restricted" Pod Security Standard. */
final class PodSecurity {

  /** The distroless "nonroot" user the etcd images are built for. */
  static final long NON_ROOT_ID = 65532L;

  private PodSecurity() {}

  static PodSecurityContext pod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(NON_ROOT_ID)
        .withRunAsGroup(NON_ROOT_ID)
        // makes the data volume writable by the etcd user
        .withFsGroup(NON_ROOT_ID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  static SecurityContext container() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  /** Static pods run as root, as kubeadm's etcd does: their data is a host directory, which takes no fsGroup. */
  static PodSecurityContext staticPod() {
    return new PodSecurityContextBuilder()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** Root owns the host directories it writes, so it needs no capability, not even to override file permissions. */
  static SecurityContext staticPodContainer() {
    return new SecurityContextBuilder()
        .withRunAsUser(0L)
        .withRunAsNonRoot(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }
}
