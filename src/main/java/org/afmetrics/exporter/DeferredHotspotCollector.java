package org.afmetrics.exporter;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's hotspot metrics, whose collectors are built on a thread of their own (the
 * management beans take a while to load) while the HTTP server binds. A scrape that arrives
 * first waits for them, briefly.
 */
public final class DeferredHotspotCollector extends Collector {
    private static final long WAIT_SECONDS = 5;
    private final CompletableFuture<CollectorRegistry> hotspot = new CompletableFuture<>();

    /** Builds the collectors on a new daemon thread. */
    public void startLoading() {
        Thread t = new Thread(this::load, "af-metrics-hotspot");
        t.setDaemon(true);
        t.start();
    }

    private void load() {
        try {
            CollectorRegistry r = new CollectorRegistry(true);
            QuietHotspotExports.register(r);
            hotspot.complete(r);
        } catch (Throwable e) {
            hotspot.completeExceptionally(e);
        }
    }

    @Override
    public List<MetricFamilySamples> collect() {
        try {
            return Collections.list(hotspot.get(WAIT_SECONDS, TimeUnit.SECONDS).metricFamilySamples());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Collections.emptyList();
        } catch (Exception e) {
            return Collections.emptyList();
        }
    }
}
