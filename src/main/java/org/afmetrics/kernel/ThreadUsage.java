package org.afmetrics.kernel;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * What the current thread has used so far — CPU time and heap bytes allocated — and the JVM's
 * total GC time, read from the platform MXBeans. Each reading is absent (negative) where the JVM
 * does not support it or has it switched off, and then so are the cell series built on it.
 * Created on first use, never at premain: java.lang.management is not loaded before a kernel
 * runs a cell or is scraped.
 */
final class ThreadUsage {
    static final long ABSENT = -1;

    private final ThreadMXBean threads;
    private final com.sun.management.ThreadMXBean allocations;
    private final GarbageCollectorMXBean[] collectors;
    private final boolean cpuSupported;

    private ThreadUsage(ThreadMXBean threads, com.sun.management.ThreadMXBean allocations,
            GarbageCollectorMXBean[] collectors, boolean cpuSupported) {
        this.threads = threads;
        this.allocations = allocations;
        this.collectors = collectors;
        this.cpuSupported = cpuSupported;
    }

    /** What this JVM offers; a JVM without the management API offers nothing. */
    static ThreadUsage probe() {
        try {
            ThreadMXBean t = ManagementFactory.getThreadMXBean();
            boolean cpu = t.isCurrentThreadCpuTimeSupported();
            com.sun.management.ThreadMXBean a = null;
            if (t instanceof com.sun.management.ThreadMXBean
                    && ((com.sun.management.ThreadMXBean) t).isThreadAllocatedMemorySupported()) {
                a = (com.sun.management.ThreadMXBean) t;
            }
            List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
            return new ThreadUsage(t, a, gcs.toArray(new GarbageCollectorMXBean[0]), cpu);
        } catch (Throwable e) {
            return new ThreadUsage(null, null, new GarbageCollectorMXBean[0], false);
        }
    }

    /** A JVM that offers none of the readings (a JVM without java.management, or for tests). */
    static ThreadUsage none() {
        return new ThreadUsage(null, null, new GarbageCollectorMXBean[0], false);
    }

    boolean cpuSupported() {
        return cpuSupported;
    }

    boolean allocationSupported() {
        return allocations != null;
    }

    boolean gcSupported() {
        return collectors.length > 0;
    }

    /** CPU time of the current thread in nanoseconds, or {@link #ABSENT} (also while switched off). */
    long cpuNanos() {
        return cpuSupported ? threads.getCurrentThreadCpuTime() : ABSENT;
    }

    /**
     * Heap bytes the current thread allocated so far, or {@link #ABSENT}. Asked by thread id: on
     * JDK 14 and later the JVM reads the current thread's own counter for it, without a lookup.
     */
    @SuppressWarnings("deprecation") // Thread.getId: the API of getThreadAllocatedBytes on Java 11
    long allocatedBytes() {
        return allocations != null ? allocations.getThreadAllocatedBytes(Thread.currentThread().getId()) : ABSENT;
    }

    /** Milliseconds all collectors have spent since the JVM started, or {@link #ABSENT}. */
    long gcMillis() {
        if (collectors.length == 0) {
            return ABSENT;
        }
        long sum = 0;
        for (GarbageCollectorMXBean c : collectors) {
            long ms = c.getCollectionTime();
            if (ms > 0) {
                sum += ms;
            }
        }
        return sum;
    }
}
