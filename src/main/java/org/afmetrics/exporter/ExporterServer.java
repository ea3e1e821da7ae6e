package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpServer;
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
 * The HTTP side: {@code /metrics} (simpleclient_httpserver) on the first free port of the
 * range, plus the push endpoint. All its threads are daemons, started from a daemon thread, so
 * the host JVM exits as if the agent were not there.
 */
public final class ExporterServer {
    private final HTTPServer server;
    private final InetSocketAddress address;

    private ExporterServer(HTTPServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** Binds the first free port of the range; throws when none is free or the host is wrong. */
    public static ExporterServer start(String host, PortRange ports, CollectorRegistry registry,
                                       PushedMetrics pushed, long maxPushBytes) throws IOException {
        InetAddress bind = InetAddress.getByName(host);
        HttpServer http = bindFirstFree(bind, ports);
        if (pushed != null) {
            http.createContext(PushEndpoint.PATH, new PushEndpoint(pushed, maxPushBytes));
        }
        HTTPServer server = new HTTPServer.Builder()
                .withHttpServer(http)
                .withRegistry(registry)
                .withDaemonThreads(true)
                .build();
        return new ExporterServer(server, http.getAddress());
    }

    private static HttpServer bindFirstFree(InetAddress bind, PortRange ports) throws IOException {
        BindException last = null;
        for (int port = ports.first(); port <= ports.last(); port++) {
            try {
                return HttpServer.create(new InetSocketAddress(bind, port), 64);
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
        server.close();
    }
}
