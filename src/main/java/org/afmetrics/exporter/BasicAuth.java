package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Basic auth for one user, written against the JDK's {@link Authenticator} rather than its
 * {@code BasicAuthenticator}, which fails with a server error on a malformed header. Every
 * malformed header gets 401. A wrong user name costs the same password check as a wrong password,
 * so names cannot be told apart by time. A verified credential is remembered (as a digest,
 * compared in constant time), so an authorised scraper pays the slow hash once. Failures slow the
 * client address that made them: after a few, its next attempts are refused without any check for
 * a growing while (the remembered credential still passes: a scraper on the same address as the
 * guessers is not locked out), and only one slow check runs at a time, so guessing cannot burn
 * the kernel's CPU.
 */
final class BasicAuth extends Authenticator {
    interface Check {
        boolean test(String password);
    }

    private static final int FREE_FAILURES = 3;
    private static final long MAX_PENALTY_MILLIS = 30_000;
    private static final int TRACKED_CLIENTS = 256;

    private final byte[] user;
    private final Check check;
    private final String challenge = "Basic realm=\"af-metrics\", charset=\"UTF-8\"";
    private volatile byte[] accepted;
    private final Semaphore slowChecks = new Semaphore(1);
    private final Map<InetAddress, Failures> failures = new LinkedHashMap<InetAddress, Failures>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
            return size() > TRACKED_CLIENTS;
        }
    };

    BasicAuth(String user, Check check) {
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.check = check;
    }

    private static final class Failures {
        int count;
        long refuseUntil;
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        InetAddress client = clientOf(exchange);
        String[] credentials = credentials(exchange.getRequestHeaders().getFirst("Authorization"));
        if (credentials != null && remembered(credentials[0], credentials[1])) {
            // the scraper's verified credential passes even while guessers on its address are slowed down
            return new Success(new HttpPrincipal(credentials[0], "af-metrics"));
        }
        if (penalised(client)) {
            return unauthorized(exchange);
        }
        if (credentials != null && verify(credentials[0], credentials[1])) {
            synchronized (failures) {
                failures.remove(client);
            }
            return new Success(new HttpPrincipal(credentials[0], "af-metrics"));
        }
        if (credentials != null) {
            failed(client);
        }
        return unauthorized(exchange);
    }

    private Result unauthorized(HttpExchange exchange) {
        exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
        return new Retry(401);
    }

    /** User and password of a well-formed {@code Basic} header, or null for any other. */
    static String[] credentials(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        int sp = h.indexOf(' ');
        if (sp <= 0 || !h.substring(0, sp).equalsIgnoreCase("Basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(sp + 1).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private boolean remembered(String name, String password) {
        byte[] known = accepted;
        return known != null && MessageDigest.isEqual(known, digest(name + '\0' + password));
    }

    private boolean verify(String name, String password) {
        byte[] digest = digest(name + '\0' + password);
        boolean userMatches = MessageDigest.isEqual(user, name.getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches;
        try {
            if (!slowChecks.tryAcquire(2, TimeUnit.SECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            // the password is checked whatever the name, so a wrong name takes as long as a wrong password
            passwordMatches = check.test(password);
        } finally {
            slowChecks.release();
        }
        if (userMatches && passwordMatches) {
            accepted = digest;
            return true;
        }
        return false;
    }

    private boolean penalised(InetAddress client) {
        synchronized (failures) {
            Failures f = failures.get(client);
            return f != null && System.currentTimeMillis() < f.refuseUntil;
        }
    }

    private void failed(InetAddress client) {
        synchronized (failures) {
            Failures f = failures.computeIfAbsent(client, c -> new Failures());
            f.count++;
            if (f.count > FREE_FAILURES) {
                long penalty = Math.min(MAX_PENALTY_MILLIS, 250L << Math.min(10, f.count - FREE_FAILURES - 1));
                f.refuseUntil = System.currentTimeMillis() + penalty;
            }
        }
    }

    private static InetAddress clientOf(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
