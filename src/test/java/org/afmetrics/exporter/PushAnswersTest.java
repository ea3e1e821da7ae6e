package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.afmetrics.config.PortRange;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.PushedMetrics;
import org.afmetrics.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the push endpoint answers, to the byte: status, content type and JSON body. */
class PushAnswersTest {
    private static ExporterServer server;

    @BeforeAll
    static void start() throws Exception {
        LabelledRegistry registry = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        PushedMetrics pushed = new PushedMetrics("notebook_", java.util.Set.of("user", "session"), 100);
        server = ExporterServer.start("127.0.0.1", PortRange.parse("0"), registry, pushed, 1000);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "a plain document        | POST   | application/json   | {\"a\":1}       | 200 | {\"series\":1,\"skipped_fields\":0,\"rejected\":{},\"messages\":[]}",
        "a sample refused        | POST   | application/json   | {\"metrics\":[{\"name\":\"a\",\"value\":\"x\"},{\"name\":\"b\",\"value\":1}],\"s\":\"t\"} | 200 | {\"series\":1,\"skipped_fields\":0,\"rejected\":{\"invalid_value\":1},\"messages\":[\"the entry at line 1, column 13: its value is not a number (found a string)\"]}",
        "a skipped field         | POST   | application/json   | {\"a\":1,\"s\":\"t\"} | 200 | {\"series\":1,\"skipped_fields\":1,\"rejected\":{},\"messages\":[]}",
        "a truncated document    | POST   | application/json   | {\"a\":         | 400 | {\"error\":\"the JSON ends early (half-written?), at line 1, column 6\",\"reason\":\"truncated\"}",
        "too large a body        | POST   | application/json   | LARGE           | 413 | {\"error\":\"the body has 1014 bytes, over push-max-bytes=1000\"}",
        "not JSON                | POST   | text/plain         | {\"a\":1}       | 415 | {\"error\":\"Content-Type must be application/json, not text/plain\"}",
        "a quote and a backslash | POST   | `text/x\"y\\z`     | {\"a\":1}       | 415 | {\"error\":\"Content-Type must be application/json, not text/x\\\"y\\\\z\"}",
        "another method          | PUT    | application/json   | {\"a\":1}       | 405 | {\"error\":\"use POST with a JSON body (or DELETE to forget the pushed metrics)\"}",
        "forget the pushed set   | DELETE |                    |                 | 200 | {\"series\":0}",
    })
    void answers(String row, String method, String type, String body, int status, String answer) throws Exception {
        String sent = "LARGE".equals(body) ? "{\"a\":\"" + "x".repeat(1006) + "\"}" : body == null ? "" : body;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + PushEndpoint.PATH)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofString(sent));
        if (type != null) {
            b.header("Content-Type", type);
        }
        HttpResponse<String> r = Http.send(b.build());
        assertEquals(status, r.statusCode(), row);
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""), row);
        assertEquals(answer + "\n", r.body(), row);
    }
}
