package dev.quorum.cluster;

import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.model.PodReadiness;
import dev.quorum.specs.TlsSecretsBuilder;
import dev.quorum.tls.CertificateChecks;
import dev.quorum.tls.ClusterCertificates;
import dev.quorum.tls.Pem;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Pure: a TLS cluster's certificates for one pass, from its Secrets as they are and its member pods. With operator
 * certificates, the Secrets to apply ({@link ClusterCertificates} decides what they hold); with the user's Secret, a
 * check that members can use it. Either way the revision members are to run with: a pod started with another one
 * is rolled, one at a time, like any change to the members.
 */
final class MemberTls {

  /**
   * What one pass does with TLS: the operator's Secrets to apply (none for a Secret the user or cert-manager keeps),
   * the revision members are to run with, and what the status shows; or, while cert-manager has not written the
   * members' Secret yet, what the members wait for.
   */
  record Pass(List<Secret> secrets, Map<String, Map<String, String>> read, String revision,
      Optional<TlsCertificates> certificates, Optional<String> pending) {

    Pass(List<Secret> secrets, Map<String, Map<String, String>> read, String revision,
        TlsCertificates certificates) {
      this(secrets, read, revision, Optional.of(certificates), Optional.empty());
    }

    static Pass pending(String why) {
      return new Pass(List.of(), Map.of(), "", Optional.empty(), Optional.of(why));
    }

    /**
     * Whether the Secret {@code name} holds now what this pass read ({@code now} empty: it does not exist). One deleted
     * or replaced since is left to the next pass: applying what this one decided would bring back the certificate or
     * CA a user just deleted to have it issued again.
     */
    boolean unchangedSinceRead(String name, Optional<Map<String, String>> now) {
      return Optional.ofNullable(read.get(name)).equals(now);
    }

    /** Never the Secrets: the operator's hold keys. */
    @Override
    public String toString() {
      return "Pass[revision=" + revision + ", certificates=" + certificates + ", pending=" + pending + "]";
    }
  }

  /** A Secret members cannot use; its message names the Secret and what is wrong, never key material. */
  static final class SecretProblem extends RuntimeException {
    SecretProblem(String message) {
      super(message);
    }
  }

  private MemberTls() {}

  /**
   * @param secretData a Secret's data in the cluster's namespace by name, when it exists
   * @throws SecretProblem when the CA Secret or the user's Secret cannot be used
   */
  static Pass of(EtcdClusterModel model, Set<String> recorded, List<Pod> pods,
      Function<String, Optional<Map<String, String>>> secretData, Instant now) {
    Map<String, Map<String, String>> read = new HashMap<>();
    Function<String, Optional<Map<String, String>>> reading = name -> {
      Optional<Map<String, String>> data = secretData.apply(name);
      data.ifPresent(d -> read.put(name, d));
      return data;
    };
    Optional<Map<String, String>> members = reading.apply(model.tls().memberTlsSecret());
    if (model.tls().certManagerCertificates()) {
      if (members.isEmpty()) {
        return Pass.pending("waiting for cert-manager to issue the Secret " + model.tls().memberTlsSecret()
            + " (Certificate " + model.tls().memberTlsSecret() + ")");
      }
      return usersSecret(model, members, now, "(Certificate " + model.tls().memberTlsSecret() + ")", true);
    }
    if (!model.tls().operatorCertificates()) {
      return usersSecret(model, members, now, "(spec.tls.secretName)", false);
    }
    // a step of a CA change waits until every member serves again with the Secret as it is: every member on record,
    // since one that has yet to join starts with the Secret as it is then (and waits for the change to end)
    Optional<String> live = members.map(data -> revision(model, data));
    List<Member> running = model.members().stream().filter(m -> recorded.contains(m.name())).toList();
    boolean membersCurrent = live.isPresent() && PodReadiness.everyMemberReady(running, pods,
        (member, p) -> p.getMetadata().getAnnotations() != null
            && live.get().equals(p.getMetadata().getAnnotations().get(Annotations.TLS_REVISION)));
    ClusterCertificates.Desired desired;
    try {
      ClusterCertificates.Names names = new ClusterCertificates.Names(model.tls().tlsDnsNames(), model.tls().tlsIpAddresses());
      desired = ClusterCertificates.desired(model.name(), names, reading.apply(model.tls().caSecret()), members,
          reading.apply(model.tls().clientTlsSecret()), membersCurrent, now);
    } catch (IllegalArgumentException e) {
      throw new SecretProblem("the CA Secret " + model.tls().caSecret() + " cannot be used (" + e.getMessage()
          + "); the members keep their certificates: restore the Secret, or delete it to have the operator make a"
          + " new CA (the members then restart three times, one at a time)");
    }
    // a member with ephemeral storage is never restarted (it would come back empty): its CAs cannot change
    Optional<String> rotation = desired.rotation().map(step -> model.ephemeral()
        ? step + "; but members with ephemeral storage are never restarted, so they keep trusting only the CAs they"
            + " started with: recreate the cluster from a backup to change its CA"
        : step);
    return new Pass(TlsSecretsBuilder.build(model, desired), Map.copyOf(read), revision(model, desired.member()),
        new TlsCertificates(
        model.tls().memberTlsSecret(), desired.certificateExpires(),
        Optional.of(desired.authority().certificate().getNotAfter().toInstant()), rotation));
  }

  /**
   * The revision of the members' Secret that members are to run with: a pod started with another is restarted. In
   * StatefulSet mode any change to the certificates; in StaticPod mode only a change of what members trust or of
   * their certificate's issuer: a node joining changes the certificate (it names the nodes' addresses), and the node
   * agents put it under the running members, who present it at their next handshake, so a join restarts no member.
   */
  static String revision(EtcdClusterModel model, Map<String, String> data) {
    return model.staticPods() ? ClusterCertificates.trustRevision(data) : ClusterCertificates.revision(data);
  }

  /** The names peers, the operator and clients reach members by: DNS names, or static pods' node addresses. */
  private static List<String> hosts(EtcdClusterModel model) {
    return model.members().stream().map(Member::host).toList();
  }

  /**
   * @param from where the Secret comes from, for the message
   * @param issuedOnRequest whether it is issued for the names the operator asks (cert-manager's Certificate names the
   *     members as they are now): one not covering a member yet, a node that just joined, is waited for, not wrong
   */
  private static Pass usersSecret(EtcdClusterModel model, Optional<Map<String, String>> data, Instant now,
      String from, boolean issuedOnRequest) {
    String name = model.tls().memberTlsSecret();
    if (data.isEmpty()) {
      throw new SecretProblem("the Secret " + name + " " + from + " does not exist; the members need its"
          + " ca.crt, tls.crt and tls.key");
    }
    Map<String, String> decoded = ClusterCertificates.decoded(data.get());
    List<String> problems = CertificateChecks.memberSecretProblems(decoded,
        issuedOnRequest ? List.of() : hosts(model), now);
    if (!problems.isEmpty()) {
      throw new SecretProblem("the Secret " + name + " " + from + " cannot be used: "
          + String.join("; ", problems) + "; the members are left as they are");
    }
    X509Certificate certificate = Pem.readCertificate(decoded.get(ClusterCertificates.CERT));
    List<String> uncovered = issuedOnRequest ? CertificateChecks.uncovered(certificate, hosts(model)) : List.of();
    if (!uncovered.isEmpty()) {
      return Pass.pending("waiting for cert-manager to issue the Secret " + name + " for "
          + String.join(", ", uncovered) + " " + from);
    }
    Instant expires = certificate.getNotAfter().toInstant();
    return new Pass(List.of(), Map.of(), revision(model, data.get()),
        new TlsCertificates(name, expires, Optional.empty(), Optional.empty()));
  }
}
