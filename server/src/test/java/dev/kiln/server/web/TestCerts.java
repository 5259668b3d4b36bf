package dev.kiln.server.web;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA issuing server and client certificates as PEM files, for tests. */
final class TestCerts {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private final Path dir;
  private final KeyPair caKey;
  private final X509Certificate ca;
  final Path caFile;

  TestCerts(Path dir, String name) throws Exception {
    this.dir = dir;
    this.caKey = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    var b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))), subject,
        caKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = sign(b, caKey);
    caFile = dir.resolve(name + "-ca.pem");
    Files.writeString(caFile, pem(ca));
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  /** Issues a certificate with the SANs (DNS names, or IPs when they parse as such); returns {cert, key} files. */
  Path[] issue(String name, Instant notBefore, Instant notAfter, String... sans) throws Exception {
    KeyPair kp = keyPair();
    var b = new JcaX509v3CertificateBuilder(caIssuer(), BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore),
        Date.from(notAfter), new X500Name("CN=" + name), kp.getPublic());
    GeneralName[] names = new GeneralName[sans.length];
    for (int i = 0; i < sans.length; i++) {
      names[i] = sans[i].matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, sans[i])
          : new GeneralName(GeneralName.dNSName, sans[i]);
    }
    if (names.length > 0) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    X509Certificate cert = sign(b, caKey);
    Path certFile = dir.resolve(name + ".crt");
    Path keyFile = dir.resolve(name + ".key");
    Files.writeString(certFile, pem(cert));
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
    }
    Files.writeString(keyFile, sw.toString());
    return new Path[] {certFile, keyFile};
  }

  /** A certificate valid from a day ago for 30 days. */
  Path[] issue(String name, String... sans) throws Exception {
    return issue(name, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), sans);
  }

  private X500Name caIssuer() {
    return new X500Name(ca.getSubjectX500Principal().getName());
  }

  private static String pem(Object o) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }
}
