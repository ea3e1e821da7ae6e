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
import org.afmetrics.config.AgentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
