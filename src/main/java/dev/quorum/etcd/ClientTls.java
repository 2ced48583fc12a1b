package dev.quorum.etcd;

import io.netty.handler.ssl.SslContext;

/**
 * The TLS a cluster's members want from the operator: its client certificate and the CA it trusts. {@code id} tells
 * two apart (a renewed certificate is a new client), without comparing key material.
 */
public record ClientTls(String id, SslContext context) {}
