package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * A small HTTP/1.1 server behind the {@code com.sun.net.httpserver} API, so the exporter's
 * handlers stay what they are. Why not the JDK's own: it sends a response head and body in two
 * writes, and with Nagle's algorithm on, a keep-alive scrape (as Prometheus makes) then waits for
 * the scraper's delayed ACK, about 40 ms. The JDK turns Nagle off only JVM-wide
 * ({@code sun.net.httpserver.nodelay}), which would change the host's own HTTP servers too.
 * Here TCP_NODELAY is set on the agent's own sockets only, and every response leaves in one write.
 * <p>
 * Blocking sockets, one daemon thread per open connection (capped), handlers run on that thread
 * or on the executor if one is set.
 */
public final class LoopbackHttpServer extends HttpServer {
    static final int MAX_CONNECTIONS = 128;
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** How long a kept-alive connection may sit idle, as the JDK's server (sun.net.httpserver.idleInterval). */
    static final int IDLE_MILLIS = 30_000;
    /** How long one read may stall within a request body. */
    static final int READ_MILLIS = 5_000;
    /**
     * How long a request head may take once its first byte came: a real client sends it in one
     * packet, one that trickles it byte by byte (slow-loris) is cut off (as ExporterServer's
     * deadline executor does for the JDK's server).
     */
    static final long HEAD_MILLIS = 2_000;
    /** Unread request body left by a handler that we still read away to keep the connection. */
    private static final int MAX_DRAIN = 64 * 1024;

    private final ServerSocket listener;
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final java.util.concurrent.atomic.AtomicLong headsCutOff = new java.util.concurrent.atomic.AtomicLong();
    private volatile Executor executor;
    private volatile boolean stopped;

    private LoopbackHttpServer(ServerSocket listener) {
        this.listener = listener;
    }

    /** Binds {@code address}; {@link #start()} then accepts. */
    public static LoopbackHttpServer create(InetSocketAddress address, int backlog) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return new LoopbackHttpServer(s);
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        throw new java.net.BindException("already bound to " + listener.getLocalSocketAddress());
    }

    /**
     * Starts accepting, and closes the sockets when the JVM shuts down. That matters: a thread
     * blocked in accept or read sits in native code, and the JVM's exit waits up to 300 ms for
     * such threads, daemons or not, so an exporter left listening would slow every host's exit.
     */
    @Override
    public void start() {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new Closer(this), "af-metrics-http-close"));
        } catch (IllegalStateException shuttingDown) {
            stop(0);
            return;
        }
        Thread t = new Thread(new Acceptor(), "af-metrics-http");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static final class Closer implements Runnable {
        private final LoopbackHttpServer server;

        Closer(LoopbackHttpServer server) {
            this.server = server;
        }

        @Override
        public void run() {
            server.stop(0);
        }
    }

    @Override
    public void setExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    /**
     * Closes the listening socket and every connection, then waits (briefly) for the server's
     * threads to leave the native calls they were blocked in, so the JVM's exit finds none there.
     */
    @Override
    public void stop(int delaySeconds) {
        stopped = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        long deadline = System.nanoTime() + STOP_WAIT_NANOS;
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (t == Thread.currentThread() || left <= 0) {
                continue;
            }
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final long STOP_WAIT_NANOS = 200_000_000L;

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        HttpContext c = createContext(path);
        c.setHandler(handler);
        return c;
    }

    @Override
    public synchronized HttpContext createContext(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a context path starts with /: " + path);
        }
        for (Context c : contexts) {
            if (c.path.equals(path)) {
                throw new IllegalArgumentException("context " + path + " already exists");
            }
        }
        Context c = new Context(path);
        contexts.add(c);
        return c;
    }

    @Override
    public synchronized void removeContext(String path) {
        if (!contexts.removeIf(c -> c.path.equals(path))) {
            throw new IllegalArgumentException("no context " + path);
        }
    }

    @Override
    public void removeContext(HttpContext context) {
        removeContext(context.getPath());
    }

    /** Connections closed because their request head did not arrive within {@link #HEAD_MILLIS}. */
    public long headsCutOff() {
        return headsCutOff.get();
    }

    @Override
    public InetSocketAddress getAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The context whose path is the longest prefix of {@code path}, or null. */
    private Context find(String path) {
        Context best = null;
        for (Context c : contexts) {
            if (path.startsWith(c.path) && (best == null || c.path.length() > best.path.length())) {
                best = c;
            }
        }
        return best;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private final class Acceptor implements Runnable {
        @Override
        public void run() {
            try {
                accept();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }

        private void accept() {
            while (!stopped) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    if (stopped || listener.isClosed()) {
                        return;
                    }
                    continue;
                }
                if (!slots.tryAcquire()) {
                    closeQuietly(s);
                    continue;
                }
                try {
                    s.setTcpNoDelay(true);
                    open.add(s);
                    Thread t = new Thread(new Connection(s), "af-metrics-http-conn");
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                } catch (IOException | RuntimeException | Error e) {
                    open.remove(s);
                    slots.release();
                    closeQuietly(s);
                }
            }
        }
    }

    private final class Connection implements Runnable {
        private final Socket socket;

        Connection(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try {
                InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                OutputStream out = socket.getOutputStream();
                boolean keep = true;
                while (keep && !stopped) {
                    socket.setSoTimeout(IDLE_MILLIS);
                    in.mark(1);
                    if (in.read() < 0) {
                        return;
                    }
                    in.reset();
                    socket.setSoTimeout((int) HEAD_MILLIS);
                    keep = serveOne(in, out);
                }
            } catch (IOException | RuntimeException e) {
                // the client went away, stalled or spoke nonsense: the connection ends, the server serves on
            } finally {
                open.remove(socket);
                threads.remove(Thread.currentThread());
                slots.release();
                closeQuietly(socket);
            }
        }

        /** Serves one request; says whether the connection may carry another. */
        private boolean serveOne(InputStream in, OutputStream out) throws IOException {
            List<String> lines;
            try {
                lines = readHead(in, System.nanoTime() + HEAD_MILLIS * 1_000_000L);
            } catch (SocketTimeoutException slow) {
                headsCutOff.incrementAndGet();
                return false;
            }
            socket.setSoTimeout(READ_MILLIS);
            if (lines == null) {
                plain(out, 431, "request head too large or malformed", true);
                return false;
            }
            String[] requestLine = lines.get(0).split(" ");
            if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
                plain(out, 400, "bad request line", true);
                return false;
            }
            Headers headers = new Headers();
            for (int i = 1; i < lines.size(); i++) {
                String l = lines.get(i);
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    plain(out, 400, "bad header line", true);
                    return false;
                }
                headers.add(l.substring(0, colon).trim(), l.substring(colon + 1).trim());
            }
            URI uri;
            try {
                uri = new URI(requestLine[1]);
            } catch (java.net.URISyntaxException e) {
                plain(out, 400, "bad request target", true);
                return false;
            }
            boolean http10 = requestLine[2].equals("HTTP/1.0");
            String connection = lower(headers.getFirst("Connection"));
            boolean keep = http10 ? connection.contains("keep-alive") : !connection.contains("close");
            String coding = headers.getFirst("Transfer-Encoding");
            boolean chunked = coding != null && lower(coding).trim().endsWith("chunked");
            if (coding != null && !chunked) {
                plain(out, 501, "unsupported Transfer-Encoding", true);
                return false;
            }
            long length = 0;
            String cl = headers.getFirst("Content-Length");
            if (cl != null && !chunked) {
                try {
                    length = Long.parseLong(cl.trim());
                } catch (NumberFormatException e) {
                    length = -1;
                }
                if (length < 0) {
                    plain(out, 400, "bad Content-Length", true);
                    return false;
                }
            }
            Context context = find(uri.getRawPath() == null ? "/" : uri.getRawPath());
            if (context == null || context.handler == null) {
                Body body = chunked ? new ChunkedInput(in) : new BoundedInput(in, length);
                plain(out, 404, "no handler for " + uri.getRawPath(), !keep);
                return keep && body.drain();
            }
            if ((length > 0 || chunked) && "100-continue".equalsIgnoreCase(headers.getFirst("Expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            Exchange ex = new Exchange(context, requestLine[0], uri, requestLine[2], headers,
                    chunked ? new ChunkedInput(in) : new BoundedInput(in, length), out, socket, keep, http10);
            dispatch(ex);
            ex.finish();
            return ex.keepAlive && ex.requestBody.drain();
        }

        private void dispatch(Exchange ex) {
            Executor e = executor;
            if (e == null) {
                handle(ex);
                return;
            }
            CountDownLatch done = new CountDownLatch(1);
            try {
                e.execute(() -> {
                    try {
                        handle(ex);
                    } finally {
                        done.countDown();
                    }
                });
                done.await();
            } catch (RejectedExecutionException r) {
                ex.fail(503);
            } catch (InterruptedException i) {
                Thread.currentThread().interrupt();
                ex.fail(503);
            }
        }

        private void handle(Exchange ex) {
            try {
                Authenticator auth = ex.context.authenticator;
                if (auth != null) {
                    Authenticator.Result r = auth.authenticate(ex);
                    if (r instanceof Authenticator.Success) {
                        ex.principal = ((Authenticator.Success) r).getPrincipal();
                    } else {
                        int code = r instanceof Authenticator.Failure ? ((Authenticator.Failure) r).getResponseCode()
                                : ((Authenticator.Retry) r).getResponseCode();
                        ex.sendResponseHeaders(code, -1);
                        return;
                    }
                }
                new Filter.Chain(ex.context.filters, ex.context.handler).doFilter(ex);
            } catch (IOException | RuntimeException e) {
                ex.fail(500);
            }
        }
    }

    /** The request head as lines, without the blank line; null when too large or cut short. */
    private static List<String> readHead(InputStream in, long deadlineNanos) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int total = 0;
        int c;
        while ((c = in.read()) >= 0) {
            if (++total > MAX_HEAD_BYTES) {
                return null;
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new SocketTimeoutException("request head not complete in time");
            }
            if (c == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                if (line.length() == 0) {
                    if (lines.isEmpty()) {
                        continue;
                    }
                    return lines;
                }
                lines.add(line.toString());
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        return null;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static void plain(OutputStream out, int code, String message, boolean close) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(concat(head(code, body.length, "text/plain; charset=utf-8", null, close), body));
        out.flush();
    }

    private static byte[] head(int code, long length, String contentType, Headers extra, boolean close) {
        StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(code).append(' ')
                .append(reason(code)).append("\r\n");
        if (extra != null) {
            for (Map.Entry<String, List<String>> e : extra.entrySet()) {
                String k = e.getKey();
                if (k.equalsIgnoreCase("Content-Length") || k.equalsIgnoreCase("Transfer-Encoding")
                        || k.equalsIgnoreCase("Connection")) {
                    continue;
                }
                for (String v : e.getValue()) {
                    sb.append(k).append(": ").append(v).append("\r\n");
                }
            }
        }
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (length >= 0) {
            sb.append("Content-Length: ").append(length).append("\r\n");
        }
        if (close) {
            sb.append("Connection: close\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String reason(int code) {
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
            case 411: return "Length Required";
            case 413: return "Payload Too Large";
            case 415: return "Unsupported Media Type";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    /** A request body, which the server reads to its end after the handler when that is cheap. */
    private abstract static class Body extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public void close() {
            // the connection stays open for the next request
        }

        /** Reads away what the handler left; false when too much is left to bother. */
        abstract boolean drain() throws IOException;
    }

    /** A chunked request body (as HTTP clients send a body whose length they do not know). */
    private static final class ChunkedInput extends Body {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                nextChunk();
                if (done) {
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new java.io.EOFException("chunked body ends early");
            }
            left -= n;
            if (left == 0) {
                line(); // the CRLF after the chunk's data
            }
            return n;
        }

        private void nextChunk() throws IOException {
            String size = line();
            int semi = size.indexOf(';');
            try {
                left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size");
            }
            if (left < 0) {
                throw new IOException("bad chunk size");
            }
            if (left == 0) {
                while (!line().isEmpty()) {
                    // trailers are ignored
                }
                done = true;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (sb.length() > 1024) {
                    throw new IOException("chunk line too long");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            if (c < 0) {
                throw new java.io.EOFException("chunked body ends early");
            }
            return sb.toString();
        }

        @Override
        boolean drain() throws IOException {
            byte[] skip = new byte[4096];
            long budget = MAX_DRAIN;
            while (!done) {
                int n = read(skip, 0, skip.length);
                if (n < 0) {
                    break;
                }
                budget -= n;
                if (budget < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A request body: exactly Content-Length bytes of the connection. */
    private static final class BoundedInput extends Body {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the connection stays open for the next request
        }

        @Override
        boolean drain() throws IOException {
            if (left > MAX_DRAIN) {
                return false;
            }
            byte[] skip = new byte[4096];
            while (left > 0) {
                if (read(skip, 0, skip.length) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private final class Context extends HttpContext {
        final String path;
        volatile HttpHandler handler;
        volatile Authenticator authenticator;
        final List<Filter> filters = new CopyOnWriteArrayList<>();
        final Map<String, Object> attributes = new ConcurrentHashMap<>();

        Context(String path) {
            this.path = path;
        }

        @Override
        public HttpHandler getHandler() {
            return handler;
        }

        @Override
        public void setHandler(HttpHandler h) {
            if (h == null) {
                throw new NullPointerException("handler");
            }
            handler = h;
        }

        @Override
        public String getPath() {
            return path;
        }

        @Override
        public HttpServer getServer() {
            return LoopbackHttpServer.this;
        }

        @Override
        public Map<String, Object> getAttributes() {
            return attributes;
        }

        @Override
        public List<Filter> getFilters() {
            return filters;
        }

        @Override
        public Authenticator setAuthenticator(Authenticator auth) {
            Authenticator old = authenticator;
            authenticator = auth;
            return old;
        }

        @Override
        public Authenticator getAuthenticator() {
            return authenticator;
        }
    }

    /** One request and its response, which is buffered and leaves in a single write. */
    private static final class Exchange extends HttpExchange {
        final Context context;
        private final String method;
        private final URI uri;
        private final String protocol;
        private final Headers requestHeaders;
        private final Headers responseHeaders = new Headers();
        final Body requestBody;
        private InputStream in;
        private final OutputStream socketOut;
        private final Socket socket;
        private final Map<String, Object> attributes = new HashMap<>();
        private final boolean http10;
        boolean keepAlive;
        HttpPrincipal principal;
        private int code = -1;
        private boolean bodyless;
        private boolean finished;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024) {
            @Override
            public void close() throws IOException {
                finish();
            }
        };
        private OutputStream out = buffer;

        Exchange(Context context, String method, URI uri, String protocol, Headers requestHeaders,
                 Body requestBody, OutputStream socketOut, Socket socket, boolean keepAlive, boolean http10) {
            this.context = context;
            this.method = method;
            this.uri = uri;
            this.protocol = protocol;
            this.requestHeaders = requestHeaders;
            this.requestBody = requestBody;
            this.in = requestBody;
            this.socketOut = socketOut;
            this.socket = socket;
            this.keepAlive = keepAlive;
            this.http10 = http10;
        }

        @Override
        public Headers getRequestHeaders() {
            return requestHeaders;
        }

        @Override
        public Headers getResponseHeaders() {
            return responseHeaders;
        }

        @Override
        public URI getRequestURI() {
            return uri;
        }

        @Override
        public String getRequestMethod() {
            return method;
        }

        @Override
        public HttpContext getHttpContext() {
            return context;
        }

        @Override
        public void close() {
            try {
                finish();
            } catch (IOException e) {
                keepAlive = false;
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
        public synchronized void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            if (code != -1) {
                throw new IOException("headers already sent");
            }
            code = rCode;
            bodyless = responseLength == -1 || method.equalsIgnoreCase("HEAD") || rCode == 204 || rCode == 304;
            if (responseHeaders.getFirst("Connection") != null
                    && responseHeaders.getFirst("Connection").equalsIgnoreCase("close")) {
                keepAlive = false;
            }
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return (InetSocketAddress) socket.getRemoteSocketAddress();
        }

        @Override
        public int getResponseCode() {
            return code;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public String getProtocol() {
            return protocol;
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

        /** A handler that failed: 500 if nothing was sent yet, and the connection ends. */
        void fail(int status) {
            keepAlive = false;
            synchronized (this) {
                if (code == -1) {
                    code = status;
                    bodyless = true;
                }
            }
            close();
        }

        /** Sends the response, head and body in one write; later calls do nothing. */
        synchronized void finish() throws IOException {
            if (finished) {
                return;
            }
            finished = true;
            if (code == -1) {
                code = 500;
                bodyless = true;
                keepAlive = false;
            }
            boolean noLength = code == 204 || code == 304 || (code >= 100 && code < 200);
            byte[] body = bodyless ? new byte[0] : buffer.toByteArray();
            StringBuilder extra = new StringBuilder();
            if (http10 && keepAlive) {
                extra.append("Connection: keep-alive\r\n");
            }
            byte[] h = head(code, noLength ? -1 : (method.equalsIgnoreCase("HEAD") ? declaredHeadLength() : body.length),
                    null, responseHeaders, !keepAlive);
            if (extra.length() > 0) {
                h = concat(java.util.Arrays.copyOf(h, h.length - 2),
                        (extra + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            try {
                socketOut.write(concat(h, body));
                socketOut.flush();
            } catch (SocketException | SocketTimeoutException e) {
                keepAlive = false;
                throw e;
            }
        }

        private long declaredHeadLength() {
            String cl = responseHeaders.getFirst("Content-Length");
            try {
                return cl == null ? 0 : Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
