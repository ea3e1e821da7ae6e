package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CellRecorderTest {
    /** Result objects named like the Kotlin kernel's ExecutionResult subclasses. */
    static final class Success {
    }

    static final class Failure {
    }

    static final class Interrupted {
    }

    /** Shaped like the single result class of Kotlin kernel 0.11.0-89-1. */
    public static final class ConnectionExecutionResult {
        private final Throwable throwable;
        private final boolean interrupted;

        ConnectionExecutionResult(Throwable throwable, boolean interrupted) {
            this.throwable = throwable;
            this.interrupted = interrupted;
        }

        public Throwable getThrowable() {
            return throwable;
        }

        public boolean isInterrupted() {
            return interrupted;
        }
    }

    @Test
    void classifiesTheSingleResultClassOfTheEarlierKotlinKernelByItsGetters() {
        CellRecorder r = new CellRecorder();
        for (ConnectionExecutionResult result : new ConnectionExecutionResult[] {
                new ConnectionExecutionResult(null, false), new ConnectionExecutionResult(new Exception(), false),
                new ConnectionExecutionResult(null, true)}) {
            r.cellStarted();
            r.cellOutcome(result);
            r.cellEnded(null);
        }
        assertEquals(1, count(r, "ok"));
        assertEquals(1, count(r, "error"));
        assertEquals(1, count(r, "interrupted"));
    }

    private static double value(CellRecorder r, String name, String... labels) {
        for (MetricFamilySamples f : r.collect()) {
            for (Sample s : f.samples) {
                if (s.name.equals(name) && matches(s, labels)) {
                    return s.value;
                }
            }
        }
        return Double.NaN;
    }

    private static boolean matches(Sample s, String... labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            int at = s.labelNames.indexOf(labels[i]);
            if (at < 0 || !s.labelValues.get(at).equals(labels[i + 1])) {
                return false;
            }
        }
        return true;
    }

    private static double count(CellRecorder r, String status) {
        return value(r, "jupyter_cell_executions_total", "status", status);
    }

    @Test
    void exportsNothingBeforeAKernelIsSeen() {
        assertTrue(new CellRecorder().collect().isEmpty());
    }

    @Test
    void classifiesCellsByWhatTheKernelDid() {
        CellRecorder r = new CellRecorder();
        r.describe(new KernelDescription("ijava", "1.3.0", "java"));
        r.cellStarted();
        r.cellEnded(null);
        r.cellStarted();
        r.cellFailed();
        r.cellEnded(null);
        r.cellStarted();
        r.cellEnded(new RuntimeException("escaped the kernel"));
        r.cellStarted();
        r.cellOutcome(new Failure());
        r.cellEnded(null);
        r.cellStarted();
        r.cellOutcome(new Success());
        r.cellEnded(null);
        r.cellStarted();
        r.cellOutcome(new Interrupted());
        r.cellEnded(null);
        r.cellStarted();
        r.interruptRequested();
        r.cellFailed();
        r.cellEnded(null);
        assertEquals(2, count(r, "ok"));
        assertEquals(3, count(r, "error"));
        assertEquals(2, count(r, "interrupted"));
        assertEquals(7, value(r, "jupyter_cell_duration_seconds_count"));
        assertEquals(0, value(r, "jupyter_cell_running"));
        assertEquals(1, value(r, "jupyter_kernel_info", "kernel", "ijava", "kernel_version", "1.3.0", "language", "java"));
    }

    @Test
    void anInterruptWithNoCellRunningDoesNotMarkTheNextCell() {
        CellRecorder r = new CellRecorder();
        r.interruptRequested();
        r.cellStarted();
        r.cellEnded(null);
        assertEquals(1, count(r, "ok"));
        assertEquals(0, count(r, "interrupted"));
    }

    @Test
    void runningIsOneOnlyWhileACellRunsAndNestedHooksCountOnce() {
        CellRecorder r = new CellRecorder();
        r.cellStarted();
        assertEquals(1, value(r, "jupyter_cell_running"));
        r.cellStarted();
        r.cellEnded(null);
        assertEquals(1, value(r, "jupyter_cell_running"));
        r.cellEnded(null);
        assertEquals(0, value(r, "jupyter_cell_running"));
        assertEquals(1, count(r, "ok"));
    }

    @Test
    void eventsFromOtherThreadsNeitherEndNorClassifyTheCell() throws Exception {
        CellRecorder r = new CellRecorder();
        r.cellStarted();
        Thread other = new Thread(() -> {
            r.cellFailed();
            r.cellOutcome(new Failure());
            r.cellEnded(new RuntimeException());
        });
        other.start();
        other.join();
        assertEquals(1, value(r, "jupyter_cell_running"));
        r.cellEnded(null);
        assertEquals(1, count(r, "ok"));
        assertEquals(0, count(r, "error"));
    }

    @Test
    void theKernelIsDescribedOnceAndReported() {
        AtomicReference<KernelDescription> told = new AtomicReference<>();
        CellRecorder r = new CellRecorder(told::set);
        assertNull(r.kernel());
        r.describe(new KernelDescription("kotlin", "0.11.0-398", "kotlin"));
        r.describe(new KernelDescription("other", "1", "x"));
        assertEquals("kotlin", r.kernel().kernel());
        assertEquals("kotlin", told.get().kernel());
        List<MetricFamilySamples> families = r.collect();
        assertEquals(8, families.size()); // five cell families and three of resources (this JVM has all)
    }

    private static final int MIB = 1 << 20;

    /** Keeps allocations from being optimised away. */
    private static volatile Object sink;

    private static void allocate(int bytes) {
        for (int i = 0; i < bytes / 4096; i++) {
            sink = new byte[4096];
        }
    }

    /** Spins until this thread has used {@code nanos} of CPU time (wall time varies on a busy machine). */
    private static void burnCpu(long nanos) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadCpuTime() + nanos;
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            x += x * 31 + 7;
        }
        sink = x;
    }

    private static double resource(CellRecorder r, String name, String status) {
        return value(r, name, "status", status);
    }

    @Test
    void aCellCostsWhatItsWorkerThreadUsedAsWellAsItsOwnThread() throws Exception {
        CellRecorder r = new CellRecorder();
        r.cellStarted();
        allocate(8 * MIB);
        Thread worker = new Thread(() -> {
            r.workStarted();
            burnCpu(300_000_000L);
            allocate(64 * MIB);
            r.workEnded();
        });
        worker.start();
        worker.join();
        r.cellEnded(null);
        assertTrue(resource(r, "jupyter_cell_cpu_seconds_total", "ok") >= 0.3,
                () -> "cpu " + resource(r, "jupyter_cell_cpu_seconds_total", "ok"));
        double bytes = resource(r, "jupyter_cell_allocated_bytes_total", "ok");
        assertTrue(bytes >= 72 * MIB && bytes < 90 * MIB, () -> "allocated " + bytes);
        assertEquals(0, resource(r, "jupyter_cell_cpu_seconds_total", "error"));
        assertTrue(resource(r, "jupyter_cell_gc_seconds_total", "ok") >= 0);
    }

    @Test
    void aCellRunOnAWorkerCostsWhatTheWorkerUsedNotWhatItsWaitingThreadDid() throws Exception {
        CellRecorder r = new CellRecorder();
        r.workerCellStarted();
        allocate(48 * MIB); // the request's thread, which only waits in the Kotlin kernel: not the cell's
        Thread worker = new Thread(() -> {
            r.workStarted();
            burnCpu(200_000_000L);
            allocate(16 * MIB);
            r.workEnded();
        });
        worker.start();
        worker.join();
        r.cellEnded(null);
        assertTrue(resource(r, "jupyter_cell_cpu_seconds_total", "ok") >= 0.2,
                () -> "cpu " + resource(r, "jupyter_cell_cpu_seconds_total", "ok"));
        double bytes = resource(r, "jupyter_cell_allocated_bytes_total", "ok");
        assertTrue(bytes >= 16 * MIB && bytes < 24 * MIB, () -> "allocated " + bytes);
    }

    @Test
    void gcTimeFollowsTheCollectorsAsTheyReportCollections() throws Exception {
        ThreadUsage usage = ThreadUsage.probe();
        assertTrue(usage.gcSupported());
        long before = usage.gcMillis();
        long deadline = System.nanoTime() + 20_000_000_000L;
        // a full collection of a heap holding some garbage takes at least a millisecond here
        while (usage.gcMillis() <= before && System.nanoTime() < deadline) {
            allocate(64 * MIB);
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(usage.gcMillis() > before, () -> "GC time stayed at " + before + " ms");
    }

    @Test
    void workOnTheCellsOwnThreadIsCountedOnce() {
        CellRecorder r = new CellRecorder();
        r.cellStarted();
        r.workStarted();
        allocate(32 * MIB);
        r.workEnded();
        r.cellFailed();
        r.cellEnded(null);
        double bytes = resource(r, "jupyter_cell_allocated_bytes_total", "error");
        assertTrue(bytes >= 32 * MIB && bytes < 40 * MIB, () -> "allocated " + bytes);
    }

    @Test
    void workOutsideACellOrAfterItEndedCountsForNoCell() throws Exception {
        CellRecorder r = new CellRecorder();
        Thread before = new Thread(() -> {
            r.workStarted();
            allocate(32 * MIB);
            r.workEnded();
        });
        before.start();
        before.join();
        r.cellStarted();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch cellOver = new java.util.concurrent.CountDownLatch(1);
        Thread late = new Thread(() -> {
            r.workStarted();
            started.countDown();
            try {
                cellOver.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            allocate(32 * MIB);
            r.workEnded();
        });
        late.start();
        started.await();
        r.cellEnded(null);
        cellOver.countDown();
        late.join();
        r.cellStarted();
        r.cellEnded(null);
        double bytes = resource(r, "jupyter_cell_allocated_bytes_total", "ok");
        assertTrue(bytes < 8 * MIB, () -> "allocated " + bytes);
    }

    @Test
    void withoutResourcesOrTheirReadingsThereAreNoResourceSeries() {
        CellRecorder r = new CellRecorder();
        r.withoutResources(); // cell-resources=false, and what a JVM without the readings gets
        r.describe(new KernelDescription("ijava", "1.3.0", "java"));
        r.cellStarted();
        allocate(MIB);
        r.cellEnded(null);
        assertEquals(1, count(r, "ok"));
        for (MetricFamilySamples f : r.collect()) {
            assertTrue(!f.name.startsWith("jupyter_cell_cpu") && !f.name.startsWith("jupyter_cell_allocated")
                    && !f.name.startsWith("jupyter_cell_gc"), f.name);
        }
    }

    @Test
    void describesABaseKernelSubclassThroughItsPublicApi() {
        KernelDescription d = KernelDescription.of(new org.afmetrics.testkernels.BaseKernelJShell());
        assertEquals("basekerneljshell", d.kernel());
        assertEquals("java", d.language());
        assertEquals("2.3.0", d.version());
    }
}
