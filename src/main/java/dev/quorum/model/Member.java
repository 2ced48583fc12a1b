package dev.quorum.model;

/**
 * One etcd member as the operator runs it: its name (also its pod's), its stable DNS name through the peer
 * Service, the URLs it is reached at, and how its data is bootstrapped.
 */
public record Member(String name, int ordinal, String host, String peerUrl, String clientUrl,
    MemberBootstrap bootstrap) {}
