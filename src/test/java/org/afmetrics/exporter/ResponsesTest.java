package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.afmetrics.config.PortRange;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.PushedMetrics;
import org.afmetrics.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every page's answer to each method: its status, the methods a 405 allows, the content type,
 * and for HEAD the length GET would send with no body.
 */
class ResponsesTest {
    private static ExporterServer server;

    @BeforeAll
    static void start() throws Exception {
        Identity identity = new Identity(Map.of("user", "alice", "session", "s1"));
        LabelledRegistry registry = new LabelledRegistry(identity);
        registry.register(new AgentInfoCollector("9.9"));
        PushedMetrics pushed = new PushedMetrics("notebook_", java.util.Set.of("user", "session"), 100);
        server = ExporterServer.start("127.0.0.1", PortRange.parse("0"), registry, pushed, 1 << 20,
                HttpSecurity.none(), new LandingPage("9.9", () -> identity, List::of, true),
                ExporterServer.DEFAULT_MAX_CONNECTIONS);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> send(String path, String method) throws Exception {
        return Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @ParameterizedTest(name = "{1} {0}")
    @CsvSource(delimiter = '|', value = {
        "/-/healthy        | GET    | 200 |               | text/plain; charset=utf-8",
        "/-/healthy        | HEAD   | 200 |               | text/plain; charset=utf-8",
        "/-/healthy        | POST   | 405 | GET, HEAD     | ",
        "/metrics          | GET    | 200 |               | text/plain; version=0.0.4; charset=utf-8",
        "/metrics          | HEAD   | 200 |               | text/plain; version=0.0.4; charset=utf-8",
        "/metrics          | DELETE | 405 | GET, HEAD     | ",
        "/                 | GET    | 200 |               | text/html; charset=utf-8",
        "/                 | HEAD   | 200 |               | text/html; charset=utf-8",
        "/                 | PUT    | 405 | GET, HEAD     | text/html; charset=utf-8",
        "/notebook-metrics | GET    | 405 | POST, DELETE  | application/json; charset=utf-8",
        "/notebook-metrics | PUT    | 405 | POST, DELETE  | application/json; charset=utf-8",
    })
    void eachPageAnswersEachMethod(String path, String method, int status, String allow, String type)
            throws Exception {
        HttpResponse<String> r = send(path, method);
        String row = method + " " + path;
        assertEquals(status, r.statusCode(), row);
        assertEquals(allow == null ? "" : allow, r.headers().firstValue("Allow").orElse(""), row);
        if (type != null) {
            assertEquals(type, r.headers().firstValue("Content-Type").orElse(""), row);
        }
        if (method.equals("HEAD")) {
            byte[] get = send(path, "GET").body().getBytes(StandardCharsets.UTF_8);
            assertEquals(String.valueOf(get.length), r.headers().firstValue("Content-Length").orElse(""),
                    row + ": the length GET sends");
            assertEquals("", r.body(), row);
        } else if (status == 405 && type != null) {
            assertTrue(!r.body().isEmpty(), row + ": says what to use");
        }
    }
}
