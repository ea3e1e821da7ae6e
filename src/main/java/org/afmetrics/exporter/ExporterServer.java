package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.afmetrics.config.PortRange;
import org.afmetrics.notebook.PushedMetrics;

/**
 * The HTTP side: {@code /metrics} (and {@code /}, as simpleclient_httpserver serves it) on the
 * first free port of the range, {@code /-/healthy}, and the push endpoint, on the agent's own
 * small server ({@link LoopbackHttpServer}: no Nagle delay on keep-alive scrapes, nothing changed
 * for the host's own HTTP servers). All its threads are daemons, started from a daemon thread, so
 * the host JVM exits as if the agent were not there.
 */
public final class ExporterServer {
    private static final byte[] HEALTHY = "Exporter is Healthy.".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final InetSocketAddress address;
    private final ScrapeHandler scrapes;

    private ExporterServer(HttpServer server, InetSocketAddress address, ScrapeHandler scrapes) {
        this.server = server;
        this.address = address;
        this.scrapes = scrapes;
    }

    /** Binds the first free port of the range; throws when none is free or the host is wrong. */
    public static ExporterServer start(String host, PortRange ports, LabelledRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes) throws IOException {
        InetAddress bind = InetAddress.getByName(host);
        HttpServer http = bindFirstFree(bind, ports);
        ScrapeHandler scrapes = new ScrapeHandler(registry);
        http.createContext("/", scrapes);
        http.createContext("/-/healthy", ExporterServer::healthy);
        if (pushed != null) {
            http.createContext(PushEndpoint.PATH, new PushEndpoint(pushed, maxPushBytes));
        }
        http.start();
        return new ExporterServer(http, http.getAddress(), scrapes);
    }

    private static void healthy(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, HEALTHY.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(HEALTHY);
        }
    }

    /** What {@code GET /metrics} serves, without the HTTP around it. */
    public ScrapeHandler scrapes() {
        return scrapes;
    }

    private static HttpServer bindFirstFree(InetAddress bind, PortRange ports) throws IOException {
        BindException last = null;
        for (int port = ports.first(); port <= ports.last(); port++) {
            try {
                return LoopbackHttpServer.create(new InetSocketAddress(bind, port), 64);
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
        return "http://" + host + ":" + port() + "/metrics";
    }

    public void stop() {
        server.stop(0);
    }
}
