package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent jar as a command-line tool: {@code java -jar af-metrics-agent.jar …}. */
class CliIT {
    @TempDir
    Path dir;

    /** Runs in the test's directory as user alice. */
    private AgentCli.Result cli(String... args) throws IOException, InterruptedException {
        return AgentCli.jar(args).workDir(dir).env("JUPYTERHUB_USER", "alice").run();
    }

    @Test
    void helpAndVersion() throws Exception {
        AgentCli.Result help = cli("--help");
        assertEquals(0, help.exitCode);
        for (ConfigKey k : ConfigKey.values()) {
            assertTrue(help.stdout.contains(k.envName()), k.key());
        }
        AgentCli.Result version = cli("--version");
        assertEquals(0, version.exitCode);
        assertTrue(version.stdout.trim().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version.stdout);
        assertEquals(2, cli("frobnicate").exitCode);
    }

    @Test
    void checkPrintsAValidExpositionOrTheErrors() throws Exception {
        Path good = dir.resolve("m.json");
        Files.writeString(good, "{\"entries\": 53446198, \"columns\": [\"nJet\"], \"cutflow\": "
                + "[{\"metric\": {\"cut\": \"all\"}, \"value\": 10}]}");
        AgentCli.Result ok = cli("check", good.toString());
        assertEquals(0, ok.exitCode, ok.stderr);
        Exposition e = Exposition.parse(ok.stdout);
        assertEquals(5.3446198E7, e.find("notebook_entries").value);
        assertEquals("alice", e.find("notebook_entries").labels.get("user"));
        assertEquals(10, e.find("notebook_cutflow", "cut", "all").value);
        assertEquals(0, Promtool.checkMetrics(ok.stdout).exitCode);
        assertTrue(ok.stderr.contains("2 series, 1 non-numeric fields skipped"), ok.stderr);

        Path clash = dir.resolve("clash.json");
        Files.writeString(clash, "{\"m\": [{\"metric\": {\"user\": \"bob\"}, \"value\": 1}], \"n\": 2}");
        AgentCli.Result rejected = cli("check", clash.toString());
        assertEquals(1, rejected.exitCode);
        assertTrue(rejected.stderr.contains("label 'user' is set by the agent"), rejected.stderr);

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"entries\": ");
        AgentCli.Result broken = cli("check", bad.toString());
        assertEquals(1, broken.exitCode);
        assertTrue(broken.stderr.contains("truncated"), broken.stderr);
        assertEquals(1, cli("check", dir.resolve("absent.json").toString()).exitCode);
    }

    @Test
    void demoServesTheSimulatedNotebook() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Jdks.java(Jdks.current()), "-jar", AgentJar.path().toString(), "demo",
                "port=0").directory(dir.toFile()).redirectErrorStream(true);
        Process demo = pb.start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            for (String line; url == null && (line = r.readLine()) != null; ) {
                Matcher m = Pattern.compile("Scrape (http://\\S+/metrics)").matcher(line);
                url = m.find() ? m.group(1) : null;
            }
            assertTrue(url != null, "demo printed its URL");
            double first = awaitEntries(url, 0);
            double later = awaitEntries(url, first);
            assertTrue(later > first, "the simulated loop advances: " + first + " -> " + later);
            Exposition e = Http.scrape(url);
            assertTrue(e.find("notebook_cutflow", "cut", "all").value > 0);
            assertEquals(0, Promtool.checkMetrics(e.text()).exitCode);
        } finally {
            demo.destroy();
            demo.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static double awaitEntries(String url, double above) throws Exception {
        for (int i = 0; i < 100; i++) {
            Exposition.Sample s = Http.scrape(url).find("notebook_entries");
            if (s != null && s.value > above) {
                return s.value;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("notebook_entries never rose above " + above);
    }
}
