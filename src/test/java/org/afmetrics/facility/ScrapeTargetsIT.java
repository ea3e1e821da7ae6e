package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.JupyterKernels;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three kernels started at once by jupyter_client from a kernelspec the installer changed: three
 * ports, three target files, a Prometheus running the generated config finds them all; files go
 * when the kernels stop, and {@code targets gc} removes the one a {@code kill -9} left.
 */
class ScrapeTargetsIT {
    @TempDir
    Path tmp;

    @Test
    void prometheusFindsEveryKernelThroughItsTargetFile() throws Exception {
        Path jupyter = tmp.resolve("jupyter");
        Path spec = jupyter.resolve("kernels").resolve("sleepy");
        Files.createDirectories(spec);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Paths.get("target", "test-classes").toAbsolutePath().toString();
        Files.writeString(spec.resolve("kernel.json"), "{\"argv\": [\"" + java + "\", \"-cp\", \"" + classes + "\", \""
                + SleepMain.class.getName() + "\", \"600000\", \"0\", \"{connection_file}\"],\n"
                + " \"display_name\": \"Sleepy JVM\", \"language\": \"java\"}\n");
        Path targets = Files.createDirectories(tmp.resolve("targets"));
        Map<String, String> env = new HashMap<>(JupyterKernels.privateEnv(jupyter, tmp));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        int first = FreePort.findRun(10);
        AgentCli.ok(env, "kernelspec", "install", "sleepy", "--jar", org.afmetrics.testing.AgentJar.path().toString(),
                "--agent-args",
                "targets-dir=" + targets + ",port=" + first + "-" + (first + 9));

        Path promDir = Files.createDirectories(tmp.resolve("prometheus"));
        Path config = promDir.resolve("prometheus.yml");
        Files.writeString(config, AgentCli.ok(Map.of(), "prometheus-config", "--targets-dir", targets.toString(),
                "--scrape-interval", "1s", "--rules-file", Paths.get("agent/prometheus/rules.yml").toAbsolutePath().toString()));

        try (PrometheusServer prometheus = PrometheusServer.startWithConfig(config, promDir);
             JupyterKernels kernels = JupyterKernels.start("sleepy", 3, env, tmp)) {
            Set<String> kernelIds = kernels.kernels().stream().map(k -> k.path("kernel_id").asText())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(3, kernelIds.size());

            List<TargetFile> files = awaitFiles(targets, 3);
            Set<String> ports = files.stream().map(TargetFile::target).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(3, ports.size(), "three kernels, three ports: " + ports);
            assertEquals(kernelIds, files.stream().map(f -> f.info().get("session"))
                    .collect(Collectors.toCollection(TreeSet::new)), "the session is the kernel id Jupyter gave");

            JsonNode up = prometheus.awaitQuery("afmetrics_agent_info{job=\"af-metrics\"}", r -> r.size() == 3,
                    Duration.ofSeconds(60));
            assertEquals(kernelIds, new TreeSet<>(PrometheusServer.labelValues(up, "session")));
            assertEquals(ports, new TreeSet<>(PrometheusServer.labelValues(up, "instance")));
            assertEquals(HostNames.local(), up.get(0).path("metric").path("host").asText(), "relabelled from the file");
            prometheus.awaitValue("facility:afmetrics_kernels:sum", 3, Duration.ofSeconds(30));

            // two stop as Jupyter stops a kernel that does not answer (SIGTERM); one is killed hard
            List<ProcessHandle> jvms = new ArrayList<>();
            for (TargetFile f : files) {
                jvms.add(ProcessHandle.of(f.pid()).orElseThrow());
            }
            jvms.get(0).destroy();
            jvms.get(1).destroy();
            jvms.get(2).destroyForcibly();
            for (ProcessHandle h : jvms) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
            List<Path> left = list(targets);
            assertEquals(List.of(targets.resolve(files.get(2).fileName())), left, "only the killed kernel's file is left");

            String listing = AgentCli.ok(Map.of(), "targets", "list", targets.toString());
            assertTrue(listing.contains("stale") && listing.contains(files.get(2).fileName()), listing);
            AgentCli.Result gcRun = AgentCli.run(Map.of(), "targets", "gc", targets.toString());
            String gc = gcRun.toString();
            long killed = files.get(2).pid();
            assertTrue(gc.contains("1 stale target file removed"), listing + "\n" + gc + "\npid " + killed + " now: "
                    + ProcessHandle.of(killed).map(h -> h.isAlive() + " " + h.info()).orElse("gone")
                    + "; file start " + files.get(2).startMillis());
            try (Stream<Path> all = Files.list(targets)) {
                assertEquals(List.of(), all.collect(Collectors.toList()), "nothing left, no temporary file either");
            }

            prometheus.awaitQuery("up{job=\"af-metrics\"}", JsonNode::isEmpty, Duration.ofSeconds(120));
        }
    }

    private static List<TargetFile> awaitFiles(Path dir, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Path> files = list(dir);
        while (files.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            files = list(dir);
        }
        assertEquals(n, files.size(), "target files: " + files);
        List<TargetFile> out = new ArrayList<>();
        for (Path f : files) {
            out.add(TargetFile.read(f));
        }
        return out;
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            // a hidden file is a target file being written, not yet renamed into place
            List<Path> files = s.filter(f -> !f.getFileName().toString().startsWith(".")).collect(Collectors.toList());
            files.sort(null);
            return files;
        }
    }
}
