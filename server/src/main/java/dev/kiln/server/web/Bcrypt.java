package dev.kiln.server.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;

/** bcrypt hash checks with Go's {@code golang.org/x/crypto/bcrypt} rules and messages. */
final class Bcrypt {
  private static final int MIN_COST = 4;
  private static final int MAX_COST = 31;
  private static final BCrypt.Verifyer VERIFYER =
      BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

  private Bcrypt() {}

  /** Fails unless {@code hash} is a bcrypt hash Go's {@code bcrypt.Cost} accepts. */
  static void validate(String hash) {
    if (hash.length() < 59) {
      throw new WebConfigException("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
    }
    if (hash.charAt(0) != '$') {
      throw new WebConfigException("crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret started with '"
          + hash.charAt(0) + "'");
    }
    if (hash.charAt(1) > '2') {
      throw new WebConfigException("crypto/bcrypt: bcrypt algorithm version '" + hash.charAt(1)
          + "' requested is newer than current version '2'");
    }
    int costAt = hash.charAt(2) == '$' ? 3 : 4;
    int cost;
    try {
      cost = Integer.parseInt(hash.substring(costAt, costAt + 2));
    } catch (NumberFormatException e) {
      throw new WebConfigException("crypto/bcrypt: invalid cost in hash: " + e.getMessage());
    }
    if (cost < MIN_COST || cost > MAX_COST) {
      throw new WebConfigException("crypto/bcrypt: cost " + cost + " is outside allowed inclusive range "
          + MIN_COST + ".." + MAX_COST);
    }
  }

  /** True when {@code password} matches {@code hash}; the work is the hash's own cost. */
  static boolean matches(String password, String hash) {
    try {
      return VERIFYER.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
