package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
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
    void withoutATokenOnlyLoopbackCallersMayPush() throws Exception {
        HttpSecurity s = HttpSecurity.fromConfig(config("host=0.0.0.0"));
        assertNull(s.pushRefusal(InetAddress.getByName("127.0.0.1"), null));
        assertNull(s.pushRefusal(InetAddress.getByName("127.0.0.2"), null));
        assertNull(s.pushRefusal(InetAddress.getByName("::1"), null));
        assertNotNull(s.pushRefusal(InetAddress.getByName("192.0.2.7"), null));
        assertNotNull(s.pushRefusal(InetAddress.getByName("2001:db8::7"), null));
        assertNotNull(s.pushRefusal(null, null));
    }

    @Test
    void withATokenEveryCallerNeedsIt() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "abc123\r\nignored second line");
        HttpSecurity s = HttpSecurity.fromConfig(config("push-token-file=" + token));
        assertNull(s.pushRefusal(InetAddress.getByName("192.0.2.7"), "Bearer abc123"));
        assertNotNull(s.pushRefusal(InetAddress.getByName("127.0.0.1"), null));
        assertNotNull(s.pushRefusal(InetAddress.getByName("127.0.0.1"), "Bearer abc12"));
        assertNotNull(s.pushRefusal(InetAddress.getByName("192.0.2.7"), "Basic abc123"));
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
