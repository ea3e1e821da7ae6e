package org.afmetrics.exporter;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryAllocationExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.ThreadExports;
import io.prometheus.client.hotspot.VersionInfoExports;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.afmetrics.support.AgentThreads;

/**
 * The JVM's hotspot metrics ({@link QuietHotspotExports}), whose collectors are built on two
 * threads of their own while the HTTP server binds: the management beans take a while to load,
 * most of it class loading, which two threads do faster than one. A scrape that arrives first
 * waits for them, briefly.
 */
public final class DeferredHotspotCollector extends Collector implements Collector.Describable {
    private static final long WAIT_SECONDS = 5;
    private final CompletableFuture<CollectorRegistry> hotspot = new CompletableFuture<>();

    /** Builds the collectors on new daemon threads. */
    public void startLoading() {
        AgentThreads.start("hotspot", new Runnable() {
            @Override
            public void run() {
                load();
            }
        });
    }

    private void load() {
        try {
            SecondHalf second = new SecondHalf();
            Thread helper = AgentThreads.start("hotspot-2", second);
            Collector process = new QuietHotspotExports.ProcessCollector();
            Collector pools = new MemoryPoolsExports();
            Collector allocation = new MemoryAllocationExports();
            helper.join();
            if (second.failure != null) {
                throw second.failure;
            }
            // registered in QuietHotspotExports' order, so the exposition reads as it always did
            CollectorRegistry r = new CollectorRegistry(true);
            for (Collector c : new Collector[] {process, pools, allocation, second.buffers, second.gc,
                    second.threads, second.classes, second.version}) {
                r.register(c);
            }
            hotspot.complete(r);
        } catch (Throwable e) {
            hotspot.completeExceptionally(e);
        }
    }

    private static final class SecondHalf implements Runnable {
        Collector buffers;
        Collector gc;
        Collector threads;
        Collector classes;
        Collector version;
        Throwable failure;

        @Override
        public void run() {
            try {
                buffers = new QuietHotspotExports.BufferPoolCollector();
                gc = new GarbageCollectorExports();
                threads = new ThreadExports();
                classes = new ClassLoadingExports();
                version = new VersionInfoExports();
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /**
     * Nothing to declare up front: otherwise registering this collector would collect it, and
     * the exporter would not start serving until the hotspot collectors are built.
     */
    @Override
    public List<MetricFamilySamples> describe() {
        return Collections.emptyList();
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
