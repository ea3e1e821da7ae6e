package org.afmetrics.bench.floor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The floor of first-scrape time: an agent that serves simpleclient_hotspot's collectors (the
 * ones af-metrics serves) from the JDK's HTTP server on a daemon thread started in premain, and
 * does nothing else. Argument: the port (on 127.0.0.1). The harness packs it with simpleclient
 * into one jar, as af-metrics packs its libraries.
 */
public final class FloorAgent {
    private FloorAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        // classes, not lambdas: the first lambda in a JVM costs milliseconds of linking, which no floor should pay
        Thread t = new Thread(new Start(Integer.parseInt(args.trim())), "floor-agent");
        t.setDaemon(true);
        t.start();
    }

    private static final class Start implements Runnable {
        private final int port;

        Start(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            try {
                CollectorRegistry registry = new CollectorRegistry();
                DefaultExports.register(registry);
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
                server.createContext("/metrics", new Scrape(registry));
                server.start();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
    }

    private static final class Scrape implements HttpHandler {
        private final CollectorRegistry registry;

        Scrape(CollectorRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void handle(HttpExchange exchange) throws java.io.IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
            try (Writer w = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
                TextFormat.write004(w, registry.metricFamilySamples());
            }
            exchange.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }
}
