package org.afmetrics.exporter;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its response on a {@link SelectorHttpServer} connection, on an exchange thread,
 * with the channel in blocking mode. The body is read from the bytes already buffered with the
 * head, then from the channel; {@code 100 Continue} is sent only when the handler first reads the
 * body, so a push refused by its head is refused before the client sends it. A response that fits
 * the buffer leaves in one write with its head.
 */
final class SelectorExchange extends HttpExchange {
    private static final int OUT_BUFFER = 16 * 1024;
    /** Unread body left by a handler that is read away to keep the connection; more closes it. */
    private static final long MAX_DRAIN = 64 * 1024;
    private static final int MAX_CHUNK_LINE = 1024;
    private static final int MAX_TRAILER_BYTES = 8 * 1024;

    private final SelectorHttpServer.Connection c;
    private final SelectorHttpServer.Context context;
    private final RequestHead head;
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private final Body body;
    private final Response response = new Response();
    private InputStream in;
    private OutputStream out;
    private HttpPrincipal principal;
    private int code = -1;
    private boolean continueSent;
    private boolean broken;

    SelectorExchange(SelectorHttpServer.Connection c, SelectorHttpServer.Context context) {
        this.c = c;
        this.context = context;
        this.head = c.head;
        this.body = new Body(head.bodyLength);
        this.in = body;
        this.out = response;
    }

    /** Runs the context's chain, or answers 404 where no context has the path. */
    void run() throws IOException {
        if (context == null || context.getHandler() == null) {
            byte[] text = "no such path\n".getBytes(StandardCharsets.UTF_8);
            responseHeaders.set("Content-Type", "text/plain; charset=utf-8");
            sendResponseHeaders(404, text.length);
            response.write(text);
            close();
            return;
        }
        context.handle(this);
    }

    /**
     * After the handler: whether the connection may serve another request. It may if the
     * response was complete, the request body read (or a little left, read away now) and neither
     * side asked to close.
     */
    boolean finish() throws IOException {
        close();
        if (code < 0 || broken || !response.complete()) {
            return false;
        }
        if (!head.keepAlive || RequestHead.hasToken(responseHeaders.getFirst("Connection"), "close")) {
            return false;
        }
        if (body.remainingUnknownOrMore(0)) {
            if (head.expectContinue && !continueSent) {
                // the client waits for our word and may or may not send the body: the connection is not reusable
                return false;
            }
            return body.drain(MAX_DRAIN);
        }
        return true;
    }

    @Override
    public Headers getRequestHeaders() {
        return head.headers;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return head.uri;
    }

    @Override
    public String getRequestMethod() {
        return head.method;
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // the body stream has nothing to free
        }
        try {
            if (code < 0) {
                // closed without an answer: the connection cannot be trusted with another request
                broken = true;
            } else {
                out.close();
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (code >= 0) {
            throw new IOException("response headers already sent");
        }
        if (rCode < 100 || rCode > 999) {
            throw new IllegalArgumentException("status code out of range");
        }
        code = rCode;
        boolean isHead = head.method.equals("HEAD");
        boolean noBody = isHead || rCode == 204 || rCode == 304 || rCode < 200;
        if (!noBody && responseLength > 0) {
            responseHeaders.set("Content-Length", Long.toString(responseLength));
            responseHeaders.remove("Transfer-Encoding");
            response.fixed(responseLength);
        } else if (!noBody && responseLength == 0) {
            responseHeaders.set("Transfer-Encoding", "chunked");
            responseHeaders.remove("Content-Length");
            response.chunked();
        } else {
            if (!isHead && rCode != 204 && rCode != 304 && rCode >= 200) {
                responseHeaders.set("Content-Length", "0");
            } else if (isHead && responseLength > 0) {
                responseHeaders.set("Content-Length", Long.toString(responseLength));
            }
            response.none();
        }
        if (!head.keepAlive) {
            responseHeaders.set("Connection", "close");
        } else if (!head.http11) {
            responseHeaders.set("Connection", "keep-alive");
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(rCode).append(' ').append(reason(rCode)).append("\r\n");
        for (Map.Entry<String, List<String>> h : responseHeaders.entrySet()) {
            for (String v : h.getValue()) {
                sb.append(h.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        sb.append("\r\n");
        response.head(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        DeadlineExecutor.enter(DeadlineExecutor.Phase.RESPONSE);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return c.remote;
    }

    @Override
    public int getResponseCode() {
        return code;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return c.local;
    }

    @Override
    public String getProtocol() {
        return head.http11 ? "HTTP/1.1" : "HTTP/1.0";
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }

    void principal(HttpPrincipal p) {
        principal = p;
    }

    static String reason(int code) {
        switch (code) {
            case 100: return "Continue";
            case 200: return "OK";
            case 204: return "No Content";
            case 304: return "Not Modified";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 411: return "Length Required";
            case 413: return "Content Too Large";
            case 415: return "Unsupported Media Type";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 503: return "Service Unavailable";
            case 505: return "HTTP Version Not Supported";
            default: return "Status";
        }
    }

    // ---------------------------------------------------------------- the connection's bytes

    /** Reads at least one byte into the connection's buffer (blocking); false at the end of the stream. */
    private boolean fill() throws IOException {
        c.compact();
        c.reserve(RequestHead.MAX_BYTES);
        if (c.end == c.buf.length) {
            return true;
        }
        int n = c.channel.read(ByteBuffer.wrap(c.buf, c.end, c.buf.length - c.end));
        if (n < 0) {
            return false;
        }
        c.end += n;
        return true;
    }

    /**
     * Writes in slices of at most {@link #WRITE_SLICE} bytes: the JDK copies a heap buffer into a
     * temporary direct buffer of the same size for each channel write and keeps it cached per
     * thread, so one 16 MB scrape written whole would hold 16 MB of direct memory on each of the
     * exchange threads (in a 192 MB heap the direct-memory limit was reached).
     */
    private void write(byte[] b, int off, int len) throws IOException {
        for (int at = off, end = off + len; at < end; ) {
            ByteBuffer bb = ByteBuffer.wrap(b, at, Math.min(WRITE_SLICE, end - at));
            while (bb.hasRemaining()) {
                c.channel.write(bb);
            }
            at = bb.position();
        }
    }

    private static final int WRITE_SLICE = 64 * 1024;

    /** The request body: fixed length, chunked or none, read from the buffer then the channel. */
    private final class Body extends InputStream {
        private final boolean chunked;
        /** Bytes left: of the whole body when fixed, of the current chunk when chunked. */
        private long left;
        private boolean done;

        Body(long length) {
            this.chunked = length == RequestHead.CHUNKED;
            this.left = chunked ? 0 : Math.max(0, length);
            this.done = !chunked && left == 0;
        }

        /** Whether more than {@code n} bytes may be unread (unknown for chunked bodies not yet at their end). */
        boolean remainingUnknownOrMore(long n) {
            return !done && (chunked || left > n);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (done) {
                return -1;
            }
            if (head.expectContinue && !continueSent && code < 0) {
                continueSent = true;
                byte[] cont = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                write(cont, 0, cont.length);
            }
            if (chunked && left == 0 && !nextChunk()) {
                return -1;
            }
            if (c.start == c.end && !fill()) {
                broken = true;
                throw new IOException("the client closed the connection inside the body");
            }
            int n = (int) Math.min(Math.min(len, left), c.end - c.start);
            System.arraycopy(c.buf, c.start, b, off, n);
            c.start += n;
            left -= n;
            if (!chunked && left == 0) {
                done = true;
            }
            return n;
        }

        /** Reads a chunk-size line (and the CRLF ending the chunk before); false at the last chunk. */
        private boolean nextChunk() throws IOException {
            if (started) {
                expect('\r');
                expect('\n');
            }
            started = true;
            String line = line(MAX_CHUNK_LINE);
            int semi = line.indexOf(';');
            String size = (semi < 0 ? line : line.substring(0, semi)).trim();
            if (size.isEmpty() || size.length() > 8) {
                throw malformed();
            }
            long n = 0;
            for (int i = 0; i < size.length(); i++) {
                int d = Character.digit(size.charAt(i), 16);
                if (d < 0) {
                    throw malformed();
                }
                n = n * 16 + d;
            }
            if (n == 0) {
                int trailer = 0;
                while (true) {
                    String t = line(MAX_TRAILER_BYTES - trailer);
                    trailer += t.length() + 2;
                    if (t.isEmpty()) {
                        break;
                    }
                }
                done = true;
                return false;
            }
            left = n;
            return true;
        }

        private boolean started;

        private void expect(char ch) throws IOException {
            if (nextByte() != ch) {
                throw malformed();
            }
        }

        private int nextByte() throws IOException {
            if (c.start == c.end && !fill()) {
                broken = true;
                throw new IOException("the client closed the connection inside the body");
            }
            return c.buf[c.start++] & 0xff;
        }

        /** A CRLF-ended line of at most {@code max} bytes, without the CRLF. */
        private String line(int max) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = nextByte();
                if (b == '\r') {
                    expect('\n');
                    return sb.toString();
                }
                if (b == '\n' || sb.length() >= max || b == 0) {
                    throw malformed();
                }
                sb.append((char) b);
            }
        }

        private IOException malformed() {
            broken = true;
            return new IOException("malformed chunked body");
        }

        /** Reads the rest of the body away, up to {@code max} bytes; true when it came to its end. */
        boolean drain(long max) {
            byte[] skip = new byte[4096];
            long total = 0;
            try {
                while (total <= max) {
                    int n = read(skip, 0, skip.length);
                    if (n < 0) {
                        return true;
                    }
                    total += n;
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }

        @Override
        public void close() {
            // the rest of the body is read away (or the connection closed) after the exchange
        }
    }

    /** The response: its head, then a fixed-length, chunked or empty body, through one buffer. */
    private final class Response extends OutputStream {
        private byte[] buf = new byte[1024];
        private int n;
        private long declared = -1;
        private long written;
        private boolean isChunked;
        private boolean ended;
        private boolean noBody;

        void head(byte[] h) throws IOException {
            append(h, 0, h.length);
            if (noBody) {
                flushBuffer();
                ended = true;
            }
        }

        void fixed(long length) {
            declared = length;
        }

        void chunked() {
            isChunked = true;
        }

        void none() {
            noBody = true;
        }

        boolean complete() {
            return ended && !broken;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (code < 0) {
                throw new IOException("the response head is not sent yet");
            }
            if (ended) {
                throw new IOException("the response is closed");
            }
            if (noBody || head.method.equals("HEAD")) {
                return;
            }
            if (declared >= 0 && written + len > declared) {
                broken = true;
                throw new IOException("more bytes than the declared length");
            }
            written += len;
            if (isChunked) {
                if (len == 0) {
                    return;
                }
                byte[] size = (Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                append(size, 0, size.length);
                append(b, off, len);
                append(CRLF, 0, 2);
            } else {
                append(b, off, len);
            }
        }

        private void append(byte[] b, int off, int len) throws IOException {
            if (n + len > buf.length && buf.length < OUT_BUFFER) {
                buf = java.util.Arrays.copyOf(buf, Math.min(OUT_BUFFER, Math.max(buf.length * 2, n + len)));
            }
            if (n + len <= buf.length) {
                System.arraycopy(b, off, buf, n, len);
                n += len;
                return;
            }
            flushBuffer();
            if (len >= buf.length) {
                SelectorExchange.this.write(b, off, len);
            } else {
                System.arraycopy(b, off, buf, 0, len);
                n = len;
            }
        }

        private void flushBuffer() throws IOException {
            if (n > 0) {
                SelectorExchange.this.write(buf, 0, n);
                n = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            flushBuffer();
        }

        @Override
        public void close() throws IOException {
            if (ended) {
                return;
            }
            ended = true;
            if (isChunked) {
                append(LAST_CHUNK, 0, LAST_CHUNK.length);
            } else if (declared >= 0 && written != declared && !head.method.equals("HEAD")) {
                broken = true;
            }
            flushBuffer();
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
}
