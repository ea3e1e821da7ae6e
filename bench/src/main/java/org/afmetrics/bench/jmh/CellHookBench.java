package org.afmetrics.bench.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.afmetrics.kernel.BridgeSink;
import org.afmetrics.kernel.CellRecorder;
import org.afmetrics.kernel.WovenCells;
import org.afmetrics.kernel.bridge.CellBridge;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the cell hook adds to one cell, on bytecode woven by the agent's own {@code Weaver} (the
 * bridge calls at entry and before each return, and the catch-all handler), with the bridge
 * connected to a {@link CellRecorder} through a {@link BridgeSink} as the agent connects it and the
 * resource accounting on (CPU time, allocated bytes, GC time). All shapes weave {@link CellBody};
 * {@code baseline} is the same class unwoven, defined the same way.
 * <ul>
 * <li>{@code hooked} — role CELL (basekernel, JJava: the request's thread does the cell's work):
 * its CPU clock and allocation counter read at the cell's start and end;
 * <li>{@code kotlinCell} — role CELL_ON_WORKER (the Kotlin kernel's evalWithIO): the request's
 * thread, which only waits for the worker, reads no thread clock;
 * <li>{@code workerSpan} — role CELL_WORK, the body of a thread the kernel starts for the cell (the
 * Kotlin kernel's execution thread, one per cell; a JShell snippet thread, one per snippet) while a
 * cell is open on another thread: the worker's clock and counter read once, at its end;
 * <li>{@code hookedNotConnected} — role CELL before the agent installed its sink.
 * </ul>
 * Per cell, the hook costs hooked − baseline on the basekernel and JJava (plus a worker span per
 * JShell snippet where the local engine runs them), and (kotlinCell − baseline) + (workerSpan −
 * baseline) on the Kotlin kernel. Each benchmark runs in its own fork (never run these with 0
 * forks), so the static bridge holds the sink its benchmark installed, or none.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CellHookBench {
    static final String CELL_METHOD = "getAsLong";
    static final String CELL_DESCRIPTOR = "()J";

    /** {@link CellBody} unwoven, defined as the woven copies are. */
    public static LongSupplier plain() throws Exception {
        return CellBody.of(WovenCells.plain(CellBody.class));
    }

    /** {@link CellBody} woven in {@code role}. */
    public static LongSupplier woven(String role) throws Exception {
        return CellBody.of(WovenCells.woven(CellBody.class, CELL_METHOD, CELL_DESCRIPTOR, role));
    }

    static void connect() {
        CellBridge.install(new BridgeSink(new CellRecorder()));
    }

    @State(Scope.Thread)
    public static class Plain {
        LongSupplier cell;

        @Setup
        public void load() throws Exception {
            cell = plain();
        }
    }

    @State(Scope.Thread)
    public static class Cell {
        LongSupplier cell;

        @Setup
        public void weave() throws Exception {
            connect();
            cell = woven("CELL");
        }
    }

    @State(Scope.Thread)
    public static class CellNotConnected {
        LongSupplier cell;

        @Setup
        public void weave() throws Exception {
            cell = woven("CELL");
        }
    }

    @State(Scope.Thread)
    public static class KotlinCell {
        LongSupplier cell;

        @Setup
        public void weave() throws Exception {
            connect();
            cell = woven("CELL_ON_WORKER");
        }
    }

    /**
     * Opens a Kotlin-shaped cell on a thread of its own, as the kernel's request thread does, and
     * returns that thread once the cell is open; the cell ends when {@code end} counts down.
     */
    public static Thread openKotlinCell(CountDownLatch end) throws InterruptedException {
        CountDownLatch opened = new CountDownLatch(1);
        Thread shell = new Thread(() -> {
            CellBridge.workerCellStarted();
            opened.countDown();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CellBridge.cellEnded(null);
        }, "shell");
        shell.setDaemon(true);
        shell.start();
        opened.await();
        return shell;
    }

    /** A worker's body, run while a Kotlin cell stays open on another thread. */
    @State(Scope.Benchmark)
    public static class Worker {
        private final CountDownLatch end = new CountDownLatch(1);
        private Thread shell;
        LongSupplier body;

        @Setup
        public void open() throws Exception {
            connect();
            body = woven("CELL_WORK");
            shell = openKotlinCell(end);
        }

        @TearDown
        public void close() throws InterruptedException {
            end.countDown();
            shell.join();
        }
    }

    /**
     * CPU time of the benchmark thread over each iteration and the calls it made, beside JMH's wall
     * time: a loaded machine inflates wall time by the share of a core the thread gets, CPU time not.
     * Per call: the sum of {@code cpuNanos} over the sum of {@code cells}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuClock {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long cpuNanos;
        public long cells;
        private long start;

        @Setup(Level.Iteration)
        public void start() {
            cells = 0;
            cpuNanos = 0;
            start = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void stop() {
            cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
        }
    }

    @Benchmark
    public long baseline(Plain p, CpuClock clock) {
        clock.cells++;
        return p.cell.getAsLong();
    }

    @Benchmark
    public long hooked(Cell c, CpuClock clock) {
        clock.cells++;
        return c.cell.getAsLong();
    }

    @Benchmark
    public long hookedNotConnected(CellNotConnected c, CpuClock clock) {
        clock.cells++;
        return c.cell.getAsLong();
    }

    @Benchmark
    public long kotlinCell(KotlinCell c, CpuClock clock) {
        clock.cells++;
        return c.cell.getAsLong();
    }

    @Benchmark
    public long workerSpan(Worker w, CpuClock clock) {
        clock.cells++;
        return w.body.getAsLong();
    }
}
