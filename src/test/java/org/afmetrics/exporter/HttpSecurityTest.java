package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.notebook.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpSecurityTest {
    @TempDir
    Path dir;

    private static AgentConfig config(String args) {
        return AgentConfig.parse(args, Map.<String, String>of()::get);
    }

    @Test
    void withoutATokenOnlyLoopbackProcessesOfTheSameUserMayPush() throws Exception {
        HttpSecurity s = HttpSecurity.fromConfig(config("host=0.0.0.0"));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
             Socket accepted = server.accept()) {
            InetSocketAddress peer = (InetSocketAddress) accepted.getRemoteSocketAddress();
            InetSocketAddress local = (InetSocketAddress) accepted.getLocalSocketAddress();
            // this test's own socket: the same user as this process, as /proc/net/tcp tells it
            assertNull(s.pushRefusal(peer, local, null, null));
            assertNotNull(s.pushRefusal(peer, local, null, "https://example.org"), "a web page's request");
            // a loopback peer the socket table does not know: no user established, no push
            assertNotNull(s.pushRefusal(new InetSocketAddress("127.0.0.1", 9), local, null, null));
        }
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8000);
        assertNotNull(s.pushRefusal(new InetSocketAddress("192.0.2.7", 5000), local, null, null));
        assertNotNull(s.pushRefusal(new InetSocketAddress("2001:db8::7", 5000), local, null, null));
        assertNotNull(s.pushRefusal(null, local, null, null));
    }

    /** A uid lookup that answers as told and counts its scans. */
    private static final class FakeUids implements PeerUid.Lookup {
        final long self;
        final long peer;
        final AtomicInteger scans = new AtomicInteger();

        FakeUids(long self, long peer) {
            this.self = self;
            this.peer = peer;
        }

        @Override
        public long self() {
            return self;
        }

        @Override
        public long of(InetSocketAddress p, InetSocketAddress l) {
            scans.incrementAndGet();
            return peer;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the kernel's own user                    | 127.0.0.1  |                    | 1000 | 1000 | 0   | 1",
        "another local user                       | 127.0.0.1  |                    | 1000 | 2000 | 403 | 1",
        "root's push into a user's kernel         | 127.0.0.1  |                    | 1000 | 0    | 403 | 1",
        "a user's push into root's kernel         | 127.0.0.1  |                    | 0    | 1000 | 403 | 1",
        "a caller not in the socket table         | 127.0.0.1  |                    | 1000 | -1   | 403 | 1",
        "no uid of our own (not Linux)            | 127.0.0.1  |                    | -1   | 1000 | 403 | 0",
        "a web page's request: no scan            | 127.0.0.1  | https://evil.example | 1000 | 1000 | 403 | 0",
        "a non-loopback caller: no scan           | 192.0.2.7  |                    | 1000 | 1000 | 403 | 0",
        "IPv6 loopback, own user                  | ::1        |                    | 1000 | 1000 | 0   | 1",
    })
    void theSameUserRuleWithoutAToken(String what, String caller, String origin, long self, long peer, int status,
                                      int scans) throws Exception {
        FakeUids uids = new FakeUids(self, peer);
        HttpSecurity s = HttpSecurity.fromConfig(config("")).withPeerUids(uids);
        HttpSecurity.Refusal r = s.pushRefusal(new InetSocketAddress(caller, 40000),
                new InetSocketAddress("127.0.0.1", 8000), null, origin);
        assertEquals(status, r == null ? 0 : r.status(), what + ": " + r);
        assertEquals(scans, uids.scans.get(), what + ": the socket table is scanned only when the cheap checks pass");
    }

    @Test
    void callersThatCannotBeLookedUpInTimeAreToldToComeBack() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        PeerUid.Lookup stuck = new PeerUid.Lookup() {
            @Override
            public long self() {
                return 1000;
            }

            @Override
            public long of(InetSocketAddress p, InetSocketAddress l) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 1000;
            }
        };
        HttpSecurity s = HttpSecurity.fromConfig(config("")).withPeerUids(stuck);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8000);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<HttpSecurity.Refusal> scanning = pool.submit(() ->
                    s.pushRefusal(new InetSocketAddress("127.0.0.1", 40000), local, null, null));
            Thread.sleep(100);
            long start = System.nanoTime();
            HttpSecurity.Refusal waited = s.pushRefusal(new InetSocketAddress("127.0.0.1", 40001), local, null, null);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(429, waited.status(), waited.toString());
            assertEquals(Reason.BUSY, waited.reason());
            assertTrue(millis >= HttpSecurity.SAME_USER_WAIT_MILLIS - 50 && millis < HttpSecurity.SAME_USER_WAIT_MILLIS + 400,
                    "a bounded wait: " + millis + " ms");
            release.countDown();
            assertNull(scanning.get(10, TimeUnit.SECONDS), "the one scanning got its answer");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void withATokenEveryCallerNeedsIt() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "abc123\r\nignored second line");
        HttpSecurity s = HttpSecurity.fromConfig(config("push-token-file=" + token));
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8000);
        InetSocketAddress remote = new InetSocketAddress("192.0.2.7", 5000);
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 5000);
        assertNull(s.pushRefusal(remote, local, "Bearer abc123", null));
        assertNull(s.pushRefusal(remote, local, "Bearer abc123", "https://example.org"));
        assertNotNull(s.pushRefusal(loopback, local, null, null));
        assertNotNull(s.pushRefusal(loopback, local, "Bearer abc12", null));
        assertNotNull(s.pushRefusal(remote, local, "Basic abc123", null));
    }

    @Test
    void aHashedPasswordIsCheckedAndTheHashFormIsStrict() throws Exception {
        String hash = PasswordHash.create("correct horse".toCharArray());
        assertTrue(hash.startsWith("pbkdf2-sha256:"));
        PasswordHash h = PasswordHash.parse(hash);
        assertTrue(h.matches("correct horse".toCharArray()));
        assertFalse(h.matches("correct hors".toCharArray()));
        assertFalse(PasswordHash.parse(PasswordHash.create("x".toCharArray())).matches("correct horse".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("sha1:1:abc:def"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256:10:AAAAAAAAAAA=:AAAA"));
    }

    @Test
    void settingsThatCannotBeHonouredStopTheServerAndNeverEchoTheSecret() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "hunter2\n");
        IOException noUser = assertThrows(IOException.class,
                () -> HttpSecurity.fromConfig(config("auth-password-file=" + pw)));
        assertTrue(noUser.getMessage().contains("auth-user"));
        IOException both = assertThrows(IOException.class, () -> HttpSecurity.fromConfig(
                config("auth-user=u,auth-password-file=" + pw + ",auth-password-hash=x")));
        assertTrue(both.getMessage().contains("exactly one"));
        IOException badHash = assertThrows(IOException.class,
                () -> HttpSecurity.fromConfig(config("auth-user=u,auth-password-hash=hunter2")));
        assertFalse(badHash.getMessage().contains("hunter2"), badHash.getMessage());
        IOException notKeystore = assertThrows(IOException.class,
                () -> HttpSecurity.fromConfig(config("tls-keystore=" + pw)));
        assertFalse(notKeystore.getMessage().contains("hunter2"));
        Files.writeString(pw, "\n");
        IOException empty = assertThrows(IOException.class,
                () -> HttpSecurity.fromConfig(config("auth-user=u,auth-password-file=" + pw)));
        assertTrue(empty.getMessage().endsWith("is empty"), empty.getMessage());
        assertEquals(null, HttpSecurity.fromConfig(config("")).authenticator());
    }
}
