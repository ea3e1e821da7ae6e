package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;

/**
 * Who may read and write the exporter: basic auth and TLS on {@code /metrics} (the hooks
 * simpleclient_httpserver and the JDK server offer), and the push endpoint's token. Secrets come
 * from files or as a salted hash; no message ever repeats one. A setting that is asked for but
 * cannot be honoured stops the exporter rather than serving without it.
 */
public final class HttpSecurity {
    private static final HttpSecurity NONE = new HttpSecurity(null, null, null);

    private final Authenticator authenticator;
    private final HttpsConfigurator https;
    private final byte[] pushToken;

    private HttpSecurity(Authenticator authenticator, HttpsConfigurator https, byte[] pushToken) {
        this.authenticator = authenticator;
        this.https = https;
        this.pushToken = pushToken;
    }

    public static HttpSecurity none() {
        return NONE;
    }

    /** The settings' access control; throws with a message naming the setting that cannot be used. */
    public static HttpSecurity fromConfig(AgentConfig config) throws IOException, GeneralSecurityException {
        return new HttpSecurity(authenticator(config), https(config),
                config.isSet(ConfigKey.PUSH_TOKEN_FILE) ? secretFile(config, ConfigKey.PUSH_TOKEN_FILE) : null);
    }

    private static Authenticator authenticator(AgentConfig config) throws IOException {
        boolean file = config.isSet(ConfigKey.AUTH_PASSWORD_FILE);
        boolean hash = config.isSet(ConfigKey.AUTH_PASSWORD_HASH);
        if (!config.isSet(ConfigKey.AUTH_USER)) {
            if (file || hash) {
                throw new IOException(ConfigKey.AUTH_USER.key() + " is needed with a password");
            }
            return null;
        }
        if (file == hash) {
            throw new IOException(ConfigKey.AUTH_USER.key() + " needs exactly one of "
                    + ConfigKey.AUTH_PASSWORD_FILE.key() + " and " + ConfigKey.AUTH_PASSWORD_HASH.key());
        }
        String user = config.get(ConfigKey.AUTH_USER);
        if (file) {
            byte[] password = secretFile(config, ConfigKey.AUTH_PASSWORD_FILE);
            return new Basic(user, given -> PasswordHash.sameSecret(password, given));
        }
        PasswordHash h;
        try {
            h = PasswordHash.parse(config.get(ConfigKey.AUTH_PASSWORD_HASH));
        } catch (IllegalArgumentException e) {
            throw new IOException(ConfigKey.AUTH_PASSWORD_HASH.key() + " is " + e.getMessage());
        }
        return new Basic(user, given -> h.matches(given.toCharArray()));
    }

    private static HttpsConfigurator https(AgentConfig config) throws IOException, GeneralSecurityException {
        if (!config.isSet(ConfigKey.TLS_KEYSTORE)) {
            if (config.isSet(ConfigKey.TLS_PASSWORD_FILE)) {
                throw new IOException(ConfigKey.TLS_PASSWORD_FILE.key() + " is set but " + ConfigKey.TLS_KEYSTORE.key()
                        + " is not");
            }
            return null;
        }
        char[] password = config.isSet(ConfigKey.TLS_PASSWORD_FILE)
                ? new String(secretFile(config, ConfigKey.TLS_PASSWORD_FILE), StandardCharsets.UTF_8).toCharArray()
                : new char[0];
        Path path = Paths.get(config.get(ConfigKey.TLS_KEYSTORE));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password);
        } catch (IOException e) {
            throw new IOException(ConfigKey.TLS_KEYSTORE.key() + " " + path + " cannot be opened as PKCS#12 with that "
                    + "password (" + e.getClass().getSimpleName() + ")");
        }
        boolean hasKey = false;
        for (String alias : Collections.list(ks.aliases())) {
            hasKey |= ks.isKeyEntry(alias);
        }
        if (!hasKey) {
            throw new IOException(ConfigKey.TLS_KEYSTORE.key() + " " + path + " holds no private key");
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        Arrays.fill(password, '\0');
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new HttpsConfigurator(ctx);
    }

    /** The first line of a secret file, without its line end; the message names the file only. */
    static byte[] secretFile(AgentConfig config, ConfigKey key) throws IOException {
        Path path = Paths.get(config.get(key));
        byte[] all;
        try {
            if (Files.size(path) > 4096) {
                throw new IOException("over 4096 bytes");
            }
            all = Files.readAllBytes(path);
        } catch (IOException | SecurityException e) {
            throw new IOException(key.key() + " " + path + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        int end = 0;
        while (end < all.length && all[end] != '\n' && all[end] != '\r') {
            end++;
        }
        if (end == 0) {
            throw new IOException(key.key() + " " + path + " is empty");
        }
        return Arrays.copyOf(all, end);
    }

    /** Basic auth for {@code /metrics}, or null when none is configured. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The TLS set-up for the server, or null for plain HTTP. */
    public HttpsConfigurator https() {
        return https;
    }

    /**
     * Why this caller may not push, or null when it may: without a push token only loopback
     * callers, whatever address the server is bound to; with one, any caller that presents it.
     */
    public String pushRefusal(java.net.InetAddress remote, String authorization) {
        if (pushToken != null) {
            return pushTokenMatches(authorization) ? null
                    : "the push endpoint needs 'Authorization: Bearer' with the push token";
        }
        return remote != null && remote.isLoopbackAddress() ? null : "the push endpoint serves loopback callers only";
    }

    /** Whether the push endpoint needs a token; then callers from any address may push with it. */
    public boolean pushTokenRequired() {
        return pushToken != null;
    }

    /** Whether the request's {@code Authorization} header carries the push token. */
    public boolean pushTokenMatches(String authorization) {
        if (pushToken == null || authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return PasswordHash.sameSecret(pushToken, authorization.substring("Bearer ".length()).trim());
    }

    private interface Check {
        boolean test(String password);
    }

    /**
     * Basic auth for one user. A hash check costs tens of milliseconds by design, so the digest of
     * the last accepted credentials is remembered and a scraper that sends the same ones pays once.
     */
    private static final class Basic extends BasicAuthenticator {
        private final String user;
        private final Check check;
        private volatile byte[] accepted;

        Basic(String user, Check check) {
            super("af-metrics");
            this.user = user;
            this.check = check;
        }

        @Override
        public boolean checkCredentials(String username, String password) {
            if (username == null || password == null || !PasswordHash.sameSecret(
                    user.getBytes(StandardCharsets.UTF_8), username)) {
                return false;
            }
            byte[] digest = digest(username + '\0' + password);
            byte[] known = accepted;
            if (known != null && MessageDigest.isEqual(known, digest)) {
                return true;
            }
            if (check.test(password)) {
                accepted = digest;
                return true;
            }
            return false;
        }

        private static byte[] digest(String s) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
