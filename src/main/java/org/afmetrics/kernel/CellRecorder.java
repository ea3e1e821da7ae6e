package org.afmetrics.kernel;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Turns the kernel's cell events into the cell metrics. A kernel runs one cell at a time; the
 * recorder follows the thread that started the cell, so events from other threads (a comm
 * handler, the kernel's own evaluations) never close or classify it. The cell path is a few
 * field writes and adder updates: no allocation, no monitor. It does not depend on the bridge,
 * so it can be created (and benchmarked) in any JVM; {@link BridgeSink} connects it to the
 * woven code.
 *
 * <p>What a cell cost is the CPU time and heap allocation of the thread that started it plus
 * those of the threads the kernel started to run it while it was open ({@link #workStarted} /
 * {@link #workEnded} on the worker itself, since a worker's usage can no longer be read once it
 * ended), and the JVM's GC time between its start and end. A cell started by
 * {@link #workerCellStarted} (the Kotlin kernel) counts its workers alone: its own thread only waits
 * for them. Reading a thread's CPU clock is a system call, the bulk of the hook's cost, so it is
 * read only where needed: twice on a cell's own thread when that thread does work, once on a
 * worker, at its end (a worker is a thread started for the cell, so its life is the cell's part).
 */
public final class CellRecorder {
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
            120, 300, 600, 1800, 3600};

    private final Counter executions = Counter.build().name("jupyter_cell_executions")
            .help("Cells the kernel executed, by outcome.").labelNames("status").create();
    private final Histogram duration = Histogram.build().name("jupyter_cell_duration_seconds")
            .help("Wall-clock time from a cell's execute request to its reply.").buckets(BUCKETS).create();
    // two gauges read from the recorder's fields at scrape time: a field write per cell, where a
    // simpleclient Gauge's set takes a lock
    private static final String RUNNING = "jupyter_cell_running";
    private static final String RUNNING_HELP = "1 while a cell executes, else 0.";
    private static final String LAST_ACTIVITY = "jupyter_kernel_last_activity_timestamp_seconds";
    private static final String LAST_ACTIVITY_HELP =
            "Unix time of the kernel's last cell start or end (its start until the first cell).";
    private final Gauge info = Gauge.build().name("jupyter_kernel_info")
            .help("The kernel this agent runs in.").labelNames("kernel", "kernel_version", "language").create();

    private final Counter cpu = Counter.build().name("jupyter_cell_cpu_seconds")
            .help("CPU time of the threads that ran the cells, by outcome.").labelNames("status").create();
    private final Counter allocated = Counter.build().name("jupyter_cell_allocated_bytes")
            .help("Heap bytes allocated by the threads that ran the cells, by outcome.").labelNames("status")
            .create();
    private final Counter gc = Counter.build().name("jupyter_cell_gc_seconds")
            .help("Garbage collection time of the JVM while cells ran, by outcome.").labelNames("status").create();

    // each by CellStatus.ordinal(): a cell's end picks its children without a look-up
    private final Counter.Child[] executionsBy = byStatus(executions);
    private final Counter.Child[] cpuBy = byStatus(cpu);
    private final Counter.Child[] allocatedBy = byStatus(allocated);
    private final Counter.Child[] gcBy = byStatus(gc);

    /** Worker threads followed at once; a kernel runs a cell on one at a time. */
    private static final int WORKER_SLOTS = 4;

    private final Consumer<KernelDescription> onKernel;
    private volatile KernelDescription kernel;

    // the open cell; written by the cell's thread, read by the interrupting thread
    private volatile Thread cellThread;
    private volatile long lastActivityMillis;
    private int depth;
    private long startNanos;
    private boolean failed;
    private CellStatus outcome;
    private volatile boolean interruptSeen;

    // resources of the open cell: its thread's readings at the start, its workers' sums
    private volatile ThreadUsage usage;
    private volatile int cellNumber;
    private boolean ownThreadMeasured;
    private long startCpu;
    private long startAllocated;
    private long startGc;
    private final AtomicLong workCpu = new AtomicLong();
    private final AtomicLong workAllocated = new AtomicLong();
    private final AtomicReferenceArray<Thread> workers = new AtomicReferenceArray<>(WORKER_SLOTS);
    private final int[] workerCell = new int[WORKER_SLOTS];

    /** A recorder that tells {@code onKernel} once which kernel it runs in (may be null). */
    public CellRecorder(Consumer<KernelDescription> onKernel) {
        this.onKernel = onKernel;
    }


    public CellRecorder() {
        this(null);
    }

    /** Cells are counted and timed, their resources not measured: no series of them. */
    public void withoutResources() {
        usage = ThreadUsage.none();
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

    /** A cell starts on this thread, which does (part of) its work. */
    public void cellStarted() {
        start(true);
    }

    /**
     * A cell starts whose code the kernel runs on worker threads while this thread waits (the
     * Kotlin kernel): this thread's own CPU and allocation, its request handling, are not read.
     */
    public void workerCellStarted() {
        start(false);
    }

    private void start(boolean measureOwnThread) {
        Thread t = Thread.currentThread();
        if (cellThread == t) {
            depth++;
            return;
        }
        depth = 1;
        failed = false;
        outcome = null;
        interruptSeen = false;
        ThreadUsage u = usage();
        cellNumber++;
        workCpu.set(0);
        workAllocated.set(0);
        ownThreadMeasured = measureOwnThread;
        if (measureOwnThread) {
            startCpu = u.cpuNanos();
            startAllocated = u.allocatedBytes();
        }
        startGc = u.gcMillis();
        startNanos = System.nanoTime();
        cellThread = t;
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
            outcome = CellStatus.INTERRUPTED;
        } else if (name.endsWith("Failure")) {
            outcome = CellStatus.ERROR;
        } else if (name.endsWith("ConnectionExecutionResult")) {
            outcome = connectionOutcome(result);
        } else {
            outcome = CellStatus.OK;
        }
    }

    /** The single result class of Kotlin kernel 0.11.0-89-1: its public getters tell the outcome. */
    private static CellStatus connectionOutcome(Object result) {
        try {
            Class<?> c = result.getClass();
            if (Boolean.TRUE.equals(c.getMethod("isInterrupted").invoke(result))) {
                return CellStatus.INTERRUPTED;
            }
            return c.getMethod("getThrowable").invoke(result) != null ? CellStatus.ERROR : CellStatus.OK;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return CellStatus.OK;
        }
    }

    public void interruptRequested() {
        if (cellThread != null) {
            interruptSeen = true;
        }
    }

    /**
     * A thread the kernel started for the open cell begins running it. Nothing is read here: the
     * thread's usage so far is its start alone, so its readings at the end are its part of the cell.
     */
    public void workStarted() {
        Thread t = Thread.currentThread();
        Thread cell = cellThread;
        if (cell == null || cell == t || usage == null) {
            return; // no cell open, or the cell's own thread, which is measured as a whole
        }
        for (int i = 0; i < WORKER_SLOTS; i++) {
            if (workers.get(i) == t) {
                return; // nested: the outer span counts
            }
        }
        for (int i = 0; i < WORKER_SLOTS; i++) {
            if (workers.get(i) == null && workers.compareAndSet(i, null, t)) {
                workerCell[i] = cellNumber;
                return;
            }
        }
    }

    /** The worker's part is done: what it used counts for the cell if that cell is still open. */
    public void workEnded() {
        Thread t = Thread.currentThread();
        for (int i = 0; i < WORKER_SLOTS; i++) {
            if (workers.get(i) == t) {
                ThreadUsage u = usage;
                if (cellThread != null && workerCell[i] == cellNumber && u != null) {
                    workCpu.addAndGet(since(0, u.cpuNanos()));
                    workAllocated.addAndGet(since(0, u.allocatedBytes()));
                }
                workers.set(i, null);
                return;
            }
        }
    }

    public void cellEnded(Throwable thrown) {
        if (cellThread != Thread.currentThread() || --depth > 0) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        ThreadUsage u = usage;
        long cpuNanos = workCpu.get();
        long allocatedBytes = workAllocated.get();
        if (ownThreadMeasured) {
            cpuNanos += since(startCpu, u.cpuNanos());
            allocatedBytes += since(startAllocated, u.allocatedBytes());
        }
        long gcMillis = since(startGc, u.gcMillis());
        int s = classify(thrown).ordinal();
        cellThread = null;
        duration.observe(seconds);
        executionsBy[s].inc();
        cpuBy[s].inc(cpuNanos / 1e9);
        allocatedBy[s].inc(allocatedBytes);
        gcBy[s].inc(gcMillis / 1e3);
        touch();
    }

    /** The growth of a reading, 0 where either end is absent. */
    private static long since(long start, long now) {
        return start < 0 || now < start ? 0 : now - start;
    }

    /** The readings, probed once (on the first cell or scrape, whichever comes first). */
    private ThreadUsage usage() {
        ThreadUsage u = usage;
        if (u != null) {
            return u;
        }
        synchronized (this) {
            if (usage == null) {
                usage = ThreadUsage.probe();
            }
            return usage;
        }
    }

    private CellStatus classify(Throwable thrown) {
        if (interruptSeen || outcome == CellStatus.INTERRUPTED) {
            return CellStatus.INTERRUPTED;
        }
        if (failed || thrown != null || outcome == CellStatus.ERROR) {
            return CellStatus.ERROR;
        }
        return CellStatus.OK;
    }

    private static Counter.Child[] byStatus(Counter counter) {
        CellStatus[] all = CellStatus.values();
        Counter.Child[] children = new Counter.Child[all.length];
        for (CellStatus status : all) {
            children[status.ordinal()] = counter.labels(status.label);
        }
        return children;
    }

    /** Whether any cell has ended. */
    private boolean anyEnded() {
        for (Counter.Child c : executionsBy) {
            if (c.get() > 0) {
                return true;
            }
        }
        return false;
    }

    private void touch() {
        lastActivityMillis = System.currentTimeMillis();
    }

    /** The cell metrics; empty until a kernel was seen, so a JVM that is no kernel exports none. */
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> out = new ArrayList<>();
        if (kernel == null && cellThread == null && !anyEnded()) {
            return out;
        }
        out.addAll(executions.collect());
        out.addAll(duration.collect());
        out.add(new GaugeMetricFamily(RUNNING, RUNNING_HELP, cellThread != null ? 1 : 0));
        out.add(new GaugeMetricFamily(LAST_ACTIVITY, LAST_ACTIVITY_HELP, lastActivityMillis / 1000.0));
        out.addAll(info.collect());
        ThreadUsage u = usage();
        if (u.cpuSupported()) {
            out.addAll(cpu.collect());
        }
        if (u.allocationSupported()) {
            out.addAll(allocated.collect());
        }
        if (u.gcSupported()) {
            out.addAll(gc.collect());
        }
        return out;
    }
}
