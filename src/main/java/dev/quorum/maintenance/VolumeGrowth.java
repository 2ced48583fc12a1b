package dev.quorum.maintenance;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pure: what growing {@code storage.size} asks of the members' volume claims. A claim asks for the new size only where
 * its StorageClass allows expansion; where one does not, nothing changes and the user is told. The size the members'
 * volumes all have (the smallest claim's capacity, never above the spec's size) is what the quota is derived from,
 * so the quota grows only once every volume has: a quota beyond the disk would let the disk fill before NOSPACE.
 *
 * @param expand claims to ask for the spec's size now
 * @param unsupported why some claims cannot grow, naming them and their StorageClass, if some cannot
 * @param volumeBytes the size every member's volume has now; empty while no claim is bound
 */
public record VolumeGrowth(List<PersistentVolumeClaim> expand, Optional<String> unsupported, Optional<Long> volumeBytes) {

  /** Why a StorageClass gives no more room: it says so. */
  public static final String NO_EXPANSION = "does not allow volume expansion (allowVolumeExpansion)";

  /**
   * @param claims the members' claims (not those being deleted)
   * @param cannotExpand why a StorageClass (by name) cannot give a claim more room, for those that cannot; a class
   *     not named here can
   */
  public static VolumeGrowth plan(long specBytes, List<PersistentVolumeClaim> claims, Map<String, String> cannotExpand) {
    List<PersistentVolumeClaim> small = smallerThan(specBytes, claims);
    List<PersistentVolumeClaim> cannot = small.stream().filter(c -> c.getSpec().getStorageClassName() == null
        || cannotExpand.containsKey(c.getSpec().getStorageClassName())).toList();
    // by StorageClass, each with why it cannot give more room, its claims by name
    Map<String, List<String>> byClass = new TreeMap<>();
    cannot.forEach(c -> byClass.computeIfAbsent(className(c), k -> new ArrayList<>()).add(c.getMetadata().getName()));
    Optional<String> unsupported = cannot.isEmpty() ? Optional.empty() : Optional.of(String.format(
        "storage.size grew to %s, but these claims cannot grow: %s; the volumes and the quota stay as they are: use a"
            + " StorageClass that can expand, or create a new cluster with larger volumes and restore a backup into it",
        mib(specBytes), String.join("; ", byClass.entrySet().stream().map(e -> String.join(", ",
            e.getValue().stream().sorted().toList()) + " (StorageClass " + e.getKey() + " "
            + cannotExpand.getOrDefault(e.getKey(), "is not known") + ")").toList())));
    Optional<Long> volumeBytes = claims.stream().map(VolumeGrowth::capacity).flatMap(Optional::stream)
        .min(Long::compare).map(smallest -> Math.min(smallest, specBytes));
    Set<PersistentVolumeClaim> blocked = Set.copyOf(cannot);
    return new VolumeGrowth(small.stream().filter(c -> !blocked.contains(c)).toList(), unsupported, volumeBytes);
  }

  /** The claims that ask for less than the spec's size: only their StorageClasses matter. */
  public static List<PersistentVolumeClaim> smallerThan(long specBytes, List<PersistentVolumeClaim> claims) {
    return claims.stream().filter(c -> requested(c).orElse(specBytes) < specBytes).toList();
  }

  static Optional<Long> requested(PersistentVolumeClaim claim) {
    return Optional.ofNullable(claim.getSpec()).map(s -> s.getResources()).map(r -> r.getRequests())
        .map(r -> r.get("storage")).map(VolumeGrowth::bytes);
  }

  /** What the bound volume holds, as the claim's status says (after an expansion, once the file system grew). */
  static Optional<Long> capacity(PersistentVolumeClaim claim) {
    return Optional.ofNullable(claim.getStatus()).filter(s -> "Bound".equals(s.getPhase()))
        .map(s -> s.getCapacity()).map(c -> c.get("storage")).map(VolumeGrowth::bytes);
  }

  private static long bytes(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity).longValue();
  }

  private static String className(PersistentVolumeClaim claim) {
    return Optional.ofNullable(claim.getSpec().getStorageClassName()).orElse("none");
  }

  private static String mib(long bytes) {
    return bytes % (1024L * 1024 * 1024) == 0 ? bytes / (1024L * 1024 * 1024) + "Gi" : bytes / (1024 * 1024) + "Mi";
  }
}
