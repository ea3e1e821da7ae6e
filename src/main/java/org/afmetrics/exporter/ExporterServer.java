package org.afmetrics.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.afmetrics.config.PortRange;
import org.afmetrics.notebook.PushedMetrics;
import org.afmetrics.support.AgentThreads;

/**
 * The HTTP side, on the JDK's own server ({@code com.sun.net.httpserver}, HttpsServer for TLS):
 * {@code /metrics} ({@link ScrapeHandler}), {@code /} (the {@link LandingPage}), {@code /-/healthy}
 * and the push endpoint, on the first free port of the range. Every context is guarded by a
 * {@link RequestGuard}; exchanges run on the {@link DeadlineExecutor}, which closes connections
 * that stay too long in a phase. Idle and never-speaking connections wait in the JDK server's
 * selector and hold no thread. All threads are the agent's daemons (see
 * {@link org.afmetrics.support.AgentThreads}), so the host JVM exits as if the agent were not there.
 */
public final class ExporterServer {
    /**
     * Deadlines of the head (from its first byte), the body (from the end of the head) and the
     * response (from when it is ready), in milliseconds: when threads are free, and while other
     * exchanges wait for one.
     */
    static final long[] DEADLINES_MILLIS = {2_000, 4_000, 4_000};
    static final long[] PRESSED_DEADLINES_MILLIS = {500, 1_000, 2_000};
    /** Exchange threads; more clients than this wait (idle ones on no thread at all). */
    private static final int THREADS = 16;
    private static final String HEALTHY = "Exporter is Healthy.\n";
    /** Connections waiting to be accepted; beyond it the kernel holds back new ones. */
    private static final int BACKLOG = 128;
    public static final int DEFAULT_MAX_CONNECTIONS = 256;

    private final HttpServer server;
    private final InetSocketAddress address;
    private final DeadlineExecutor executor;
    private final boolean tls;

    private ExporterServer(HttpServer server, DeadlineExecutor executor, boolean tls) {
        this.server = server;
        this.address = server.getAddress();
        this.executor = executor;
        this.tls = tls;
    }

    /** A server with no access control or landing page (for tests). */
    static ExporterServer start(String host, PortRange ports, LabelledRegistry registry,
                                PushedMetrics pushed, long maxPushBytes) throws IOException {
        return start(host, ports, registry, pushed, maxPushBytes, HttpSecurity.none(), null, DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * Binds the first free port of the range (throws when none is free or the host is wrong) and
     * serves the registry, with basic auth and TLS on the metrics and a token for the push
     * endpoint if configured, the landing page at {@code /} (else a second copy of the metrics),
     * and at most {@code maxConnections} connections open at once (plain HTTP).
     */
    public static ExporterServer start(String host, PortRange ports, LabelledRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes, HttpSecurity security,
                                       LandingPage landing, int maxConnections) throws IOException {
        InetAddress bind = InetAddress.getByName(host);
        HttpServer http = bindFirstFree(bind, ports, security, maxConnections);
        DeadlineExecutor executor = new DeadlineExecutor(THREADS, DEADLINES_MILLIS, PRESSED_DEADLINES_MILLIS);
        try {
            http.setExecutor(executor);
            RequestGuard guard = new RequestGuard(bind);
            Authenticator auth = security.authenticator();
            HttpHandler metrics = new ScrapeHandler(registry);
            context(http, "/metrics", metrics, guard, auth);
            context(http, "/", landing != null ? landing : metrics, guard, auth);
            context(http, "/-/healthy", ExporterServer::healthy, guard, auth);
            if (pushed != null) {
                // the push endpoint has its own access rule (HttpSecurity.pushRefusal), not basic auth
                context(http, PushEndpoint.PATH, new PushEndpoint(pushed, maxPushBytes, security), guard, null);
            }
            registry.register(new ConnectionsCollector(executor,
                    http instanceof SelectorHttpServer ? (SelectorHttpServer) http : null));
            http.start();
            ExporterServer server = new ExporterServer(http, executor, security.https() != null);
            server.stopAtExit();
            return server;
        } catch (RuntimeException | Error e) {
            executor.shutdown();
            http.stop(0);
            throw e;
        }
    }

    /** A loopback server on a free port serving the registry behind the given basic auth (for tests). */
    static ExporterServer startWithAuth(LabelledRegistry registry, Authenticator auth) throws IOException {
        return start("127.0.0.1", PortRange.parse("0"), registry, null, 0, HttpSecurity.withAuthenticator(auth), null,
                DEFAULT_MAX_CONNECTIONS);
    }

    private static void context(HttpServer http, String path, HttpHandler handler, RequestGuard guard,
                                Authenticator auth) {
        HttpContext c = http.createContext(path, handler);
        c.getFilters().add(guard);
        if (auth != null) {
            c.setAuthenticator(auth);
        }
    }

    private static void healthy(HttpExchange exchange) throws IOException {
        if (Responses.getOrHead(exchange)) {
            Responses.send(exchange, 200, Responses.TEXT, HEALTHY);
        }
        exchange.close();
    }

    private static HttpServer bindFirstFree(InetAddress bind, PortRange ports, HttpSecurity security,
                                            int maxConnections) throws IOException {
        BindException last = null;
        for (int port = ports.first(); port <= ports.last(); port++) {
            try {
                InetSocketAddress at = new InetSocketAddress(bind, port);
                if (security.https() == null) {
                    return SelectorHttpServer.create(at, BACKLOG, maxConnections);
                }
                // TLS stays on the JDK's server, which needs the JVM-wide TCP_NODELAY setting
                JdkServerSettings.noDelayUnlessSet();
                HttpsServer https = HttpsServer.create(at, BACKLOG);
                https.setHttpsConfigurator(security.https());
                return https;
            } catch (BindException e) {
                if (!isInUse(e)) {
                    throw new BindException("cannot bind " + bind.getHostAddress() + ": " + e.getMessage());
                }
                last = e;
            }
        }
        throw new BindException("no free port in " + ports + " on " + bind.getHostAddress()
                + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    private static boolean isInUse(BindException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("in use");
    }

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The URL to scrape, with an IPv6 literal in brackets. */
    public String url() {
        InetAddress a = address.getAddress();
        String host = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return (tls ? "https://" : "http://") + host + ":" + port() + "/metrics";
    }

    /**
     * At exit the JVM waits up to 300 ms for threads sitting in native calls, daemons too: the JDK
     * server's dispatcher in its selector, exchanges in socket reads. Stopping the server from a
     * shutdown hook takes them out (at most {@link #EXIT_STOP_MILLIS}, in practice a millisecond).
     */
    private void stopAtExit() {
        Thread hook = AgentThreads.create("http-stop", () -> {
            Thread stopping = AgentThreads.start("http-stopping", this::stop);
            try {
                stopping.join(EXIT_STOP_MILLIS);
            } catch (InterruptedException ignored) {
                // the exit goes on
            }
        });
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already exiting
        }
    }

    private static final long EXIT_STOP_MILLIS = 200;

    public void stop() {
        server.stop(0);
        executor.shutdown();
    }

    /**
     * {@code afmetrics_http_exchanges_cut_off_total{phase}}: connections closed at a deadline;
     * {@code afmetrics_http_connections} and {@code afmetrics_http_connections_max}: open now and
     * the cap in force; {@code afmetrics_http_connections_closed_total{reason}}: closed by the
     * server for the cap, silence, idleness, a late or a malformed head.
     */
    private static final class ConnectionsCollector extends Collector {
        private final DeadlineExecutor executor;
        private final SelectorHttpServer server;

        ConnectionsCollector(DeadlineExecutor executor, SelectorHttpServer server) {
            this.executor = executor;
            this.server = server;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            CounterMetricFamily f = new CounterMetricFamily("afmetrics_http_exchanges_cut_off",
                    "HTTP connections closed because the client was too slow to send its request head or body, "
                            + "or to read the answer.", Collections.singletonList("phase"));
            for (Map.Entry<DeadlineExecutor.Phase, Long> e : executor.cutOff().entrySet()) {
                f.addMetric(Arrays.asList(e.getKey().label()), e.getValue());
            }
            if (server == null) {
                return Collections.singletonList(f);
            }
            GaugeMetricFamily open = new GaugeMetricFamily("afmetrics_http_connections",
                    "HTTP connections open to the exporter now.", server.openConnections());
            GaugeMetricFamily max = new GaugeMetricFamily("afmetrics_http_connections_max",
                    "The most HTTP connections the exporter keeps open (max-connections, lowered by the fd limit"
                            + " and while the heap is short).", server.cap());
            CounterMetricFamily closed = new CounterMetricFamily("afmetrics_http_connections_closed",
                    "HTTP connections the exporter closed on its own, by reason: cap (the longest silent when the"
                            + " cap was reached), silent (never sent a byte), idle, head_deadline, malformed.",
                    Collections.singletonList("reason"));
            for (Map.Entry<SelectorHttpServer.Closed, Long> e : server.closedByServer().entrySet()) {
                closed.addMetric(Arrays.asList(e.getKey().label()), e.getValue());
            }
            return Arrays.asList(f, open, max, closed);
        }
    }
}
