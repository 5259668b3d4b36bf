package dev.kiln.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * Client certificates from PEM text, as Prometheus's {@code tls_config} takes them: a certificate
 * chain and a private key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 * SEC 1 ({@code EC PRIVATE KEY}) form, the last two re-wrapped as PKCS#8 for the JDK.
 */
public final class PemKeys {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private PemKeys() {}

  /** Key managers presenting {@code certPem} with {@code keyPem}. */
  public static KeyManager[] keyManagers(String certPem, String keyPem) throws GeneralSecurityException {
    Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)));
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("no certificate in the client certificate PEM");
    }
    PrivateKey key = privateKey(keyPem);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] pass = new char[0];
    ks.setKeyEntry("client", key, pass, chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    return kmf.getKeyManagers();
  }

  public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(der);
        }
        case "RSA PRIVATE KEY" -> {
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
              sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, octetString(der)))));
        }
        case "EC PRIVATE KEY" -> {
          byte[] curve = ecCurveOid(der);
          byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
          return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
              sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, octetString(der)))));
        }
        default -> {
          // Not a key (e.g. EC PARAMETERS): look further.
        }
      }
    }
    throw new GeneralSecurityException("no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) in the PEM");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm.
      }
    }
    throw new GeneralSecurityException("unsupported PKCS#8 private key");
  }

  /** The named-curve OID ([0] parameters) of a SEC 1 ECPrivateKey, as a DER OBJECT IDENTIFIER. */
  private static byte[] ecCurveOid(byte[] der) throws GeneralSecurityException {
    int[] pos = {0};
    expect(der, pos, 0x30);
    length(der, pos);
    while (pos[0] < der.length) {
      int tag = der[pos[0]++] & 0xff;
      int len = length(der, pos);
      if (tag == 0xa0) {
        return java.util.Arrays.copyOfRange(der, pos[0], pos[0] + len);
      }
      pos[0] += len;
    }
    throw new GeneralSecurityException("EC private key without a named curve");
  }

  private static void expect(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
    if ((der[pos[0]++] & 0xff) != tag) {
      throw new GeneralSecurityException("malformed DER in the private key");
    }
  }

  private static int length(byte[] der, int[] pos) {
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      n = (n << 8) | (der[pos[0]++] & 0xff);
    }
    return n;
  }

  private static byte[] sequence(byte[] content) {
    return tagged(0x30, content);
  }

  private static byte[] octetString(byte[] content) {
    return tagged(0x04, content);
  }

  private static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
