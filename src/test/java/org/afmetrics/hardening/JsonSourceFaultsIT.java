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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notebook's JSON file goes wrong in every way we know of, one after the other, under a
 * running agent: the last good values stay exported, each reason is counted and told once, and
 * the host exits as it would without the agent.
 */
class JsonSourceFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GOOD = "{\"metrics\":["
            + "{\"name\":\"events_total\",\"type\":\"counter\",\"value\":100},"
            + "{\"name\":\"temperature\",\"type\":\"gauge\",\"value\":21.5,\"labels\":{\"room\":\"a\"}}]}";

    @TempDir
    Path dir;
    private Path json;
    private long mtime = System.currentTimeMillis() - 3_600_000;

    @Test
    void lastGoodValuesStayAndEveryReasonIsCounted() throws Exception {
        json = dir.resolve("af-metrics.json");
        write(GOOD);
        try (ChildJvm.Running baseline = ChildJvm.main(ScriptedHostMain.class).start();
             ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0").workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            assertGoodKept(Http.scrape(url));

            Files.delete(json);
            expectKept(url, "missing", 1);
            write("");
            expectKept(url, "empty", 1);
            byte[] garbage = new byte[4096];
            new Random(5).nextBytes(garbage);
            garbage[0] = (byte) 0x89; // a PNG's first byte: not the start of any JSON value
            write(garbage);
            expectKept(url, "malformed", 1);
            write(GOOD.substring(0, GOOD.length() / 2));
            expectKept(url, "truncated", 1);
            write("{\"a\":");
            try (RandomAccessFile f = new RandomAccessFile(json.toFile(), "rw")) {
                f.setLength(100L * 1024 * 1024);
            }
            touch();
            expectKept(url, "too_large", 1);
            write("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000));
            expectKept(url, "too_deep", 1);
            StringBuilder million = new StringBuilder(13_000_000).append('{');
            for (int i = 0; i < 1_000_000; i++) {
                million.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":").append(i % 10);
            }
            write(million.append('}').toString());
            expectKept(url, "too_many_series", 1);

            Files.delete(json);
            Files.createDirectory(json);
            expectKept(url, "unreadable", 1);
            Files.delete(json);
            Files.createSymbolicLink(json, dir.resolve("loop-a"));
            Files.createSymbolicLink(dir.resolve("loop-a"), dir.resolve("loop-b"));
            Files.createSymbolicLink(dir.resolve("loop-b"), dir.resolve("loop-a"));
            expectKept(url, "unreadable", 2);
            Files.delete(json);
            Process mkfifo = new ProcessBuilder("mkfifo", json.toString()).inheritIO().start();
            assertEquals(0, mkfifo.waitFor());
            expectKept(url, "unreadable", 3); // a FIFO would block a reader that opened it: never opened
            Files.delete(json);

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

            write("{\"metrics\":[{\"name\":\"events_total\",\"type\":\"counter\",\"value\":0}]}");
            assertEquals(0, Http.scrape(url).find("notebook_events_total").value, "back to 0 is a reset");
            write("{\"metrics\":[{\"name\":\"events_total\",\"type\":\"counter\",\"value\":7}]}");
            e = Http.scrape(url);
            assertEquals(7, e.find("notebook_events_total").value);
            assertEquals(1, errors(e).get("counter_decreased"));

            HostDriver.send(baseline, "exit 3");
            HostDriver.send(jvm, "exit 3");
            assertEquals(3, baseline.awaitExit(WAIT));
            assertEquals(3, jvm.awaitExit(WAIT));
            assertEquals(baseline.stdout(), jvm.stdout());
            assertEquals(HostDriver.hostStderr(baseline), HostDriver.hostStderr(jvm));
            List<String> said = HostDriver.agentComplaints(jvm);
            for (String reason : List.of("missing", "empty", "malformed", "truncated", "too_large", "too_deep",
                    "too_many_series", "unreadable", "counter_decreased", "invalid_value", "invalid_name",
                    "duplicate_series")) {
                List<String> lines = said.stream().filter(l -> l.contains(": " + reason + " ("))
                        .collect(Collectors.toList());
                assertEquals(1, lines.size(), reason + " is told once: " + said);
            }
            assertEquals(12, said.size(), "one line per reason, nothing else: " + said);
        }
    }

    private void expectKept(String url, String reason, int count) throws Exception {
        Exposition e = Http.scrape(url);
        assertGoodKept(e);
        assertEquals((double) count, errors(e).get(reason), reason + " counted: " + errors(e));
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
