package org.afmetrics.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.afmetrics.kernel.BridgeSink;
import org.afmetrics.kernel.CellRecorder;
import org.afmetrics.kernel.bridge.CellBridge;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cell hook per call: what the advice woven into a kernel's execute method does for one
 * cell (start, outcome, end) through the bridge into the recorder behind the cell metrics.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CellHookBench {
    private final Object result = "42";

    @Setup
    public void setUp() {
        CellBridge.install(new BridgeSink(new CellRecorder()));
    }

    @Benchmark
    public void oneCell() {
        CellBridge.cellStarted();
        CellBridge.cellOutcome(result);
        CellBridge.cellEnded(null);
    }
}
