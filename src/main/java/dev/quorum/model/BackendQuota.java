package dev.quorum.model;

import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import java.util.Optional;

/** The size etcd lets a member's database reach before it raises NOSPACE (--quota-backend-bytes). */
public final class BackendQuota {

  /** etcd's own default when the flag is not given. */
  public static final long ETCD_DEFAULT_BYTES = 2L * 1024 * 1024 * 1024;

  private BackendQuota() {}

  public static long bytes(EtcdClusterSpec spec) {
    return Optional.ofNullable(spec.getEtcd()).map(e -> e.getQuotaBackendBytes()).filter(q -> q > 0)
        .orElse(ETCD_DEFAULT_BYTES);
  }
}
