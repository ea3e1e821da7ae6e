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
        assertEquals(5, families.size());
    }

    @Test
    void describesABaseKernelSubclassThroughItsPublicApi() {
        KernelDescription d = KernelDescription.of(new org.afmetrics.testkernels.BaseKernelJShell());
        assertEquals("basekerneljshell", d.kernel());
        assertEquals("java", d.language());
        assertEquals("2.3.0", d.version());
    }
}
