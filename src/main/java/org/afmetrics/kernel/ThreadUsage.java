package org.afmetrics.kernel;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What the current thread has used so far — CPU time and heap bytes allocated — and the JVM's
 * total GC time, read from the platform MXBeans. Each reading is absent (negative) where the JVM
 * does not support it or has it switched off, and then so are the cell series built on it.
 * Created on first use, never at premain: java.lang.management is not loaded before a kernel
 * runs a cell or is scraped.
 *
 * <p>The thread CPU time is one system call per reading (about 0.5 µs, the bulk of a cell hook's
 * cost), so it is read only where it must be. GC time is summed from the collectors'
 * notifications as collections end, off the cell's path, so reading it is a volatile read; the
 * collectors are asked directly only where they send no notifications.
 */
final class ThreadUsage {
    static final long ABSENT = -1;

    /** getCurrentThreadAllocatedBytes (JDK 14+): the current thread's counter without a lookup by id. */
    private static final MethodHandle CURRENT_ALLOCATED = currentAllocated();

    private final ThreadMXBean threads;
    private final com.sun.management.ThreadMXBean allocations;
    private final GarbageCollectorMXBean[] collectors;
    private final boolean cpuSupported;
    private final AtomicLong notifiedGcMillis = new AtomicLong();
    private volatile boolean gcNotified;

    private ThreadUsage(ThreadMXBean threads, com.sun.management.ThreadMXBean allocations,
            GarbageCollectorMXBean[] collectors, boolean cpuSupported) {
        this.threads = threads;
        this.allocations = allocations;
        this.collectors = collectors;
        this.cpuSupported = cpuSupported;
    }

    private static MethodHandle currentAllocated() {
        try {
            return MethodHandles.publicLookup().findVirtual(com.sun.management.ThreadMXBean.class,
                    "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // Java 11 to 13: by thread id
        }
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
            ThreadUsage u = new ThreadUsage(t, a, gcs.toArray(new GarbageCollectorMXBean[0]), cpu);
            u.listenToCollections();
            return u;
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

    /** Heap bytes the current thread allocated so far, or {@link #ABSENT}. */
    @SuppressWarnings("deprecation") // Thread.getId: the API of getThreadAllocatedBytes on Java 11
    long allocatedBytes() {
        if (allocations == null) {
            return ABSENT;
        }
        if (CURRENT_ALLOCATED != null) {
            try {
                return (long) CURRENT_ALLOCATED.invokeExact(allocations);
            } catch (Throwable e) {
                return ABSENT;
            }
        }
        return allocations.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * Subscribes to every collector's notifications, if all send them; otherwise {@link #gcMillis}
     * asks the collectors each time.
     */
    private void listenToCollections() {
        if (collectors.length == 0) {
            return;
        }
        for (GarbageCollectorMXBean c : collectors) {
            if (!(c instanceof NotificationEmitter)) {
                return;
            }
        }
        NotificationListener listener = new CollectionListener(notifiedGcMillis);
        try {
            for (GarbageCollectorMXBean c : collectors) {
                ((NotificationEmitter) c).addNotificationListener(listener, null, null);
            }
            notifiedGcMillis.set(askCollectors());
            gcNotified = true;
        } catch (RuntimeException | LinkageError e) {
            // asked directly then
        }
    }

    /** Adds each finished collection's duration; runs on the JVM's notification thread. */
    private static final class CollectionListener implements NotificationListener {
        private final AtomicLong millis;

        CollectionListener(AtomicLong millis) {
            this.millis = millis;
        }

        @Override
        public void handleNotification(Notification n, Object handback) {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())
                    && n.getUserData() instanceof CompositeData) {
                try {
                    long ms = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo()
                            .getDuration();
                    if (ms > 0) {
                        millis.addAndGet(ms);
                    }
                } catch (RuntimeException e) {
                    // a notification of another shape: not counted
                }
            }
        }
    }

    /**
     * Milliseconds all collectors have spent since the JVM started (as notified so far), or
     * {@link #ABSENT}.
     */
    long gcMillis() {
        if (collectors.length == 0) {
            return ABSENT;
        }
        return gcNotified ? notifiedGcMillis.get() : askCollectors();
    }

    private long askCollectors() {
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
