package org.afmetrics.kernel;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the kernel's cell events into the cell metrics. A kernel runs one cell at a time; the
 * recorder follows the thread that started the cell, so events from other threads (a comm
 * handler, the kernel's own evaluations) never close or classify it. The cell path is a few
 * field writes and adder updates: no allocation, no monitor. It does not depend on the bridge,
 * so it can be created (and benchmarked) in any JVM; {@link BridgeSink} connects it to the
 * woven code.
 */
public final class CellRecorder {
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
            120, 300, 600, 1800, 3600};

    public static final String OK = "ok";
    public static final String ERROR = "error";
    public static final String INTERRUPTED = "interrupted";

    private final Counter executions = Counter.build().name("jupyter_cell_executions")
            .help("Cells the kernel executed, by outcome.").labelNames("status").create();
    private final Histogram duration = Histogram.build().name("jupyter_cell_duration_seconds")
            .help("Wall-clock time from a cell's execute request to its reply.").buckets(BUCKETS).create();
    private final Gauge running = Gauge.build().name("jupyter_cell_running")
            .help("1 while a cell executes, else 0.").create();
    private final Gauge lastActivity = Gauge.build().name("jupyter_kernel_last_activity_timestamp_seconds")
            .help("Unix time of the kernel's last cell start or end (its start until the first cell).").create();
    private final Gauge info = Gauge.build().name("jupyter_kernel_info")
            .help("The kernel this agent runs in.").labelNames("kernel", "kernel_version", "language").create();

    private final Counter.Child ok = executions.labels(OK);
    private final Counter.Child error = executions.labels(ERROR);
    private final Counter.Child interrupted = executions.labels(INTERRUPTED);

    private final Consumer<KernelDescription> onKernel;
    private volatile KernelDescription kernel;

    // the open cell; written by the cell's thread, read by the interrupting thread
    private volatile Thread cellThread;
    private int depth;
    private long startNanos;
    private boolean failed;
    private String outcome;
    private volatile boolean interruptSeen;

    /** A recorder that tells {@code onKernel} once which kernel it runs in (may be null). */
    public CellRecorder(Consumer<KernelDescription> onKernel) {
        this.onKernel = onKernel;
    }

    public CellRecorder() {
        this(null);
    }

    /** The kernel, once its first hook ran; null before. */
    public KernelDescription kernel() {
        return kernel;
    }

    /** The kernel object of a hooked instance method, or the hooked class of a static one. */
    public void kernelStarted(Object kernelOrType) {
        if (kernel != null) {
            return;
        }
        describe(KernelDescription.of(kernelOrType));
    }

    /** Records the kernel directly (first description wins). */
    public synchronized void describe(KernelDescription d) {
        if (kernel != null) {
            return;
        }
        kernel = d;
        info.labels(d.kernel(), d.version(), d.language()).set(1);
        touch();
        if (onKernel != null) {
            onKernel.accept(d);
        }
    }

    public void cellStarted() {
        Thread t = Thread.currentThread();
        if (cellThread == t) {
            depth++;
            return;
        }
        depth = 1;
        failed = false;
        outcome = null;
        interruptSeen = false;
        startNanos = System.nanoTime();
        cellThread = t;
        running.set(1);
        touch();
    }

    public void cellFailed() {
        if (cellThread == Thread.currentThread()) {
            failed = true;
        }
    }

    /** An execution result object: its class's simple name tells success, failure or interruption. */
    public void cellOutcome(Object result) {
        if (cellThread != Thread.currentThread() || result == null) {
            return;
        }
        String name = result.getClass().getName();
        if (name.endsWith("Interrupted")) {
            outcome = INTERRUPTED;
        } else if (name.endsWith("Failure")) {
            outcome = ERROR;
        } else {
            outcome = OK;
        }
    }

    public void interruptRequested() {
        if (cellThread != null) {
            interruptSeen = true;
        }
    }

    public void cellEnded(Throwable thrown) {
        if (cellThread != Thread.currentThread() || --depth > 0) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String status = classify(thrown);
        cellThread = null;
        duration.observe(seconds);
        (status == OK ? ok : status == ERROR ? error : interrupted).inc();
        running.set(0);
        touch();
    }

    private String classify(Throwable thrown) {
        if (interruptSeen || outcome == INTERRUPTED) {
            return INTERRUPTED;
        }
        if (failed || thrown != null || outcome == ERROR) {
            return ERROR;
        }
        return OK;
    }

    private void touch() {
        lastActivity.set(System.currentTimeMillis() / 1000.0);
    }

    /** The cell metrics; empty until a kernel was seen, so a JVM that is no kernel exports none. */
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> out = new ArrayList<>();
        if (kernel == null && cellThread == null && ok.get() + error.get() + interrupted.get() == 0) {
            return out;
        }
        for (Collector c : new Collector[] {executions, duration, running, lastActivity, info}) {
            out.addAll(c.collect());
        }
        return out;
    }
}
