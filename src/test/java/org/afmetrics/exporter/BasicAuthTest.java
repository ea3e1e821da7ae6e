package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.afmetrics.config.PortRange;
import org.afmetrics.identity.Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    void wrongUserCostsThePasswordCheckTooTheRightOneIsRememberedAndGuessersAreSlowedDown() throws Exception {
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
            assertEquals(200, scrape(port, basic("prom:secret")));
            assertEquals(200, scrape(port, basic("prom:secret")));
            assertEquals(2, checks.get(), "the verified credential is remembered");
            assertEquals(401, scrape(port, basic("prom:guess1")));
            assertEquals(401, scrape(port, basic("prom:guess2")));
            assertEquals(401, scrape(port, basic("prom:guess3")));
            int before = checks.get();
            for (int i = 0; i < 20; i++) {
                assertEquals(401, scrape(port, basic("prom:guess" + (4 + i))));
            }
            // the refusal window doubles after each checked failure (250 ms, 500 ms, 1 s, …): however
            // slowly this machine sends the 20 guesses, only a few of them reach the password check
            int checked = checks.get() - before;
            assertTrue(checked >= 1 && checked <= 3,
                    "after a few failures a client's guesses are refused unchecked: " + checked + " of 20 checked");
            assertEquals(200, scrape(port, basic("prom:secret")), "the remembered credential passes all the same");
            assertEquals(checked, checks.get() - before);
        } finally {
            server.stop();
        }
    }
}
