package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.notebook.Reason;

/**
 * Who may read and write the exporter: basic auth ({@link BasicAuth}) and TLS (the JDK's
 * HttpsServer) on the metrics, and who may push: the push token, or else loopback callers of
 * the kernel's own user. Secrets come
 * from files or as a salted hash; no message ever repeats one. A setting that is asked for but
 * cannot be honoured stops the exporter rather than serving without it.
 */
public final class HttpSecurity {
    /**
     * Callers that may wait at once for the same-user check (one scan of the socket table runs at
     * a time, for all of them), and how long each may wait before it is told to come back.
     */
    static final int SAME_USER_WAITERS = 16;
    static final long SAME_USER_WAIT_MILLIS = 750;
    private static final HttpSecurity NONE = new HttpSecurity(null, null, null, PeerUid.PROC);

    private final Authenticator authenticator;
    private final HttpsConfigurator https;
    private final byte[] pushToken;
    private final PeerUid.Lookup uids;
    private final PeerUid.Rounds sameUser;

    private HttpSecurity(Authenticator authenticator, HttpsConfigurator https, byte[] pushToken,
                         PeerUid.Lookup uids) {
        this.authenticator = authenticator;
        this.https = https;
        this.pushToken = pushToken;
        this.uids = uids;
        this.sameUser = new PeerUid.Rounds(uids, SAME_USER_WAITERS, SAME_USER_WAIT_MILLIS);
    }

    /** Why a push is refused: the reason (which gives the status) and a message that repeats no input. */
    public static final class Refusal {
        private final Reason reason;
        private final String message;

        Refusal(Reason reason, String message) {
            this.reason = reason;
            this.message = message;
        }

        /** 403, or 429 when the caller's user could not be looked up in time (then Retry-After). */
        public int status() {
            return reason.pushStatus();
        }

        /** {@link Reason#FORBIDDEN} or {@link Reason#BUSY}, as {@code afmetrics_json_errors_total} counts it. */
        public Reason reason() {
            return reason;
        }

        public String message() {
            return message;
        }

        @Override
        public String toString() {
            return status() + " " + message;
        }
    }

    private static Refusal forbidden(String message) {
        return new Refusal(Reason.FORBIDDEN, message);
    }

    public static HttpSecurity none() {
        return NONE;
    }

    static HttpSecurity withAuthenticator(Authenticator authenticator) {
        return new HttpSecurity(authenticator, null, null, PeerUid.PROC);
    }

    /** The same settings, with the callers' users looked up by {@code uids} instead of the kernel's tables. */
    HttpSecurity withPeerUids(PeerUid.Lookup uids) {
        return new HttpSecurity(authenticator, https, pushToken, uids);
    }

    /** The settings' access control; throws with a message naming the setting that cannot be used. */
    public static HttpSecurity fromConfig(AgentConfig config) throws IOException, GeneralSecurityException {
        return new HttpSecurity(authenticator(config), https(config),
                config.pushTokenFile().isPresent() ? secretFile(ConfigKey.PUSH_TOKEN_FILE, config.pushTokenFile().get()) : null,
                PeerUid.PROC);
    }

    private static Authenticator authenticator(AgentConfig config) throws IOException {
        boolean file = config.authPasswordFile().isPresent();
        boolean hash = config.authPasswordHash().isPresent();
        if (config.authUser().isEmpty()) {
            if (file || hash) {
                throw new IOException(ConfigKey.AUTH_USER.key() + " is needed with a password");
            }
            return null;
        }
        if (file == hash) {
            throw new IOException(ConfigKey.AUTH_USER.key() + " needs exactly one of "
                    + ConfigKey.AUTH_PASSWORD_FILE.key() + " and " + ConfigKey.AUTH_PASSWORD_HASH.key());
        }
        String user = config.authUser().get();
        if (file) {
            byte[] password = secretFile(ConfigKey.AUTH_PASSWORD_FILE, config.authPasswordFile().get());
            return new BasicAuth(user, given -> PasswordHash.sameSecret(password, given));
        }
        PasswordHash h;
        try {
            h = PasswordHash.parse(config.authPasswordHash().get());
        } catch (IllegalArgumentException e) {
            throw new IOException(ConfigKey.AUTH_PASSWORD_HASH.key() + " is " + e.getMessage());
        }
        return new BasicAuth(user, given -> h.matches(given.toCharArray()));
    }

    private static HttpsConfigurator https(AgentConfig config) throws IOException, GeneralSecurityException {
        if (config.tlsKeystore().isEmpty()) {
            if (config.tlsPasswordFile().isPresent()) {
                throw new IOException(ConfigKey.TLS_PASSWORD_FILE.key() + " is set but " + ConfigKey.TLS_KEYSTORE.key()
                        + " is not");
            }
            return null;
        }
        char[] password = config.tlsPasswordFile().isPresent()
                ? new String(secretFile(ConfigKey.TLS_PASSWORD_FILE, config.tlsPasswordFile().get()),
                        StandardCharsets.UTF_8).toCharArray()
                : new char[0];
        Path path = Paths.get(config.tlsKeystore().get());
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

    /** The first line of the secret file {@code file} (the value of {@code key}), without its line end; the message names the file only. */
    static byte[] secretFile(ConfigKey key, String file) throws IOException {
        Path path = Paths.get(file);
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
     * Why this caller may not push, or null when it may. With a push token: any caller that
     * presents it, and no other. Without one: a loopback caller of this process's own user (on a
     * shared host every local user reaches every loopback port), and never a request that a
     * browser sent on a web page's behalf (it carries an {@code Origin} header). The cheap checks
     * come first; the caller's user, which takes a scan of the kernel's socket table, last, one
     * scan at a time for all callers waiting (see {@link PeerUid.Rounds}): a caller that cannot
     * be looked up within {@value #SAME_USER_WAIT_MILLIS} ms, or beyond {@value #SAME_USER_WAITERS}
     * waiting, is refused with 429 to come back later.
     */
    public Refusal pushRefusal(InetSocketAddress remote, InetSocketAddress local, String authorization,
                               String origin) {
        if (pushToken != null) {
            return pushTokenMatches(authorization) ? null
                    : forbidden("the push endpoint needs 'Authorization: Bearer' with the push token");
        }
        if (remote == null || remote.getAddress() == null || !remote.getAddress().isLoopbackAddress()) {
            return forbidden("the push endpoint serves loopback callers only");
        }
        if (origin != null) {
            return forbidden("pushes from web pages (requests with an Origin header) need the push token");
        }
        long self = uids.self();
        if (self == PeerUid.UNKNOWN) {
            return forbidden("the caller's user cannot be established here; pushing needs the push token");
        }
        long peer = sameUser.of(remote, local);
        if (peer == PeerUid.BUSY) {
            return new Refusal(Reason.BUSY, "too many pushes are waiting for their caller's user to be checked; "
                    + "try again later");
        }
        if (peer == PeerUid.UNKNOWN) {
            return forbidden("the caller's user cannot be established here; pushing needs the push token");
        }
        if (self != peer) {
            return forbidden("the push endpoint serves processes of the kernel's own user only");
        }
        return null;
    }

    /** Whether the request's {@code Authorization} header carries the push token. */
    public boolean pushTokenMatches(String authorization) {
        if (pushToken == null || authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return PasswordHash.sameSecret(pushToken, authorization.substring("Bearer ".length()).trim());
    }
}
