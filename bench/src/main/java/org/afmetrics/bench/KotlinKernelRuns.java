package org.afmetrics.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real Kotlin kernels started alternately by bench/kernel_start.py (Debian's jupyter_client), one
 * per contender a round: time to the first {@code kernel_info_reply}, ten cells, RSS after them.
 * Shared by the harness ({@code bench/run.sh kotlin}) and the kernel benchmarks.
 */
final class KotlinKernelRuns {
    static final String WITHOUT = "without agent";
    static final String WITH = "with agent";
    static final String EMPTY = "empty agent";
    static final String NO_HOOKS = "agent, cell-hooks=false";
    static final String CDS = "agent + --cds";
    static final String CDS_CELL = "agent + --cds-first-cell";
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (null|true|false|[-0-9.]+|\"[^\"]*\")");

    /** The runs of each contender ({@code contenders}: kernel_start.py's comma-separated choice). */
    final Map<String, List<Map<String, String>>> runs = new LinkedHashMap<>();

    private KotlinKernelRuns() {
    }

    static KotlinKernelRuns run(Path bench, String java, int rounds, String contenders) throws Exception {
        Path agent = bench.resolve("../target/af-metrics-agent.jar").normalize();
        Path empty = bench.resolve("target/af-metrics-bench-0.1.0-empty-agent.jar");
        Path cp = bench.resolve("target/kotlin-kernel.classpath");
        Path logback = bench.resolve("../src/test/resources/jupyter/kotlin-logback.xml").normalize();
        for (Path p : List.of(agent, empty, cp, logback)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: the bench scripts build it");
            }
        }
        System.err.println("Kotlin kernel: " + rounds + " rounds of " + contenders + ", contenders alternating");
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("bench.python", "/usr/bin/python3"),
                bench.resolve("kernel_start.py").toString(), java, agent.toString(), empty.toString(), cp.toString(),
                logback.toString(), Integer.toString(rounds), contenders));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        KotlinKernelRuns k = new KotlinKernelRuns();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Map<String, String> run = new HashMap<>();
                Matcher m = FIELD.matcher(line);
                while (m.find()) {
                    run.put(m.group(1), m.group(2).replace("\"", ""));
                }
                k.runs.computeIfAbsent(run.get("contender"), x -> new ArrayList<>()).add(run);
            }
        }
        if (p.waitFor() != 0 || k.runs.isEmpty()) {
            throw new IllegalStateException("bench/kernel_start.py failed (exit " + p.exitValue() + ")");
        }
        return k;
    }

    /** Medians of a contender's ready ms, cells ms, RSS MiB and CPU ms to ready. */
    double[] medians(String contender) {
        String[] keys = {"ready_ms", "cells_ms", "rss_kib", "ready_cpu_ms"};
        double[] out = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            List<Double> xs = new ArrayList<>();
            for (Map<String, String> r : runs.get(contender)) {
                xs.add(Double.parseDouble(r.get(keys[i])));
            }
            out[i] = median(xs) / (i == 2 ? 1024 : 1);
        }
        return out;
    }

    /** The median of one field of a contender's runs (NaN where none has it: no cells run). */
    double median(String contender, String key) {
        List<Double> xs = new ArrayList<>();
        for (Map<String, String> r : runs.get(contender)) {
            if (number(r.get(key))) {
                xs.add(Double.parseDouble(r.get(key)));
            }
        }
        return median(xs);
    }

    private static boolean number(String s) {
        return s != null && !s.equals("null");
    }

    /** The median over the rounds of one field's ratio, contender {@code a} to {@code b} in the same round. */
    double pairedRatio(String a, String b, String key) {
        Map<String, Double> bs = new HashMap<>();
        for (Map<String, String> r : runs.get(b)) {
            if (number(r.get(key))) {
                bs.put(r.get("round"), Double.parseDouble(r.get(key)));
            }
        }
        List<Double> ratios = new ArrayList<>();
        for (Map<String, String> r : runs.get(a)) {
            Double other = bs.get(r.get("round"));
            if (other != null && number(r.get(key))) {
                ratios.add(Double.parseDouble(r.get(key)) / other);
            }
        }
        return median(ratios);
    }

    /** How many runs of a contender had the kernel's class-data archive mapped. */
    long archiveMapped(String contender) {
        return runs.get(contender).stream().filter(x -> "true".equals(x.get("archive_mapped"))).count();
    }

    /** How many runs of the agent counted all ten cells. */
    long countedAll() {
        return runs.get(WITH).stream().filter(x -> "10".equals(x.get("counted"))).count();
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
