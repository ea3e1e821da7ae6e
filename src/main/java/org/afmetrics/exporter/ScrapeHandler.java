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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.HeapGuard;
import org.afmetrics.notebook.Turn;

/**
 * {@code GET /metrics}: the labelled registry in the text format the scraper asks for (OpenMetrics
 * or 0.0.4), gzip-compressed when it asks for that (Prometheus does; across nodes the body is
 * about ten times smaller). A family that a collector hands back as the very same object as last
 * scrape (the notebook JSON families do, until their file or push changes) is not labelled,
 * rendered or compressed again: its bytes from last time are reused, so a scrape of thousands of
 * notebook series costs about what a scrape of the JVM's own metrics does. Compressed families
 * are kept as deflate blocks ending on a byte boundary, which may be concatenated into one gzip
 * stream; only the checksum runs over the whole body on each scrape.
 * <p>
 * What is rendered counts against the heap's reserve ({@link HeapGuard}): before a large family
 * (256 samples or more) is rendered or more than 1 MiB compressed for the cache, and before an
 * uncached ({@code name[]}) render, the heap is asked whether about that much more may be taken; when it may not, the scrape is answered
 * 503 with {@code Retry-After} instead (counted in {@code afmetrics_scrapes_refused_total}). A
 * scrape whose every family comes from the cache asks nothing. Uncached renders of a large
 * registry run one at a time; one that waited {@link #UNCACHED_WAIT_MS} for its turn is answered
 * 429 with {@code Retry-After}.
 */
public final class ScrapeHandler implements HttpHandler {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);
    private static final int WRITE_BUFFER = 64 * 1024;
    /** A gzip member header: deflate, no flags, no time, unknown OS. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** An empty final deflate block (fixed Huffman, end of block only). */
    private static final byte[] FINAL_BLOCK = {3, 0};

    /** An exposition of more than this (as last rendered) is rendered uncached one at a time. */
    static final long LARGE_BYTES = 1024 * 1024;
    /** How long an uncached render of a large registry waits for the one before it. */
    static final long UNCACHED_WAIT_MS = 1000;
    /** The scratch buffer small families render into, kept between scrapes. */
    private static final int SCRATCH_BYTES = 64 * 1024;
    /** A family of fewer samples is rendered without asking the heap. */
    private static final int SMALL_FAMILY = 256;

    private final LabelledRegistry registry;
    private final LongPredicate heapAllows;
    private final Renderer text;
    private final Renderer openMetrics;
    private final Turn uncachedTurn = new Turn();
    private final AtomicLong refusedHeap = new AtomicLong();
    private final AtomicLong refusedBusy = new AtomicLong();

    public ScrapeHandler(LabelledRegistry registry) {
        this(registry, HeapGuard::allows);
    }

    /** {@code heapAllows}: whether about that many bytes more may be taken (a test's may say no). */
    ScrapeHandler(LabelledRegistry registry, LongPredicate heapAllows) {
        this.registry = registry;
        this.heapAllows = heapAllows;
        this.text = new Renderer(false, heapAllows);
        this.openMetrics = new Renderer(true, heapAllows);
        // gives no family until a scrape was refused, so registering it claims no name
        registry.register(new RefusedCollector());
    }

    /** Thrown where the heap has no room for a render: the scrape is answered 503. */
    static final class HeapShort extends IOException {
        private static final long serialVersionUID = 1L;

        HeapShort() {
            super("the heap is short", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** {@code afmetrics_scrapes_refused_total{reason}}: scrapes answered 503 or 429 rather than rendered. */
    private final class RefusedCollector extends Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            long heap = refusedHeap.get();
            long busy = refusedBusy.get();
            if (heap == 0 && busy == 0) {
                return Collections.emptyList();
            }
            CounterMetricFamily f = new CounterMetricFamily("afmetrics_scrapes_refused",
                    "Scrapes answered 503 (heap short: reason heap) or 429 (another large uncached render was"
                            + " under way: reason busy) rather than rendered.", Collections.singletonList("reason"));
            f.addMetric(Collections.singletonList("busy"), busy);
            f.addMetric(Collections.singletonList("heap"), heap);
            return Collections.singletonList(f);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!Responses.getOrHead(exchange)) {
                return;
            }
            boolean head = Responses.isHead(exchange);
            String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
            boolean om = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
            boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
            Set<String> names = namesAskedFor(exchange.getRequestURI().getRawQuery());
            if (names != null) {
                uncached(exchange, names, contentType, om, gzip, head);
                return;
            }
            List<byte[]> body;
            try {
                body = (om ? openMetrics : text).render(registry, gzip);
            } catch (HeapShort e) {
                refusedHeap.incrementAndGet();
                refuse(exchange, 503, HEAP_SHORT);
                return;
            }
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

    private static final String HEAP_SHORT = "the agent's share of the heap is short; try again later\n";

    /** A scrape not rendered: try again in a second. */
    private static void refuse(HttpExchange exchange, int code, String message) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", "1");
        Responses.send(exchange, code, Responses.TEXT, message);
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

    /**
     * The families asked for, rendered for this scrape only and streamed as they are rendered
     * (chunked): no copy of the exposition is held. A large registry's render waits for the one
     * before it at most {@link #UNCACHED_WAIT_MS} (429 past that), and the heap is asked for about
     * the size of the whole exposition as last rendered (more than the labelled copies of the
     * families it renders), or {@link #LARGE_BYTES} before any was (503 when it has not that much
     * to spare).
     */
    private void uncached(HttpExchange exchange, Set<String> names, String contentType, boolean om, boolean gzip,
                          boolean head) throws IOException {
        long last = Math.max(text.lastBytes, openMetrics.lastBytes);
        boolean large = last == 0 || last > LARGE_BYTES;
        if (large) {
            if (!uncachedTurn.tryEnter(UNCACHED_WAIT_MS)) {
                refusedBusy.incrementAndGet();
                refuse(exchange, 429, "another large render was under way; try again later\n");
                return;
            }
        }
        try {
            if (!heapAllows.test(last == 0 ? LARGE_BYTES : last)) {
                refusedHeap.incrementAndGet();
                refuse(exchange, 503, HEAP_SHORT);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            if (head) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            Enumeration<MetricFamilySamples> families = registry.filteredMetricFamilySamples(names);
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = new BufferedOutputStream(exchange.getResponseBody(), WRITE_BUFFER);
            try (Writer w = new OutputStreamWriter(gzip ? new GZIPOutputStream(body, WRITE_BUFFER) : body,
                    StandardCharsets.UTF_8)) {
                if (om) {
                    TextFormat.writeOpenMetrics100(w, families);
                } else {
                    TextFormat.write004(w, families);
                }
            }
        } finally {
            if (large) {
                uncachedTurn.leave();
            }
        }
    }

    /** A byte buffer whose contents are copied out once, at their exact length. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] copy(int length) {
            return java.util.Arrays.copyOf(buf, length);
        }

        int capacity() {
            return buf.length;
        }
    }

    /**
     * About how many bytes a family's exposition takes: its samples' names, label names and
     * values, the identity labels and some punctuation and a number each. Read only for a family
     * about to be rendered, never for one from the cache.
     */
    static long textEstimate(MetricFamilySamples family, Identity id) {
        long identity = 0;
        for (Map.Entry<String, String> l : id.labels().entrySet()) {
            identity += l.getKey().length() + l.getValue().length() + 4;
        }
        long bytes = 256;
        for (MetricFamilySamples.Sample s : family.samples) {
            bytes += s.name.length() + 32 + identity;
            for (int i = 0; i < s.labelNames.size(); i++) {
                bytes += s.labelNames.get(i).length() + s.labelValues.get(i).length() + 4;
            }
        }
        return bytes;
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
        private final LongPredicate heapAllows;
        /** The size of the exposition last rendered (its text), for the uncached renders' estimate. */
        volatile long lastBytes;
        private Map<MetricFamilySamples, Rendered> last = new IdentityHashMap<>();
        private Identity renderedFor;
        private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        private final byte[] deflateBuffer = new byte[65536];
        /** Where the small families render; a large one gets a buffer of its own, dropped after. */
        private Buffer one = new Buffer(SCRATCH_BYTES);

        Renderer(boolean om, LongPredicate heapAllows) {
            this.om = om;
            this.heapAllows = heapAllows;
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
            long textBytes = 0;
            while (families.hasMoreElements()) {
                MetricFamilySamples f = families.nextElement();
                Rendered r = last.get(f);
                if (r == null) {
                    // from the cache, nothing is asked; a large family asks for its labelled copy and
                    // its text as rendered and as kept (a small one's few kilobytes are not worth
                    // refusing a scrape for: the garbage of a dropped document may still count as used)
                    long estimate = 0;
                    if (f.samples.size() >= SMALL_FAMILY) {
                        estimate = textEstimate(f, id);
                        if (!heapAllows.test(3 * estimate)) {
                            throw new HeapShort();
                        }
                    }
                    r = new Rendered(renderOne(LabelledRegistry.label(f, id), estimate));
                }
                now.put(f, r);
                textBytes += r.text.length;
                if (r.text.length == 0) {
                    continue;
                }
                if (gzip) {
                    if (r.deflated == null) {
                        if (r.text.length >= LARGE_BYTES && !heapAllows.test(r.text.length)) {
                            throw new HeapShort();
                        }
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
            lastBytes = textBytes;
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

        /**
         * One family's exposition, copied once at its exact length. A large family renders into a
         * buffer sized by its estimate and dropped after: the kept scratch buffer stays small.
         */
        private byte[] renderOne(MetricFamilySamples family, long estimate) throws IOException {
            Buffer into = estimate > SCRATCH_BYTES
                    ? new Buffer((int) Math.min(Integer.MAX_VALUE - 16, estimate + estimate / 8)) : one;
            into.reset();
            Writer w = new OutputStreamWriter(into, StandardCharsets.UTF_8);
            if (om) {
                TextFormat.writeOpenMetrics100(w, Collections.enumeration(Collections.singletonList(family)));
            } else {
                TextFormat.write004(w, Collections.enumeration(Collections.singletonList(family)));
            }
            w.flush();
            int n = into.size() - (om ? EOF.length : 0);
            byte[] out = into.copy(n);
            if (into == one && one.capacity() > SCRATCH_BYTES * 4) {
                one = new Buffer(SCRATCH_BYTES); // grown by a family larger than it looked: not kept
            }
            return out;
        }
    }
}
