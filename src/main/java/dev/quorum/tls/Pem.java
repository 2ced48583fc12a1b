package dev.quorum.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM, as etcd, etcdctl and Kubernetes TLS Secrets hold certificates and keys: certificates as CERTIFICATE blocks,
 * keys as PKCS#8 PRIVATE KEY blocks (read also as SEC1 / PKCS#1 key pairs, as users' Secrets may hold them).
 * Messages never include the key material.
 */
public final class Pem {

  private Pem() {}

  public static String certificate(X509Certificate certificate) {
    return write(certificate);
  }

  public static String privateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws IllegalArgumentException when the text holds no certificate */
  public static X509Certificate readCertificate(String pem) {
    Object object = read(pem, "certificate");
    if (!(object instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException("not a PEM certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
    }
  }

  /** Every certificate of a bundle (several CERTIFICATE blocks, as a {@code ca.crt} may hold), in order. */
  public static List<X509Certificate> readCertificates(String pem) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("no PEM certificate (empty)");
    }
    List<Object> blocks = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        blocks.add(object);
      }
    } catch (IOException | RuntimeException e) {
      // the parser's message (a bad base64 block, say) may quote the input: not passed on
      throw new IllegalArgumentException("malformed PEM certificate");
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object block : blocks) {
      if (!(block instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("a PEM block that is not a certificate");
      }
      try {
        certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
      } catch (CertificateException e) {
        throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return certificates;
  }

  /** A bundle of certificates, one CERTIFICATE block after another. */
  public static String certificates(List<X509Certificate> certificates) {
    StringBuilder pem = new StringBuilder();
    certificates.forEach(c -> pem.append(certificate(c)));
    return pem.toString();
  }

  /** @throws IllegalArgumentException when the text holds no private key */
  public static PrivateKey readPrivateKey(String pem) {
    Object object = read(pem, "private key");
    try {
      if (object instanceof PrivateKeyInfo info) {
        return new JcaPEMKeyConverter().getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a usable private key", e);
    }
    throw new IllegalArgumentException("not a PEM private key");
  }

  private static Object read(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("no PEM " + what + " (empty)");
    }
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (object == null) {
        throw new IllegalArgumentException("no PEM " + what + " found");
      }
      return object;
    } catch (IOException | RuntimeException e) {
      // the parser's message (a bad base64 block, say) may quote the input: not passed on
      throw new IllegalArgumentException("malformed PEM " + what);
    }
  }

  private static String write(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
