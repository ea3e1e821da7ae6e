package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.afmetrics.config.PortRange;
import org.afmetrics.notebook.PushedMetrics;

/**
 * The HTTP side: {@code /metrics} ({@link ScrapeHandler}, simpleclient_httpserver for the rest)
 * on the first free port of the range, plus the push endpoint and the landing page. Plain HTTP
 * is served by the agent's own {@link LoopbackHttpServer} (TCP_NODELAY on its own sockets only);
 * TLS by the JDK's HttpsServer. All threads are daemons, started from a daemon thread, so the host
 * JVM exits as if the agent were not there.
 */
public final class ExporterServer {
    /** A request head not read within this, or an exchange holding a thread longer, is cut off. */
    static final long HEAD_DEADLINE_MILLIS = 2_000;
    static final long EXCHANGE_DEADLINE_MILLIS = 15_000;
    private static final int THREADS = 8;

    private final HTTPServer server;
    private final InetSocketAddress address;
    private final DeadlineExecutor executor;
    private final boolean tls;

    private ExporterServer(HTTPServer server, InetSocketAddress address, DeadlineExecutor executor, boolean tls) {
        this.server = server;
        this.address = address;
        this.executor = executor;
        this.tls = tls;
    }

    /** Binds the first free port of the range; throws when none is free or the host is wrong. */
    public static ExporterServer start(String host, PortRange ports, CollectorRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes) throws IOException {
        return start(host, ports, registry, pushed, maxPushBytes, HttpSecurity.none());
    }

    /** As above, with basic auth and TLS on the metrics and a token for the push endpoint if configured. */
    public static ExporterServer start(String host, PortRange ports, CollectorRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes, HttpSecurity security)
            throws IOException {
        return start(host, ports, registry, pushed, maxPushBytes, security, null);
    }

    /** As above, with the landing page at {@code /} (instead of a second copy of the metrics). */
    public static ExporterServer start(String host, PortRange ports, CollectorRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes, HttpSecurity security,
                                       LandingPage landing) throws IOException {
        InetAddress bind = InetAddress.getByName(host);
        HttpServer http = bindFirstFree(bind, ports, security);
        if (pushed != null) {
            http.createContext(PushEndpoint.PATH,
                    PinnedExecutorServer.headRead(new PushEndpoint(pushed, maxPushBytes, security)));
        }
        DeadlineExecutor executor = new DeadlineExecutor(THREADS, HEAD_DEADLINE_MILLIS, EXCHANGE_DEADLINE_MILLIS);
        try {
            PinnedExecutorServer pinned = new PinnedExecutorServer(http, executor);
            HTTPServer server = new HTTPServer.Builder()
                    .withHttpServer(pinned)
                    .withRegistry(registry)
                    .withAuthenticator(security.authenticator())
                    .withDaemonThreads(true)
                    .build();
            if (registry instanceof LabelledRegistry) {
                // the metrics from the scrape handler: rendered families reused while unchanged
                pinned.removeContext("/metrics");
                HttpContext metrics = pinned.createContext("/metrics", new ScrapeHandler((LabelledRegistry) registry));
                if (security.authenticator() != null) {
                    metrics.setAuthenticator(security.authenticator());
                }
            }
            if (landing != null) {
                // simpleclient_httpserver serves the metrics at "/" too; the page takes that place
                pinned.removeContext("/");
                HttpContext page = pinned.createContext("/", landing);
                if (security.authenticator() != null) {
                    page.setAuthenticator(security.authenticator());
                }
            }
            registry.register(new CutOffCollector(executor, http));
            return new ExporterServer(server, http.getAddress(), executor, security.https() != null);
        } catch (IOException | RuntimeException e) {
            executor.shutdown();
            http.stop(0);
            throw e;
        }
    }

    private static HttpServer bindFirstFree(InetAddress bind, PortRange ports, HttpSecurity security)
            throws IOException {
        BindException last = null;
        for (int port = ports.first(); port <= ports.last(); port++) {
            try {
                InetSocketAddress at = new InetSocketAddress(bind, port);
                if (security.https() == null) {
                    // the agent's own server: the JDK's answers keep-alive scrapes ~40 ms late
                    // unless TCP_NODELAY is set JVM-wide, host's servers included (LoopbackHttpServer)
                    return LoopbackHttpServer.create(at, 64);
                }
                HttpsServer https = HttpsServer.create(at, 64);
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
        return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("in use");
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

    public void stop() {
        server.close();
        executor.shutdown();
    }

    /** Exchanges cut off at the deadline since start (slow or stalled clients). */
    public long exchangesCutOff() {
        return executor.interruptedCount();
    }

    /** {@code afmetrics_http_exchanges_cut_off_total}: how often slow or stalled clients were cut off. */
    private static final class CutOffCollector extends io.prometheus.client.Collector {
        private final DeadlineExecutor executor;
        private final HttpServer http;

        CutOffCollector(DeadlineExecutor executor, HttpServer http) {
            this.executor = executor;
            this.http = http;
        }

        /** Exchanges the executor interrupted, and request heads our own server gave up waiting for. */
        private long cutOff() {
            return executor.interruptedCount()
                    + (http instanceof LoopbackHttpServer ? ((LoopbackHttpServer) http).headsCutOff() : 0);
        }

        @Override
        public java.util.List<MetricFamilySamples> collect() {
            return java.util.Collections.singletonList(new io.prometheus.client.CounterMetricFamily(
                    "afmetrics_http_exchanges_cut_off",
                    "HTTP exchanges cut off because the client was too slow to send its request or to read the answer.",
                    cutOff()));
        }
    }
}
