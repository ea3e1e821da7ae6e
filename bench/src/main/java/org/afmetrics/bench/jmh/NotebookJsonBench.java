package org.afmetrics.bench.jmh;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.afmetrics.bench.SeriesFiles;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.NotebookJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Parsing a notebook JSON document and converting it into metric families, as a changed file costs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NotebookJsonBench {
    @Param({"1000", "10000"})
    public int series;

    private byte[] json;
    private final Set<String> reserved = Set.of("user", "session", "notebook");

    @Setup
    public void setUp() {
        json = SeriesFiles.typed(series);
    }

    @Benchmark
    public Conversion parseAndConvert() throws Exception {
        return NotebookJson.convert(json, json.length, "notebook_", reserved, 20000, "bench");
    }
}
