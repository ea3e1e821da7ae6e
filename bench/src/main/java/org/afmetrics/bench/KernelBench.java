package org.afmetrics.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import org.afmetrics.kernel.BridgeSink;
import org.afmetrics.kernel.CellRecorder;
import org.afmetrics.kernel.bridge.CellBridge;
import org.openjdk.jmh.results.RunResult;

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
        report.append("\n## Cell hook (JMH, 2 forks, 3 × 1 s warm-up, 5 × 1 s measured; average time per cell)\n\n")
                .append("| benchmark | ns per cell | ± (99.9 %) |\n|---|---:|---:|\n");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            double s = r.getPrimaryResult().getScore();
            double e = r.getPrimaryResult().getScoreError();
            score.put(name, new double[] {s, e});
            report.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, s, e));
        }
        double hook = score.get("hooked")[0] - score.get("baseline")[0];
        report.append(String.format(Locale.ROOT, "%nThe hook adds %.1f ns to a cell (hooked − baseline).%n", hook));
        budget.add(String.format(Locale.ROOT, "%s cell hook ≤ 2 µs per cell: %.3f µs",
                hook <= HOOK_BUDGET_NS ? "MET" : "MISSED", hook / 1000));
        cellHookCpu();
    }

    /**
     * The hook's cost as CPU time of the thread that runs the cell, which a loaded machine does not
     * inflate as it inflates wall time (a thread waiting for a core uses none): the same woven shapes
     * as CellHookBench, baseline and hooked alternating in one run, medians of the rounds.
     */
    private void cellHookCpu() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CellRecorder recorder = new CellRecorder();
        BridgeSink sink = new BridgeSink(recorder);
        int cells = 200_000;
        int rounds = 9;
        double[] plain = new double[rounds];
        double[] hooked = new double[rounds];
        double[] worker = new double[rounds];
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        CellBridge.install(sink);
        Thread shell = new Thread(() -> {
            CellBridge.cellStarted();
            opened.countDown();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CellBridge.cellEnded(null);
        }, "shell");
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            CellBridge.install(null);
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += plainCell(i);
            }
            long c1 = threads.getCurrentThreadCpuTime();
            CellBridge.install(sink);
            for (int i = 0; i < cells; i++) {
                sum += wovenCell(i);
            }
            long c2 = threads.getCurrentThreadCpuTime();
            plain[r] = (c1 - c0) / (double) cells;
            hooked[r] = (c2 - c1) / (double) cells;
        }
        shell.start();
        opened.await();
        for (int r = 0; r < rounds; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < cells; i++) {
                sum += wovenWork(i);
            }
            worker[r] = (threads.getCurrentThreadCpuTime() - c0) / (double) cells;
        }
        end.countDown();
        shell.join();
        CellBridge.install(null);
        double hook = median(hooked) - median(plain);
        report.append(String.format(Locale.ROOT, "%n### Cell hook in CPU time of the cell's thread (%d rounds of %d cells,"
                + " alternating, medians; checksum %d)%n%n| shape | CPU ns per cell |%n|---|---:|%n| baseline | %.1f |%n"
                + "| hooked | %.1f |%n| workerSpan | %.1f |%n%nThe hook costs the cell's thread %.1f ns of CPU"
                + " (hooked − baseline); a worker thread's span adds %.1f ns on the worker.%n",
                rounds, cells, sum % 10, median(plain), median(hooked), median(worker), hook,
                median(worker) - median(plain)));
        budget.add(String.format(Locale.ROOT, "%s cell hook ≤ 2 µs of CPU per cell: %.3f µs",
                hook <= HOOK_BUDGET_NS ? "MET" : "MISSED", hook / 1000));
    }

    private static long plainCell(long i) {
        return i * 31 + 7;
    }

    private static long wovenCell(long i) {
        CellBridge.cellStarted();
        long r = i * 31 + 7;
        CellBridge.cellEnded(null);
        return r;
    }

    private static long wovenWork(long i) {
        CellBridge.workStarted();
        long r = i * 31 + 7;
        CellBridge.workEnded(null);
        return r;
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
