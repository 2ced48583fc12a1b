package dev.quorum.cluster;

import dev.quorum.membership.MembershipPlanner;
import java.util.Optional;

/**
 * What one pass did: whether it changed any member, why a change waits if one does, the membership step it took (or
 * that waits), a step etcd has refused the same way for a while, why acting failed if it did, and what the
 * EtcdRecovery holding the members is doing, if one is.
 */
record PassOutcome(boolean acted, Optional<String> waiting, Optional<MembershipPlanner.Step> membershipStep,
    Optional<String> stepRefused, Optional<String> error, Optional<String> recovering,
    Optional<DatabaseCare.Outcome> care, Optional<String> volumesCannotGrow) {

  static final PassOutcome NOTHING = waiting(Optional.empty());

  PassOutcome(boolean acted, Optional<String> waiting, Optional<MembershipPlanner.Step> membershipStep,
      Optional<String> stepRefused, Optional<String> error) {
    this(acted, waiting, membershipStep, stepRefused, error, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** The same outcome, with what it did for the members' databases. */
  PassOutcome withCare(Optional<DatabaseCare.Outcome> done) {
    return new PassOutcome(acted || done.filter(DatabaseCare.Outcome::acted).isPresent(), waiting, membershipStep,
        stepRefused, error, recovering, done, volumesCannotGrow);
  }

  /** The same outcome, with why the volumes cannot grow to storage.size, if they cannot. */
  PassOutcome withVolumes(Optional<String> cannotGrow) {
    return new PassOutcome(acted, waiting, membershipStep, stepRefused, error, recovering, care, cannotGrow);
  }

  static PassOutcome waiting(Optional<String> why) {
    return new PassOutcome(false, why, Optional.empty(), Optional.empty(), Optional.empty());
  }

  static PassOutcome failed(String error) {
    return new PassOutcome(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(error));
  }

  /** An EtcdRecovery holds the members: what it is doing, and whether this pass changed anything. */
  static PassOutcome recovering(boolean acted, String doing) {
    return new PassOutcome(acted, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(doing), Optional.empty(), Optional.empty());
  }
}
