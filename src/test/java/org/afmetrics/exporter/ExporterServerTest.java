package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.afmetrics.config.PortRange;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.PushedMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exporter's HTTP semantics, against a real JDK server on a loopback port. */
class ExporterServerTest {
    private ExporterServer server;
    private LabelledRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        registry.register(new AgentInfoCollector("9.9"));
        PushedMetrics pushed = new PushedMetrics("notebook_", java.util.Set.of("user", "session"), 100);
        server = ExporterServer.start("127.0.0.1", PortRange.parse("0"), registry, pushed, 1 << 20);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** One request on a fresh connection; the whole answer, head and body, as the server sent it. */
    private byte[] exchange(String request) throws Exception {
        return exchange(request, true);
    }

    /**
     * The same, closing this side's output after the request or not: a push's caller must keep its
     * socket ESTABLISHED until answered, for the same-user check to find it.
     */
    private byte[] exchange(String request, boolean halfClose) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            return s.getInputStream().readAllBytes();
        }
    }

    private static String head(byte[] answer) {
        String all = new String(answer, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        return end < 0 ? all : all.substring(0, end);
    }

    private static byte[] body(byte[] answer) {
        String all = new String(answer, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n") + 4;
        return java.util.Arrays.copyOfRange(answer, end, answer.length);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Test
    void gzipIsOfferedWhenAskedAndDecodesToTheSameExposition() throws Exception {
        String get = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
        byte[] plain = body(exchange(get + "\r\n"));
        byte[] zipped = exchange(get + "Accept-Encoding: gzip\r\n\r\n");
        assertEquals("gzip", header(head(zipped), "Content-Encoding"));
        byte[] unzipped;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body(zipped)))) {
            unzipped = in.readAllBytes();
        }
        assertArrayEquals(plain, unzipped);
        assertNull(header(head(exchange(get + "Accept-Encoding: gzip;q=0\r\n\r\n")), "Content-Encoding"));
    }

    @Test
    void headAnswersTheLengthGetWouldSendAndNoBody() throws Exception {
        byte[] get = exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        byte[] head = exchange("HEAD /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertEquals(Integer.toString(body(get).length), header(head(head), "Content-Length"));
        assertEquals(0, body(head).length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "loopback name                 | localhost:1234     | 200",
        "loopback address              | 127.0.0.1          | 200",
        "other loopback address        | 127.1.2.3:9        | 200",
        "IPv6 loopback                 | [::1]:80           | 200",
        "a rebinding web site          | evil.example:8000  | 403",
        "an address that is not ours   | 192.0.2.7          | 403",
        "loopback look-alike           | 127.0.0.1.evil.org | 403",
        "port that is not a number     | localhost:80x      | 403",
    })
    void onlyLoopbackHostNamesAreServedWhileBoundToLoopback(String what, String host, int status) throws Exception {
        byte[] a = exchange("GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        assertTrue(head(a).startsWith("HTTP/1.1 " + status), what + ": " + head(a));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Content-Length and Transfer-Encoding | Content-Length: 7\\r\\nTransfer-Encoding: chunked | 400",
        "two Content-Lengths                  | Content-Length: 7\\r\\nContent-Length: 8          | 400",
        "signed Content-Length                | Content-Length: +7                               | 400",
        "space before the colon               | Content-Length : 7                               | 400",
        "unknown Transfer-Encoding            | Transfer-Encoding: xchunked                      | 501",
        "Transfer-Encoding not exactly chunked| Transfer-Encoding: Chunked                       | 400",
        "two Host headers                     | Host: localhost                                  | 400",
        "text/plain, as a web page may send   | Content-Type: text/plain\\r\\nContent-Length: 7  | 415",
        "no content type at all               | Content-Length: 7                                | 415",
        "a web page's Origin                  | Origin: http://evil.example\\r\\nContent-Type: application/json\\r\\nContent-Length: 7 | 403",
        "a well-formed push                   | Content-Type: application/json\\r\\nContent-Length: 7 | 200",
    })
    void malformedOrForeignPushesAreRefused(String what, String headers, int status) throws Exception {
        byte[] a = exchange("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + headers.replace("\\r\\n", "\r\n") + "\r\n\r\n{\"a\":1}", false);
        assertTrue(head(a).startsWith("HTTP/1.1 " + status), what + ": " + head(a));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the metrics                          | GET /metrics HTTP/1.1                          |         | 200",
        "the metrics with a query             | GET /metrics?name[]=up HTTP/1.1                |         | 200",
        "root, exactly                        | GET / HTTP/1.1                                 |         | 200",
        "health                               | GET /-/healthy HTTP/1.1                        |         | 200",
        "a longer name under /metrics         | GET /metricsXYZ HTTP/1.1                       |         | 404",
        "a sub-path of /metrics               | GET /metrics/ HTTP/1.1                         |         | 404",
        "an escaped look-alike                | GET /metrics%00 HTTP/1.1                       |         | 404",
        "a longer name under /-/healthy       | GET /-/healthyX HTTP/1.1                       |         | 404",
        "a longer name under the push path    | POST /notebook-metrics-evil HTTP/1.1           |         | 404",
        "anything else under /                | GET /admin HTTP/1.1                            |         | 404",
        "NUL in a header value                | GET /metrics HTTP/1.1                          | X-A: a\0b | 400",
        "a bare CR in a header value          | GET /metrics HTTP/1.1                          | X-A: a\rb | 400",
        "absolute form, loopback host         | GET http://127.0.0.1/metrics HTTP/1.1          |         | 200",
        "absolute form, localhost with a port | GET http://localhost:9/metrics HTTP/1.1        |         | 200",
        "absolute form, a foreign host        | GET http://evil.example/metrics HTTP/1.1       |         | 403",
        "absolute form, a loopback look-alike | GET http://127.0.0.1.evil.example/metrics HTTP/1.1 |     | 403",
        "absolute form, another scheme        | GET ftp://127.0.0.1/metrics HTTP/1.1           |         | 400",
        "absolute form, a longer path         | GET http://127.0.0.1/metricsXYZ HTTP/1.1       |         | 404",
    })
    void onlyExactPathsCleanHeadersAndLoopbackTargetsAreServed(String what, String requestLine, String header,
                                                              int status) throws Exception {
        String extra = header == null ? "" : header.replace("\\0", "\0").replace("\\r", "\r") + "\r\n";
        byte[] a = exchange(requestLine + "\r\nHost: localhost\r\nConnection: close\r\n" + extra + "\r\n");
        assertTrue(head(a).startsWith("HTTP/1.1 " + status), what + ": " + head(a));
        String text = new String(a, StandardCharsets.ISO_8859_1);
        for (String echo : new String[] {"evil", "XYZ", "admin", "ftp", "X-A"}) {
            assertTrue(status == 200 || !text.contains(echo), "the refusal repeats no input: " + text);
        }
    }

    @Test
    void anExpectedBodyOverTheLimitIsRefusedAndNotDrained() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // 100 Continue is sent only when a handler reads the body: the refusal comes first, and
            // the connection is closed, since the client may still send the body
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(!answer.contains("100 Continue"), answer);
        }
    }

    @Test
    void aPushWhileAnotherBodyIsReadIsToldToComeBack() throws Exception {
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            // a push whose body is still on its way holds the one body slot
            first.getOutputStream().write(("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":").getBytes(StandardCharsets.ISO_8859_1));
            first.getOutputStream().flush();
            Thread.sleep(300);
            byte[] second = exchange("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}", false);
            assertTrue(head(second).startsWith("HTTP/1.1 429 "), head(second));
            assertEquals("1", header(head(second), "Retry-After"));
        }
    }

    @Test
    void theCutOffCounterStartsAtZeroForEveryPhase() throws Exception {
        String text = new String(body(exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")),
                StandardCharsets.UTF_8);
        for (String phase : new String[] {"head", "body", "response"}) {
            assertTrue(text.matches("(?s).*\nafmetrics_http_exchanges_cut_off_total\\{[^}]*phase=\"" + phase
                    + "\",} 0\\.0\n.*"), text);
        }
    }
}
