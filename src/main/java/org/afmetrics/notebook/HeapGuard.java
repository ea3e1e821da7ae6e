package org.afmetrics.notebook;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * Stops a document before the metrics made of it fill the kernel's heap. Running out of heap is
 * not only this document's problem: whichever thread allocates next gets the error, the JDK's
 * HTTP dispatcher included (it does not survive one, and the exporter would fall silent), or the
 * kernel's own code. So the converter asks, every few hundred series, whether the heap still
 * has a reserve, and gives the document up while it does.
 * <p>
 * The heap in use right now counts garbage not yet collected, which is often most of it; only
 * when that looks short is the usage after the last collection consulted, which is what the
 * collector could not free.
 * <p>
 * The one place for the reserve rule: the exporter asks {@link #allows} before it renders or
 * caches a large exposition.
 */
public final class HeapGuard {
    /** Series (or held list items) between two looks at the heap. */
    static final int EVERY = 256;
    private static final long MIN_RESERVE = 8L * 1024 * 1024;

    private HeapGuard() {
    }

    /**
     * Whether about {@code bytes} more may be taken and still leave the reserve (an eighth of the
     * most heap, at least 8 MiB) free. Costs two reads of the heap's counters while the heap is not
     * short; only when it looks short are the memory pools asked what the last collection left.
     */
    public static boolean allows(long bytes) {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long reserve = Math.max(MIN_RESERVE, max / 8);
        long used = rt.totalMemory() - rt.freeMemory();
        if (max - used - bytes >= reserve) {
            return true;
        }
        return max - usedAfterLastCollection(used) - bytes >= reserve;
    }

    static void check() throws NotebookJsonException {
        if (allows(0)) {
            return;
        }
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long live = usedAfterLastCollection(rt.totalMemory() - rt.freeMemory());
        throw new NotebookJsonException(Reason.OUT_OF_MEMORY, "the heap is nearly full (" + mib(live) + " of "
                + mib(max) + " MiB in use after the last collection); this document is dropped so that the"
                + " kernel keeps what is left");
    }

    private static long usedAfterLastCollection(long fallback) {
        long sum = 0;
        boolean any = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP || !pool.isValid()) {
                continue;
            }
            MemoryUsage after = pool.getCollectionUsage();
            if (after != null) {
                sum += after.getUsed();
                any = true;
            }
        }
        return any ? sum : fallback;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
