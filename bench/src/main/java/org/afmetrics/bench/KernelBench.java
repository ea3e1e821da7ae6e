package org.afmetrics.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
