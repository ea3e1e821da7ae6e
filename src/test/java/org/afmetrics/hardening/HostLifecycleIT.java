package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.apps.JulHostMain;
import org.afmetrics.testing.apps.LogbackHostMain;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's own logging, exits and signals, with the agent attached and without it. */
class HostLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Starts the host, with the agent (scraped once) or without, then lets it go on. */
    private ChildJvm.Running hostReady(ChildJvm child, boolean agent) throws Exception {
        ChildJvm.Running jvm = (agent ? child.agent("port=0") : child).start();
        if (agent) {
            Http.scrape(jvm.awaitExporterUrl(WAIT));
        }
        HostDriver.send(jvm, "go");
        return jvm;
    }

    @Test
    void julConfiguredLateByTheHostKeepsItsFormatAndLevel() throws Exception {
        Path config = dir.resolve("logging.properties");
        Files.writeString(config, "handlers=java.util.logging.ConsoleHandler\n.level=FINE\n"
                + "java.util.logging.ConsoleHandler.level=FINE\n"
                + "java.util.logging.SimpleFormatter.format=JUL|%4$s|%3$s|%5$s%n\n");
        List<List<String>> stderr = new ArrayList<>();
        for (boolean agent : new boolean[] {false, true}) {
            try (ChildJvm.Running jvm = hostReady(ChildJvm.main(JulHostMain.class, config.toString()).workDir(dir),
                    agent)) {
                assertEquals(0, jvm.awaitExit(WAIT));
                assertEquals("host main started\nhost main done", jvm.stdout());
                stderr.add(HostDriver.hostStderr(jvm));
                assertEquals(agent ? 1 : 0, HostDriver.agentLines(jvm).size(), jvm.stderr());
            }
        }
        assertEquals(List.of("JUL|FINE|host.app|fine from the host", "JUL|INFO|host.app|info from the host",
                "JUL|WARNING|host.app|warning from the host"), stderr.get(0), "the host's configuration took effect");
        assertEquals(stderr.get(0), stderr.get(1), "the same with the agent");
    }

    @Test
    void logbackKeepsItsFormatAndLevel() throws Exception {
        Path config = dir.resolve("logback.xml");
        Files.writeString(config, "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>LB|%level|%logger|%msg%n</pattern></encoder></appender>"
                + "<root level=\"DEBUG\"><appender-ref ref=\"OUT\"/></root></configuration>");
        Path jars = Paths.get(System.getProperty("afmetrics.logback.dir", "target/logback"));
        List<String> classpath;
        try (Stream<Path> s = Files.list(jars)) {
            classpath = s.map(Path::toString).sorted().collect(Collectors.toList());
        }
        List<String> stdout = new ArrayList<>();
        for (boolean agent : new boolean[] {false, true}) {
            ChildJvm child = ChildJvm.main(LogbackHostMain.class).workDir(dir)
                    .jvmOption("-Dlogback.configurationFile=" + config);
            classpath.forEach(child::classpath);
            try (ChildJvm.Running jvm = hostReady(child, agent)) {
                assertEquals(0, jvm.awaitExit(WAIT));
                stdout.add(jvm.stdout());
                assertEquals(List.of(), HostDriver.hostStderr(jvm));
            }
        }
        assertEquals("host main started\nLB|DEBUG|host.app|debug from the host\nLB|INFO|host.app|info from the host\n"
                + "LB|WARN|host.app|warn from the host\nhost main done", stdout.get(0));
        assertEquals(stdout.get(0), stdout.get(1));
    }

    @Test
    void systemExitWhileScrapesAreInFlight() throws Exception {
        StringBuilder big = new StringBuilder("{");
        for (int i = 0; i < 15_000; i++) {
            big.append(i == 0 ? "" : ",").append("\"series_").append(i).append("\":").append(i);
        }
        Files.writeString(dir.resolve("af-metrics.json"), big.append('}'));
        for (Path jdk : jdks()) {
            ChildJvm.Running baseline = ChildJvm.main(ScriptedHostMain.class).javaHome(jdk).start();
            try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).javaHome(jdk).agent("port=0")
                    .workDir(dir).start()) {
                String url = jvm.awaitExporterUrl(WAIT);
                HttpClient client = HttpClient.newHttpClient();
                List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Files.setLastModifiedTime(dir.resolve("af-metrics.json"),
                            java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - i * 1000L));
                    scrapes.add(client.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                HostDriver.send(jvm, "exit 4");
                HostDriver.send(baseline, "exit 4");
                assertEquals(4, jvm.awaitExit(WAIT), jdk.toString());
                assertEquals(4, baseline.awaitExit(WAIT));
                assertEquals(baseline.stdout(), jvm.stdout());
                assertEquals(HostDriver.hostStderr(baseline), HostDriver.hostStderr(jvm), "no trace of the agent");
                assertEquals(List.of(), HostDriver.agentComplaints(jvm));
                for (CompletableFuture<HttpResponse<String>> f : scrapes) {
                    f.handle((r, e) -> null).join(); // answered or cut: either is fine, nothing may hang
                }
            }
        }
    }

    @Test
    void sigtermRunsTheHostsHooksAndExitsAsWithoutTheAgent() throws Exception {
        for (Path jdk : jdks()) {
            List<String> outputs = new ArrayList<>();
            List<Integer> codes = new ArrayList<>();
            for (boolean agent : new boolean[] {false, true}) {
                ChildJvm child = ChildJvm.main(ScriptedHostMain.class).javaHome(jdk).workDir(dir);
                try (ChildJvm.Running jvm = (agent ? child.agent("port=0") : child).start()) {
                    if (agent) {
                        Http.scrape(jvm.awaitExporterUrl(WAIT));
                    } else {
                        jvm.awaitStdout("host main started", WAIT);
                    }
                    // SIGTERM through the process handle: Process.destroy() would also close the pipes,
                    // and the host would see the end of its input and return from main on its own
                    assertTrue(jvm.process().toHandle().destroy());
                    codes.add(jvm.awaitExit(WAIT));
                    outputs.add(jvm.stdout());
                    assertEquals(List.of(), HostDriver.agentComplaints(jvm));
                }
            }
            assertEquals(143, codes.get(0));
            assertEquals(codes.get(0), codes.get(1), jdk.toString());
            assertEquals("host main started\nhost shutdown hook ran", outputs.get(0));
            assertEquals(outputs.get(0), outputs.get(1));
        }
    }

    @Test
    void theAgentHasNoNonDaemonThreadAfterServing() throws Exception {
        for (Path jdk : jdks()) {
            try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).javaHome(jdk).agent("port=0")
                    .workDir(dir).start()) {
                String url = jvm.awaitExporterUrl(WAIT);
                Http.scrape(url);
                Http.post(url.replace("/metrics", "/notebook-metrics"), "application/json", "{\"a\":1}");
                HostDriver.send(jvm, "threads");
                HostDriver.send(jvm, "return");
                assertEquals(0, jvm.awaitExit(WAIT));
                assertTrue(jvm.stdout().contains("non-daemon threads: []"), jdk + ": " + jvm.stdout());
            }
        }
    }

    static List<Path> jdks() {
        List<Path> out = new ArrayList<>();
        out.add(Jdks.current());
        if (Jdks.temurin25() != null) {
            out.add(Jdks.temurin25());
        }
        return out;
    }
}
