package dev.quorum.cluster;

import java.time.Instant;
import java.util.Optional;

/**
 * What the status tells of a TLS cluster's certificates.
 *
 * @param secret the Secret the members mount
 * @param expires when the members' certificate expires
 * @param caExpires when the operator's CA expires (none for the user's Secret)
 * @param rotation what a change of CA in progress waits for
 */
public record TlsCertificates(String secret, Instant expires, Optional<Instant> caExpires, Optional<String> rotation) {}
