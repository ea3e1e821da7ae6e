package org.afmetrics.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.afmetrics.bench.jmh.CellHookBench;
import org.afmetrics.kernel.BridgeSink;
import org.afmetrics.kernel.CellRecorder;
import org.afmetrics.kernel.bridge.CellBridge;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The two kernel benchmarks: the cell hook's cost per cell (JMH, {@code jmh.CellHookBench}) and
 * the Kotlin kernel's start and memory with and without the agent (bench/kernel_start.py drives
 * real kernels through Debian's jupyter_client, alternating the contenders; with
 * {@code -Dbench.kotlin.breakdown=true} also an empty agent and the agent without cell hooks). Prints a Markdown table
 * and writes it to {@code bench/target/kernel-results.md}.
 * Usage: KernelBench BENCH_DIR [hook] [kotlin]   (no argument: both)
 */
public final class KernelBench {
    private static final double HOOK_BUDGET_NS = 2000;
    private static final double START_BUDGET_PERCENT = 3;

    private final Path bench;
    private final String java;
    private final int rounds = Integer.getInteger("bench.kotlin.rounds", 7);
    private final boolean breakdown = Boolean.getBoolean("bench.kotlin.breakdown");
    private final StringBuilder report = new StringBuilder();
    private final List<String> budget = new ArrayList<>();

    private KernelBench(Path bench) {
        this.bench = bench;
        this.java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static void main(String[] args) throws Exception {
        Path bench = Paths.get(args.length > 0 ? args[0] : "bench").toAbsolutePath().normalize();
        List<String> only = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        KernelBench b = new KernelBench(bench);
        long t0 = System.nanoTime();
        b.report.append("# af-metrics in kernels\n\n")
                .append("Java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (").append(b.java).append(")  \n")
                .append("Cores: ").append(Runtime.getRuntime().availableProcessors())
                .append("; OS: ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append('\n');
        if (only.isEmpty() || only.contains("hook")) {
            b.cellHook();
        }
        if (only.isEmpty() || only.contains("kotlin")) {
            b.kotlinKernel();
        }
        Reports.finish(b.report, b.budget, "Whole run", t0, bench.resolve("target/kernel-results.md"));
    }

    private void cellHook() throws Exception {
        System.err.println("JMH: cell hook");
        Collection<RunResult> results = Reports.jmh("org\\.afmetrics\\.bench\\.jmh\\.CellHookBench\\..*", 2, java);
        Map<String, double[]> score = new HashMap<>();
        Map<String, Double> cpu = new HashMap<>();
        report.append("\n## Cell hook (JMH, 2 forks, 3 × 1 s warm-up, 5 × 1 s measured; average time per cell)\n\n")
                .append("| benchmark | wall ns per cell | ± (99.9 %) | CPU ns per cell |\n|---|---:|---:|---:|\n");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            double s = r.getPrimaryResult().getScore();
            double e = r.getPrimaryResult().getScoreError();
            score.put(name, new double[] {s, e});
            Map<String, Result> aux = r.getSecondaryResults();
            double c = aux.containsKey("cpuNanos") && aux.containsKey("cells")
                    ? aux.get("cpuNanos").getScore() / aux.get("cells").getScore() : Double.NaN;
            cpu.put(name, c);
            report.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, s, e, c));
        }
        double base = score.get("baseline")[0];
        double cell = score.get("hooked")[0] - base;
        double kotlin = score.get("kotlinCell")[0] - base + score.get("workerSpan")[0] - base;
        double cpuBase = cpu.get("baseline");
        double cellCpu = cpu.get("hooked") - cpuBase;
        double kotlinCpu = cpu.get("kotlinCell") - cpuBase + cpu.get("workerSpan") - cpuBase;
        report.append(String.format(Locale.ROOT, "%nWhat the hook adds to a cell, wall (CPU of the benchmark thread):"
                + " %.1f ns (%.1f ns) on the cell's own thread (hooked − baseline); %.1f ns (%.1f ns) for a Kotlin cell"
                + " ((kotlinCell − baseline) + (workerSpan − baseline)). Load average at the end: %s.%n",
                cell, cellCpu, kotlin, kotlinCpu, loadAverage()));
        budget.add(verdict("cell hook ≤ 2 µs per cell (JMH wall, hooked − baseline)", cell));
        budget.add(verdict("Kotlin cell hook ≤ 2 µs per cell (JMH wall, cell and worker span)", kotlin));
        budget.add(verdict("cell hook ≤ 2 µs per cell (JMH, CPU of the thread, hooked − baseline)", cellCpu));
        budget.add(verdict("Kotlin cell hook ≤ 2 µs per cell (JMH, CPU of the threads, cell and worker span)",
                kotlinCpu));
        cellHookMedians();
        cellHookCpu();
    }

    /**
     * The same benchmarks timed call by call (JMH sample mode): the median call is one the scheduler
     * did not interrupt, so medians show the wall time of a cell on a machine whose other jobs
     * inflate the averages above.
     */
    private void cellHookMedians() throws Exception {
        System.err.println("JMH: cell hook, sampled calls");
        Options opt = new OptionsBuilder()
                .include("org\\.afmetrics\\.bench\\.jmh\\.CellHookBench\\.(baseline|hooked|kotlinCell|workerSpan)$")
                .mode(Mode.SampleTime).timeUnit(TimeUnit.NANOSECONDS)
                .forks(2)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvm(java)
                .verbosity(VerboseMode.SILENT)
                .build();
        Map<String, double[]> p = new HashMap<>();
        report.append("\n## Cell hook, calls sampled (JMH sample mode, 2 forks, 3 × 1 s warm-up, 5 × 1 s measured)\n\n")
                .append("| benchmark | p50 ns | p90 ns | p99 ns | samples |\n|---|---:|---:|---:|---:|\n");
        for (RunResult r : new Runner(opt).run()) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            org.openjdk.jmh.util.Statistics st = r.getPrimaryResult().getStatistics();
            p.put(name, new double[] {st.getPercentile(50), st.getPercentile(90)});
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %d |%n", name, st.getPercentile(50),
                    st.getPercentile(90), st.getPercentile(99), st.getN()));
        }
        double base = p.get("baseline")[0];
        double cell = p.get("hooked")[0] - base;
        double kotlin = p.get("kotlinCell")[0] - base + p.get("workerSpan")[0] - base;
        report.append(String.format(Locale.ROOT, "%nMedian wall time the hook adds to a cell: %.0f ns on the cell's own"
                + " thread (hooked − baseline); %.0f ns for a Kotlin cell ((kotlinCell − baseline) + (workerSpan −"
                + " baseline)). Load average at the end: %s.%n", cell, kotlin, loadAverage()));
        budget.add(verdict("cell hook ≤ 2 µs per cell (JMH median call, hooked − baseline)", cell));
        budget.add(verdict("Kotlin cell hook ≤ 2 µs per cell (JMH median calls, cell and worker span)", kotlin));
    }

    private static String loadAverage() {
        try {
            return new String(Files.readAllBytes(Paths.get("/proc/loadavg")), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String verdict(String what, double ns) {
        return String.format(Locale.ROOT, "%s %s: %.3f µs", ns <= HOOK_BUDGET_NS ? "MET" : "MISSED", what, ns / 1000);
    }

    /**
     * The hook's cost as CPU time of the threads that run the cell, which a loaded machine does not
     * inflate as it inflates wall time (a thread waiting for a core uses none): the same woven
     * classes as CellHookBench, the shapes alternating in every round, medians of the rounds.
     */
    private void cellHookCpu() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        BridgeSink sink = new BridgeSink(new CellRecorder());
        LongSupplier plain = CellHookBench.plain();
        LongSupplier cell = CellHookBench.woven("CELL");
        LongSupplier kotlinCell = CellHookBench.woven("CELL_ON_WORKER");
        LongSupplier work = CellHookBench.woven("CELL_WORK");
        int cells = 200_000;
        int rounds = 9;
        double[][] cpu = new double[4][rounds]; // baseline, hooked, kotlinCell, workerSpan
        CellBridge.install(sink);
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += plain.getAsLong();
            }
            long c1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += cell.getAsLong();
            }
            long c2 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += kotlinCell.getAsLong();
            }
            long c3 = threads.getCurrentThreadCpuTime();
            // a worker's span needs a cell open on another thread
            CountDownLatch end = new CountDownLatch(1);
            Thread shell = CellHookBench.openKotlinCell(end);
            long c4 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += work.getAsLong();
            }
            long c5 = threads.getCurrentThreadCpuTime();
            end.countDown();
            shell.join();
            cpu[0][r] = (c1 - c0) / (double) cells;
            cpu[1][r] = (c2 - c1) / (double) cells;
            cpu[2][r] = (c3 - c2) / (double) cells;
            cpu[3][r] = (c5 - c4) / (double) cells;
        }
        CellBridge.install(null);
        double base = median(cpu[0]);
        double hook = median(cpu[1]) - base;
        double kotlin = median(cpu[2]) - base + median(cpu[3]) - base;
        report.append(String.format(Locale.ROOT, "%n### Cell hook in CPU time of the threads that run the cell (%d rounds"
                + " of %d cells, shapes alternating, medians; checksum %d)%n%n| shape | CPU ns per cell |%n|---|---:|%n"
                + "| baseline | %.1f |%n| hooked | %.1f |%n| kotlinCell | %.1f |%n| workerSpan | %.1f |%n%n"
                + "CPU the hook adds to a cell: %.1f ns on the cell's own thread (hooked − baseline); %.1f ns for a"
                + " Kotlin cell ((kotlinCell − baseline) + (workerSpan − baseline)).%n",
                rounds, cells, sum % 10, base, median(cpu[1]), median(cpu[2]), median(cpu[3]), hook, kotlin));
        budget.add(verdict("cell hook ≤ 2 µs of CPU per cell (alternating harness, hooked − baseline)", hook));
        budget.add(verdict("Kotlin cell hook ≤ 2 µs of CPU per cell (alternating harness, cell and worker span)", kotlin));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private void kotlinKernel() throws Exception {
        KotlinKernelRuns k = KotlinKernelRuns.run(bench, java, rounds, breakdown ? "breakdown" : "without,with");
        double[] off = k.medians(KotlinKernelRuns.WITHOUT);
        report.append("\n## Kotlin kernel 0.11.0-398 (").append(rounds)
                .append(" rounds, contenders alternating; medians)\n\n")
                .append("| kernel | kernel_info_reply ms | vs without | 10 cells ms | RSS after 10 cells MiB | vs without |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (String c : List.of(KotlinKernelRuns.WITHOUT, KotlinKernelRuns.WITH, KotlinKernelRuns.EMPTY,
                KotlinKernelRuns.NO_HOOKS)) {
            if (!k.runs.containsKey(c)) {
                continue;
            }
            double[] x = k.medians(c);
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %+.0f (%+.1f %%) | %.0f | %.1f | %+.1f |%n", c, x[0],
                    x[0] - off[0], 100 * (x[0] / off[0] - 1), x[1], x[2], x[2] - off[2]));
        }
        double[] on = k.medians(KotlinKernelRuns.WITH);
        double ratio = on[0] / off[0];
        report.append(String.format(Locale.ROOT, "%nkernel_info_reply with / without the agent: %.3f. "
                + "The agent counted all 10 cells in %d of %d runs.%n", ratio, k.countedAll(),
                k.runs.get(KotlinKernelRuns.WITH).size()));
        double added = 100 * (ratio - 1);
        budget.add(String.format(Locale.ROOT, "%s Kotlin kernel time to kernel_info_reply ≤ +3 %% with the agent: %+.1f %%",
                added <= START_BUDGET_PERCENT ? "MET" : "MISSED", added));
    }
}
