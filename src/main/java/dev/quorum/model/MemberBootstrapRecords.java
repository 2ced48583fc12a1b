package dev.quorum.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The recorded bootstrap of each member, as kept in the cluster's members ConfigMap: key = member name,
 * value = {@link MemberBootstrap#toRecord()}. This is the per-member seam: founding members are recorded
 * when the cluster is created; a member that joins later (membership), or starts from a backup (restore),
 * gets its record before its pod is created, so a crash in between leaves the decision on record.
 */
public record MemberBootstrapRecords(Map<String, MemberBootstrap> byMember, Map<String, String> unreadable) {

  public static final MemberBootstrapRecords NONE = new MemberBootstrapRecords(Map.of(), Map.of());

  public static MemberBootstrapRecords parse(Map<String, String> data) {
    Map<String, MemberBootstrap> byMember = new TreeMap<>();
    Map<String, String> unreadable = new TreeMap<>();
    if (data != null) {
      data.forEach((member, record) -> {
        String text = record == null ? "" : record;
        MemberBootstrap.fromRecord(text).ifPresentOrElse(
            bootstrap -> byMember.put(member, bootstrap), () -> unreadable.put(member, text));
      });
    }
    return new MemberBootstrapRecords(Map.copyOf(byMember), Map.copyOf(unreadable));
  }

  public Optional<MemberBootstrap> of(String member) {
    return Optional.ofNullable(byMember.get(member));
  }

  /** The same records with {@code member}'s replaced by (or set to) {@code bootstrap}. */
  public MemberBootstrapRecords with(String member, MemberBootstrap bootstrap) {
    Map<String, MemberBootstrap> updated = new TreeMap<>(byMember);
    updated.put(member, bootstrap);
    return new MemberBootstrapRecords(Map.copyOf(updated), unreadable);
  }

  /** The same records without {@code member}'s: it has left the cluster. */
  public MemberBootstrapRecords without(String member) {
    Map<String, MemberBootstrap> kept = new TreeMap<>(byMember);
    kept.remove(member);
    Map<String, String> keptUnreadable = new TreeMap<>(unreadable);
    keptUnreadable.remove(member);
    return new MemberBootstrapRecords(Map.copyOf(kept), Map.copyOf(keptUnreadable));
  }

  /** Whether any member still has a snapshot to restore on record. */
  public boolean restoring() {
    return byMember.values().stream().anyMatch(b -> b.restore().isPresent());
  }

  /** The same records once the members' data is restored: their claims stay, their snapshot goes. */
  public MemberBootstrapRecords restored() {
    Map<String, MemberBootstrap> done = new TreeMap<>();
    byMember.forEach((member, bootstrap) -> done.put(member, bootstrap.restored()));
    return new MemberBootstrapRecords(Map.copyOf(done), unreadable);
  }

  /** The members on record, readable or not. */
  public Set<String> members() {
    Set<String> members = new TreeSet<>(byMember.keySet());
    members.addAll(unreadable.keySet());
    return members;
  }

  public boolean isEmpty() {
    return byMember.isEmpty() && unreadable.isEmpty();
  }

  /** How many members the cluster was given records for: its running size until membership changes it. */
  public int count() {
    return byMember.size() + unreadable.size();
  }
}
