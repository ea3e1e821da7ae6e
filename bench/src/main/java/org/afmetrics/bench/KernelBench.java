package org.afmetrics.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The two kernel benchmarks: the cell hook's cost per cell (JMH, {@code jmh.CellHookBench}) and
 * the Kotlin kernel's start and memory with and without the agent (bench/kernel_start.py drives
 * real kernels through Debian's jupyter_client, alternating the two). Prints a Markdown table
 * and writes it to {@code bench/target/kernel-results.md}.
 * Usage: KernelBench BENCH_DIR [hook] [kotlin]   (no argument: both)
 */
public final class KernelBench {
    private static final double HOOK_BUDGET_NS = 2000;
    private static final double START_BUDGET_PERCENT = 3;
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (true|false|null|[-0-9.]+)");

    private final Path bench;
    private final String java;
    private final int rounds = Integer.getInteger("bench.kotlin.rounds", 7);
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
        b.report.append("\n## Budget\n\n");
        for (String s : b.budget) {
            b.report.append("- ").append(s).append('\n');
        }
        b.report.append(String.format(Locale.ROOT, "%nWhole run: %.1f min.%n", (System.nanoTime() - t0) / 6e10));
        System.out.println();
        System.out.println(b.report);
        Files.write(bench.resolve("target/kernel-results.md"), b.report.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void cellHook() throws Exception {
        System.err.println("JMH: cell hook");
        Options opt = new OptionsBuilder()
                .include("org\\.afmetrics\\.bench\\.jmh\\.CellHookBench\\..*")
                .forks(2)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvm(java)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
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
        Path agent = bench.resolve("../target/af-metrics-agent.jar").normalize();
        Path cp = bench.resolve("target/kotlin-kernel.classpath");
        Path logback = bench.resolve("../src/test/resources/jupyter/kotlin-logback.xml").normalize();
        for (Path p : List.of(agent, cp, logback)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: run bench/kernel-bench.sh, which builds it");
            }
        }
        System.err.println("Kotlin kernel: " + rounds + " rounds, without and with the agent alternately");
        Process p = new ProcessBuilder(System.getProperty("bench.python", "/usr/bin/python3"),
                bench.resolve("kernel_start.py").toString(), java, agent.toString(), cp.toString(),
                logback.toString(), Integer.toString(rounds))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Map<String, String>> runs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Map<String, String> run = new HashMap<>();
                Matcher m = FIELD.matcher(line);
                while (m.find()) {
                    run.put(m.group(1), m.group(2));
                }
                runs.add(run);
            }
        }
        if (p.waitFor() != 0 || runs.isEmpty()) {
            throw new IllegalStateException("bench/kernel_start.py failed (exit " + p.exitValue() + ")");
        }
        double[] off = medians(runs, "false");
        double[] on = medians(runs, "true");
        long counted = runs.stream().filter(x -> "true".equals(x.get("agent")))
                .filter(x -> "10".equals(x.get("counted"))).count();
        report.append("\n## Kotlin kernel 0.11.0-398 (").append(rounds)
                .append(" rounds, without and with the agent alternately; medians)\n\n")
                .append("| kernel | kernel_info_reply ms | 10 cells ms | RSS after 10 cells MiB |\n|---|---:|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| without agent | %.0f | %.0f | %.1f |%n", off[0], off[1], off[2]))
                .append(String.format(Locale.ROOT, "| with agent | %.0f | %.0f | %.1f |%n", on[0], on[1], on[2]))
                .append(String.format(Locale.ROOT, "| with / without | %.3f | %.3f | %.3f |%n",
                        on[0] / off[0], on[1] / off[1], on[2] / off[2]))
                .append(String.format(Locale.ROOT, "%nStart with the agent: %+.0f ms (%+.1f %%); RSS %+.1f MiB. "
                        + "The agent counted all 10 cells in %d of %d runs.%n", on[0] - off[0],
                        100 * (on[0] / off[0] - 1), on[2] - off[2], counted, rounds));
        double added = 100 * (on[0] / off[0] - 1);
        budget.add(String.format(Locale.ROOT, "%s Kotlin kernel time to kernel_info_reply ≤ +3 %% with the agent: %+.1f %%",
                added <= START_BUDGET_PERCENT ? "MET" : "MISSED", added));
    }

    /** Medians of ready ms, cells ms and RSS MiB of the runs with {@code agent} = true/false. */
    private static double[] medians(List<Map<String, String>> runs, String agent) {
        double[] out = new double[3];
        String[] keys = {"ready_ms", "cells_ms", "rss_kib"};
        for (int i = 0; i < keys.length; i++) {
            List<Double> xs = new ArrayList<>();
            for (Map<String, String> r : runs) {
                if (agent.equals(r.get("agent"))) {
                    xs.add(Double.parseDouble(r.get(keys[i])));
                }
            }
            out[i] = median(xs) / (i == 2 ? 1024 : 1);
        }
        return out;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
