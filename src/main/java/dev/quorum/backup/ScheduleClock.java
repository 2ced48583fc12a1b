package dev.quorum.backup;

import dev.quorum.config.QuorumConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The clock backup schedules run on: the system's, in UTC, unless a test speeds it up (quorum.backup.clock-rate). */
@ApplicationScoped
public class ScheduleClock {

  @Produces
  @Singleton
  RateClock clock(QuorumConfig config) {
    Clock system = Clock.systemUTC();
    return new RateClock(system, system.instant(), config.backup().clockRate());
  }
}
