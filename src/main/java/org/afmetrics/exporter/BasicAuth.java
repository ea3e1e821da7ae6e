package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Basic auth for one user, written against the JDK's {@link Authenticator} rather than its
 * {@code BasicAuthenticator}, which fails with a server error on a malformed header. Every
 * malformed header gets 401. A wrong user name costs the same password check as a wrong password,
 * so names cannot be told apart by time.
 *
 * <p>The password check (PBKDF2, ~50 ms of a core) is the one costly thing a client can make
 * the kernel do, so checks have one budget for the whole agent, not per client address:
 * <ul>
 * <li>the verified credential is remembered (a salted digest, compared in constant time) and
 * passes without any check, whatever anybody else does on any address;</li>
 * <li>a credential that failed, among the last {@value #REMEMBERED} distinct ones presented, is
 * refused (401) without a check;</li>
 * <li>one check runs at a time, and each is followed by a pause of {@value #PAUSE_PER_CHECK_TIME}
 * times the CPU time it took (counted up to {@value #MAX_DEBT_CHECK_MILLIS} ms): checks take at
 * most 1/{@value #CHECK_SHARE_DIVISOR} of one core,
 * however many addresses the guesses come from, leaving room under a tenth of a core for the
 * HTTP work of the requests themselves;</li>
 * <li>at most {@value #MAX_WAITERS} requests wait for a check (each holds an exchange thread), for
 * at most {@value #MAX_WAIT_MILLIS} ms ({@value #MAX_WAIT_PRESENTED_MILLIS} ms for a credential
 * presented before); the others are told 429 with {@code Retry-After} at once,
 * unchecked;</li>
 * <li>who is checked next: a credential presented before (a scraper repeats its credential; a
 * guesser tries each guess once) before one presented for the first time, then the one whose
 * address has failed less, then the one that has waited longest. A newcomer that ranks above
 * a waiter takes its place (the waiter gets 429). A credential presented before need not wait
 * out the pause: it may run the budget into debt by up to {@value #MAX_DEBT_CHECK_MILLIS} ms of
 * check time (the pauses after it are longer), so it is checked as soon as the check in
 * progress, if any, ends. After {@value #QUIET_MILLIS} ms without a failed check, the next check
 * need not wait out the pause either.</li>
 * </ul>
 * So a scraper whose credential was verified once is never held up; one presenting it for the
 * first time during a flood of fresh guesses may be told 429 once, and its next attempt is
 * checked ahead of every fresh guess, at once. This holds while the scraper's credential is
 * among the last {@value #REMEMBERED} distinct ones presented: a flood of more fresh guesses than
 * that between two of its attempts makes its next attempt a first one again. A guesser that
 * repeats each guess as the scraper repeats its credential uses up the debt and then competes
 * with it for the budget's checks (one every ~2.5 s with a 50 ms check); nothing short of the
 * check tells the two apart.
 */
final class BasicAuth extends Authenticator {
    interface Check {
        boolean test(String password);
    }

    static final int CHECK_SHARE_DIVISOR = 50;
    static final int PAUSE_PER_CHECK_TIME = CHECK_SHARE_DIVISOR - 1;
    /**
     * How much check time a credential presented before may run the budget into debt by, to be
     * checked without waiting out the pause: the JVM's first checks run unoptimised (~1 s of CPU
     * each, against ~50 ms later), and their pauses would otherwise shut a scraper out for many
     * seconds. The debt is paid back by longer pauses, so over any stretch checks take at most
     * their share plus this.
     */
    static final long MAX_DEBT_CHECK_MILLIS = 1_000;
    /** How far ahead of the end of the pause a credential presented before may be checked. */
    private static final long DEBT_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_DEBT_CHECK_MILLIS) * PAUSE_PER_CHECK_TIME;
    /**
     * With no failed check for this long, the next check need not wait out the pause: an operator's
     * typo right after the agent's first, slow check is answered 401 at once, not 429. Guessers
     * fail all the time, so under guessing this lets one check through per period at most.
     */
    static final long QUIET_MILLIS = 30_000;
    /** The longest pause: the budget's debt is not carried further. */
    private static final long MAX_PAUSE_NANOS = 2 * DEBT_NANOS;
    static final int MAX_WAITERS = 4;
    static final long MAX_WAIT_MILLIS = 750;
    /**
     * How long a credential presented before may wait: a scraper's second try in a young JVM,
     * whose first checks run before the JIT has compiled the hash, well inside a scrape timeout.
     */
    static final long MAX_WAIT_PRESENTED_MILLIS = 3_000;
    static final int REMEMBERED = 4096;
    private static final int TRACKED_ADDRESSES = 256;

    private final byte[] user;
    private final Check check;
    private final String challenge = "Basic realm=\"af-metrics\", charset=\"UTF-8\"";
    private final byte[] salt = new byte[16];
    private volatile byte[] accepted;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Credentials presented lately (salted digest, first 8 bytes): how often, and whether they failed. */
    private final Map<Long, Seen> seen = new LinkedHashMap<Long, Seen>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Seen> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Failed checks by client address, only to order waiters. */
    private final Map<InetAddress, int[]> addressFailures = new LinkedHashMap<InetAddress, int[]>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, int[]> eldest) {
            return size() > TRACKED_ADDRESSES;
        }
    };
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean checking;
    private long nextCheckNanos = System.nanoTime();
    /** When a check last failed: after {@value #QUIET_MILLIS} ms without one, a check need not wait out the pause. */
    private long lastFailureNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
    private long arrivals;
    private long checks;

    BasicAuth(String user, Check check) {
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.check = check;
        new SecureRandom().nextBytes(salt);
    }

    private static final class Seen {
        int times;
        boolean failed;
    }

    private static final class Waiter {
        final int times;
        final int addressFailures;
        final long arrival;
        boolean evicted;

        Waiter(int times, int addressFailures, long arrival) {
            this.times = times;
            this.addressFailures = addressFailures;
            this.arrival = arrival;
        }

        /** Whether this one is checked before {@code o}. */
        boolean before(Waiter o) {
            if (times != o.times) {
                return times > o.times;
            }
            if (addressFailures != o.addressFailures) {
                return addressFailures < o.addressFailures;
            }
            return arrival < o.arrival;
        }
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String[] credentials = credentials(exchange.getRequestHeaders().getFirst("Authorization"));
        if (credentials == null) {
            return unauthorized(exchange);
        }
        byte[] digest = digest(credentials[0], credentials[1]);
        byte[] known = accepted;
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return new Success(new HttpPrincipal(credentials[0], "af-metrics"));
        }
        InetAddress client = clientOf(exchange);
        Long key = key(digest);
        Waiter me;
        lock.lock();
        try {
            Seen s = seen.computeIfAbsent(key, k -> new Seen());
            if (s.failed) {
                return unauthorized(exchange);
            }
            s.times = Math.min(1_000, s.times + 1);
            int[] failures = addressFailures.get(client);
            me = new Waiter(s.times, failures == null ? 0 : failures[0], arrivals++);
            if (!enqueue(me) || !awaitTurn(me)) {
                return later(exchange);
            }
        } finally {
            lock.unlock();
        }
        boolean ok = false;
        long start = cpuNanos();
        try {
            ok = verify(credentials[0], credentials[1]);
        } finally {
            // counted up to the debt allowed: a check presented before may then always go after one check
            long took = Math.min(cpuNanos() - start, TimeUnit.MILLISECONDS.toNanos(MAX_DEBT_CHECK_MILLIS));
            lock.lock();
            try {
                checking = false;
                checks++;
                // a check that went ahead of the pause adds its own to what was left of it
                long now = System.nanoTime();
                nextCheckNanos = Math.min(now + MAX_PAUSE_NANOS,
                        (now - nextCheckNanos > 0 ? now : nextCheckNanos) + Math.max(0, took) * PAUSE_PER_CHECK_TIME);
                if (!ok) {
                    lastFailureNanos = now;
                }
                if (ok) {
                    accepted = digest;
                    seen.remove(key);
                } else {
                    Seen s = seen.computeIfAbsent(key, k -> new Seen());
                    s.failed = true;
                    if (client != null) {
                        addressFailures.computeIfAbsent(client, c -> new int[1])[0]++;
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return ok ? new Success(new HttpPrincipal(credentials[0], "af-metrics")) : unauthorized(exchange);
    }

    /** With the lock held: joins the waiters, in the place of the last-ranked if it ranks above it; whether it got in. */
    private boolean enqueue(Waiter me) {
        if (waiters.size() >= MAX_WAITERS) {
            Waiter last = waiters.get(0);
            for (Waiter w : waiters) {
                if (last.before(w)) {
                    last = w;
                }
            }
            if (!me.before(last)) {
                return false;
            }
            waiters.remove(last);
            last.evicted = true;
        }
        waiters.add(me);
        changed.signalAll();
        return true;
    }

    /** With the lock held: waits until this waiter is checked next (then it is the one checking); false when not in time. */
    private boolean awaitTurn(Waiter me) {
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(me.times > 1 ? MAX_WAIT_PRESENTED_MILLIS : MAX_WAIT_MILLIS);
        try {
            while (true) {
                if (me.evicted) {
                    return false;
                }
                long now = System.nanoTime();
                long allowedAt = me.times > 1 ? nextCheckNanos - DEBT_NANOS : nextCheckNanos;
                if (now - lastFailureNanos >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)) {
                    allowedAt = now;
                }
                if (!checking && now - allowedAt >= 0 && first() == me) {
                    waiters.remove(me);
                    checking = true;
                    return true;
                }
                long left = deadline - now;
                if (left <= 0) {
                    waiters.remove(me);
                    changed.signalAll();
                    return false;
                }
                long wait = !checking && allowedAt - now > 0 ? Math.min(left, allowedAt - now) : left;
                changed.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waiters.remove(me);
            changed.signalAll();
            return false;
        }
    }

    private Waiter first() {
        Waiter best = null;
        for (Waiter w : waiters) {
            if (best == null || w.before(best)) {
                best = w;
            }
        }
        return best;
    }

    /** Password checks run so far (for tests). */
    long checks() {
        lock.lock();
        try {
            return checks;
        } finally {
            lock.unlock();
        }
    }

    private Result unauthorized(HttpExchange exchange) {
        exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
        return new Retry(401);
    }

    /** Not checked: the agent's budget for password checks is taken; the credential may be right. */
    private Result later(HttpExchange exchange) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        return new Retry(429);
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

    private boolean verify(String name, String password) {
        boolean userMatches = MessageDigest.isEqual(user, name.getBytes(StandardCharsets.UTF_8));
        // the password is checked whatever the name, so a wrong name takes as long as a wrong password
        boolean passwordMatches = check.test(password);
        return userMatches && passwordMatches;
    }

    /** This thread's CPU time where the JVM measures it, else the wall clock (never less than the CPU time). */
    private static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads.isCurrentThreadCpuTimeSupported()) {
            long t = threads.getCurrentThreadCpuTime();
            if (t >= 0) {
                return t;
            }
        }
        return System.nanoTime();
    }

    private static InetAddress clientOf(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    /** SHA-256 of this agent's random salt, the name, a NUL and the password. */
    private byte[] digest(String name, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return md.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long key(byte[] digest) {
        long k = 0;
        for (int i = 0; i < 8; i++) {
            k = k << 8 | (digest[i] & 0xff);
        }
        return k;
    }
}
