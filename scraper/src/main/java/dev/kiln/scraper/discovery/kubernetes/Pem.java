package dev.kiln.scraper.discovery.kubernetes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM certificates and private keys (PKCS#8, PKCS#1 RSA, SEC1 EC) turned into an
 * {@link SSLContext}, as kubeconfig files and service account mounts provide them.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private Pem() {}

  /** The certificates in PEM text. */
  static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
      out.add((X509Certificate) c);
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("no certificate found in PEM data");
    }
    return out;
  }

  /** The first private key in PEM text. */
  static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
    Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (type) {
        case "PRIVATE KEY" -> {
          for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
              return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
              // Try the next algorithm.
            }
          }
          throw new GeneralSecurityException("unsupported PKCS#8 private key");
        }
        case "RSA PRIVATE KEY" -> {
          byte[] alg = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8(alg, der)));
        }
        case "EC PRIVATE KEY" -> {
          byte[] curve = ecCurveOid(der);
          ByteArrayOutputStream alg = new ByteArrayOutputStream();
          byte[] ecOid = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
          alg.writeBytes(ecOid);
          alg.writeBytes(curve);
          return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8(tlv(0x30, alg.toByteArray()), der)));
        }
        default -> {
          // Not a key block (e.g. a certificate); keep looking.
        }
      }
    }
    throw new GeneralSecurityException("no private key found in PEM data");
  }

  /**
   * An SSL context trusting {@code roots} (the JDK defaults when null, everything when
   * {@code insecure}) and presenting {@code key} with {@code chain} when given.
   */
  static SSLContext context(List<X509Certificate> roots, boolean insecure, PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException, IOException {
    TrustManager[] tms = null;
    if (insecure) {
      tms = new TrustManager[] {new TrustAll()};
    } else if (roots != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (X509Certificate c : roots) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      tms = tmf.getTrustManagers();
    }
    javax.net.ssl.KeyManager[] kms = null;
    if (key != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      char[] pw = new char[0];
      ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      kms = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kms, tms, new SecureRandom());
    return ctx;
  }

  private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithmIdentifier);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
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
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** The curve OID (as a DER TLV) inside a SEC1 {@code ECPrivateKey}'s {@code [0] parameters}. */
  private static byte[] ecCurveOid(byte[] der) throws GeneralSecurityException {
    int[] pos = {0};
    header(der, pos, 0x30);
    int len = header(der, pos, 0x02);
    pos[0] += len;
    len = header(der, pos, 0x04);
    pos[0] += len;
    if (pos[0] < der.length && (der[pos[0]] & 0xff) == 0xa0) {
      header(der, pos, 0xa0);
      int start = pos[0];
      int oidLen = header(der, pos, 0x06);
      byte[] out = new byte[pos[0] - start + oidLen];
      System.arraycopy(der, start, out, 0, out.length);
      return out;
    }
    throw new GeneralSecurityException("EC private key without curve parameters");
  }

  /** Reads a tag and length at pos (advancing past them); returns the length. */
  private static int header(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
    if (pos[0] + 2 > der.length || (der[pos[0]] & 0xff) != tag) {
      throw new GeneralSecurityException("malformed DER key");
    }
    pos[0]++;
    int len = der[pos[0]++] & 0xff;
    if (len >= 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = len << 8 | der[pos[0]++] & 0xff;
      }
    }
    return len;
  }

  /** Trusts every chain and, being an extended trust manager, skips the host name check too. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
