package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facility commands of the packaged jar: their output is the checked-in files; they never export. */
class FacilityCliIT {
    @TempDir
    Path tmp;

    @Test
    void thePrometheusFilesAreWhatTheCommandsPrint() throws Exception {
        assertEquals(Files.readString(Paths.get("agent/prometheus/prometheus.yml")), AgentCli.ok(Map.of(), "prometheus-config"));
        assertEquals(Files.readString(Paths.get("agent/prometheus/rules.yml")), AgentCli.ok(Map.of(), "prometheus-rules"));
        String custom = AgentCli.ok(Map.of(), "prometheus-config", "--targets-dir", "/srv/t/", "--scrape-interval", "30s",
                "--pushgateway", "http://127.0.0.1:9091");
        assertTrue(custom.contains("files:\n          - /srv/t/*.json\n"), custom);
        assertTrue(custom.contains("scrape_interval: 30s\n  scrape_timeout: 10s"), custom);
        assertTrue(custom.contains("\n  - job_name: pushgateway\n    honor_labels: true"), custom);
        Files.writeString(tmp.resolve("prometheus.yml"), custom);
        Files.copy(Paths.get("agent/prometheus/rules.yml"), tmp.resolve("rules.yml"));
        org.afmetrics.testing.Promtool.Result check = org.afmetrics.testing.Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, check.exitCode, check.toString());

        Path odd = Files.createDirectories(tmp.resolve("it's a dir/ü targets"));
        String jobs = AgentCli.ok(Map.of(), "prometheus-config", "--job-only", "--targets-dir", odd.toString());
        assertTrue(jobs.contains("  - job_name: af-metrics\n"), jobs);
        assertFalse(jobs.contains("global:") || jobs.contains("job_name: dask"), "the job alone: " + jobs);
        Files.writeString(tmp.resolve("prometheus.yml"), "scrape_configs:\n" + jobs);
        check = org.afmetrics.testing.Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, check.exitCode, jobs + check);
    }

    @Test
    void badUsageSaysHowAndExitsWith2() throws Exception {
        for (String[] args : new String[][] {{"prometheus-config", "--scrape-interval", "soon"}, {"prometheus-config", "--x"},
                {"targets", "list"}, {"kernelspec", "install"}, {"dashboard", "extra"}}) {
            AgentCli.Result r = AgentCli.run(Map.of(), args);
            assertEquals(2, r.exitCode, String.join(" ", args) + ": " + r);
            assertTrue(r.stderr.contains("Usage: af-metrics-agent " + args[0]), r.toString());
        }
    }

    @Test
    void commandsNeverStartAnExporterEvenWithTheAgentInJavaToolOptions() throws Exception {
        Path targets = Files.createDirectories(tmp.resolve("targets"));
        // an agent that went active would warn about the unknown key in premain, before the command
        // runs, so even a command that ends at once would show it
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", AgentJar.option("port=0,targets-dir=" + targets + ",witness=1"));
        for (String[] args : new String[][] {{"targets", "list", targets.toString()}, {"prometheus-rules"}, {"dashboard"}}) {
            AgentCli.Result r = AgentCli.run(env, args);
            assertEquals(0, r.exitCode, r.toString());
            assertFalse(r.stderr.contains("[af-metrics]"), "the agent stays silent and inert: " + r.stderr);
        }
        try (Stream<Path> s = Files.list(targets)) {
            assertEquals(0, s.count(), "no target file: no exporter ran");
        }
    }
}
