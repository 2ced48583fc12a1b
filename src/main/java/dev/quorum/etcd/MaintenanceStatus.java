package dev.quorum.etcd;

import io.etcd.jetcd.api.StatusResponse;

/**
 * What one member says of itself (Maintenance/Status), as a backup records it.
 *
 * @param revision the member's current revision (response header): a snapshot started after this answer holds
 *     at least this revision
 * @param version etcd version the member runs
 * @param dbSize size of its backend database in bytes, as allocated on disk
 */
public record MaintenanceStatus(
    String endpoint,
    long clusterId,
    long memberId,
    long revision,
    long raftTerm,
    long raftIndex,
    long leaderId,
    String version,
    long dbSize) {

  static MaintenanceStatus of(String endpoint, StatusResponse status) {
    return new MaintenanceStatus(
        endpoint,
        status.getHeader().getClusterId(),
        status.getHeader().getMemberId(),
        status.getHeader().getRevision(),
        status.getRaftTerm(),
        status.getRaftIndex(),
        status.getLeader(),
        status.getVersion(),
        status.getDbSize());
  }

  public String clusterIdHex() {
    return EtcdIds.toHex(clusterId);
  }

  public String memberIdHex() {
    return EtcdIds.toHex(memberId);
  }

  public boolean isLeader() {
    return leaderId != 0 && leaderId == memberId;
  }
}
