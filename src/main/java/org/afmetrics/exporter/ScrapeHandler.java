package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.afmetrics.identity.Identity;

/**
 * {@code GET /metrics}: the labelled registry in the text format the scraper asks for (OpenMetrics
 * or 0.0.4), gzip-compressed when it asks for that (Prometheus does; across nodes the body is
 * about ten times smaller). A family that a collector hands back as the very same object as last
 * scrape (the notebook JSON families do, until their file or push changes) is not labelled,
 * rendered or compressed again: its bytes from last time are reused, so a scrape of thousands of
 * notebook series costs about what a scrape of the JVM's own metrics does. Compressed families
 * are kept as deflate blocks ending on a byte boundary, which may be concatenated into one gzip
 * stream; only the checksum runs over the whole body on each scrape.
 */
public final class ScrapeHandler implements HttpHandler {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);
    private static final int WRITE_BUFFER = 64 * 1024;
    /** A gzip member header: deflate, no flags, no time, unknown OS. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** An empty final deflate block (fixed Huffman, end of block only). */
    private static final byte[] FINAL_BLOCK = {3, 0};

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
            boolean head = method.equals("HEAD");
            if (!method.equals("GET") && !head) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
            boolean om = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
            boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
            Set<String> names = namesAskedFor(exchange.getRequestURI().getRawQuery());
            List<byte[]> body = names == null ? (om ? openMetrics : text).render(registry, gzip)
                    : uncached(registry.filteredMetricFamilySamples(names), om, gzip);
            long length = 0;
            for (byte[] b : body) {
                length += b.length;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            if (head) {
                // what GET would send, without the body
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, length);
            // the families in a few large writes: with TCP_NODELAY every write would be a packet of its own
            try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), WRITE_BUFFER)) {
                for (byte[] b : body) {
                    out.write(b);
                }
            }
        } finally {
            exchange.close();
        }
    }

    /** Whether an {@code Accept-Encoding} header lists gzip without {@code q=0}. */
    static boolean acceptsGzip(List<String> headers) {
        if (headers == null) {
            return false;
        }
        for (String header : headers) {
            for (String item : header.split(",")) {
                String[] parts = item.trim().toLowerCase(Locale.ROOT).split(";");
                if (!parts[0].trim().equals("gzip")) {
                    continue;
                }
                boolean refused = false;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim().replace(" ", "");
                    refused |= p.matches("q=0(\\.0*)?");
                }
                return !refused;
            }
        }
        return false;
    }

    /** The exposition of the whole registry, as {@code GET /metrics} would send it uncompressed. */
    public byte[] render(boolean openMetricsFormat) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : (openMetricsFormat ? openMetrics : text).render(registry, false)) {
            out.write(b);
        }
        return out.toByteArray();
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

    private static List<byte[]> uncached(Enumeration<MetricFamilySamples> families, boolean om, boolean gzip)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        OutputStream sink = gzip ? new GZIPOutputStream(out) : out;
        Writer w = new OutputStreamWriter(sink, StandardCharsets.UTF_8);
        if (om) {
            TextFormat.writeOpenMetrics100(w, families);
        } else {
            TextFormat.write004(w, families);
        }
        w.close();
        return Collections.singletonList(out.toByteArray());
    }

    /** One family's exposition, and its deflate blocks once a gzip scrape has needed them. */
    private static final class Rendered {
        final byte[] text;
        byte[] deflated;

        Rendered(byte[] text) {
            this.text = text;
        }
    }

    /** Renders one format, keeping each family's bytes for as long as its collector keeps the family. */
    private static final class Renderer {
        private final boolean om;
        private Map<MetricFamilySamples, Rendered> last = new IdentityHashMap<>();
        private Identity renderedFor;
        private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        private final byte[] deflateBuffer = new byte[65536];
        private final ByteArrayOutputStream one = new ByteArrayOutputStream(4096);

        Renderer(boolean om) {
            this.om = om;
        }

        synchronized List<byte[]> render(LabelledRegistry registry, boolean gzip) throws IOException {
            Identity id = registry.identity();
            if (id != renderedFor) {
                last = new IdentityHashMap<>();
                renderedFor = id;
            }
            Map<MetricFamilySamples, Rendered> now = new IdentityHashMap<>(Math.max(16, last.size() * 2));
            List<byte[]> parts = new ArrayList<>(last.size() + 4);
            CRC32 crc = gzip ? new CRC32() : null;
            long size = 0;
            if (gzip) {
                parts.add(GZIP_HEADER);
            }
            Enumeration<MetricFamilySamples> families = registry.unlabelledSamples();
            while (families.hasMoreElements()) {
                MetricFamilySamples f = families.nextElement();
                Rendered r = last.get(f);
                if (r == null) {
                    r = new Rendered(renderOne(LabelledRegistry.label(f, id)));
                }
                now.put(f, r);
                if (r.text.length == 0) {
                    continue;
                }
                if (gzip) {
                    if (r.deflated == null) {
                        r.deflated = deflate(r.text);
                    }
                    crc.update(r.text);
                    size += r.text.length;
                    parts.add(r.deflated);
                } else {
                    parts.add(r.text);
                }
            }
            last = now;
            if (om) {
                if (gzip) {
                    parts.add(deflate(EOF));
                    crc.update(EOF);
                    size += EOF.length;
                } else {
                    parts.add(EOF);
                }
            }
            if (gzip) {
                parts.add(trailer(crc.getValue(), size));
            }
            return parts;
        }

        private static byte[] trailer(long crc, long size) {
            byte[] t = new byte[FINAL_BLOCK.length + 8];
            System.arraycopy(FINAL_BLOCK, 0, t, 0, FINAL_BLOCK.length);
            int at = FINAL_BLOCK.length;
            for (int i = 0; i < 4; i++) {
                t[at + i] = (byte) (crc >>> (8 * i));
                t[at + 4 + i] = (byte) (size >>> (8 * i));
            }
            return t;
        }

        /** Deflate blocks of the bytes, not final, ending byte-aligned (a sync flush), so they concatenate. */
        private byte[] deflate(byte[] input) {
            deflater.reset();
            deflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, input.length / 4));
            int n;
            do {
                n = deflater.deflate(deflateBuffer, 0, deflateBuffer.length, Deflater.SYNC_FLUSH);
                out.write(deflateBuffer, 0, n);
            } while (n == deflateBuffer.length || !deflater.needsInput());
            return out.toByteArray();
        }

        private byte[] renderOne(MetricFamilySamples family) throws IOException {
            one.reset();
            Writer w = new OutputStreamWriter(one, StandardCharsets.UTF_8);
            if (om) {
                TextFormat.writeOpenMetrics100(w, Collections.enumeration(Collections.singletonList(family)));
            } else {
                TextFormat.write004(w, Collections.enumeration(Collections.singletonList(family)));
            }
            w.flush();
            int n = one.size() - (om ? EOF.length : 0);
            return java.util.Arrays.copyOf(one.toByteArray(), n);
        }
    }
}
