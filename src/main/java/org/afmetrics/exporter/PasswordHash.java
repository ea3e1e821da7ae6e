package org.afmetrics.exporter;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted password hashes for basic auth: {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (salt and hash
 * in base64). Only the hash ever appears in the agent's arguments, never the password.
 */
public final class PasswordHash {
    static final String SCHEME = "pbkdf2-sha256";
    static final int DEFAULT_ITERATIONS = 120_000;
    private static final int HASH_BYTES = 32;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Parses {@code pbkdf2-sha256:N:SALT:HASH}; the message never repeats the text given. */
    public static PasswordHash parse(String text) {
        String[] p = text.trim().split(":");
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not of the form " + SCHEME + ":ITERATIONS:SALT:HASH");
        }
        try {
            int n = Integer.parseInt(p[1]);
            byte[] salt = Base64.getDecoder().decode(p[2]);
            byte[] hash = Base64.getDecoder().decode(p[3]);
            if (n < 1000 || salt.length < 8 || hash.length != HASH_BYTES) {
                throw new IllegalArgumentException("needs >= 1000 iterations, >= 8 salt bytes and a 32-byte hash");
            }
            return new PasswordHash(n, salt, hash);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count is not a number");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("salt or hash is not base64, or too short");
        }
    }

    /** A new hash of the password with a random salt. */
    public static String create(char[] password) throws GeneralSecurityException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] hash = derive(password, salt, DEFAULT_ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + ":" + DEFAULT_ITERATIONS + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    public boolean matches(char[] password) {
        try {
            return MessageDigest.isEqual(hash, derive(password, salt, iterations));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean sameSecret(byte[] expected, String given) {
        return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }
}
