package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.afmetrics.notebook.HeapGuard;
import org.afmetrics.support.AgentThreads;
import org.afmetrics.support.InternalErrors;

/**
 * The exporter's plain-HTTP server, behind the {@code com.sun.net.httpserver} API so the handlers,
 * filters and authenticator are the same as on the JDK's HttpsServer (which serves TLS).
 * <p>
 * Why not the JDK's {@code HttpServer} for plain HTTP: it has no bound on open connections (JDK 17
 * none at all; from JDK 21 a JVM-wide {@code jdk.httpserver.maxConnections} that refuses the
 * newest, a fresh scrape included, rather than the longest silent), and it reads a request head on
 * an exchange thread, so a thousand connections that each sent one byte hold its threads in turn
 * for seconds. Floods of never-speaking connections took a small-heap host's main down with
 * OutOfMemoryError and a host at its fd limit lost its own file opens.
 * <p>
 * Here one selector thread accepts, reads request heads without blocking, keeps every connection
 * in one of four states, and bounds them:
 * <ul>
 * <li>at most {@code max-connections} open (and at most an eighth of the process's fd limit); at
 *     the cap a new connection closes the one that has been silent longest: one that never sent a
 *     byte first, then an unfinished head or an idle keep-alive by the time of its last byte, never
 *     one whose exchange is running;</li>
 * <li>a connection that sends nothing goes after {@link #FRESH_MILLIS}, an idle keep-alive after
 *     {@link #IDLE_MILLIS}, a head not complete {@link #HEAD_MILLIS} after its first byte;</li>
 * <li>only a complete, strictly parsed head ({@link RequestHead}) reaches an exchange thread, where
 *     the body and response are done in blocking mode under the {@link DeadlineExecutor}'s
 *     deadlines, as on the JDK server; the connection then goes back to the selector;</li>
 * <li>memory: no buffer while a connection is silent or idle, at most {@link RequestHead#MAX_BYTES}
 *     while its head arrives; while the heap is short of its reserve the cap drops to
 *     {@link #SHORT_HEAP_CAP}.</li>
 * </ul>
 * Contexts match by path prefix, as the JDK's do (the {@link RequestGuard} then asks for exact
 * paths). Responses go out in one write where they fit the buffer, on sockets with TCP_NODELAY,
 * which is set on this server's own sockets only.
 */
final class SelectorHttpServer extends HttpServer {
    static final long FRESH_MILLIS = 5_000;
    static final long IDLE_MILLIS = 30_000;
    static final long HEAD_MILLIS = 2_000;
    static final int SHORT_HEAP_CAP = 16;
    private static final long TICK_MILLIS = 100;
    private static final long ACCEPT_PAUSE_MILLIS = 100;

    enum State { FRESH, READING, BUSY, IDLE }

    /** Why the server closed connections on its own, for {@code afmetrics_http_connections_closed_total}. */
    enum Closed {
        CAP, SILENT, IDLE, HEAD_DEADLINE, MALFORMED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final InetSocketAddress address;
    private final int configuredCap;
    private volatile int cap;
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private volatile Executor executor;
    private DeadlineExecutor deadlines;
    private volatile boolean stopped;
    private Thread io;
    private SelectionKey listenerKey;
    private long acceptPausedUntil;

    // owned by the selector thread
    private final LinkedHashSet<Connection> fresh = new LinkedHashSet<>();
    private final LinkedHashSet<Connection> reading = new LinkedHashSet<>();
    private final LinkedHashSet<Connection> idle = new LinkedHashSet<>();
    private final Set<Connection> busy = new HashSet<>();
    private final List<Connection> handoffs = new ArrayList<>();
    private final ConcurrentLinkedQueue<Connection> returning = new ConcurrentLinkedQueue<>();
    private volatile int open;
    private final Map<Closed, AtomicLong> closed = new java.util.EnumMap<>(Closed.class);

    private SelectorHttpServer(ServerSocketChannel listener, Selector selector, int cap) {
        this.listener = listener;
        this.selector = selector;
        this.address = (InetSocketAddress) socketAddress(listener);
        this.configuredCap = cap;
        this.cap = cap;
        for (Closed c : Closed.values()) {
            closed.put(c, new AtomicLong());
        }
    }

    private static java.net.SocketAddress socketAddress(ServerSocketChannel c) {
        try {
            return c.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the listener has no address", e);
        }
    }

    /** Binds {@code at}; {@link #start()} then serves. {@code maxConnections}: the cap on open connections. */
    static SelectorHttpServer create(InetSocketAddress at, int backlog, int maxConnections) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector = null;
        try {
            listener.bind(at, backlog);
            listener.configureBlocking(false);
            selector = Selector.open();
            return new SelectorHttpServer(listener, selector, maxConnections);
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    @Override
    public void bind(InetSocketAddress addr, int backlog) {
        throw new UnsupportedOperationException("bound at creation");
    }

    @Override
    public void start() {
        cap = Math.max(1, Math.min(configuredCap, readFdLimit() / 8));
        try {
            listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen", e);
        }
        io = AgentThreads.start("http-io", this::serve);
    }

    @Override
    public void setExecutor(Executor executor) {
        this.executor = executor;
        this.deadlines = executor instanceof DeadlineExecutor ? (DeadlineExecutor) executor : null;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public void stop(int delaySeconds) {
        stopped = true;
        selector.wakeup();
        Thread t = io;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Math.max(50, TimeUnit.SECONDS.toMillis(delaySeconds)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(listener);
        closeQuietly(selector);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        Context c = new Context(path, handler);
        contexts.add(c);
        return c;
    }

    @Override
    public HttpContext createContext(String path) {
        return createContext(path, null);
    }

    @Override
    public void removeContext(String path) {
        contexts.removeIf(c -> c.getPath().equals(path));
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return address;
    }

    /** Connections open now, the cap in force, and those the server closed by reason. */
    int openConnections() {
        return open;
    }

    int cap() {
        return cap;
    }

    Map<Closed, Long> closedByServer() {
        Map<Closed, Long> m = new java.util.EnumMap<>(Closed.class);
        closed.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    // ---------------------------------------------------------------- the selector thread

    private void serve() {
        try {
            while (!stopped) {
                try {
                    round();
                } catch (ClosedSelectorException e) {
                    return;
                } catch (Throwable e) {
                    InternalErrors.count("http-io", e);
                }
            }
        } finally {
            closeAll();
        }
    }

    private long lastSweep;

    private void round() throws IOException {
        boolean timed = open > 0 || acceptPausedUntil != 0;
        selector.select(timed ? TICK_MILLIS : 0);
        takeBack();
        do {
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                if (!k.isValid()) {
                    continue;
                }
                if (k == listenerKey) {
                    acceptAll();
                } else {
                    Connection c = (Connection) k.attachment();
                    try {
                        readHead(c);
                    } catch (IOException e) {
                        close(c);
                    } catch (Throwable e) {
                        InternalErrors.count("http-io", e);
                        close(c);
                    }
                }
            }
            dispatchHandoffs();
        } while (!selector.selectedKeys().isEmpty());
        long now = System.nanoTime();
        if (now - lastSweep >= TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
            lastSweep = now;
            sweep(now);
            dispatchHandoffs();
        }
    }

    /** Complete heads go to exchange threads; their keys leave the selector first, so their channels may block. */
    private void dispatchHandoffs() throws IOException {
        if (handoffs.isEmpty()) {
            return;
        }
        selector.selectNow();
        for (Connection c : handoffs) {
            dispatch(c);
        }
        handoffs.clear();
    }

    private void acceptAll() {
        if (stopped) {
            return;
        }
        for (int i = 0; i < 256; i++) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                // out of file descriptors (the host's or ours): stop asking for a moment rather than
                // spin on a listener that stays ready, and give one back
                listenerKey.interestOps(0);
                acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACCEPT_PAUSE_MILLIS);
                evictOne();
                return;
            }
            if (ch == null) {
                return;
            }
            admit(ch);
        }
    }

    private void admit(SocketChannel ch) {
        if (open >= cap && !evictOne()) {
            closed.get(Closed.CAP).incrementAndGet();
            closeQuietly(ch);
            return;
        }
        Connection c = null;
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c = new Connection(ch, (InetSocketAddress) ch.getRemoteAddress(), (InetSocketAddress) ch.getLocalAddress());
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return;
        }
        open++;
        c.enter(State.FRESH, System.nanoTime());
        fresh.add(c);
    }

    /**
     * Closes the connection that has been silent longest, measured against what its state allows:
     * a never-speaking one is silent since it was accepted and goes after {@link #FRESH_MILLIS},
     * an unfinished head after {@link #HEAD_MILLIS} from its first byte, an idle keep-alive after
     * {@link #IDLE_MILLIS}; the one nearest its end goes first. So a never-speaking connection goes
     * sooner than an idle scraper, and one just accepted (a fresh scrape whose head is on its way)
     * goes last. A victim whose bytes have in fact arrived is read instead and the choice made
     * again. False when every connection is in an exchange.
     */
    private boolean evictOne() {
        for (int probes = 0; probes < 8; probes++) {
            long now = System.nanoTime();
            Connection victim = null;
            double worst = -1;
            for (LinkedHashSet<Connection> list : java.util.Arrays.asList(fresh, reading, idle)) {
                if (list.isEmpty()) {
                    continue;
                }
                Connection c = list.iterator().next();
                double score = silence(c, now);
                if (score > worst) {
                    worst = score;
                    victim = c;
                }
            }
            if (victim == null) {
                return false;
            }
            int before = open;
            boolean arrived;
            try {
                arrived = readHead(victim);
            } catch (IOException | RuntimeException e) {
                close(victim);
                arrived = false;
            }
            if (open < before) {
                return true;
            }
            if (!arrived) {
                closed.get(Closed.CAP).incrementAndGet();
                close(victim);
                return true;
            }
        }
        return false;
    }

    /** How much of its allowed silence a connection has used (the head of its list has used the most). */
    private static double silence(Connection c, long now) {
        switch (c.state) {
            case FRESH:
                return (now - c.since) / (double) TimeUnit.MILLISECONDS.toNanos(FRESH_MILLIS);
            case READING:
                return (now - c.lastByte) / (double) TimeUnit.MILLISECONDS.toNanos(HEAD_MILLIS);
            default:
                return (now - c.lastByte) / (double) TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);
        }
    }

    /** Reads what is there without blocking; true if any byte came. */
    private boolean readHead(Connection c) throws IOException {
        if (c.state == State.BUSY || !c.channel.isOpen()) {
            return false;
        }
        c.reserve(RequestHead.MAX_BYTES);
        ByteBuffer into = ByteBuffer.wrap(c.buf, c.end, c.buf.length - c.end);
        int n = c.channel.read(into);
        if (n < 0) {
            close(c);
            return false;
        }
        if (n == 0) {
            c.releaseIfEmpty();
            return false;
        }
        c.end += n;
        long now = System.nanoTime();
        if (c.state != State.READING) {
            listOf(c.state).remove(c);
            c.enter(State.READING, now);
        } else {
            reading.remove(c);
        }
        c.lastByte = now;
        reading.add(c);
        headArrived(c);
        return true;
    }

    /** Hands the connection to an exchange thread if its buffer holds a whole head; refuses a bad one. */
    private void headArrived(Connection c) {
        c.compact();
        int end = RequestHead.end(c.buf, Math.max(0, c.scanned - 3), c.end);
        if (end < 0) {
            c.scanned = c.end;
            if (c.end >= RequestHead.MAX_BYTES) {
                refuse(c, 431, "the request head is over " + RequestHead.MAX_BYTES + " bytes");
            }
            return;
        }
        RequestHead head;
        try {
            head = RequestHead.parse(c.buf, end);
        } catch (RequestHead.Malformed e) {
            refuse(c, e.status, e.getMessage());
            return;
        }
        c.start = end;
        c.scanned = end;
        reading.remove(c);
        c.enter(State.BUSY, System.nanoTime());
        busy.add(c);
        c.head = head;
        c.key.cancel();
        handoffs.add(c);
    }

    private void dispatch(Connection c) {
        try {
            c.channel.configureBlocking(true);
            Executor e = executor;
            if (e == null) {
                throw new RejectedExecutionException("no executor");
            }
            e.execute(() -> exchange(c));
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    /** Connections coming back from their exchanges: kept alive, or to be closed. */
    private void takeBack() {
        Connection c;
        while ((c = returning.poll()) != null) {
            busy.remove(c);
            if (!c.keep || stopped) {
                close(c);
                continue;
            }
            try {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException | RuntimeException e) {
                close(c);
                continue;
            }
            long now = System.nanoTime();
            if (c.start < c.end) {
                // a pipelined request already in the buffer
                c.enter(State.READING, now);
                c.lastByte = now;
                reading.add(c);
                headArrived(c);
            } else {
                c.releaseIfEmpty();
                c.enter(State.IDLE, now);
                c.lastByte = now;
                idle.add(c);
            }
        }
    }

    private void sweep(long now) {
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0 && !stopped) {
            acceptPausedUntil = 0;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        cap = heapShort() ? Math.min(SHORT_HEAP_CAP, configuredCap) : Math.max(1, Math.min(configuredCap, fdLimit / 8));
        expire(fresh, now, FRESH_MILLIS, Closed.SILENT);
        expire(idle, now, IDLE_MILLIS, Closed.IDLE);
        long headNanos = TimeUnit.MILLISECONDS.toNanos(HEAD_MILLIS);
        for (Iterator<Connection> it = reading.iterator(); it.hasNext(); ) {
            Connection c = it.next();
            if (now - c.since > headNanos) {
                it.remove();
                closed.get(Closed.HEAD_DEADLINE).incrementAndGet();
                if (deadlines != null) {
                    deadlines.countCut(DeadlineExecutor.Phase.HEAD);
                }
                closeUnlisted(c);
            }
        }
        while (open > cap && evictOne()) {
            // the cap fell with the heap: the longest silent go first
        }
    }

    /** Closes the list's connections older than the limit; the list is in the order they entered it. */
    private void expire(LinkedHashSet<Connection> list, long now, long limitMillis, Closed why) {
        long limit = TimeUnit.MILLISECONDS.toNanos(limitMillis);
        for (Iterator<Connection> it = list.iterator(); it.hasNext(); ) {
            Connection c = it.next();
            if (now - c.since <= limit) {
                return;
            }
            it.remove();
            closed.get(why).incrementAndGet();
            closeUnlisted(c);
        }
    }

    /** Answers a head that cannot be served with a short text (never its own bytes) and closes. */
    private void refuse(Connection c, int status, String reason) {
        closed.get(Closed.MALFORMED).incrementAndGet();
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 " + status + " " + SelectorExchange.reason(status) + "\r\nContent-Type: text/plain; charset=utf-8"
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
            // one try without blocking: a client that does not read gets no more of our time
            c.channel.write(new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(body)});
            c.channel.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // closed below
        }
        close(c);
    }

    private LinkedHashSet<Connection> listOf(State s) {
        switch (s) {
            case FRESH:
                return fresh;
            case READING:
                return reading;
            case IDLE:
                return idle;
            default:
                return new LinkedHashSet<>();
        }
    }

    private void close(Connection c) {
        if (c.state == State.BUSY) {
            busy.remove(c);
        } else {
            listOf(c.state).remove(c);
        }
        closeUnlisted(c);
    }

    private void closeUnlisted(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        open--;
        if (c.key != null) {
            c.key.cancel();
        }
        c.buf = null;
        closeQuietly(c.channel);
    }

    private void closeAll() {
        List<Connection> all = new ArrayList<>();
        all.addAll(fresh);
        all.addAll(reading);
        all.addAll(idle);
        all.addAll(busy);
        for (Connection c : all) {
            close(c);
        }
        returning.forEach(c -> closeQuietly(c.channel));
        closeQuietly(listener);
        closeQuietly(selector);
    }

    /** Whether the heap lacks room for a full set of head buffers beside its reserve (the one rule, {@link HeapGuard}). */
    private boolean heapShort() {
        return !HeapGuard.allows((long) configuredCap * RequestHead.MAX_BYTES / 4);
    }

    private int fdLimit = Integer.MAX_VALUE;

    /** The soft limit on open files ({@code /proc/self/limits}), or a large number where it cannot be read. */
    private int readFdLimit() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    fdLimit = f[0].equals("unlimited") ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE,
                            Long.parseLong(f[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the configured cap alone
        }
        return fdLimit;
    }

    // ---------------------------------------------------------------- exchange threads

    private void exchange(Connection c) {
        SelectorExchange ex = new SelectorExchange(c, contextFor(c.head.uri.getPath()));
        boolean keep = false;
        try {
            ex.run();
            keep = ex.finish();
        } catch (IOException | RuntimeException e) {
            keep = false;
        } finally {
            c.keep = keep && !stopped;
            c.head = null;
            try {
                if (c.keep) {
                    c.channel.configureBlocking(false);
                }
            } catch (IOException | RuntimeException e) {
                c.keep = false;
            }
            returning.add(c);
            selector.wakeup();
        }
    }

    /** The context whose path is the longest prefix of the request's, as the JDK server picks. */
    private Context contextFor(String path) {
        Context best = null;
        String p = path == null ? "" : path;
        for (Context c : contexts) {
            if (p.startsWith(c.getPath()) && (best == null || c.getPath().length() > best.getPath().length())) {
                best = c;
            }
        }
        return best;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // already gone
        }
    }

    /** One client connection: its channel, where it is, and the bytes read and not yet used. */
    static final class Connection {
        final SocketChannel channel;
        final InetSocketAddress remote;
        final InetSocketAddress local;
        SelectionKey key;
        State state;
        /** When the current state began (for a head: its first byte). */
        long since;
        long lastByte;
        byte[] buf;
        int start;
        int end;
        int scanned;
        RequestHead head;
        boolean keep;
        boolean closed;

        Connection(SocketChannel channel, InetSocketAddress remote, InetSocketAddress local) {
            this.channel = channel;
            this.remote = remote;
            this.local = local;
        }

        void enter(State s, long now) {
            state = s;
            since = now;
        }

        /** A buffer with room to read into, growing up to {@code max} bytes. */
        void reserve(int max) {
            if (buf == null) {
                buf = new byte[1024];
                start = end = scanned = 0;
            } else if (end == buf.length) {
                compact();
                if (end == buf.length && buf.length < max) {
                    buf = java.util.Arrays.copyOf(buf, Math.min(max, buf.length * 2));
                }
            }
        }

        /** Moves unread bytes to the front of the buffer. */
        void compact() {
            if (start > 0 && buf != null) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                scanned = Math.max(0, scanned - start);
                start = 0;
            }
        }

        void releaseIfEmpty() {
            if (start == end) {
                buf = null;
                start = end = scanned = 0;
            }
        }
    }

    /** A context: a path prefix, its handler, filters and authenticator. */
    final class Context extends HttpContext {
        private final String path;
        private HttpHandler handler;
        private final List<Filter> filters = new CopyOnWriteArrayList<>();
        private final Map<String, Object> attributes = Collections.synchronizedMap(new HashMap<>());
        private volatile Authenticator authenticator;

        Context(String path, HttpHandler handler) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("a context path starts with /");
            }
            this.path = path;
            this.handler = handler;
        }

        @Override
        public HttpHandler getHandler() {
            return handler;
        }

        @Override
        public void setHandler(HttpHandler h) {
            this.handler = h;
        }

        @Override
        public String getPath() {
            return path;
        }

        @Override
        public HttpServer getServer() {
            return SelectorHttpServer.this;
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

        /** The filters, then the authenticator (as the JDK runs them), then the handler. */
        void handle(HttpExchange exchange) throws IOException {
            List<Filter> all = new ArrayList<>(filters);
            Authenticator a = authenticator;
            if (a != null) {
                all.add(new AuthenticatorFilter(a));
            }
            new Filter.Chain(all, handler).doFilter(exchange);
        }
    }

    /** Runs an {@link Authenticator} as the JDK server does: success goes on, retry or failure answers. */
    private static final class AuthenticatorFilter extends Filter {
        private final Authenticator authenticator;

        AuthenticatorFilter(Authenticator authenticator) {
            this.authenticator = authenticator;
        }

        @Override
        public String description() {
            return "authentication";
        }

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            Authenticator.Result r = authenticator.authenticate(exchange);
            if (r instanceof Authenticator.Success) {
                ((SelectorExchange) exchange).principal(((Authenticator.Success) r).getPrincipal());
                chain.doFilter(exchange);
            } else if (r instanceof Authenticator.Retry) {
                exchange.sendResponseHeaders(((Authenticator.Retry) r).getResponseCode(), -1);
                exchange.close();
            } else {
                exchange.sendResponseHeaders(((Authenticator.Failure) r).getResponseCode(), -1);
                exchange.close();
            }
        }
    }
}
