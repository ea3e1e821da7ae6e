package org.afmetrics.exporter;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP/1.x request head, parsed strictly (RFC 9112) from the bytes up to its empty line:
 * lines end in CRLF, a bare CR or LF, NUL or any other control character in a value, a space
 * before a colon, obs-fold, two Content-Lengths, a Content-Length that is not plain digits,
 * Content-Length with Transfer-Encoding, any Transfer-Encoding but exactly {@code chunked}, two
 * Hosts, or an HTTP/1.1 request without Host is refused. A refusal names the rule broken and
 * never repeats the bytes it was given.
 */
final class RequestHead {
    /** The largest head taken; longer ones get 431 and the connection is closed. */
    static final int MAX_BYTES = 8 * 1024;
    static final int MAX_FIELDS = 100;

    /** A head that breaks a rule: the status to answer and why, in words of our own. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Malformed(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    final String method;
    final URI uri;
    final boolean http11;
    final Headers headers;
    /** -1 when there is no body, -2 when it is chunked, else its length. */
    final long bodyLength;
    final boolean expectContinue;
    final boolean keepAlive;

    private RequestHead(String method, URI uri, boolean http11, Headers headers, long bodyLength,
                        boolean expectContinue, boolean keepAlive) {
        this.method = method;
        this.uri = uri;
        this.http11 = http11;
        this.headers = headers;
        this.bodyLength = bodyLength;
        this.expectContinue = expectContinue;
        this.keepAlive = keepAlive;
    }

    static final long NO_BODY = -1;
    static final long CHUNKED = -2;

    /** Where the head in {@code b[from, to)} ends (just past its empty line), or -1 while it is incomplete. */
    static int end(byte[] b, int from, int to) {
        for (int i = Math.max(from, 3); i < to; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses the head in {@code b[0, end)}, which ends in CRLF CRLF. */
    static RequestHead parse(byte[] b, int end) throws Malformed {
        int lineEnd = lineEnd(b, 0, end);
        String requestLine = ascii(b, 0, lineEnd);
        int sp1 = requestLine.indexOf(' ');
        int sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 == sp1) {
            throw new Malformed(400, "the request line is not METHOD TARGET VERSION");
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String version = requestLine.substring(sp2 + 1);
        if (!isToken(method)) {
            throw new Malformed(400, "the method is not a token");
        }
        boolean http11;
        if (version.equals("HTTP/1.1")) {
            http11 = true;
        } else if (version.equals("HTTP/1.0")) {
            http11 = false;
        } else if (version.startsWith("HTTP/")) {
            throw new Malformed(505, "only HTTP/1.0 and HTTP/1.1 are served");
        } else {
            throw new Malformed(400, "the request line is not METHOD TARGET VERSION");
        }
        URI uri = target(target);

        Headers headers = new Headers();
        int fields = 0;
        int at = lineEnd + 2;
        while (at < end - 2) {
            int e = lineEnd(b, at, end);
            if (++fields > MAX_FIELDS) {
                throw new Malformed(431, "more than " + MAX_FIELDS + " header fields");
            }
            field(b, at, e, headers);
            at = e + 2;
        }
        return complete(method, uri, http11, headers);
    }

    private static RequestHead complete(String method, URI uri, boolean http11, Headers h) throws Malformed {
        List<String> hosts = h.get("Host");
        if (hosts != null && hosts.size() > 1) {
            throw new Malformed(400, "more than one Host header");
        }
        if (hosts == null && http11) {
            throw new Malformed(400, "an HTTP/1.1 request needs a Host header");
        }
        List<String> lengths = h.get("Content-Length");
        List<String> te = h.get("Transfer-Encoding");
        if (lengths != null && te != null) {
            throw new Malformed(400, "Content-Length and Transfer-Encoding together");
        }
        long body = NO_BODY;
        if (lengths != null) {
            if (lengths.size() != 1 || !digits(lengths.get(0))) {
                throw new Malformed(400, "Content-Length must be one number of decimal digits");
            }
            body = Long.parseLong(lengths.get(0));
        } else if (te != null) {
            if (te.size() != 1 || !te.get(0).equalsIgnoreCase("chunked")) {
                throw new Malformed(501, "the only Transfer-Encoding understood is chunked");
            }
            if (!te.get(0).equals("chunked")) {
                // what a proxy in front might read otherwise is refused, not guessed at
                throw new Malformed(400, "Transfer-Encoding must be exactly chunked");
            }
            body = CHUNKED;
        }
        String expect = h.getFirst("Expect");
        boolean expectContinue = expect != null && expect.equalsIgnoreCase("100-continue");
        String connection = h.getFirst("Connection");
        boolean keepAlive = http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
        return new RequestHead(method, uri, http11, h, body, expectContinue, keepAlive);
    }

    /** origin-form ({@code /path?query}), absolute-form ({@code http://host/path}) or {@code *}. */
    private static URI target(String target) throws Malformed {
        boolean origin = target.startsWith("/");
        String lower = target.length() > 8 ? target.substring(0, 8).toLowerCase(java.util.Locale.ROOT) : "";
        boolean absolute = lower.startsWith("http://") || lower.startsWith("https://");
        if (!origin && !absolute && !target.equals("*")) {
            throw new Malformed(400, "the request target is not a path or an http URL");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Malformed(400, "the request target holds a space or a control character");
            }
        }
        try {
            return new URI(target);
        } catch (URISyntaxException e) {
            throw new Malformed(400, "the request target is not a valid URI");
        }
    }

    private static void field(byte[] b, int from, int to, Headers headers) throws Malformed {
        if (b[from] == ' ' || b[from] == '\t') {
            throw new Malformed(400, "a folded header line (obs-fold)");
        }
        int colon = -1;
        for (int i = from; i < to; i++) {
            if (b[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= from) {
            throw new Malformed(400, "a header line without a name and a colon");
        }
        String name = ascii(b, from, colon);
        if (!isToken(name)) {
            throw new Malformed(400, "a header name that is not a token (a space before the colon?)");
        }
        int v = colon + 1;
        int ve = to;
        while (v < ve && (b[v] == ' ' || b[v] == '\t')) {
            v++;
        }
        while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        for (int i = v; i < ve; i++) {
            int c = b[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new Malformed(400, "a control character (NUL, CR, LF …) in a header value");
            }
        }
        headers.add(name, new String(b, v, ve - v, StandardCharsets.ISO_8859_1));
    }

    /** The index of the CR of the CRLF ending the line that starts at {@code from}; a bare CR or LF is refused. */
    private static int lineEnd(byte[] b, int from, int end) throws Malformed {
        for (int i = from; i < end; i++) {
            if (b[i] == '\r') {
                if (i + 1 < end && b[i + 1] == '\n') {
                    return i;
                }
                throw new Malformed(400, "a bare CR in the request head");
            }
            if (b[i] == '\n') {
                throw new Malformed(400, "a bare LF in the request head (lines end in CRLF)");
            }
        }
        throw new Malformed(400, "an unterminated line in the request head");
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether a comma-separated header value holds the token, in any case (Connection: Keep-Alive, close). */
    static boolean hasToken(String list, String token) {
        if (list == null) {
            return false;
        }
        for (String t : list.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }
}
