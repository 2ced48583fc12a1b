package dev.quorum.backup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A clock that runs {@code rate} times faster than {@code base} from {@code origin} on: lets a test watch a
 * schedule of minutes fire every few seconds. With rate 1 it is {@code base} itself.
 */
public final class RateClock extends Clock {

  private final Clock base;
  private final Instant origin;
  private final double rate;

  public RateClock(Clock base, Instant origin, double rate) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("clock rate must be positive: " + rate);
    }
    this.base = base;
    this.origin = origin;
    this.rate = rate;
  }

  public double rate() {
    return rate;
  }

  /** How long to wait in real time for {@code onThisClock} to pass on this clock. */
  public Duration toReal(Duration onThisClock) {
    return rate == 1 ? onThisClock : Duration.ofNanos((long) (onThisClock.toNanos() / rate));
  }

  @Override
  public Instant instant() {
    if (rate == 1) {
      return base.instant();
    }
    Duration elapsed = Duration.between(origin, base.instant());
    return origin.plusNanos((long) (elapsed.toNanos() * rate));
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new RateClock(base.withZone(zone), origin, rate);
  }
}
