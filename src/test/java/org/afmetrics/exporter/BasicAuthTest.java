package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.afmetrics.identity.Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BasicAuthTest {
    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic %%%", "Basic", "Basic ", "Bearer abc", "Basic bm9jb2xvbg==", "Digest x", ""})
    void aMalformedHeaderHasNoCredentials(String header) {
        assertNull(BasicAuth.credentials(header));
    }

    @Test
    void aWellFormedHeaderIsSplitAtTheFirstColon() {
        assertArrayEquals(new String[] {"u", "p:w"}, BasicAuth.credentials(basic("u:p:w")));
        assertArrayEquals(new String[] {"", ""}, BasicAuth.credentials("basic " + Base64.getEncoder().encodeToString(":".getBytes())));
    }

    /** Status of one scrape with the given Authorization header (or none). */
    private static int scrape(int port, String authorization) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            String request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void overRealConnections_wrongUserCostsTheCheckTheRightOneIsRememberedAndGuessersOnItsAddressDoNotLockItOut()
            throws Exception {
        AtomicInteger checks = new AtomicInteger();
        BasicAuth auth = new BasicAuth("prom", given -> {
            checks.incrementAndGet();
            return given.equals("secret");
        });
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        ExporterServer server = ExporterServer.startWithAuth(r, auth);
        try {
            int port = server.port();
            assertEquals(401, scrape(port, "Basic %%%"), "malformed: 401, not a server error");
            assertEquals(401, scrape(port, null));
            assertEquals(0, checks.get(), "no credentials, no check");
            assertEquals(401, scrape(port, basic("someone:secret")));
            assertEquals(1, checks.get(), "a wrong user is checked like a wrong password");
            for (int i = 0; i < 20; i++) {
                assertEquals(401, scrape(port, basic("prom:guess" + i)));
            }
            // the old rule refused this address for a doubling while after 3 failures, the right password included
            assertEquals(200, scrape(port, basic("prom:secret")), "guesses on the same address lock nobody out");
            int before = checks.get();
            assertEquals(200, scrape(port, basic("prom:secret")));
            assertEquals(before, checks.get(), "the verified credential is remembered");
            assertEquals(401, scrape(port, basic("prom:guess3")));
            assertEquals(before, checks.get(), "a credential that failed is refused without a check");
        } finally {
            server.stop();
        }
    }

    /** Just enough of an exchange for an authenticator: the Authorization header and the client's address. */
    private static final class FakeExchange extends HttpExchange {
        private final Headers request = new Headers();
        private final Headers response = new Headers();
        private final InetSocketAddress remote;

        FakeExchange(String authorization, String clientAddress) {
            if (authorization != null) {
                request.add("Authorization", authorization);
            }
            remote = new InetSocketAddress(clientAddress, 40000);
        }

        @Override
        public Headers getRequestHeaders() {
            return request;
        }

        @Override
        public Headers getResponseHeaders() {
            return response;
        }

        @Override
        public URI getRequestURI() {
            return URI.create("/metrics");
        }

        @Override
        public String getRequestMethod() {
            return "GET";
        }

        @Override
        public HttpContext getHttpContext() {
            return null;
        }

        @Override
        public void close() {
        }

        @Override
        public InputStream getRequestBody() {
            return InputStream.nullInputStream();
        }

        @Override
        public OutputStream getResponseBody() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) {
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return remote;
        }

        @Override
        public int getResponseCode() {
            return -1;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return new InetSocketAddress("127.0.0.1", 8000);
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }
    }

    /** 200, 401 or 429, as the server would answer. */
    private static int status(BasicAuth auth, String authorization, String clientAddress) {
        Authenticator.Result r = auth.authenticate(new FakeExchange(authorization, clientAddress));
        if (r instanceof Authenticator.Success) {
            return 200;
        }
        return ((Authenticator.Retry) r).getResponseCode();
    }

    /** A check that takes {@code millis} of this thread's CPU time, counting the CPU time it took. */
    private static BasicAuth slowAuth(long millis, AtomicLong checkNanos, AtomicInteger checks) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        return new BasicAuth("prom", given -> {
            long start = cpu.getCurrentThreadCpuTime();
            checks.incrementAndGet();
            while (cpu.getCurrentThreadCpuTime() - start < millis * 1_000_000) {
                Math.sqrt(start); // busy, as PBKDF2 is
            }
            checkNanos.addAndGet(cpu.getCurrentThreadCpuTime() - start);
            return given.equals("secret");
        });
    }

    /**
     * 16 threads guessing fresh passwords, from one address or rotated over 600, for 3 s; meanwhile the right
     * credential, never presented before, is tried every 300 ms from 127.0.0.1.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "guessers on the scraper's own address | 1",
        "guesses rotated over 600 addresses    | 600",
    })
    void checksHaveOneBudgetAndTheRightCredentialIsCheckedAheadOfFreshGuesses(String name, int addresses)
            throws Exception {
        AtomicLong checkNanos = new AtomicLong();
        AtomicInteger checks = new AtomicInteger();
        BasicAuth auth = slowAuth(20, checkNanos, checks);
        ExecutorService guessers = Executors.newFixedThreadPool(16);
        AtomicBoolean on = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        AtomicLong slowestRefusalNanos = new AtomicLong();
        AtomicInteger n = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        List<Integer> right = new ArrayList<>();
        try {
            for (int t = 0; t < 16; t++) {
                running.add(guessers.submit(() -> {
                    while (on.get()) {
                        int i = n.incrementAndGet();
                        String from = addresses == 1 ? "127.0.0.1" : "127.0." + (i % addresses / 250) + "." + (1 + i % 250);
                        long s = System.nanoTime();
                        int status = status(auth, basic("prom:guess" + i), from);
                        if (status == 429) {
                            slowestRefusalNanos.accumulateAndGet(System.nanoTime() - s, Math::max);
                        }
                        answers.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                        // ~3 000 fresh guesses a second in all: fewer than the credentials remembered between
                        // two tries of the scraper (see BasicAuth on a faster flood)
                        sleep(5);
                    }
                }));
            }
            Thread.sleep(500);
            for (int i = 0; i < 8; i++) {
                right.add(status(auth, basic("prom:secret"), "127.0.0.1"));
                Thread.sleep(300);
            }
        } finally {
            on.set(false);
            for (Future<?> f : running) {
                f.get(10, TimeUnit.SECONDS);
            }
            guessers.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double share = checkNanos.get() / 1e9 / seconds;
        assertTrue(share <= 1.0 / BasicAuth.CHECK_SHARE_DIVISOR + 0.02,
                "checks took " + share + " of a core over " + seconds + " s (" + checks.get() + " checks)");
        assertEquals(Map.of(), Map.copyOf(answers).entrySet().stream().filter(e -> e.getKey() != 401 && e.getKey() != 429)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())),
                "every guess refused: " + answers);
        assertTrue(answers.get(429).get() > 100 * answers.getOrDefault(401, new AtomicInteger()).get(),
                "nearly all guesses refused unchecked: " + answers);
        assertTrue(slowestRefusalNanos.get() < TimeUnit.MILLISECONDS.toNanos(BasicAuth.MAX_WAIT_MILLIS + 200),
                "waiting for a check is bounded: " + slowestRefusalNanos.get() / 1_000_000 + " ms");
        // the first presentation ties with the fresh guesses and may be told to come back; the second goes first
        int firstIn = right.indexOf(200);
        assertTrue(firstIn >= 0 && firstIn <= 1, "the right credential got in at its first or second try: " + right);
        assertEquals(right.size() - firstIn, right.subList(firstIn, right.size()).stream().filter(s -> s == 200).count(),
                "and every time after: " + right);
        assertTrue(right.stream().allMatch(s -> s == 200 || s == 429), "never 401: " + right);
    }

    @Test
    void aTypoOnAQuietAgentIsCheckedAtOnceAndTheNextGuessWaitsOutThePause() {
        AtomicLong checkNanos = new AtomicLong();
        AtomicInteger checks = new AtomicInteger();
        BasicAuth auth = slowAuth(60, checkNanos, checks);
        assertEquals(200, status(auth, basic("prom:secret"), "127.0.0.1"));
        // the pause after that check is 49 x 60 ms; nothing has failed yet, so the typo need not wait for it
        long start = System.nanoTime();
        assertEquals(401, status(auth, basic("prom:secre"), "127.0.0.1"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 500, "checked at once");
        assertEquals(429, status(auth, basic("prom:guess"), "127.0.0.1"), "a failure just now: the pause holds");
        assertEquals(401, status(auth, basic("prom:secre"), "127.0.0.2"), "a credential that failed: no check");
        assertEquals(200, status(auth, basic("prom:secret"), "127.0.0.1"), "the verified one: no check");
        assertEquals(2, checks.get());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void waitersAreCappedAndBeyondThemARequestIsRefusedAtOnceUnchecked() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        BasicAuth auth = new BasicAuth("prom", given -> {
            checks.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        ExecutorService pool = Executors.newFixedThreadPool(1 + BasicAuth.MAX_WAITERS);
        try {
            List<Future<Integer>> held = new ArrayList<>();
            for (int i = 0; i <= BasicAuth.MAX_WAITERS; i++) {
                String guess = basic("prom:held" + i);
                held.add(pool.submit(() -> status(auth, guess, "127.0.0.1")));
                Thread.sleep(50);
            }
            long start = System.nanoTime();
            assertEquals(429, status(auth, basic("prom:one-more"), "127.0.0.2"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 100, "refused at once, not after a wait: " + millis + " ms");
            assertEquals(1, checks.get(), "one check at a time");
            release.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : held) {
                statuses.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(401, statuses.get(0), "the one checked: wrong");
            assertTrue(statuses.stream().allMatch(s -> s == 401 || s == 429), statuses.toString());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
