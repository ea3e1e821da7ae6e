package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.afmetrics.identity.Identity;
import org.junit.jupiter.api.Test;

class ScrapeHandlerTest {
    /** Hands back the same family object on every collect, as the notebook collector does until its file changes. */
    private static final class SameFamily extends Collector {
        final List<Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        MetricFamilySamples family = fresh();

        MetricFamilySamples fresh() {
            return new MetricFamilySamples("notebook_events", Type.GAUGE, "Events.", samples);
        }

        @Override
        public List<MetricFamilySamples> collect() {
            return Collections.singletonList(family);
        }
    }

    private static Collector.MetricFamilySamples.Sample sample(String ds, double v) {
        return new Collector.MetricFamilySamples.Sample("notebook_events", List.of("dataset"), List.of(ds), v);
    }

    private static String simpleclient(LabelledRegistry r, boolean om) throws Exception {
        StringWriter w = new StringWriter();
        if (om) {
            TextFormat.writeOpenMetrics100(w, r.metricFamilySamples());
        } else {
            TextFormat.write004(w, r.metricFamilySamples());
        }
        return w.toString();
    }

    @Test
    void rendersExactlyWhatSimpleclientWouldInBothFormats() throws Exception {
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        SameFamily c = new SameFamily();
        c.samples.addAll(Arrays.asList(sample("a", 1), sample("b", 2.5)));
        r.register(c);
        r.register(new AgentInfoCollector("9.9"));
        ScrapeHandler h = new ScrapeHandler(r);
        for (boolean om : new boolean[] {false, true}) {
            String expected = simpleclient(r, om);
            assertEquals(expected, new String(h.render(om), StandardCharsets.UTF_8));
            assertEquals(expected, new String(h.render(om), StandardCharsets.UTF_8), "and again from the cache");
        }
        assertTrue(new String(h.render(true), StandardCharsets.UTF_8).endsWith("# EOF\n"));
    }

    @Test
    void aFamilyIsRenderedAgainOnlyWhenItsCollectorHandsOverANewObjectOrTheIdentityChanges() throws Exception {
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        SameFamily c = new SameFamily();
        c.samples.add(sample("a", 1));
        r.register(c);
        ScrapeHandler h = new ScrapeHandler(r);
        String first = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(first.contains("dataset=\"a\""), first);

        c.samples.add(sample("b", 2)); // the same object, changed behind the cache's back
        assertEquals(first, new String(h.render(false), StandardCharsets.UTF_8), "the same object: its bytes are reused");

        c.family = c.fresh(); // what a changed file gives
        String second = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(second.contains("dataset=\"b\""), second);

        r.setIdentity(new Identity(Map.of("user", "bob", "session", "s2")));
        String third = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(third.contains("user=\"bob\"") && !third.contains("alice"), third);
        assertEquals(simpleclient(r, false), third);
    }

    @Test
    void nameFiltersAreAnsweredUncached() {
        assertEquals(null, ScrapeHandler.namesAskedFor(null));
        assertEquals(null, ScrapeHandler.namesAskedFor("debug=1"));
        assertEquals(java.util.Set.of("a_total", "b"), ScrapeHandler.namesAskedFor("name%5B%5D=a_total&name[]=b&x=1"));
    }

    /** A loopback JDK server with only this handler at /metrics, for as long as the test runs. */
    private static final class Served implements AutoCloseable {
        final com.sun.net.httpserver.HttpServer server;

        Served(ScrapeHandler handler) throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/metrics", handler);
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
            server.start();
        }

        java.net.http.HttpResponse<String> get(String query, String accept) throws Exception {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics" + query));
            if (accept != null) {
                b.header("Accept", accept);
            }
            return java.net.http.HttpClient.newHttpClient().send(b.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    private static double refused(String exposition, String reason) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith("afmetrics_scrapes_refused_total{") && line.contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static LabelledRegistry registryWith(SameFamily c) {
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        r.register(c);
        return r;
    }

    /**
     * Rows: what the scrape asks for (text, OpenMetrics, gzip, a name[] filter); with the heap
     * short it is answered 503 with Retry-After, counted, and nothing is rendered.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "text                 |                              | ",
        "OpenMetrics          |                              | application/openmetrics-text; version=1.0.0",
        "a name[] filter      | ?name[]=notebook_events      | ",
        "OpenMetrics filtered | ?name[]=notebook_events      | application/openmetrics-text; version=1.0.0",
    })
    void aScrapeTheHeapHasNoRoomForIsAnswered503(String row, String query, String accept) throws Exception {
        SameFamily c = new SameFamily();
        for (int i = 0; i < 1000; i++) {
            c.samples.add(sample("d" + i, i));
        }
        java.util.concurrent.atomic.AtomicBoolean roomy = new java.util.concurrent.atomic.AtomicBoolean(false);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        LabelledRegistry r = registryWith(c);
        try (Served s = new Served(new ScrapeHandler(r, bytes -> {
            asked.incrementAndGet();
            return roomy.get();
        }))) {
            java.net.http.HttpResponse<String> refused = s.get(query == null ? "" : query, accept);
            assertEquals(503, refused.statusCode(), row + ": " + refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null), row);
            assertTrue(asked.get() > 0, row + ": the heap was asked");

            roomy.set(true);
            java.net.http.HttpResponse<String> served = s.get(query == null ? "" : query, accept);
            assertEquals(200, served.statusCode(), row);
            assertTrue(served.body().contains("dataset=\"d999\""), row);
            assertEquals(1.0, refused(s.get("", null).body(), "heap"), row + ": the refusal is counted");
        }
    }

    @Test
    void aScrapeServedFromTheCacheDoesNotAskTheHeap() throws Exception {
        SameFamily c = new SameFamily();
        for (int i = 0; i < 1000; i++) {
            c.samples.add(sample("d" + i, i));
        }
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        ScrapeHandler h = new ScrapeHandler(registryWith(c), bytes -> {
            asked.incrementAndGet();
            return true;
        });
        h.render(false);
        assertTrue(asked.get() > 0, "a first render asks");
        asked.set(0);
        for (int i = 0; i < 5; i++) {
            h.render(false);
        }
        assertEquals(0, asked.get(), "every family from the cache: nothing asked");
    }

    @Test
    void largeUncachedRendersRunOneAtATimeAndAWaiterPastItsTurnGets429() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch leave = new java.util.concurrent.CountDownLatch(1);
        SameFamily c = new SameFamily();
        c.samples.add(sample("a", 1));
        LabelledRegistry r = registryWith(c);
        // the first heap question of an uncached render is held: its render is under way
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (Served s = new Served(new ScrapeHandler(r, bytes -> {
            if (calls.incrementAndGet() == 1) {
                inside.countDown();
                try {
                    leave.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return true;
        }))) {
            // nothing rendered yet: the size is unknown and the render counts as large
            java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> first =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return s.get("?name[]=notebook_events", null);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            inside.await();
            java.net.http.HttpResponse<String> second = s.get("?name[]=notebook_events", null);
            assertEquals(429, second.statusCode(), second.body());
            assertEquals("1", second.headers().firstValue("Retry-After").orElse(null));
            leave.countDown();
            assertEquals(200, first.get().statusCode());
            assertEquals(1.0, refused(s.get("", null).body(), "busy"));
            assertEquals(200, s.get("?name[]=notebook_events", null).statusCode(), "a small registry's is not held");
        }
    }
}
