package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A facility of two nodes: on each, Debian's Prometheus in agent mode running the configuration
 * {@code prometheus-config --mode node} made, finding the node's two agent JVMs through their
 * target files and forwarding by remote_write to one central Prometheus running the
 * {@code --mode central} configuration and the rules. The centre sees the four kernels with their
 * node, user and session; the rules have data; and when the centre is stopped for 20 s and started
 * again on the same port and data, the agents' write-ahead logs deliver what was scraped in between:
 * the raw samples of the outage are all there.
 */
class NodeAgentsIT {
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    /** The interval the configurations are made with; a gap in the samples is a multiple of it. */
    private static final double INTERVAL_SECONDS = 1;

    @TempDir
    Path tmp;

    @Test
    void centreSeesEveryKernelOfEveryNodeAndLosesNothingWhileItIsDown() throws Exception {
        Path rules = Paths.get("agent/prometheus/rules.yml").toAbsolutePath();
        Path centreDir = Files.createDirectories(tmp.resolve("centre"));
        Path centreConfig = centreDir.resolve("prometheus.yml");
        Files.writeString(centreConfig, AgentCli.ok(Map.of(), "prometheus-config", "--mode", "central",
                "--scrape-interval", "1s", "--rules-file", rules.toString()));
        assertValid(centreConfig, false);
        int centrePort = FreePort.find();
        String writeUrl = "http://127.0.0.1:" + centrePort + "/api/v1/write";

        Map<String, List<String>> usersByNode = new TreeMap<>(Map.of(
                "node-a", List.of("alice", "bob"), "node-b", List.of("alice", "carol")));
        List<AutoCloseable> running = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        try (PrometheusServer centre = PrometheusServer.central(centreConfig, centreDir, centrePort)) {
            List<PrometheusServer> agents = new ArrayList<>();
            for (Map.Entry<String, List<String>> node : usersByNode.entrySet()) {
                Path dir = Files.createDirectories(tmp.resolve(node.getKey()));
                Path targets = Files.createDirectories(dir.resolve("targets"));
                Path config = dir.resolve("agent.yml");
                Files.writeString(config, AgentCli.ok(Map.of(), "prometheus-config", "--mode", "node",
                        "--targets-dir", targets.toString(), "--node", node.getKey(), "--scrape-interval", "1s",
                        "--remote-write", writeUrl));
                assertValid(config, true);
                PrometheusServer agent = PrometheusServer.agent(config, dir);
                running.add(agent);
                agents.add(agent);
                for (String user : node.getValue()) {
                    ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "600000")
                            .agent("port=0,targets-dir=" + targets + ",user=" + user)
                            .jvmOption("-Xmx64m").start();
                    running.add(jvm);
                    jvm.awaitExporterUrl(Duration.ofSeconds(60));
                    expected.add(node.getKey() + " " + user + " " + jvm.pid());
                }
            }

            JsonNode kernels = centre.awaitQuery("afmetrics_agent_info{job=\"af-metrics\"}", r -> r.size() == 4,
                    Duration.ofSeconds(60));
            Set<String> seen = new TreeSet<>();
            for (JsonNode k : kernels) {
                JsonNode m = k.path("metric");
                seen.add(m.path("node").asText() + " " + m.path("user").asText() + " " + m.path("session").asText());
            }
            assertEquals(expected, seen, "node (external label of the agent), user and session of each kernel");

            centre.awaitValue("facility:afmetrics_kernels:sum", 4, Duration.ofSeconds(30));
            centre.awaitValue("facility:afmetrics_users:count", 3, Duration.ofSeconds(30));
            centre.awaitValue("user:afmetrics_kernels:count{user=\"alice\"}", 2, Duration.ofSeconds(30));
            centre.awaitQuery("user:jvm_memory_heap_used_bytes:sum > 0", r -> r.size() == 3, Duration.ofSeconds(30));

            dashboardFiltersByNode(centre, usersByNode);

            centre.stop();
            double down = now();
            Thread.sleep(OUTAGE.toMillis());
            double up = now();
            centre.start();

            // the window: from before the stop to after the start; every kernel's up series must
            // have a sample every interval in it, the outage included
            double from = down - 3;
            double to = up + 3;
            String window = "up{job=\"af-metrics\"}[" + (long) Math.ceil(to - from) + "s]";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String gaps;
            do {
                Thread.sleep(500);
                gaps = gaps(centre.queryAt(window, to), 4, from, to);
            } while (!gaps.isEmpty() && System.nanoTime() < deadline);
            assertEquals("", gaps, "samples of the outage (" + fmt(down) + " to " + fmt(up) + ") missing at the centre");
            // the kernels' own series too (without the agents' logs there would be none): a scrape that
            // timed out on a busy machine leaves up=0 and no sample, hence the slack
            JsonNode info = centre.queryAt("afmetrics_agent_info[" + (long) (up - down) + "s]", up);
            assertEquals(4, info.size(), info.toString());
            for (JsonNode s : info) {
                assertTrue(s.path("values").size() >= OUTAGE.getSeconds() / 2, "samples of the outage: " + s);
            }
            centre.awaitValue("facility:afmetrics_kernels:sum", 4, Duration.ofSeconds(30));

            for (PrometheusServer agent : agents) {
                Exposition self = agent.selfMetrics();
                assertTrue(sum(self, "prometheus_remote_storage_samples_retried_total")
                                + sum(self, "prometheus_remote_storage_samples_failed_total") > 0,
                        "the agent felt the outage: " + agent.log());
                assertEquals(0, sum(self, "prometheus_remote_storage_samples_dropped_total"), "nothing dropped");
            }
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    /**
     * The dashboard's node variable lists both nodes, and its "Kernels per user" panel, with one node
     * chosen and All users, shows that node's users alone.
     */
    private static void dashboardFiltersByNode(PrometheusServer centre, Map<String, List<String>> usersByNode)
            throws Exception {
        JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Dashboard.render());
        String nodeQuery = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals("node")) {
                nodeQuery = v.path("query").asText();
            }
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("label_values\\((.*), node\\)").matcher(
                String.valueOf(nodeQuery).replace("$job", PrometheusAssets.JOB));
        assertTrue(m.matches(), "node variable: " + nodeQuery);
        assertEquals(List.copyOf(usersByNode.keySet()), centre.seriesLabelValues(m.group(1), "node"));
        String expr = null;
        for (JsonNode p : dashboard.path("panels")) {
            if (p.path("title").asText().equals("Kernels per user")) {
                expr = p.path("targets").get(0).path("expr").asText();
            }
        }
        assertTrue(expr != null && expr.contains("$node"), "Kernels per user: " + expr);
        for (Map.Entry<String, List<String>> node : usersByNode.entrySet()) {
            String filled = expr.replace("$job", PrometheusAssets.JOB).replace("$node", node.getKey())
                    .replace("$user", ".*");
            JsonNode r = centre.query(filled);
            assertEquals(new TreeSet<>(node.getValue()), new TreeSet<>(PrometheusServer.labelValues(r, "user")), filled);
        }
    }

    /**
     * What is missing from a range of raw samples: series short of the expected count, and gaps
     * longer than three intervals inside [from, to] (a scrape loop on a busy machine may skip a tick;
     * an outage not made up for leaves a gap of its whole length). Empty when nothing is missing.
     */
    private static String gaps(JsonNode matrix, int series, double from, double to) {
        StringBuilder missing = new StringBuilder();
        if (matrix.size() != series) {
            missing.append(matrix.size()).append(" series, not ").append(series).append("; ");
        }
        for (JsonNode s : matrix) {
            double last = from;
            for (JsonNode v : s.path("values")) {
                double t = v.get(0).asDouble();
                if (t - last > 3 * INTERVAL_SECONDS) {
                    missing.append(s.path("metric").path("instance").asText()).append(": nothing from ")
                            .append(fmt(last)).append(" to ").append(fmt(t)).append("; ");
                }
                last = t;
            }
            if (to - last > 3 * INTERVAL_SECONDS + 3) {
                missing.append(s.path("metric").path("instance").asText()).append(": nothing after ")
                        .append(fmt(last)).append("; ");
            }
        }
        return missing.toString();
    }

    private static void assertValid(Path config, boolean agentMode) throws Exception {
        Promtool.Result r = agentMode
                ? Promtool.run(config.getParent(), "check", "config", "--agent", config.toString())
                : Promtool.run(config.getParent(), "check", "config", config.toString());
        assertEquals(0, r.exitCode, r.toString());
    }

    private static double sum(Exposition e, String name) {
        return e.named(name).stream().mapToDouble(s -> s.value).sum();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static String fmt(double t) {
        return String.format(java.util.Locale.ROOT, "%.1f", t);
    }
}
