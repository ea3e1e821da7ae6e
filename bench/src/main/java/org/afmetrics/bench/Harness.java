package org.afmetrics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.results.RunResult;

/**
 * The side-by-side harness: real JVMs with each contender's agent, started in turn (contenders
 * alternate within every round, so a noisy neighbour hurts them all alike), then medians and
 * ratios. Everything listens on 127.0.0.1 only. Prints a Markdown table and writes it to
 * {@code bench/target/results.md}.
 */
public final class Harness {
    private static final String HELLO = "org.afmetrics.bench.host.Hello";
    private static final String SLEEPER = "org.afmetrics.bench.host.Sleeper";
    private static final String SHORT_JOB = "org.afmetrics.bench.host.ShortJob";
    /** A hotspot memory series, as each contender spells it. */
    private static final Pattern HOTSPOT = Pattern.compile("(?m)^jvm_memory_(bytes_used|used_bytes)\\{");

    private final Path bench;
    private final Path run;
    private final String java;
    private final String hostCp;
    private final Path agentJar;
    private final Path emptyJar;
    private final Path floorJar;
    private final Path jmxJar;
    private final Path otelJar;
    private final Path jmxConfig;
    private final int helloRounds = Integer.getInteger("bench.hello.rounds", 15);
    private final int javacRounds = Integer.getInteger("bench.javac.rounds", 15);
    private final int jobRounds = Integer.getInteger("bench.job.rounds", 5);
    private final int startRounds = Integer.getInteger("bench.start.rounds", 9);
    private final int scrapeRounds = Integer.getInteger("bench.scrape.rounds", 3);
    private final int wrkSeconds = Integer.getInteger("bench.wrk.seconds", 5);
    private final int kotlinRounds = Integer.getInteger("bench.kotlin.rounds", 7);
    /** jmx_exporter and OpenTelemetry in the hello-world, job and start cases ({@code -Dbench.anchors=false}: without). */
    private final boolean anchors = !"false".equals(System.getProperty("bench.anchors"));
    private final StringBuilder report = new StringBuilder();
    private final List<String> budget = new ArrayList<>();

    private Harness(Path bench) throws IOException {
        this.bench = bench;
        Path target = bench.resolve("target");
        this.run = target.resolve("run");
        Files.createDirectories(run);
        this.java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // the hosts' classes alone: an agent's class on the host's class path would load from there,
        // and the agent would not pay for opening its own jar
        this.hostCp = hostClasses(target.resolve("classes"), run.resolve("host-classes")).toString();
        this.agentJar = bench.resolve("../target/af-metrics-agent.jar").normalize();
        this.emptyJar = target.resolve("af-metrics-bench-0.1.0-empty-agent.jar");
        this.jmxJar = target.resolve("anchors/jmx_prometheus_javaagent-1.0.1.jar");
        this.otelJar = target.resolve("anchors/opentelemetry-javaagent-2.33.1.jar");
        this.floorJar = FloorJar.build(target.resolve("classes"), run.resolve("floor-agent.jar"));
        this.jmxConfig = run.resolve("jmx-catch-all.yaml");
        Files.write(jmxConfig, "rules:\n  - pattern: \".*\"\n".getBytes(StandardCharsets.UTF_8));
        for (Path p : Arrays.asList(agentJar, emptyJar, jmxJar, otelJar)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: run bench/run.sh, which builds it");
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path bench = Paths.get(args.length > 0 ? args[0] : "bench").toAbsolutePath().normalize();
        List<String> only = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        Harness h = new Harness(bench);
        long t0 = System.nanoTime();
        h.header();
        if (only.isEmpty() || only.contains("hello")) {
            h.helloWorld();
        }
        if (only.isEmpty() || only.contains("javac")) {
            h.javacVersion();
        }
        if (only.isEmpty() || only.contains("job")) {
            h.shortJob();
        }
        if (only.isEmpty() || only.contains("start")) {
            h.firstScrape();
        }
        if (only.isEmpty() || only.contains("scrape")) {
            h.scrapeLatency();
        }
        if (only.isEmpty() || only.contains("jmh")) {
            h.jmh();
        }
        if (only.isEmpty() || only.contains("classes")) {
            h.byteBuddyNeverLoaded();
        }
        if (only.isEmpty() || only.contains("kotlin")) {
            h.kotlinKernel();
        }
        if (only.isEmpty() || only.contains("cds")) {
            h.kotlinCds();
        }
        if (only.isEmpty() || only.contains("ingest")) {
            new IngestHeap(h.java, h.hostCp, h.run, h.agentJar).section(h.report);
        }
        Reports.finish(h.report, h.budget, "Whole harness", t0, bench.resolve("target/results.md"));
    }

    private void header() {
        report.append("# af-metrics side by side\n\n")
                .append("Java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (").append(java).append(")  \n")
                .append("Cores: ").append(Runtime.getRuntime().availableProcessors())
                .append("; OS: ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append("  \n")
                .append("Anchors: jmx_prometheus_javaagent 1.0.1 (catch-all rule), opentelemetry-javaagent 2.33.1 ")
                .append("(Prometheus exporter on 127.0.0.1, traces and logs off)\n");
    }

    // ---------------------------------------------------------------- contenders

    /** A way of starting the host JVM: the agent and its settings, given a port and a working directory. */
    private interface Contender {
        List<String> jvmArgs(int port, Path json);
    }

    private Contender bare() {
        return (port, json) -> List.of();
    }

    private Contender empty() {
        return (port, json) -> List.of("-javaagent:" + emptyJar);
    }

    private Contender ours() {
        return (port, json) -> List.of("-javaagent:" + agentJar + "=port=" + port
                + (json == null ? "" : ",json=" + json));
    }

    /** Ours with a facility's settings: a target file for Prometheus's discovery, removed at exit. */
    private Contender oursWithTargetsDir() {
        return (port, json) -> {
            try {
                Files.createDirectories(run.resolve("targets"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return List.of("-javaagent:" + agentJar + "=port=" + port + ",targets-dir=" + run.resolve("targets")
                    + (json == null ? "" : ",json=" + json));
        };
    }

    /** JDK server and simpleclient_hotspot on a daemon thread, nothing else: the floor of first-scrape time. */
    private Contender floor() {
        return (port, json) -> List.of("-javaagent:" + floorJar + "=" + port);
    }

    private Contender jmx() {
        return (port, json) -> List.of("-javaagent:" + jmxJar + "=127.0.0.1:" + port + ":" + jmxConfig);
    }

    private Contender otel() {
        return (port, json) -> List.of("-javaagent:" + otelJar,
                "-Dotel.metrics.exporter=prometheus",
                "-Dotel.exporter.prometheus.host=127.0.0.1",
                "-Dotel.exporter.prometheus.port=" + port,
                "-Dotel.traces.exporter=none",
                "-Dotel.logs.exporter=none",
                "-Dotel.resource.providers.aws.enabled=false",
                "-Dotel.resource.providers.gcp.enabled=false",
                "-Dotel.resource.providers.azure.enabled=false");
    }

    private List<String> command(Contender c, int port, Path json, List<String> extra, String main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(c.jvmArgs(port, json));
        cmd.addAll(extra);
        cmd.add("-cp");
        cmd.add(hostCp);
        cmd.add(main);
        return cmd;
    }

    private Path workDir(String name) throws IOException {
        Path d = run.resolve(name);
        Files.createDirectories(d);
        return d;
    }

    /** Copies the hosts' classes (package org.afmetrics.bench.host) into a directory of their own. */
    private static Path hostClasses(Path classes, Path out) throws IOException {
        Path from = classes.resolve("org/afmetrics/bench/host");
        Path to = out.resolve("org/afmetrics/bench/host");
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- javac -version

    /**
     * {@code javac -version} with the agent in JAVA_TOOL_OPTIONS, as every JVM of a kernel's
     * session gets it: a JVM the agent does not monitor. Wall time, ours against the empty agent.
     */
    private void javacVersion() throws Exception {
        String javac = Paths.get(System.getProperty("java.home"), "bin", "javac").toString();
        Map<String, String> cs = new LinkedHashMap<>();
        cs.put("bare JVM", null);
        cs.put("empty agent", "-javaagent:" + emptyJar);
        cs.put("af-metrics", "-javaagent:" + agentJar + "=port=0");
        Map<String, List<Double>> wall = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        cs.keySet().forEach(k -> wall.put(k, new ArrayList<>()));
        cs.keySet().forEach(k -> cpu.put(k, new ArrayList<>()));
        System.err.println("javac -version: " + javacRounds + " rounds of " + cs.size() + " contenders");
        Path dir = workDir("javac");
        for (int r = -1; r < javacRounds; r++) {
            for (String name : rotated(new ArrayList<>(cs.keySet()), Math.max(r, 0))) {
                List<String> cmd = cpuMeasured(dir.resolve("cpu.txt"));
                cmd.addAll(List.of(javac, "-version"));
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
                pb.environment().remove("JAVA_TOOL_OPTIONS");
                pb.environment().keySet().removeIf(k -> k.startsWith("AF_METRICS_"));
                if (cs.get(name) != null) {
                    pb.environment().put("JAVA_TOOL_OPTIONS", cs.get(name));
                }
                long t0 = System.nanoTime();
                int code = pb.start().waitFor();
                long t1 = System.nanoTime();
                String text = Files.readString(dir.resolve("out.txt"));
                if (code != 0 || !text.contains("javac ") || text.contains("[af-metrics]")) {
                    throw new IllegalStateException(name + " running javac -version failed (exit " + code + "): " + text);
                }
                if (r >= 0) {
                    wall.get(name).add((t1 - t0) / 1e6);
                    cpu.get(name).add(cpuMs(dir.resolve("cpu.txt")));
                }
            }
        }
        report.append("\n## `javac -version` with the agent in JAVA_TOOL_OPTIONS (").append(javacRounds)
                .append(" rounds, medians; a JVM the agent does not monitor)\n\n")
                .append("| contender | wall ms | vs empty agent | CPU ms | vs empty agent |\n|---|---:|---:|---:|---:|\n");
        double empty = median(wall.get("empty agent"));
        double emptyCpu = median(cpu.get("empty agent"));
        for (String name : cs.keySet()) {
            double m = median(wall.get(name));
            double c = median(cpu.get(name));
            report.append(String.format(Locale.ROOT, "| %s | %.1f | %.3f× | %.1f | %.3f× |%n", name, m, m / empty, c,
                    c / emptyCpu));
        }
        double[] perRound = quartiles(ratios(wall.get("af-metrics"), wall.get("empty agent")));
        double ratio = median(wall.get("af-metrics")) / empty;
        budget.add(String.format(Locale.ROOT, "%s javac -version wall, ours / empty agent ≤ 1.02: %.3f (%+.1f ms;"
                + " the same ratio round by round: median %.3f, quartiles %.3f–%.3f; CPU time %.3f)",
                ratio <= 1.02 ? "MET" : "MISSED", ratio, median(wall.get("af-metrics")) - empty, perRound[1], perRound[0],
                perRound[2], median(cpu.get("af-metrics")) / emptyCpu));
    }

    private static final boolean PERF = Files.isExecutable(Paths.get("/usr/bin/perf"));

    /**
     * The start of a command that writes the CPU time of the rest (the process and its children)
     * to {@code out}: {@code perf stat}'s task clock, in fractions of a millisecond; nothing without perf.
     */
    private static List<String> cpuMeasured(Path out) {
        return PERF ? new ArrayList<>(List.of("/usr/bin/perf", "stat", "-x,", "-e", "task-clock", "-o", out.toString()))
                : new ArrayList<>();
    }

    /** The CPU milliseconds {@link #cpuMeasured} wrote, NaN without perf. */
    private static double cpuMs(Path out) throws IOException {
        if (!PERF) {
            return Double.NaN;
        }
        for (String line : Files.readAllLines(out)) {
            if (line.contains("task-clock")) {
                return Double.parseDouble(line.substring(0, line.indexOf(',')));
            }
        }
        throw new IllegalStateException("no task-clock in " + out);
    }

    /** a[i] / b[i]: the contenders of one round against each other. */
    private static List<Double> ratios(List<Double> a, List<Double> b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            out.add(a.get(i) / b.get(i));
        }
        return out;
    }

    /** First quartile, median, third quartile. */
    private static double[] quartiles(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return new double[] {s.get(n / 4), median(s), s.get(Math.min(n - 1, (3 * n) / 4))};
    }

    // ---------------------------------------------------------------- hello world

    private Map<String, Contender> allContenders() {
        Map<String, Contender> cs = new LinkedHashMap<>();
        cs.put("bare JVM", bare());
        cs.put("empty agent", empty());
        cs.put("af-metrics", ours());
        cs.put("af-metrics, targets-dir", oursWithTargetsDir());
        if (anchors) {
            cs.put("jmx_exporter", jmx());
            cs.put("OpenTelemetry", otel());
        }
        return cs;
    }

    /** Runs {@code main} under every contender, {@code rounds} times in turn; wall ms and peak RSS MiB. */
    private Map<String, List<double[]>> runAll(Map<String, Contender> cs, String main, String expected, int rounds)
            throws Exception {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        cs.keySet().forEach(k -> out.put(k, new ArrayList<>()));
        // one unmeasured round warms the page cache for every jar
        for (int r = -1; r < rounds; r++) {
            for (String name : rotated(new ArrayList<>(cs.keySet()), Math.max(r, 0))) {
                Path dir = workDir(slug(main.substring(main.lastIndexOf('.') + 1)) + "-" + slug(name));
                Path rssFile = dir.resolve("rss.txt");
                List<String> cmd = cpuMeasured(dir.resolve("cpu.txt"));
                cmd.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", rssFile.toString()));
                cmd.addAll(command(cs.get(name), freePort(), null, List.of(), main));
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
                long t0 = System.nanoTime();
                Process p = pb.start();
                int code = p.waitFor();
                long t1 = System.nanoTime();
                String text = Files.readString(dir.resolve("out.txt"));
                if (code != 0 || !text.contains(expected)) {
                    throw new IllegalStateException(name + " running " + main + " failed (exit " + code + "): " + text);
                }
                if (r >= 0) {
                    List<String> lines = Files.readAllLines(rssFile);
                    out.get(name).add(new double[] {(t1 - t0) / 1e6,
                            Double.parseDouble(lines.get(lines.size() - 1).trim()) / 1024.0, cpuMs(dir.resolve("cpu.txt"))});
                }
            }
        }
        return out;
    }

    private static double median(List<double[]> runs, int column) {
        List<Double> xs = new ArrayList<>();
        for (double[] r : runs) {
            xs.add(r[column]);
        }
        return median(xs);
    }

    private void helloWorld() throws Exception {
        Map<String, Contender> cs = allContenders();
        System.err.println("hello world: " + helloRounds + " rounds of " + cs.size() + " contenders");
        Map<String, List<double[]>> runs = runAll(cs, HELLO, "hello, world", helloRounds);
        double emptyW = median(runs.get("empty agent"), 0);
        double emptyR = median(runs.get("empty agent"), 1);
        report.append("\n## Hello-world JVM (").append(helloRounds).append(" rounds, medians)\n\n");
        table(runs);
        double ourW = median(runs.get("af-metrics"), 0) - emptyW;
        double ourR = median(runs.get("af-metrics"), 1) - emptyR;
        if (anchors) {
            report.append(String.format(Locale.ROOT,
                    "%njmx_exporter costs %.1f× and OpenTelemetry %.1f× our wall time above the empty agent.%n",
                    (median(runs.get("jmx_exporter"), 0) - emptyW) / Math.max(ourW, 0.1),
                    (median(runs.get("OpenTelemetry"), 0) - emptyW) / Math.max(ourW, 0.1)));
        }
        double bareW = median(runs.get("bare JVM"), 0);
        double share = ourW / (emptyW - bareW);
        report.append(String.format(Locale.ROOT, "%nOur wall time above the empty agent is %.2f× the empty agent's own"
                + " cost above the bare JVM ((ours − empty)/(empty − bare)).%n", share));
        List<Double> perRound = new ArrayList<>();
        for (int i = 0; i < helloRounds; i++) {
            double e = runs.get("empty agent").get(i)[0];
            perRound.add((runs.get("af-metrics").get(i)[0] - e) / (e - runs.get("bare JVM").get(i)[0]));
        }
        double[] q = quartiles(perRound);
        double emptyC = median(runs.get("empty agent"), 2);
        double cpuShare = (median(runs.get("af-metrics"), 2) - emptyC) / (emptyC - median(runs.get("bare JVM"), 2));
        budget.add(String.format(Locale.ROOT, "%s hello-world wall (ours − empty)/(empty − bare) ≤ 0.15: %.2f (%+.1f ms"
                + " over the empty agent, which costs %.1f ms over the bare JVM; round by round: median %.2f,"
                + " quartiles %.2f to %.2f; the same ratio in CPU time: %.2f)", share <= 0.15 ? "MET" : "MISSED", share, ourW,
                emptyW - bareW, q[1], q[0], q[2], cpuShare));
        budget.add(verdict("hello-world peak RSS above the empty agent", ourR, 8, "MiB"));
        budget.add(String.format(Locale.ROOT, "(with a targets-dir, as in a facility: %.2f and %+.1f MiB)",
                (median(runs.get("af-metrics, targets-dir"), 0) - emptyW) / (emptyW - bareW),
                median(runs.get("af-metrics, targets-dir"), 1) - emptyR));
    }

    private void shortJob() throws Exception {
        Map<String, Contender> cs = allContenders();
        System.err.println("short job: " + jobRounds + " rounds of " + cs.size() + " contenders");
        Map<String, List<double[]>> runs = runAll(cs, SHORT_JOB, "job done", jobRounds);
        report.append("\n## A one-second job (main sleeps 1 s, then returns; ").append(jobRounds)
                .append(" rounds, medians): start, fully started agent, exit\n\n");
        table(runs);
    }

    private void table(Map<String, List<double[]>> runs) {
        double bareW = median(runs.get("bare JVM"), 0);
        double bareR = median(runs.get("bare JVM"), 1);
        double emptyW = median(runs.get("empty agent"), 0);
        double emptyR = median(runs.get("empty agent"), 1);
        double emptyC = median(runs.get("empty agent"), 2);
        report.append("| contender | wall ms | vs bare | vs empty agent | peak RSS MiB | vs bare | vs empty agent"
                + " | CPU ms | vs empty agent |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> e : runs.entrySet()) {
            double w = median(e.getValue(), 0);
            double m = median(e.getValue(), 1);
            double c = median(e.getValue(), 2);
            report.append(String.format(Locale.ROOT, "| %s | %.1f | %+.1f | %+.1f | %.1f | %+.1f | %+.1f | %.1f | %+.1f |%n",
                    e.getKey(), w, w - bareW, w - emptyW, m, m - bareR, m - emptyR, c, c - emptyC));
        }
    }

    // ---------------------------------------------------------------- first scrape

    private void firstScrape() throws Exception {
        Map<String, Contender> cs = new LinkedHashMap<>();
        cs.put("af-metrics", ours());
        cs.put("af-metrics, targets-dir", oursWithTargetsDir());
        cs.put("floor agent", floor());
        if (anchors) {
            cs.put("jmx_exporter", jmx());
            cs.put("OpenTelemetry", otel());
        }
        Map<String, List<Double>> first = new LinkedHashMap<>();
        cs.keySet().forEach(k -> first.put(k, new ArrayList<>()));
        System.err.println("first scrape: " + startRounds + " rounds");
        for (int r = -1; r < startRounds; r++) {
            for (String name : rotated(new ArrayList<>(cs.keySet()), Math.max(r, 0))) {
                Path dir = workDir("start-" + slug(name));
                int port = freePort();
                ProcessBuilder pb = new ProcessBuilder(command(cs.get(name), port, null, List.of(), SLEEPER))
                        .directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("out.txt").toFile());
                long t0 = System.nanoTime();
                Process p = pb.start();
                try {
                    double ms = Double.NaN;
                    long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
                    while (System.nanoTime() < deadline && p.isAlive()) {
                        String body = scrape(port);
                        if (body != null && HOTSPOT.matcher(body).find()) {
                            ms = (System.nanoTime() - t0) / 1e6;
                            break;
                        }
                        Thread.sleep(2);
                    }
                    if (Double.isNaN(ms)) {
                        throw new IllegalStateException(name + " never answered a scrape with hotspot metrics; see "
                                + dir.resolve("out.txt"));
                    }
                    if (r >= 0) {
                        first.get(name).add(ms);
                    }
                } finally {
                    stop(p);
                }
            }
        }
        double ours = median(first.get("af-metrics"));
        report.append("\n## JVM start → first successful scrape carrying hotspot metrics (")
                .append(startRounds).append(" rounds, medians)\n\n")
                .append("| contender | ms after JVM start | vs af-metrics |\n|---|---:|---:|\n");
        for (String name : cs.keySet()) {
            double m = median(first.get(name));
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f× |%n", name, m, m / ours));
        }
        double floor = median(first.get("floor agent"));
        double[] q = quartiles(ratios(first.get("af-metrics"), first.get("floor agent")));
        budget.add(String.format(Locale.ROOT, "%s first scrape after JVM start ≤ 1.05× the floor agent's: %.2f× (%.0f ms"
                + " against %.0f ms; round by round: median %.2f×, quartiles %.2f× to %.2f×)",
                ours / floor <= 1.05 ? "MET" : "MISSED", ours / floor, ours, floor, q[1], q[0], q[2]));
        if (!anchors) {
            return;
        }
        double jmx = median(first.get("jmx_exporter"));
        budget.add(String.format(Locale.ROOT, "%s first scrape after JVM start ≤ 0.25× jmx_exporter's: %.2f× (%.0f ms"
                + " against %.0f ms)", ours / jmx <= 0.25 ? "MET" : "MISSED", ours / jmx, ours, jmx));
    }

    // ---------------------------------------------------------------- scrape latency

    private static final class Server {
        final String name;
        final int port;
        final Process process;
        final String marker;
        /** Whether wrk asks for gzip ({@code Accept-Encoding: gzip}, as Prometheus does). */
        final boolean gzip;
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        final List<Double> rate = new ArrayList<>();
        int bodyBytes;

        Server(String name, int port, Process process, String marker) {
            this(name, port, process, marker, false);
        }

        Server(String name, int port, Process process, String marker, boolean gzip) {
            this.name = name;
            this.port = port;
            this.process = process;
            this.marker = marker;
            this.gzip = gzip;
        }

        /** The same JVM, scraped with gzip asked for. */
        Server gzipped() {
            return new Server(name + ", gzip", port, process, marker, true);
        }
    }

    private final List<String> concurrent = new ArrayList<>();
    private long concurrentErrors;

    private void scrapeLatency() throws Exception {
        Path dir = workDir("scrape");
        Path json1k = SeriesFiles.write(dir, 1000);
        Path json10k = SeriesFiles.write(dir, 10000);
        List<Server> servers = new ArrayList<>();
        System.err.println("scrape latency: starting the long-running JVMs");
        try {
            servers.add(launch("af-metrics, hotspot only", ours(), null, List.of(), dir, "jvm_memory_bytes_used"));
            servers.add(launch("af-metrics, 1 000 JSON series", ours(), json1k, List.of(), dir, "ds999\""));
            servers.add(launch("af-metrics, 10 000 JSON series", ours(), json10k, List.of(), dir, "ds9999\""));
            servers.add(launch("jmx_exporter, JVM only", jmx(), null, List.of(), dir, "jvm_memory_used_bytes"));
            servers.add(launch("jmx_exporter, 1 000 MBeans", jmx(), null, List.of("-Dbench.mbeans=1000"), dir,
                    "ds999\""));
            servers.add(launch("jmx_exporter, 10 000 MBeans", jmx(), null, List.of("-Dbench.mbeans=10000"), dir,
                    "ds9999\""));
            servers.add(launch("OpenTelemetry, JVM only", otel(), null, List.of(), dir, "jvm_memory_used_bytes"));
            for (Server s : servers) {
                awaitScrape(s);
            }
            // the same JVMs again, asked for gzip (Prometheus asks): compression on and off side by side
            Server gzip1k = servers.get(1).gzipped();
            Server gzip10k = servers.get(2).gzipped();
            gzip1k.bodyBytes = servers.get(1).bodyBytes;
            gzip10k.bodyBytes = servers.get(2).bodyBytes;
            servers.add(gzip1k);
            servers.add(gzip10k);
            System.err.println("scrape latency: warm-up");
            for (Server s : servers) {
                wrk(s, 2);
            }
            for (int r = 0; r < scrapeRounds; r++) {
                System.err.println("scrape latency: round " + (r + 1) + " of " + scrapeRounds);
                for (Server s : rotated(servers, r)) {
                    long cpu0 = cpuTicks(s.process.pid());
                    double[] w = wrk(s, wrkSeconds);
                    long cpu1 = cpuTicks(s.process.pid());
                    s.p50.add(w[0]);
                    s.p99.add(w[1]);
                    s.rate.add(w[2] / wrkSeconds);
                    s.cpu.add((cpu1 - cpu0) * 1000.0 / TICKS / Math.max(1, w[2]));
                }
            }
            System.err.println("scrape latency: 64 connections at once");
            for (Server s : List.of(servers.get(1), servers.get(2), gzip1k, gzip10k)) {
                double[] w = wrk(s, wrkSeconds, 64);
                concurrent.add(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.3f | %.0f |%n", s.name, w[2] / wrkSeconds,
                        w[0], w[1], w[3]));
                concurrentErrors += (long) w[3];
            }
        } finally {
            for (Server s : servers) {
                stop(s.process);
            }
        }
        report.append("\n## Long-running JVM, scrapes over one keep-alive connection (wrk -t1 -c1, ")
                .append(scrapeRounds).append(" rounds of ").append(wrkSeconds).append(" s, medians)\n\n")
                .append("| server | body KiB | p50 ms | p99 ms | scrapes/s | server CPU ms/scrape |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Server s : servers) {
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.3f | %.0f | %.3f |%n", s.name,
                    s.bodyBytes / 1024.0, median(s.p50), median(s.p99), median(s.rate), median(s.cpu)));
        }
        Server ours1k = servers.get(1);
        Server jmxJvm = servers.get(3);
        Server jmx1k = servers.get(4);
        report.append(String.format(Locale.ROOT,
                "%np50 ratios at 1 000 series: jmx_exporter (JVM only) / af-metrics = %.1f×, "
                        + "jmx_exporter (1 000 MBeans) / af-metrics = %.1f×, OpenTelemetry (JVM only) / af-metrics = %.1f×.%n",
                median(jmxJvm.p50) / median(ours1k.p50), median(jmx1k.p50) / median(ours1k.p50),
                median(servers.get(6).p50) / median(ours1k.p50)));
        report.append(String.format(Locale.ROOT,
                "Server CPU per scrape at 1 000 series: jmx_exporter (1 000 MBeans) / af-metrics = %.1f×.%n",
                median(jmx1k.cpu) / median(ours1k.cpu)));
        budget.add(verdict("scrape p50 at 1 000 JSON series, keep-alive", median(ours1k.p50), 1, "ms"));
        budget.add(verdict("scrape p50 at 1 000 JSON series, keep-alive, gzip", median(servers.get(7).p50), 1, "ms"));
        budget.add(verdict("scrape p50 at 10 000 JSON series, keep-alive", median(servers.get(2).p50), 2, "ms"));
        budget.add(verdict("scrape p50 at 10 000 JSON series, keep-alive, gzip", median(servers.get(8).p50), 2, "ms"));
        report.append("\n## 64 connections at once (wrk -t2 -c64, ").append(wrkSeconds).append(" s)\n\n")
                .append("| server | scrapes/s | p50 ms | p99 ms | errors (socket or non-2xx) |\n|---|---:|---:|---:|---:|\n");
        concurrent.forEach(report::append);
        budget.add(String.format(Locale.ROOT, "%s wrk -c64 against af-metrics with 0 errors: %d errors",
                concurrentErrors == 0 ? "MET" : "MISSED", concurrentErrors));
        double ratio = median(jmxJvm.p50) / median(ours1k.p50);
        budget.add(String.format(Locale.ROOT, "%s scrape p50 at 1 000 series ≥ 5× faster than jmx_exporter's "
                + "(its JVM-only p50): %.1f×", ratio >= 5 ? "MET" : "MISSED", ratio));
    }

    private Server launch(String name, Contender c, Path json, List<String> extra, Path dir, String marker)
            throws IOException {
        int port = freePort();
        Path log = dir.resolve(slug(name) + ".log");
        Process p = new ProcessBuilder(command(c, port, json, extra, SLEEPER)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Server(name, port, p, marker);
    }

    private void awaitScrape(Server s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String body = scrape(s.port);
            if (body != null && body.contains(s.marker)) {
                s.bodyBytes = body.getBytes(StandardCharsets.UTF_8).length;
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(s.name + " never served " + s.marker);
    }

    /** Runs wrk on one keep-alive connection; returns p50 ms, p99 ms and the number of requests. */
    private double[] wrk(Server s, int seconds) throws Exception {
        double[] w = wrk(s, seconds, 1);
        if (w[3] > 0) {
            throw new IllegalStateException("wrk against " + s.name + " had " + (long) w[3] + " errors");
        }
        return w;
    }

    /** Runs wrk with that many connections; returns p50 ms, p99 ms, requests, and errors (socket or non-2xx). */
    private double[] wrk(Server s, int seconds, int connections) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + Math.min(2, connections), "-c" + connections,
                "-d" + seconds + "s", "--timeout", "10s", "--latency"));
        if (s.gzip) {
            cmd.addAll(List.of("-H", "Accept-Encoding: gzip"));
        }
        cmd.add("http://127.0.0.1:" + s.port + "/metrics");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m50 = Pattern.compile("(?m)^\\s+50%\\s+([0-9.]+)(us|ms|s)").matcher(out);
        Matcher m99 = Pattern.compile("(?m)^\\s+99%\\s+([0-9.]+)(us|ms|s)").matcher(out);
        Matcher n = Pattern.compile("(?m)^\\s+(\\d+) requests in").matcher(out);
        if (!m50.find() || !m99.find() || !n.find()) {
            throw new IllegalStateException("wrk against " + s.name + " said:\n" + out);
        }
        long errors = 0;
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new double[] {ms(m50), ms(m99), Double.parseDouble(n.group(1)), errors};
    }

    private static double ms(Matcher m) {
        double v = Double.parseDouble(m.group(1));
        switch (m.group(2)) {
            case "us":
                return v / 1000;
            case "s":
                return v * 1000;
            default:
                return v;
        }
    }

    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100;

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    // ---------------------------------------------------------------- JMH

    private void jmh() throws Exception {
        System.err.println("JMH: parse+convert and exposition");
        Collection<RunResult> results = Reports.jmh("org\\.afmetrics\\.bench\\.jmh\\..*", 1, java);
        report.append("\n## JMH (1 fork, 3 × 1 s warm-up, 5 × 1 s measured; average time per call)\n\n")
                .append("| benchmark | series | µs per call | ± (99.9 %) |\n|---|---:|---:|---:|\n");
        Map<String, Double> hook = new LinkedHashMap<>();
        for (RunResult r : results) {
            String b = r.getParams().getBenchmark();
            String name = b.substring(b.lastIndexOf('.', b.lastIndexOf('.') - 1) + 1);
            String series = r.getParams().getParam("series");
            boolean nanos = name.startsWith("CellHookBench");
            if (nanos) {
                hook.put(name.substring(name.indexOf('.') + 1), r.getPrimaryResult().getScore());
            }
            report.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, series == null ? "—" : series,
                    nanos ? String.format(Locale.ROOT, "%.3f", r.getPrimaryResult().getScore() / 1000)
                            : String.format(Locale.ROOT, "%.1f", r.getPrimaryResult().getScore()),
                    nanos ? String.format(Locale.ROOT, "%.3f", r.getPrimaryResult().getScoreError() / 1000)
                            : String.format(Locale.ROOT, "%.1f", r.getPrimaryResult().getScoreError())));
        }
        if (hook.containsKey("hooked") && hook.containsKey("baseline")) {
            budget.add(verdict("cell hook per call (CellHookBench: hooked − baseline)",
                    (hook.get("hooked") - hook.get("baseline")) / 1000, 2, "µs"));
        }
    }

    // ---------------------------------------------------------------- Byte Buddy

    private void byteBuddyNeverLoaded() throws Exception {
        Path dir = workDir("classes");
        Path json = SeriesFiles.write(dir, 1000);
        int port = freePort();
        Path log = dir.resolve("verbose-class.txt");
        List<String> cmd = command(ours(), port, json, List.of("-Xlog:class+load=info:file=" + log), SLEEPER);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String body = null;
            while (System.nanoTime() < deadline && (body == null || !body.contains("ds999\""))) {
                Thread.sleep(20);
                body = scrape(port);
            }
            scrape(port);
        } finally {
            stop(p);
        }
        List<String> lines = Files.readAllLines(log);
        long all = lines.size();
        long ours = lines.stream().filter(l -> l.contains("af-metrics-agent.jar")).count();
        long bb = lines.stream().filter(l -> l.contains(".bytebuddy.") || l.contains("net.bytebuddy")).count();
        long watcher = lines.stream().filter(l -> l.contains("org.afmetrics.kernel.KernelClassWatcher ")).count();
        long jackson = lines.stream().filter(l -> l.contains(".shaded.jackson.")).count();
        report.append("\n## A JVM with the agent that is no kernel (-Xlog:class+load, the -verbose:class log)\n\n")
                .append(String.format(Locale.ROOT, "Sleeping JVM, agent on, 1 000 JSON series scraped twice: %d classes "
                        + "loaded in all, %d from the agent jar (%d of them Jackson), **%d Byte Buddy classes**, "
                        + "class watcher %s.%n", all, ours, jackson, bb, watcher == 0 ? "not installed" : "installed"));
        budget.add((bb == 0 && watcher == 0 ? "MET" : "MISSED") + " no class watcher and no Byte Buddy in a JVM that is"
                + " no kernel: " + watcher + " watcher, " + bb + " Byte Buddy classes loaded");
    }

    // ---------------------------------------------------------------- Kotlin kernel

    /** The Kotlin kernel's start and its RSS after ten cells: no agent, the empty agent and ours, alternating. */
    private void kotlinKernel() throws Exception {
        KotlinKernelRuns k = KotlinKernelRuns.run(bench, java, kotlinRounds, "without,empty,with");
        double[] bare = k.medians(KotlinKernelRuns.WITHOUT);
        double[] empty = k.medians(KotlinKernelRuns.EMPTY);
        double[] ours = k.medians(KotlinKernelRuns.WITH);
        report.append("\n## Kotlin kernel 0.11.0-398: start to the first kernel_info_reply, RSS after 10 cells (")
                .append(kotlinRounds).append(" rounds, contenders alternating; medians)\n\n")
                .append("| kernel | kernel_info_reply ms | vs empty agent | CPU ms to the reply | vs empty agent |"
                        + " 10 cells ms | RSS after 10 cells MiB | vs without |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String c : List.of(KotlinKernelRuns.WITHOUT, KotlinKernelRuns.EMPTY, KotlinKernelRuns.WITH)) {
            double[] x = k.medians(c);
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f× | %.0f | %.3f× | %.0f | %.1f | %+.1f |%n", c,
                    x[0], x[0] / empty[0], x[3], x[3] / empty[3], x[1], x[2], x[2] - bare[2]));
        }
        report.append(String.format(Locale.ROOT, "%nThe agent counted all 10 cells in %d of %d runs.%n",
                k.countedAll(), k.runs.get(KotlinKernelRuns.WITH).size()));
        budget.add(String.format(Locale.ROOT, "%s Kotlin kernel start with the agent ≤ 1.03× the empty agent's: %.3f×"
                + " (%.3f× the kernel without an agent); CPU time to the reply %.3f× the empty agent's (%+.0f ms)",
                ours[0] / empty[0] <= 1.03 ? "MET" : "MISSED", ours[0] / empty[0], ours[0] / bare[0],
                ours[3] / empty[3], ours[3] - empty[3]));
        budget.add(verdict("Kotlin kernel RSS after 10 cells above the kernel without an agent", ours[2] - bare[2], 30,
                "MiB"));
    }

    /**
     * The Kotlin kernel with its own class-data archive ({@code kernelspec install NAME --cds}, the
     * agent jar's command, run once before the rounds) against the same kernel without agent or
     * archive and with the agent alone, alternating: the first reply and the first cell.
     */
    private void kotlinCds() throws Exception {
        String w = KotlinKernelRuns.WITHOUT;
        String a = KotlinKernelRuns.WITH;
        String c = KotlinKernelRuns.CDS;
        String cc = KotlinKernelRuns.CDS_CELL;
        KotlinKernelRuns k = KotlinKernelRuns.run(bench, java, kotlinRounds, "without,with,cds,cdscell");
        report.append("\n## Kotlin kernel 0.11.0-398 with its class-data archive (kernelspec install --cds): first reply"
                + " and first cell (").append(kotlinRounds).append(" rounds, contenders alternating; medians)\n\n")
                .append("| kernel | kernel_info_reply ms | vs without | CPU ms to the reply | first cell ms | vs without |"
                        + " 10 cells ms | RSS after 10 cells MiB | archive mapped |\n"
                        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String x : List.of(w, a, c, cc)) {
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f× | %.0f | %.0f | %.3f× | %.0f | %.1f | %d of %d |%n",
                    x, k.median(x, "ready_ms"), k.pairedRatio(x, w, "ready_ms"), k.median(x, "ready_cpu_ms"),
                    k.median(x, "first_cell_ms"), k.pairedRatio(x, w, "first_cell_ms"), k.median(x, "cells_ms"),
                    k.median(x, "rss_kib") / 1024, k.archiveMapped(x), k.runs.get(x).size()));
        }
        report.append("\nRatios: the median over the rounds of each round's ratio to the kernel without agent or archive;"
                + " CPU ms to the reply, the same ratio: ").append(String.format(Locale.ROOT, "%.3f× with --cds, %.3f× with"
                + " --cds-first-cell.%n", k.pairedRatio(c, w, "ready_cpu_ms"), k.pairedRatio(cc, w, "ready_cpu_ms")));
        double ready = k.pairedRatio(c, w, "ready_ms");
        double cell = k.pairedRatio(c, w, "first_cell_ms");
        budget.add(String.format(Locale.ROOT, "%s Kotlin kernel with the agent and --cds: first reply ≤ 0.80× the kernel"
                + " without agent or archive: %.3f× (the agent alone %.3f×; --cds-first-cell %.3f×)",
                ready <= 0.80 ? "MET" : "MISSED", ready, k.pairedRatio(a, w, "ready_ms"), k.pairedRatio(cc, w, "ready_ms")));
        if (Double.isNaN(cell)) {
            report.append("\nNo cells were run (BENCH_KOTLIN_CELLS=0): first replies only.\n");
        } else {
            budget.add(String.format(Locale.ROOT, "%s Kotlin kernel with the agent and --cds: first cell no slower than"
                    + " without agent or archive: %.3f× (the agent alone %.3f×; --cds-first-cell %.3f×)",
                    cell <= 1.0 ? "MET" : "MISSED", cell, k.pairedRatio(a, w, "first_cell_ms"),
                    k.pairedRatio(cc, w, "first_cell_ms")));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** One scrape on a fresh connection; the body of a 200 answer, or null. */
    static String scrape(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(10000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!all.startsWith("HTTP/1.1 200") && !all.startsWith("HTTP/1.0 200")) {
                return null;
            }
            int body = all.indexOf("\r\n\r\n");
            return body < 0 ? null : all.substring(body + 4);
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static <T> List<T> rotated(List<T> xs, int by) {
        List<T> out = new ArrayList<>(xs);
        Collections.rotate(out, -(by % Math.max(1, xs.size())));
        return out;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String verdict(String what, double value, double limit, String unit) {
        return String.format(Locale.ROOT, "%s %s ≤ %s %s: %.2f %s", value <= limit ? "MET" : "MISSED", what,
                fmt(limit), unit, value, unit);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }
}
