package org.afmetrics.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.afmetrics.kernel.BridgeSink;
import org.afmetrics.kernel.CellRecorder;
import org.afmetrics.kernel.bridge.CellBridge;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the cell hook adds to one cell. The kernel's cell method (handleExecuteRequest, evalWithIO)
 * gets the enter and exit advice of {@code KernelAdvice.Cell} inlined: a call of
 * {@link CellBridge#cellStarted()} at the start, {@link CellBridge#cellEnded(Throwable)} at every
 * exit, each in a try/catch that swallows the hook's own failure. {@code hooked} is that shape
 * around a trivial cell body, with the bridge connected to a {@link CellRecorder} through a
 * {@link BridgeSink} as the agent connects it; {@code baseline} is the same cell unhooked;
 * {@code hookedNotConnected} is the woven cell before the agent installed its sink (a kernel
 * class loaded by a loader the agent could not connect). The hook's cost per cell is
 * hooked − baseline; it includes the cell's resource accounting (its thread's CPU time and
 * allocated bytes, and the JVM's GC time, read at the start and the end). {@code workerSpan} is
 * what a kernel worker thread's woven body adds (the Kotlin kernel's execution thread, a JShell
 * snippet thread): its CPU time and allocation read at its start and end while a cell is open on
 * another thread; per cell it comes on top of hooked − baseline once per worker span. Each benchmark runs in its own fork (never run these with 0 forks), so the
 * static bridge holds a sink in {@code hooked} only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CellHookBench {
    private long executionCount;

    @State(Scope.Thread)
    public static class Connected {
        CellRecorder recorder;

        @Setup
        public void connect() {
            recorder = new CellRecorder();
            CellBridge.install(new BridgeSink(recorder));
        }
    }

    /** A cell left open on another thread, as while a kernel's worker runs it. */
    @State(Scope.Benchmark)
    public static class OpenCell {
        private final java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
        private Thread shell;

        @Setup
        public void open() throws InterruptedException {
            CellRecorder recorder = new CellRecorder();
            CellBridge.install(new BridgeSink(recorder));
            java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
            shell = new Thread(() -> {
                CellBridge.cellStarted();
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
        }

        @org.openjdk.jmh.annotations.TearDown
        public void close() throws InterruptedException {
            end.countDown();
            shell.join();
        }
    }

    @Benchmark
    public long workerSpan(OpenCell cell) {
        return wovenWork();
    }

    @Benchmark
    public long baseline() {
        return plainCell();
    }

    @Benchmark
    public long hooked(Connected c) {
        return wovenCell();
    }

    @Benchmark
    public long hookedNotConnected() {
        return wovenCell();
    }

    /** The kernel's cell method without the agent: the body only (its reply, here a counter). */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private long plainCell() {
        return ++executionCount;
    }

    /** A worker thread's body as woven (role CELL_WORK): the bridge call at entry and at the exit. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private long wovenWork() {
        CellBridge.workStarted();
        long r = ++executionCount;
        CellBridge.workEnded(null);
        return r;
    }

    /** The same method as Byte Buddy weaves it: enter advice, body, exit advice (also on a throw). */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private long wovenCell() {
        try {
            CellBridge.cellStarted();
        } catch (Throwable ignored) {
            // suppress = Throwable.class
        }
        long r;
        Throwable thrown = null;
        try {
            r = ++executionCount;
        } catch (Throwable t) {
            thrown = t;
            r = 0;
        }
        try {
            CellBridge.cellEnded(thrown);
        } catch (Throwable ignored) {
            // suppress = Throwable.class
        }
        if (thrown != null) {
            throw new IllegalStateException(thrown);
        }
        return r;
    }
}
