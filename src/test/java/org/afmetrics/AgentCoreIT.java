package org.afmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real JVM with {@code -javaagent:af-metrics-agent.jar}, scraped over HTTP. */
class AgentCoreIT {
    static final Duration START = Duration.ofSeconds(30);
    static final String COFFEA = "{\"bytesread\": 2727541868, \"columns\": [\"Jet_eta\",\"nJet\",\"Jet_pt\"],"
            + " \"entries\": 53446198, \"processtime\": 1071.2078902721405, \"chunks\": 534}";

    @TempDir
    Path dir;

    private ChildJvm sleeper(String agentArgs) {
        return ChildJvm.main(SleepMain.class, "60000").agent(agentArgs).workDir(dir);
    }

    @Test
    void everySampleCarriesUserAndSessionAndTheExpositionIsValid() throws Exception {
        Files.writeString(dir.resolve("af-metrics.json"), COFFEA);
        try (ChildJvm.Running jvm = sleeper("port=0").env("JUPYTERHUB_USER", "alice")
                .env("JPY_SESSION_NAME", "analysis/ttbar.ipynb").start()) {
            String url = jvm.awaitExporterUrl(START);
            Exposition e = Http.scrape(url);
            assertFalse(e.named("jvm_memory_bytes_used").isEmpty(), "hotspot metrics present");
            assertFalse(e.named("process_cpu_seconds_total").isEmpty(), "process metrics present");
            assertEquals(5.3446198E7, e.find("notebook_entries").value);
            String pid = Long.toString(jvm.pid());
            for (Exposition.Sample s : e.samples()) {
                assertEquals("alice", s.labels.get("user"), s.line);
                assertEquals(pid, s.labels.get("session"), s.line);
                assertEquals("analysis/ttbar.ipynb", s.labels.get("notebook"), s.line);
            }
            Exposition.Sample info = e.find("afmetrics_agent_info");
            assertNotNull(info);
            assertEquals(System.getProperty("java.version"), info.labels.get("java_version"));
            Promtool.Result lint = Promtool.checkMetrics(e.text());
            assertEquals(0, lint.exitCode, lint.toString());
        }
    }

    @Test
    void jsonFileIsReadAgainWhenItChangesAndGarbageKeepsTheLastGoodValues() throws Exception {
        try (ChildJvm.Running jvm = sleeper("port=0").start()) {
            String url = jvm.awaitExporterUrl(START);
            assertTrue(Http.scrape(url).named("notebook_entries").isEmpty());

            writeAtomically(dir.resolve("af-metrics.json"), COFFEA);
            Exposition e = Http.scrape(url);
            assertEquals(5.3446198E7, e.find("notebook_entries").value);
            assertEquals(2.727541868E9, e.find("notebook_bytesread").value);
            assertEquals(1, e.find("afmetrics_json_skipped_fields", "source", dir.resolve("af-metrics.json").toString()).value, "columns is skipped and counted");

            Files.writeString(dir.resolve("af-metrics.json"), "{\"entries\": 12, \"bytesread\": 27");
            e = Http.scrape(url);
            assertEquals(5.3446198E7, e.find("notebook_entries").value, "last good value kept");
            Exposition.Sample errors = e.find("afmetrics_json_errors_total", "reason", "truncated");
            assertNotNull(errors, e.text());
            assertEquals(1, errors.value);
            assertEquals(1, Http.scrape(url).find("afmetrics_json_errors_total", "reason", "truncated").value,
                    "the same broken file is counted once, not at every scrape");

            Files.write(dir.resolve("af-metrics.json"), new byte[] {'x', 0, (byte) 0xff, '{', 17});
            e = Http.scrape(url);
            assertEquals(5.3446198E7, e.find("notebook_entries").value, "last good value kept");
            assertEquals(1, e.find("afmetrics_json_errors_total", "reason", "malformed").value);

            writeAtomically(dir.resolve("af-metrics.json"), "{\"entries\": 12}");
            assertEquals(12, Http.scrape(url).find("notebook_entries").value);
        }
    }

    @Test
    void sessionIsTheKernelIdOfTheConnectionFile() throws Exception {
        Path connection = dir.resolve("kernel-3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f.json");
        try (ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "60000", "0", connection.toString())
                .agent("port=0,labels=site=unl;team=cms").workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(START);
            Exposition.Sample info = Http.scrape(url).find("afmetrics_agent_info");
            assertEquals("3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f", info.labels.get("session"));
            assertEquals("unl", info.labels.get("site"));
            assertEquals("cms", info.labels.get("team"));
            assertEquals(System.getProperty("user.name"), info.labels.get("user"));
        }
    }

    @Test
    void busyPortMovesToTheNextAndTheHostRunsAsWithoutTheAgent() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int busy = held.getLocalPort();
            ChildJvm.Running bare = ChildJvm.main(SleepMain.class, "1500", "3").workDir(dir).run(START);
            ChildJvm.Running with = ChildJvm.main(SleepMain.class, "1500", "3").workDir(dir)
                    .agent("port=" + busy + "-" + (busy + 20)).start();
            String url = with.awaitExporterUrl(START);
            int port = URI.create(url).getPort();
            assertTrue(port > busy && port <= busy + 20, url);
            assertEquals(3, with.awaitExit(START));
            assertEquals(bare.stdout(), with.stdout());
            assertEquals(bare.exitCode(), with.exitCode());
        }
    }

    @Test
    void noFreePortIsOneClearLineAndTheHostRunsOn() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ChildJvm.Running with = ChildJvm.main(org.afmetrics.testing.apps.ScriptedHostMain.class).workDir(dir)
                     .agent("port=" + held.getLocalPort()).start()) {
            // the host waits for its script, so the exporter has all the time it needs to give up and say so
            with.awaitStderr(java.util.regex.Pattern.compile("\\[af-metrics\\] "), START);
            org.afmetrics.testing.HostDriver.send(with, "return");
            assertEquals(0, with.awaitExit(START));
            assertEquals("host main started\nhost main done\nhost shutdown hook ran", with.stdout());
            List<String> ours = with.stderrLines().stream().filter(l -> l.startsWith("[af-metrics]"))
                    .collect(Collectors.toList());
            assertEquals(1, ours.size(), "one line: " + ours);
            assertTrue(ours.get(0).contains("no free port in " + held.getLocalPort()), ours.get(0));
            assertEquals(ours, with.stderrLines(), "and nothing else on stderr");
        }
    }

    @Test
    void mainThatReturnsEndsTheJvm() throws Exception {
        ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "1500").workDir(dir).agent("port=0").start();
        jvm.awaitExporterUrl(START);
        assertEquals(0, jvm.awaitExit(START), "no non-daemon thread keeps the JVM alive");
    }

    @Test
    void pushedMetricsAppearAndABadBodyIsRefusedWithoutLosingThem() throws Exception {
        try (ChildJvm.Running jvm = sleeper("port=0").start()) {
            String url = jvm.awaitExporterUrl(START);
            String push = url.replace("/metrics", "/notebook-metrics");
            HttpResponse<String> ok = Http.post(push, "application/json",
                    "{\"metrics\":[{\"name\":\"events_processed_total\",\"type\":\"counter\",\"help\":\"Events "
                            + "processed\",\"labels\":{\"dataset\":\"SingleMu\"},\"value\":53446198}]}");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().contains("\"series\":1"), ok.body());
            Exposition e = Http.scrape(url);
            assertEquals(53446198, e.find("notebook_events_processed_total", "dataset", "SingleMu").value);
            assertTrue(e.text().contains("# TYPE notebook_events_processed_total counter"), e.text());

            HttpResponse<String> bad = Http.post(push, "application/json", "{\"metrics\": [");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("truncated"), bad.body());
            assertEquals(415, Http.post(push, "application/x-www-form-urlencoded", "a=b").statusCode());
            assertEquals(405, Http.get(push).statusCode());
            e = Http.scrape(url);
            assertEquals(53446198, e.find("notebook_events_processed_total", "dataset", "SingleMu").value);
            assertEquals(1, e.find("afmetrics_json_errors_total", "source", "push", "reason", "truncated").value);
        }
    }

    @Test
    void aUnitGivenInTheTypedFormReachesOpenMetricsScrapes() throws Exception {
        try (ChildJvm.Running jvm = sleeper("port=0").start()) {
            String url = jvm.awaitExporterUrl(START);
            HttpResponse<String> ok = Http.post(url.replace("/metrics", "/notebook-metrics"), "application/json",
                    "{\"metrics\":[{\"name\":\"processtime\",\"unit\":\"seconds\",\"value\":1071.2},"
                            + "{\"name\":\"read_total\",\"type\":\"counter\",\"unit\":\"bytes\",\"value\":2727541868}]}");
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> om = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").build());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    om.headers().toString());
            assertTrue(om.body().contains("# UNIT notebook_processtime_seconds seconds\n"), om.body());
            assertTrue(om.body().contains("# UNIT notebook_read_bytes bytes\n"), om.body());
            assertTrue(om.body().contains("notebook_read_bytes_total{"), om.body());
            assertEquals(1071.2, Http.scrape(url).find("notebook_processtime_seconds").value, "plain text: same name");
        }
    }

    @Test
    void prometheusScrapesTheAgentWithUserAndSession() throws Exception {
        Files.writeString(dir.resolve("af-metrics.json"), COFFEA);
        try (ChildJvm.Running jvm = sleeper("port=0").env("JUPYTERHUB_USER", "bob").start()) {
            URI url = URI.create(jvm.awaitExporterUrl(START));
            try (PrometheusServer prometheus = PrometheusServer.scraping(url.getHost() + ":" + url.getPort())) {
                JsonNode result = prometheus.awaitQuery("notebook_entries", r -> r.size() == 1, START);
                JsonNode metric = result.get(0).path("metric");
                assertEquals("bob", metric.path("user").asText());
                assertEquals(Long.toString(jvm.pid()), metric.path("session").asText());
                assertEquals(5.3446198E7, PrometheusServer.value(result.get(0)));
                JsonNode heap = prometheus.awaitQuery("jvm_memory_bytes_used{area=\"heap\",user=\"bob\"}",
                        r -> r.size() == 1, START);
                assertTrue(PrometheusServer.value(heap.get(0)) > 0);
            }
        }
    }

    @Test
    void aHostWithItsOwnOlderJacksonKeepsUsingIt() throws Exception {
        Path oldJackson = Path.of(System.getProperty("afmetrics.old.jackson.dir", "target/old-jackson"));
        String cp = Files.list(oldJackson).map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
        Files.writeString(dir.resolve("af-metrics.json"), COFFEA);
        ChildJvm jvm = ChildJvm.main(org.afmetrics.testing.apps.JacksonHostMain.class).classpath(cp).workDir(dir);
        ChildJvm.Running bare = jvm.run(START);
        ChildJvm.Running with = jvm.agent("port=0").start();
        String url = with.awaitExporterUrl(START);
        assertEquals(5.3446198E7, Http.scrape(url).find("notebook_entries").value, "the agent's own Jackson parsed");
        assertEquals(0, with.awaitExit(START), with.stderr());
        assertEquals(bare.stdout(), with.stdout());
        assertTrue(with.stdout().contains("jackson 2.12."), with.stdout());
        assertTrue(with.stdout().contains("{\"dataset\":\"SingleMu\",\"events\":42}"), with.stdout());
    }

    static void writeAtomically(Path target, String content) throws Exception {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
