package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.afmetrics.identity.Identity;

/**
 * {@code GET /metrics}: the labelled registry in the text format the scraper asks for (OpenMetrics
 * or 0.0.4). A family that a collector hands back as the very same object as last scrape (the
 * notebook JSON families do, until their file or push changes) is not labelled and rendered
 * again: its bytes from last time are reused, so a scrape of thousands of notebook series costs
 * about what a scrape of the JVM's own metrics does. The response is never compressed: scrapes
 * come over loopback, where gzip costs more than it saves.
 */
public final class ScrapeHandler implements HttpHandler {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);

    private final LabelledRegistry registry;
    private final Renderer text = new Renderer(false);
    private final Renderer openMetrics = new Renderer(true);

    public ScrapeHandler(LabelledRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
            boolean om = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
            Set<String> names = namesAskedFor(exchange.getRequestURI().getRawQuery());
            byte[] body = names == null ? (om ? openMetrics : text).render(registry)
                    : renderUncached(registry.filteredMetricFamilySamples(names), om);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    /** The exposition of the whole registry, as {@code GET /metrics} would send it. */
    public byte[] render(boolean openMetricsFormat) throws IOException {
        return (openMetricsFormat ? openMetrics : text).render(registry);
    }

    /** The {@code name[]} parameters of the query (simpleclient's filter), or null when there are none. */
    static Set<String> namesAskedFor(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        Set<String> names = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
                if (names == null) {
                    names = new HashSet<>();
                }
                names.add(java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    private static byte[] renderUncached(Enumeration<MetricFamilySamples> families, boolean om) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        if (om) {
            TextFormat.writeOpenMetrics100(w, families);
        } else {
            TextFormat.write004(w, families);
        }
        w.flush();
        return out.toByteArray();
    }

    /** Renders one format, keeping each family's bytes for as long as its collector keeps the family. */
    private static final class Renderer {
        private final boolean om;
        private Map<MetricFamilySamples, byte[]> last = new IdentityHashMap<>();
        private Identity renderedFor;

        Renderer(boolean om) {
            this.om = om;
        }

        synchronized byte[] render(LabelledRegistry registry) throws IOException {
            Identity id = registry.identity();
            if (id != renderedFor) {
                last = new IdentityHashMap<>();
                renderedFor = id;
            }
            Map<MetricFamilySamples, byte[]> now = new IdentityHashMap<>(Math.max(16, last.size() * 2));
            ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
            ByteArrayOutputStream one = new ByteArrayOutputStream(4096);
            Enumeration<MetricFamilySamples> families = registry.unlabelledSamples();
            while (families.hasMoreElements()) {
                MetricFamilySamples f = families.nextElement();
                byte[] bytes = last.get(f);
                if (bytes == null) {
                    bytes = renderOne(LabelledRegistry.label(f, id), one);
                }
                now.put(f, bytes);
                body.write(bytes, 0, bytes.length);
            }
            last = now;
            if (om) {
                body.write(EOF, 0, EOF.length);
            }
            return body.toByteArray();
        }

        private byte[] renderOne(MetricFamilySamples family, ByteArrayOutputStream out) throws IOException {
            out.reset();
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (om) {
                TextFormat.writeOpenMetrics100(w, Collections.enumeration(Collections.singletonList(family)));
            } else {
                TextFormat.write004(w, Collections.enumeration(Collections.singletonList(family)));
            }
            w.flush();
            int n = out.size() - (om ? EOF.length : 0);
            return java.util.Arrays.copyOf(out.toByteArray(), n);
        }
    }
}
