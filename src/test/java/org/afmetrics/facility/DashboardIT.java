package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.ScrapedWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The checked-in dashboard is what {@code dashboard} prints, and every query of every panel,
 * with its variables filled in as Grafana fills them, returns data from a real Prometheus that
 * discovered and scraped real JVMs with the agent. The JVMs come from the
 * {@link ScrapedWorkload}s listed in the test resources; panels on cell metrics are checked as
 * soon as one of them exports {@code jupyter_cell_*}, and skipped, saying why, until then.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {
    static final Path CHECKED_IN = Paths.get("agent", "grafana", "af-metrics-dashboard.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)$");
    /** Grafana's built-in interval variables, as Grafana would fill them for a short time range. */
    private static final Map<String, String> BUILT_IN = Map.of("$__rate_interval", "1m", "$__range", "1h",
            "$__interval", "15s");

    private Path tmp;
    private PrometheusServer prometheus;
    private final List<ScrapedWorkload> workloads = new ArrayList<>();
    private JsonNode dashboard;
    private final Map<String, String> variables = new LinkedHashMap<>();
    private boolean cellMetrics;

    @BeforeAll
    void scrapeRealJvms() throws Exception {
        tmp = Files.createTempDirectory("afm-dashboard");
        dashboard = new ObjectMapper().readTree(AgentCli.ok(Map.of(), "dashboard"));
        Path targets = Files.createDirectories(tmp.resolve("targets"));
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, AgentCli.ok(Map.of(), "prometheus-config", "--targets-dir", targets.toString(),
                "--scrape-interval", "1s", "--rules-file", Paths.get("agent/prometheus/rules.yml").toAbsolutePath().toString()));
        prometheus = PrometheusServer.startWithConfig(config, tmp);
        for (ScrapedWorkload w : ServiceLoader.load(ScrapedWorkload.class)) {
            workloads.add(w);
            w.start(targets, Files.createDirectories(tmp.resolve("workload-" + workloads.size())));
        }
        assertFalse(workloads.isEmpty(), "no ScrapedWorkload listed in META-INF/services");
        // enough scrapes of every target for rates over a minute
        prometheus.awaitQuery("min(count_over_time(up{job=\"af-metrics\"}[1m])) >= 5 and count(up{job=\"af-metrics\"} == 1) > 1",
                r -> r.size() == 1, Duration.ofSeconds(90));
        if (workloads.stream().anyMatch(ScrapedWorkload::runsCells)) {
            // a kernel's exporter starts after the kernel's first reply, so its target may come
            // last: wait for its cells (and their rates) rather than skip the cell panels
            prometheus.awaitQuery("min(count_over_time(jupyter_cell_executions_total{job=\"af-metrics\"}[1m])) >= 5",
                    r -> r.size() == 1, Duration.ofSeconds(90));
        }
        cellMetrics = !prometheus.query("count(jupyter_cell_executions_total)").isEmpty();
        fillVariables();
    }

    /** Fills every variable as Grafana does: textboxes with their value, multi-value ones with All. */
    private void fillVariables() throws Exception {
        for (JsonNode v : dashboard.path("templating").path("list")) {
            String name = v.path("name").asText();
            switch (v.path("type").asText()) {
                case "datasource":
                    break;
                case "textbox":
                    variables.put(name, v.path("query").asText());
                    break;
                case "query":
                    List<String> values = variableValues(v.path("query").asText());
                    // one Prometheus scraping the kernels itself adds no node label (node agents do): Grafana
                    // then offers All alone, and every query below must still find its data with it
                    if (!(name.equals("node") && values.isEmpty())) {
                        assertFalse(values.isEmpty(), "variable " + name + " lists nothing: " + v.path("query").asText());
                    }
                    variables.put(name, v.path("includeAll").asBoolean() ? v.path("allValue").asText() : values.get(0));
                    break;
                default:
                    throw new AssertionError("unexpected variable type " + v);
            }
        }
    }

    private List<String> variableValues(String query) throws Exception {
        Matcher m = LABEL_VALUES.matcher(substitute(query));
        assertTrue(m.matches(), "not a label_values query: " + query);
        return prometheus.seriesLabelValues(m.group(1), m.group(2));
    }

    private String substitute(String expr) {
        String out = expr;
        for (Map.Entry<String, String> e : BUILT_IN.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : variables.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue()).replace("$" + e.getKey(), e.getValue());
        }
        return out;
    }

    @AfterAll
    void stop() throws Exception {
        for (ScrapedWorkload w : workloads) {
            w.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void theCheckedInDashboardIsWhatTheCommandPrints() throws Exception {
        assertEquals(AgentCli.ok(Map.of(), "dashboard"), Files.readString(CHECKED_IN),
                "agent/grafana/af-metrics-dashboard.json is stale: java -jar target/af-metrics-agent.jar dashboard > it");
    }

    @TestFactory
    Stream<DynamicTest> everyPanelQueryReturnsData() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                String name = panel.path("title").asText() + " [" + target.path("refId").asText() + "]";
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    if (expr.contains("jupyter_")) {
                        assumeTrue(cellMetrics, "skipped: no scraped JVM exports jupyter_cell_* metrics yet (workloads: "
                                + describeWorkloads() + "); a kernel workload listed in META-INF/services makes this panel checked");
                    }
                    String filled = substitute(expr);
                    assertFalse(filled.contains("$"), "an unfilled variable in " + filled);
                    JsonNode result = prometheus.awaitQuery(filled, r -> r.size() > 0, Duration.ofSeconds(30));
                    assertTrue(result.size() > 0);
                }));
            }
        }
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            if (!annotation.has("expr")) {
                continue;
            }
            String expr = annotation.path("expr").asText();
            tests.add(DynamicTest.dynamicTest("annotation " + annotation.path("name").asText(), () -> {
                String filled = substitute(expr);
                assertFalse(filled.contains("$"), "an unfilled variable in " + filled);
                assertTrue(prometheus.awaitQuery(filled, r -> r.size() > 0, Duration.ofSeconds(30)).size() > 0);
            }));
        }
        return tests.stream();
    }

    /** The recording rules, evaluated by the same Prometheus on the same real data, produce series too. */
    @TestFactory
    @SuppressWarnings("unchecked")
    Stream<DynamicTest> everyRecordingRuleHasData() throws Exception {
        Map<String, Object> rules = new org.yaml.snakeyaml.Yaml().load(Files.readString(Paths.get("agent/prometheus/rules.yml")));
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String record = (String) rule.get("record");
                if (record == null) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(record, () -> {
                    if (record.contains("jupyter_")) {
                        assumeTrue(cellMetrics, "skipped: no scraped JVM exports jupyter_cell_* metrics yet (workloads: "
                                + describeWorkloads() + ")");
                    }
                    prometheus.awaitQuery(record, r -> r.size() > 0, Duration.ofSeconds(30));
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The session panels show a notebook's JVMs apart (one series per role) and together (one per
     * session), and the session rules do the same: carol's JVM, started by a kernel, is there as
     * {@code jvm="child"} under its kernel's session.
     */
    @Test
    void aSessionsChildJvmsShowApartAndTogether() throws Exception {
        String session = org.afmetrics.testing.AgentJvmWorkload.CHILD_SESSION;
        List<String> apart = new ArrayList<>();
        List<String> together = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("title").asText().equals("CPU per session") || panel.path("title").asText().equals("Heap used")) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = substitute(target.path("expr").asText());
                    (expr.contains("(user, session, jvm)") ? apart : together).add(expr);
                }
            }
        }
        assertEquals(2, apart.size(), "one by-role query in each of CPU and heap: " + apart);
        assertEquals(2, together.size(), "one whole-session query in each of CPU and heap: " + together);
        for (String expr : apart) {
            JsonNode r = prometheus.awaitQuery(expr, rows -> hasSeries(rows, session, "child"), Duration.ofSeconds(30));
            assertTrue(hasSeries(r, session, "child"), expr + " -> " + r);
        }
        for (String expr : together) {
            JsonNode r = prometheus.awaitQuery(expr, rows -> hasSeries(rows, session, null), Duration.ofSeconds(30));
            assertTrue(hasSeries(r, session, null), expr + " -> " + r);
        }
        for (String record : List.of("session_jvm:process_cpu_seconds:rate5m", "session_jvm:jvm_memory_heap_used_bytes:sum",
                "session_jvm:afmetrics_jvms:count")) {
            JsonNode r = prometheus.awaitQuery(record, rows -> hasSeries(rows, session, "child"), Duration.ofSeconds(30));
            assertTrue(hasSeries(r, session, "child"), record + " -> " + r);
        }
        for (String record : List.of("session:process_cpu_seconds:rate5m", "session:jvm_memory_heap_used_bytes:sum")) {
            JsonNode r = prometheus.awaitQuery(record, rows -> hasSeries(rows, session, null), Duration.ofSeconds(30));
            assertTrue(hasSeries(r, session, null), record + " -> " + r);
        }
    }

    /** A row of the session with carol's user, by the given role, or (null) with no role label at all. */
    private static boolean hasSeries(JsonNode rows, String session, String jvm) {
        for (JsonNode row : rows) {
            JsonNode m = row.path("metric");
            if (m.path("session").asText().equals(session) && m.path("user").asText().equals("carol")
                    && (jvm == null ? !m.has("jvm") : m.path("jvm").asText().equals(jvm))) {
                return true;
            }
        }
        return false;
    }

    private String describeWorkloads() {
        List<String> out = new ArrayList<>();
        workloads.forEach(w -> out.add(w.describe()));
        return String.join("; ", out);
    }
}
