package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestHeadTest {
    private static RequestHead parse(String head) throws RequestHead.Malformed {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        int end = RequestHead.end(b, 0, b.length);
        assertEquals(b.length, end, "the head ends where its empty line does");
        return RequestHead.parse(b, end);
    }

    /** Escapes in the table: \r \n \0 \t as written. */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0").replace("\\t", "\t");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NUL in a value                  | GET / HTTP/1.1\\r\\nHost: localhost\\r\\nX-A: a\\0b\\r\\n\\r\\n                 | 400",
        "bare CR in a value              | GET / HTTP/1.1\\r\\nHost: localhost\\r\\nX-A: a\\rb\\r\\n\\r\\n                 | 400",
        "bare LF ending a line           | GET / HTTP/1.1\\r\\nHost: localhost\\nX-A: b\\r\\n\\r\\n                      | 400",
        "obs-fold                        | GET / HTTP/1.1\\r\\nHost: localhost\\r\\nX-A: a\\r\\n b\\r\\n\\r\\n            | 400",
        "space before the colon          | GET / HTTP/1.1\\r\\nHost : localhost\\r\\n\\r\\n                              | 400",
        "no Host in HTTP/1.1             | GET / HTTP/1.1\\r\\nX-A: a\\r\\n\\r\\n                                       | 400",
        "two Hosts                       | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                            | 400",
        "two Content-Lengths, equal      | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\n | 400",
        "signed Content-Length           | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +1\\r\\n\\r\\n                | 400",
        "Content-Length and chunked      | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "unknown Transfer-Encoding       | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n            | 501",
        "chunked in other letters        | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: CHUNKED\\r\\n\\r\\n         | 400",
        "HTTP/2.0 in a text head         | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                      | 505",
        "no version                      | GET /\\r\\nHost: a\\r\\n\\r\\n                                               | 400",
        "a target that is not a path     | GET metrics HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                | 400",
        "a control character in target   | GET /a\\tb HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                 | 400",
        "a method that is not a token    | G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                      | 400",
    })
    void aBrokenHeadIsRefusedWithAReasonOfItsOwn(String what, String head, int status) {
        String text = unescape(head.trim());
        RequestHead.Malformed e = assertThrows(RequestHead.Malformed.class, () -> parse(text), what);
        assertEquals(status, e.status, what + ": " + e.getMessage());
        for (String part : new String[] {"localhost", "gzip", "CHUNKED", "metrics", "G(T"}) {
            assertFalse(e.getMessage().contains(part), "the reason repeats the input: " + e.getMessage());
        }
    }

    @Test
    void aWellFormedHeadIsReadWhole() throws Exception {
        RequestHead h = parse("POST /notebook-metrics?x=1 HTTP/1.1\r\nHost: localhost:80\r\n"
                + "Content-Type: application/json\r\nContent-Length: 12\r\nX-Empty:\r\n\r\n");
        assertEquals("POST", h.method);
        assertEquals("/notebook-metrics", h.uri.getPath());
        assertEquals("x=1", h.uri.getRawQuery());
        assertEquals(12, h.bodyLength);
        assertEquals("application/json", h.headers.getFirst("content-type"));
        assertEquals("", h.headers.getFirst("X-Empty"));
        assertTrue(h.keepAlive);
    }

    @Test
    void anAbsoluteFormTargetKeepsItsHostForTheGuard() throws Exception {
        RequestHead h = parse("GET http://evil.example/metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("evil.example", h.uri.getHost());
        assertEquals("/metrics", h.uri.getPath());
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive);
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive);
        assertEquals(RequestHead.CHUNKED,
                parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").bodyLength);
    }

    @Test
    void theEndOfAHeadIsFoundWherePartsOfItArrived() {
        byte[] b = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(-1, RequestHead.end(b, 0, 20));
        assertEquals(b.length - 3, RequestHead.end(b, 0, b.length));
        assertEquals(b.length - 3, RequestHead.end(b, 22, b.length));
    }
}
