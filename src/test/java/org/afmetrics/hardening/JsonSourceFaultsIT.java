package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A notebook's JSON file goes wrong in every way we know of, one row at a time, under one
 * running agent: a fault keeps the last good values exported, its reason is counted and told
 * once; a document right at a limit is taken. At the end the host exits as it would without
 * the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JsonSourceFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_SERIES = 1000;
    private static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final int MAX_DEPTH = 200;
    private static final int MAX_NAME = 1024;
    private static final int MAX_STRING = 65536;
    private static final int MAX_LABELS = 32;
    private static final String GOOD = "{\"metrics\":["
            + "{\"name\":\"events_total\",\"type\":\"counter\",\"value\":100},"
            + "{\"name\":\"temperature\",\"type\":\"gauge\",\"value\":21.5,\"labels\":{\"room\":\"a\"}}]}";

    @TempDir
    static Path dir;
    private Path json;
    private long mtime = System.currentTimeMillis() - 3_600_000;
    private ChildJvm.Running baseline;
    private ChildJvm.Running jvm;
    private String url;

    /** What a row does to the file. */
    interface Fault {
        void apply(JsonSourceFaultsIT test) throws Exception;
    }

    @BeforeAll
    void start() throws Exception {
        json = dir.resolve("af-metrics.json");
        write(GOOD);
        baseline = ChildJvm.main(ScriptedHostMain.class).start();
        jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0,json-max-series=" + MAX_SERIES)
                .workDir(dir).start();
        url = jvm.awaitExporterUrl(WAIT);
    }

    @AfterAll
    void stop() {
        if (jvm != null) {
            jvm.close();
        }
        if (baseline != null) {
            baseline.close();
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                row("file removed", "missing", t -> Files.delete(t.json)),
                row("empty file", "empty", t -> t.write("")),
                row("random bytes", "malformed", t -> {
                    byte[] garbage = new byte[4096];
                    new Random(5).nextBytes(garbage);
                    garbage[0] = (byte) 0x89; // a PNG's first byte: not the start of any JSON value
                    t.write(garbage);
                }),
                row("half written", "truncated", t -> t.write(GOOD.substring(0, GOOD.length() / 2))),
                row("100 MB, sparse", "too_large", t -> {
                    t.write("{\"a\":");
                    try (RandomAccessFile f = new RandomAccessFile(t.json.toFile(), "rw")) {
                        f.setLength(100L * 1024 * 1024);
                    }
                    t.touch();
                }),
                row("exactly json-max-bytes", null, t -> t.write(padded("{\"n\":1}", MAX_BYTES))),
                row("one byte over json-max-bytes", "too_large", t -> t.write(padded("{\"n\":1}", MAX_BYTES + 1))),
                row("nested 100 000 deep", "too_deep", t -> t.write(nested(100_000))),
                row("nested exactly as deep as allowed", null, t -> t.write(nested(MAX_DEPTH))),
                row("nested one level deeper", "too_deep", t -> t.write(nested(MAX_DEPTH + 1))),
                row("950 000 fields in 11 MB", "too_many_series", t -> t.write(fields(950_000))),
                row("exactly json-max-series", null, t -> t.write(fields(MAX_SERIES))),
                row("one series over json-max-series", "too_many_series", t -> t.write(fields(MAX_SERIES + 1))),
                row("a key of the longest length", null, t -> t.write(labelled("k".repeat(MAX_NAME), "v"))),
                row("a huge key", "too_long", t -> t.write(labelled("k".repeat(MAX_NAME + 1), "v"))),
                row("a label value of the longest length", null, t -> t.write(labelled("k", "v".repeat(MAX_STRING)))),
                row("a huge label value", "too_long", t -> t.write(labelled("k", "v".repeat(10 * 1024 * 1024)))),
                row("a huge string in a skipped field", null,
                        t -> t.write("{\"note\":\"" + "x".repeat(10 * 1024 * 1024) + "\",\"n\":1}")),
                row("as many labels as a series may have", null, t -> t.write(manyLabels(MAX_LABELS))),
                row("one label more", "too_many_labels", t -> t.write(manyLabels(MAX_LABELS + 1))),
                row("every field skipped", "nothing_usable",
                        t -> t.write("{\"columns\":[\"Jet_eta\",\"nJet\"],\"dataset\":\"SingleMu\"}")),
                row("typed key holding no list", "nothing_usable", t -> t.write("{\"metrics\":{\"events\":1}}")),
                row("a directory", "unreadable", t -> {
                    Files.delete(t.json);
                    Files.createDirectory(t.json);
                }),
                row("a symlink loop", "unreadable", t -> {
                    Files.delete(t.json);
                    Files.createSymbolicLink(t.json, dir.resolve("loop-a"));
                    Files.createSymbolicLink(dir.resolve("loop-a"), dir.resolve("loop-b"));
                    Files.createSymbolicLink(dir.resolve("loop-b"), dir.resolve("loop-a"));
                }),
                // a FIFO would block a reader that opened it: it is never opened
                row("a FIFO", "unreadable", t -> {
                    Files.delete(t.json);
                    Process mkfifo = new ProcessBuilder("mkfifo", t.json.toString()).inheritIO().start();
                    assertEquals(0, mkfifo.waitFor());
                }),
                row("garbage after the document", "malformed", t -> t.write("{\"a\":1} garbage {{{")),
                row("a second document after the first", "malformed", t -> t.write("{\"a\":1}{\"a\":2}")),
                row("a symlink to a private token file", "malformed", t -> {
                    Files.delete(t.json);
                    Files.createSymbolicLink(t.json, t.tokenFile());
                }));
    }

    private static Arguments row(String name, String reason, Fault fault) {
        return Arguments.of(name, reason, fault);
    }

    @Order(1)
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("faults")
    void aFaultKeepsTheLastGoodValuesAndADocumentAtALimitIsTaken(String row, String reason, Fault fault)
            throws Exception {
        restoreGood();
        Map<String, Double> before = errors(Http.scrape(url));
        fault.apply(this);
        Exposition e = Http.scrape(url);
        Map<String, Double> after = errors(e);
        if (reason == null) {
            assertEquals(before, after, row + ": taken without complaint");
            assertNull(e.find("notebook_temperature", "room", "a"), row + ": replaces the good document");
            assertTrue(e.find("afmetrics_json_series", "source", json.toString()).value > 0, e.text());
            return;
        }
        assertGoodKept(e);
        assertEquals(before.getOrDefault(reason, 0.0) + 1, after.get(reason), row + " counted as " + reason);
        after.remove(reason);
        before.remove(reason);
        assertEquals(before, after, "no other reason counted");
        assertToldOnce(reason);
    }

    @Order(2)
    @Test
    void badSamplesAreRefusedOneByOneAndTheRestIsExported() throws Exception {
        restoreGood();
        write("{\"metrics\":["
                + "{\"name\":\"events_total\",\"type\":\"counter\",\"value\":60},"
                + "{\"name\":\"temperature\",\"type\":\"gauge\",\"value\":\"NaN\",\"labels\":{\"room\":\"a\"}},"
                + "{\"name\":\"hot\",\"value\":\"+Inf\"},"
                + "{\"name\":\"cold\",\"value\":-1e400},"
                + "{\"name\":\"huge\",\"value\":1.5e308},"
                + "{\"name\":\"bad_counter\",\"type\":\"counter\",\"value\":\"NaN\"},"
                + "{\"name\":\"Überstunden größe\",\"value\":1},"
                + "{\"name\":\"\",\"value\":1},"
                + "{\"name\":\"9lives\",\"value\":9},"
                + "{\"name\":\"quoted\",\"labels\":{\"q\":\"say \\\"hi\\\"\",\"b\":\"C:\\\\dir\\\\\","
                + "\"n\":\"two\\nlines\",\"ü\":\"ö\"},\"value\":1},"
                + "{\"name\":\"dup\",\"labels\":{\"k\":\"v\"},\"value\":1},"
                + "{\"name\":\"dup\",\"labels\":{\"k\":\"v\"},\"value\":2}]}");
        Exposition e = Http.scrape(url);
        assertEquals(100, e.find("notebook_events_total").value, "a counter does not go down");
        assertTrue(Double.isNaN(e.find("notebook_temperature", "room", "a").value));
        assertEquals(Double.POSITIVE_INFINITY, e.find("notebook_hot").value);
        assertEquals(Double.NEGATIVE_INFINITY, e.find("notebook_cold").value);
        assertEquals(1.5e308, e.find("notebook_huge").value);
        assertNull(e.find("notebook_bad_counter_total"));
        assertEquals(1, e.find("notebook__berstunden_gr__e").value);
        assertEquals(9, e.find("notebook_9lives").value);
        Exposition.Sample quoted = e.find("notebook_quoted");
        assertEquals("say \"hi\"", quoted.labels.get("q"));
        assertEquals("C:\\dir\\", quoted.labels.get("b"));
        assertEquals("two\nlines", quoted.labels.get("n"));
        assertEquals("ö", quoted.labels.get("_"));
        assertEquals(1, e.find("notebook_dup").value, "the first of two equal series is kept");
        Map<String, Double> errors = errors(e);
        assertEquals(1, errors.get("counter_decreased"));
        assertEquals(1, errors.get("invalid_value"));
        assertEquals(1, errors.get("invalid_name"));
        assertEquals(1, errors.get("duplicate_series"));
        Promtool.Result lint = Promtool.checkMetrics(e.text());
        assertEquals(0, lint.exitCode, lint.toString());
        for (String reason : List.of("counter_decreased", "invalid_value", "invalid_name", "duplicate_series")) {
            assertToldOnce(reason);
        }
    }

    @Order(3)
    @Test
    void aCounterBackAtZeroIsAReset() throws Exception {
        restoreGood();
        double decreased = errors(Http.scrape(url)).getOrDefault("counter_decreased", 0.0);
        write("{\"metrics\":[{\"name\":\"events_total\",\"type\":\"counter\",\"value\":0}]}");
        assertEquals(0, Http.scrape(url).find("notebook_events_total").value, "back to 0 is a reset");
        write("{\"metrics\":[{\"name\":\"events_total\",\"type\":\"counter\",\"value\":7}]}");
        Exposition e = Http.scrape(url);
        assertEquals(7, e.find("notebook_events_total").value);
        assertEquals(decreased, errors(e).getOrDefault("counter_decreased", 0.0), "a reset is no decrease");
    }

    /** A secret of the user's, in the shape of a GitHub token. */
    static final String TOKEN = "ghp_7rUe5ecReT0fTheUser0123456789abcdef";

    /** The user's private token file (mode 600), which the JSON path may be made to point at. */
    private Path tokenFile() throws Exception {
        Path token = dir.resolve("token");
        if (!Files.exists(token)) {
            Files.writeString(token, TOKEN + "\n");
            Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return token;
    }

    /**
     * The JSON path is a symlink to the user's token file, and documents holding the token where
     * an error would once quote it: the token's text shows nowhere, not on the landing page, not
     * in the kernel's stderr, not in /metrics; the last good values stay.
     */
    @Order(3)
    @Test
    void aTokenBehindTheJsonPathShowsNowhere() throws Exception {
        restoreGood();
        Files.delete(json);
        Files.createSymbolicLink(json, tokenFile());
        touch();
        Exposition e = Http.scrape(url);
        assertGoodKept(e);
        String landing = Http.get(url.replace("/metrics", "/")).body();
        assertTrue(landing.contains("malformed JSON at line 1, column"), landing);
        for (String doc : List.of("{\"" + TOKEN + "\":1,\"" + TOKEN + "\":2}",
                "{\"metrics\":[{\"name\":\"" + TOKEN + "\",\"value\":\"" + TOKEN + "\"}]}",
                "{\"metrics\":[{\"name\":\"a\",\"unit\":\"" + TOKEN + "!\",\"value\":1}]}",
                "{\"a\":1} " + TOKEN)) {
            write(doc);
            e = Http.scrape(url);
            assertGoodKept(e);
            assertNoToken("/metrics after " + doc, e.text());
            assertNoToken("the landing page after " + doc, Http.get(url.replace("/metrics", "/")).body());
        }
        assertNoToken("/metrics", e.text());
        assertNoToken("the landing page", landing);
        assertNoToken("the kernel's stderr", jvm.stderr());
    }

    private static void assertNoToken(String where, String text) {
        for (int i = 0; i + 6 <= TOKEN.length(); i++) {
            assertTrue(!text.contains(TOKEN.substring(i, i + 6)), where + " holds part of the token: " + text);
        }
    }

    /**
     * Pushes as files: a body with anything but whitespace after the document is malformed and the
     * last good push stays; no answer, page or log line holds a byte of a refused body.
     */
    @Order(6)
    @Test
    void pushesAreAsStrictAndTellNothingOfTheirBody(@TempDir Path own) throws Exception {
        try (ChildJvm.Running agent = ChildJvm.main(ScriptedHostMain.class).agent("port=0").workDir(own).start()) {
            String metrics = agent.awaitExporterUrl(WAIT);
            String push = metrics.replace("/metrics", "/notebook-metrics");
            assertEquals(200, Http.post(push, "application/json", "{\"pushed\": 42}").statusCode());
            for (String body : List.of("{\"a\":1} garbage {{{", "{\"a\":1}{\"a\":2}", TOKEN, "{\"a\":1} " + TOKEN,
                    "{\"" + TOKEN + "\":1,\"" + TOKEN + "\":2}")) {
                java.net.http.HttpResponse<String> answer = Http.post(push, "application/json", body);
                assertEquals(400, answer.statusCode(), body + ": " + answer.body());
                assertTrue(answer.body().contains("\"reason\":\"malformed\""), answer.body());
                assertNoToken("the push answer", answer.body());
            }
            Exposition e = Http.scrape(metrics);
            assertEquals(42, e.find("notebook_pushed").value, "the last good push stays");
            assertEquals(5, e.find("afmetrics_json_errors_total", "source", "push", "reason", "malformed").value);
            assertNoToken("/metrics", e.text());
            assertNoToken("the landing page", Http.get(metrics.replace("/metrics", "/")).body());
            HostDriver.send(agent, "exit 0");
            assertEquals(0, agent.awaitExit(WAIT));
            assertNoToken("the kernel's stderr", agent.stderr());
        }
    }

    @Order(4)
    @Test
    void theHostRunsAndExitsAsWithoutTheAgent() throws Exception {
        HostDriver.send(baseline, "exit 3");
        HostDriver.send(jvm, "exit 3");
        assertEquals(3, baseline.awaitExit(WAIT));
        assertEquals(3, jvm.awaitExit(WAIT));
        assertEquals(baseline.stdout(), jvm.stdout());
        assertEquals(HostDriver.hostStderr(baseline), HostDriver.hostStderr(jvm));
        List<String> said = HostDriver.agentComplaints(jvm);
        TreeSet<String> reasons = new TreeSet<>();
        for (String line : said) {
            int at = line.indexOf(json + ": ");
            assertTrue(at >= 0, "every complaint is about the file: " + line);
            String rest = line.substring(at + json.toString().length() + 2);
            assertTrue(reasons.add(rest.substring(0, rest.indexOf(' '))), "one line per reason: " + said);
        }
        assertTrue(reasons.size() >= 10, "the rows above were told: " + reasons);
    }

    /**
     * A document within every limit that still needs more heap than a small kernel has left
     * (20 000 series of 32 labels, some 45 MiB of metrics, into a 40 MiB heap): it is dropped
     * before the heap runs out, counted as {@code out_of_memory}, the last good values stay, every
     * scrape meanwhile is answered, refused (503, the heap short) or cut at its deadline (none left hanging, the exporter does
     * not fall silent) and the host never hears of it.
     */
    @Order(5)
    @Test
    void aDocumentTheHeapCannotHoldIsDroppedAndTheHostRunsOn(@TempDir Path small) throws Exception {
        Path file = small.resolve("af-metrics.json");
        Files.writeString(file, "{\"kept\": 1}");
        try (ChildJvm.Running host = ChildJvm.main(ScriptedHostMain.class).jvmOption("-Xmx40m").start();
             ChildJvm.Running agent = ChildJvm.main(ScriptedHostMain.class).jvmOption("-Xmx40m")
                     .agent("port=0").workDir(small).start()) {
            String smallUrl = agent.awaitExporterUrl(WAIT);
            assertEquals(1, Http.scrape(smallUrl).find("notebook_kept").value);
            StringBuilder sb = new StringBuilder(17_000_000).append("{\"metrics\":[");
            for (int i = 0; i < 20_000; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"name\":\"m").append(i % 20).append("\",\"value\":1,\"labels\":{");
                for (int l = 0; l < MAX_LABELS; l++) {
                    sb.append(l == 0 ? "" : ",").append("\"l").append(l).append("\":\"v").append(i).append('_').append(l)
                            .append("xxxxxxxx\"");
                }
                sb.append("}}");
            }
            Path tmp = small.resolve("big.tmp");
            Files.writeString(tmp, sb.append("]}"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Exposition e = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (e == null || e.find("afmetrics_json_errors_total", "reason", "out_of_memory") == null) {
                assertTrue(System.nanoTime() < deadline, "out_of_memory counted within " + WAIT);
                try {
                    java.net.http.HttpResponse<String> r = Http.get(smallUrl);
                    if (r.statusCode() == 200) {
                        e = Exposition.parse(r.body());
                    } else {
                        // while the document fills the heap, a scrape is refused rather than rendered
                        assertEquals(503, r.statusCode(), r.body());
                        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                    }
                } catch (java.io.IOException slow) {
                    // a scrape waiting on the read while the heap thrashes may pass its deadline: cut, as it should be
                }
            }
            assertEquals(1, e.find("afmetrics_json_errors_total", "source", file.toString(), "reason", "out_of_memory")
                    .value, e.text());
            assertEquals(1, e.find("notebook_kept").value, "the last good values stay");
            Files.writeString(file, "{\"kept\": 2}");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertEquals(2, Http.scrape(smallUrl).find("notebook_kept").value, "and the next version is read");
            HostDriver.send(host, "exit 0");
            HostDriver.send(agent, "exit 0");
            assertEquals(0, host.awaitExit(WAIT));
            assertEquals(0, agent.awaitExit(WAIT));
            assertEquals(host.stdout(), agent.stdout());
            assertEquals(HostDriver.hostStderr(host), HostDriver.hostStderr(agent));
            List<String> said = HostDriver.agentComplaints(agent);
            assertEquals(1, said.size(), "one line, no stack trace: " + said);
            assertTrue(said.get(0).contains(": out_of_memory ("), said.get(0));
        }
    }

    /** The good document, back in place after whatever the row before left. */
    private void restoreGood() throws Exception {
        for (Path p : Arrays.asList(json, dir.resolve("loop-a"), dir.resolve("loop-b"))) {
            Files.deleteIfExists(p);
        }
        write(GOOD);
        assertGoodKept(Http.scrape(url));
    }

    /** The line may still be on its way through the pipe when the scrape has answered. */
    private void assertToldOnce(String reason) throws InterruptedException {
        jvm.awaitStderr(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(json + ": " + reason + " (")),
                WAIT);
        assertEquals(1, toldAbout(reason).size(), reason + " is told once: " + HostDriver.agentComplaints(jvm));
    }

    private List<String> toldAbout(String reason) {
        return HostDriver.agentComplaints(jvm).stream().filter(l -> l.contains(json + ": " + reason + " ("))
                .collect(Collectors.toList());
    }

    private static void assertGoodKept(Exposition e) {
        assertNotNull(e.find("notebook_events_total"), e.text());
        assertEquals(100, e.find("notebook_events_total").value);
        assertEquals(21.5, e.find("notebook_temperature", "room", "a").value);
    }

    private Map<String, Double> errors(Exposition e) {
        Map<String, Double> out = new TreeMap<>();
        for (Exposition.Sample s : e.named("afmetrics_json_errors_total")) {
            if (s.labels.get("source").equals(json.toString())) {
                out.put(s.labels.get("reason"), s.value);
            }
        }
        return out;
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    private static String fields(int n) {
        StringBuilder sb = new StringBuilder(n * 14).append('{');
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":").append(i % 10);
        }
        return sb.append('}').toString();
    }

    private static String labelled(String labelName, String labelValue) {
        return "{\"m\":[{\"metric\":{\"" + labelName + "\":\"" + labelValue + "\"},\"value\":1}]}";
    }

    private static String manyLabels(int n) {
        StringBuilder sb = new StringBuilder("{\"metrics\":[{\"name\":\"x\",\"value\":1,\"labels\":{");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
        }
        return sb.append("}}]}").toString();
    }

    /** {@code doc} followed by spaces up to exactly {@code length} bytes. */
    private static byte[] padded(String doc, int length) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) ' ');
        byte[] d = doc.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(d, 0, out, 0, d.length);
        return out;
    }

    private void write(String text) throws Exception {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Written whole and renamed into place, with a modification time of its own, as a careful notebook does. */
    private void write(byte[] bytes) throws Exception {
        Path tmp = dir.resolve("af-metrics.json.tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        touch();
    }

    private void touch() throws Exception {
        mtime += 1000;
        Files.setLastModifiedTime(json, FileTime.fromMillis(mtime));
    }
}
