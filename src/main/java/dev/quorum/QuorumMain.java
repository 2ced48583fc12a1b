package dev.quorum;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.security.Security;

/** The operator's entry point: Quarkus, after settings that must precede the first network call. */
@QuarkusMain
public final class QuorumMain {

  private QuorumMain() {}

  public static void main(String... args) {
    // members are reached by DNS name and a recreated pod gets a new address: Java's default 30 s cache of a
    // resolved name would keep the operator calling the old one
    Security.setProperty("networkaddress.cache.ttl", "5");
    Security.setProperty("networkaddress.cache.negative.ttl", "1");
    Quarkus.run(args);
  }
}
