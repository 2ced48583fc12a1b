package dev.quorum.cluster;

import dev.quorum.membership.MembershipPlanner;
import java.util.Optional;

/**
 * What one pass did: whether it changed any member, why a change waits if one does, the membership step it took (or
 * that waits), a step etcd has refused the same way for a while, and why acting failed if it did.
 */
record PassOutcome(boolean acted, Optional<String> waiting, Optional<MembershipPlanner.Step> membershipStep,
    Optional<String> stepRefused, Optional<String> error) {

  static final PassOutcome NOTHING = waiting(Optional.empty());

  static PassOutcome waiting(Optional<String> why) {
    return new PassOutcome(false, why, Optional.empty(), Optional.empty(), Optional.empty());
  }

  static PassOutcome failed(String error) {
    return new PassOutcome(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(error));
  }
}
