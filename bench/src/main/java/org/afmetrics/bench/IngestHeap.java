package org.afmetrics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The heap one maximal notebook JSON document needs, pushed and as a file: for each document,
 * the smallest {@code -Xmx} at which a JVM of its own still takes it exactly as with a roomy
 * heap (found by bisection, 1 MiB apart), less the smallest {@code -Xmx} for a one-field
 * document. Also the time to take each document, this agent against an older jar given as
 * {@code -Dbench.before.jar=…} (the two alternate in every round).
 */
final class IngestHeap {
    private static final String MAIN = "org.afmetrics.bench.host.IngestOnce";
    static final int PUSH_MAX_BYTES = 1024 * 1024;
    static final int FILE_MAX_BYTES = 16 * 1024 * 1024;
    static final int MAX_SERIES = 20000;
    static final int MAX_LABELS = 32;
    private static final int ROOMY_MB = 1024;

    private final String java;
    private final String hostCp;
    private final Path run;
    private final Map<String, String> jars = new LinkedHashMap<>();
    private final int rounds = Integer.getInteger("bench.ingest.rounds", 3);

    IngestHeap(String java, String hostCp, Path run, Path agentJar) {
        this.java = java;
        this.hostCp = hostCp;
        this.run = run;
        jars.put("this agent", agentJar.toString());
        String before = System.getProperty("bench.before.jar", "");
        if (!before.isEmpty()) {
            jars.put("before (" + Path.of(before).getFileName() + ")", before);
        }
    }

    /** A document and how the agent is to take it. */
    private static final class Doc {
        final String name;
        final boolean push;
        final Path path;

        Doc(String name, boolean push, Path path) {
            this.name = name;
            this.push = push;
            this.path = path;
        }

        List<String> args() {
            List<String> a = new ArrayList<>();
            a.add(push ? "push" : "file");
            a.add(path.toString());
            if (!push) {
                a.add(String.valueOf(FILE_MAX_BYTES));
            }
            a.add(String.valueOf(MAX_SERIES));
            return a;
        }
    }

    void section(StringBuilder report) throws Exception {
        Path dir = run.resolve("ingest");
        Files.createDirectories(dir);
        Doc tiny = new Doc("one field", true, write(dir, "tiny.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        List<Doc> docs = List.of(
                new Doc("push, 1 MiB of plain fields (refused at series 20 001)", true,
                        write(dir, "push-fields.json", fields(PUSH_MAX_BYTES))),
                new Doc("push, 1 MiB of series with 32 labels each (taken)", true,
                        write(dir, "push-labels.json", labelled(PUSH_MAX_BYTES))),
                new Doc("file, 950 000 plain fields, 11 MB (refused at series 20 001)", false,
                        write(dir, "file-fields.json", fields(950_000, Integer.MAX_VALUE))),
                new Doc("file, 16 MiB: 20 000 series with 32 labels each (taken)", false,
                        write(dir, "file-labels.json", labelled(FILE_MAX_BYTES))),
                new Doc("push, 1 MiB of text fields (all skipped: nothing_usable)", true,
                        write(dir, "push-text.json", textFields(5, PUSH_MAX_BYTES))),
                new Doc("file, 16 MiB of text fields (all skipped: nothing_usable)", false,
                        write(dir, "file-text.json", textFields(5, FILE_MAX_BYTES))),
                new Doc("file, 16 MiB of 1 000-character keys holding text (nothing_usable)", false,
                        write(dir, "file-long-keys.json", textFields(1000, FILE_MAX_BYTES))));

        report.append("\n## Heap and time to take one maximal notebook JSON document\n\n")
                .append("Smallest `-Xmx` (default GC) at which a JVM of its own takes the document exactly as with ")
                .append(ROOMY_MB).append(" MiB, less the smallest for a one-field document; json-max-series=")
                .append(MAX_SERIES).append(", push-max-bytes=").append(PUSH_MAX_BYTES)
                .append(", json-max-bytes=").append(FILE_MAX_BYTES).append(". Time: median of ").append(rounds)
                .append(" JVMs × 5 documents (the contenders alternate).\n\n")
                .append("| document | bytes | outcome | agent | heap needed MiB | ms per document |\n")
                .append("|---|---:|---|---|---:|---:|\n");
        Map<String, Integer> base = new LinkedHashMap<>();
        for (Map.Entry<String, String> jar : jars.entrySet()) {
            base.put(jar.getKey(), smallestXmx(jar.getValue(), tiny, outcome(jar.getValue(), tiny)));
        }
        for (Doc d : docs) {
            Map<String, List<Double>> times = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, String> jar : jars.entrySet()) {
                    String line = once(jar.getValue(), d, ROOMY_MB, 5);
                    times.computeIfAbsent(jar.getKey(), k -> new ArrayList<>())
                            .add(line == null ? Double.NaN : Double.parseDouble(line.replaceAll(".* ms=", "")));
                }
            }
            for (Map.Entry<String, String> jar : jars.entrySet()) {
                String outcome = outcome(jar.getValue(), d);
                int need = smallestXmx(jar.getValue(), d, outcome);
                report.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %.1f |%n", d.name,
                        Files.size(d.path), outcome, jar.getKey(),
                        need < 0 ? "> " + ROOMY_MB : String.valueOf(need - base.get(jar.getKey())),
                        Harness.median(times.get(jar.getKey()))));
            }
        }
        report.append(String.format(Locale.ROOT, "%nBaseline (one-field document): smallest -Xmx %s MiB.%n",
                base.toString().replace("=", ": ")));
    }

    /** What the document gives with a roomy heap: {@code series=N reason=R}. */
    private String outcome(String jar, Doc d) throws Exception {
        String line = once(jar, d, ROOMY_MB, 1);
        if (line == null) {
            throw new IllegalStateException(d.name + " fails with " + ROOMY_MB + " MiB on " + jar);
        }
        return line.replaceAll(" ms=.*", "");
    }

    /** Bisects -Xmx between 4 and the roomy heap; -1 when even that is not enough. */
    private int smallestXmx(String jar, Doc d, String outcome) throws Exception {
        int lo = 4;
        int hi = ROOMY_MB;
        if (isTaken(jar, d, lo, outcome)) {
            return lo;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (isTaken(jar, d, mid, outcome)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private boolean isTaken(String jar, Doc d, int xmxMb, String outcome) throws Exception {
        String line = once(jar, d, xmxMb, 1);
        return line != null && line.startsWith(outcome + " ");
    }

    /** The child's result line, or null when it failed (out of memory, most often). */
    private String once(String jar, Doc d, int xmxMb, int docs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + xmxMb + "m", "-cp", hostCp + ":" + jar, MAIN));
        cmd.addAll(d.args());
        cmd.add(String.valueOf(docs));
        Path out = run.resolve("ingest/child.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return null;
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || lines.isEmpty()) {
            return null;
        }
        String last = lines.get(lines.size() - 1);
        return last.startsWith("series=") ? last : null;
    }

    private static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Plain fields {@code "sN": d} up to {@code maxBytes}. */
    private static byte[] fields(int maxBytes) {
        return fields(Integer.MAX_VALUE, maxBytes);
    }

    private static byte[] fields(int count, int maxBytes) {
        StringBuilder sb = new StringBuilder().append('{');
        for (int i = 0; i < count; i++) {
            String f = (i == 0 ? "" : ",") + "\"s" + i + "\":" + (i % 10);
            if (sb.length() + f.length() + 1 > maxBytes) {
                break;
            }
            sb.append(f);
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Keys of about {@code keyLength} characters, all different, each holding a short text: the
     * agent uses none of it, and must not keep the keys while it reads on.
     */
    private static byte[] textFields(int keyLength, int maxBytes) {
        StringBuilder sb = new StringBuilder(maxBytes).append('{');
        for (int i = 0; ; i++) {
            String key = "k" + i;
            String f = (i == 0 ? "" : ",") + "\"" + key + "x".repeat(Math.max(0, keyLength - key.length())) + "\":\"t\"";
            if (sb.length() + f.length() + 1 > maxBytes) {
                break;
            }
            sb.append(f);
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The typed form at its fullest: series of {@link #MAX_LABELS} distinct labels each, label
     * values as long as lets json-max-series of them fit in {@code maxBytes} (at least 4).
     */
    private static byte[] labelled(int maxBytes) {
        int fitting = (maxBytes / MAX_SERIES - 40) / MAX_LABELS - 9;
        for (int valueLength = Math.max(4, Math.min(64, fitting + 1)); valueLength >= 4; valueLength--) {
            StringBuilder sb = new StringBuilder(maxBytes).append("{\"metrics\":[");
            int series = 0;
            while (series < MAX_SERIES) {
                StringBuilder e = new StringBuilder(series == 0 ? "" : ",")
                        .append("{\"name\":\"m").append(series % 20).append("\",\"value\":").append(series)
                        .append(",\"labels\":{");
                for (int l = 0; l < MAX_LABELS; l++) {
                    String v = "v" + series + "_" + l;
                    e.append(l == 0 ? "" : ",").append("\"l").append(l).append("\":\"").append(v)
                            .append("x".repeat(Math.max(0, valueLength - v.length()))).append('"');
                }
                e.append("}}");
                if (sb.length() + e.length() + 2 > maxBytes) {
                    break;
                }
                sb.append(e);
                series++;
            }
            if (series == MAX_SERIES || valueLength == 4) {
                return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError();
    }
}
