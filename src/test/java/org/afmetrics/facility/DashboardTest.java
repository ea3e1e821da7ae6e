package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboard's shape: importable anywhere, filtered by user and session, no two panels on one spot. */
class DashboardTest {
    private final JsonNode d;

    DashboardTest() throws Exception {
        d = new ObjectMapper().readTree(Dashboard.render());
    }

    @Test
    void theCheckedInFileIsTheGeneratorsOutput() throws Exception {
        assertEquals(Dashboard.render(), Files.readString(Paths.get("agent/grafana/af-metrics-dashboard.json")),
                "agent/grafana/af-metrics-dashboard.json is stale: java -jar target/af-metrics-agent.jar dashboard > it");
    }

    @Test
    void theDataSourceIsAVariableAndEveryQueryUsesIt() {
        List<String> vars = new ArrayList<>();
        for (JsonNode v : d.path("templating").path("list")) {
            vars.add(v.path("name").asText());
        }
        assertEquals(List.of("datasource", "job", "node", "user", "session", "jvm", "metric"), vars);
        assertEquals("datasource", d.path("templating").path("list").get(0).path("type").asText());
        for (JsonNode p : d.path("panels")) {
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.path("title").asText());
            assertTrue(p.path("targets").size() > 0, p.path("title").asText());
            for (JsonNode t : p.path("targets")) {
                assertEquals("${datasource}", t.path("datasource").path("uid").asText());
                String expr = t.path("expr").asText();
                assertTrue(expr.contains("job=\"$job\""), "every query reads the kernels' job: " + expr);
                assertTrue(expr.contains("node=~\"$node\""), "every query follows the node filter: " + expr);
                if (!expr.startsWith("up{")) {
                    assertTrue(expr.contains("user=~\"$user\""), "every query follows the user filter: " + expr);
                }
                if (expr.contains("session=~\"$session\"")) {
                    assertTrue(expr.contains("jvm=~\"$jvm\""), "a session's query follows the JVM role filter: " + expr);
                }
            }
        }
    }

    @Test
    void thePanelsTheFacilityAskedForAreThere() {
        Set<String> titles = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            titles.add(p.path("title").asText());
        }
        for (String t : new String[] {"Kernels per user", "Busy kernels", "Cells per minute", "Cell duration p50 / p95",
                "Cell error ratio", "Idle time per kernel", "JVMs per session", "CPU per session", "Heap used", "GC time", "Threads", "Notebook metric: $metric",
                "Exporters up", "Notebook JSON errors"}) {
            assertTrue(titles.contains(t), "missing panel " + t);
        }
    }

    @Test
    void panelsHaveUniqueIdsAndDoNotOverlap() {
        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "duplicate id " + p.path("id"));
            JsonNode g = p.path("gridPos");
            assertTrue(g.path("x").asInt() + g.path("w").asInt() <= 24, p.toString());
            for (int x = g.path("x").asInt(); x < g.path("x").asInt() + g.path("w").asInt(); x++) {
                for (int y = g.path("y").asInt(); y < g.path("y").asInt() + g.path("h").asInt(); y++) {
                    assertTrue(cells.add(x + "," + y), "panels overlap at " + x + "," + y + ": " + p.path("title"));
                }
            }
        }
        assertFalse(ids.isEmpty());
    }

    @Test
    void grafanasImportDialogAsksForThePrometheusDataSource() {
        JsonNode inputs = d.path("__inputs");
        assertEquals(1, inputs.size(), inputs.toString());
        assertEquals("datasource", inputs.get(0).path("type").asText());
        assertEquals("prometheus", inputs.get(0).path("pluginId").asText());
        String input = "${" + inputs.get(0).path("name").asText() + "}";
        JsonNode datasource = d.path("templating").path("list").get(0);
        assertEquals(input, datasource.path("current").path("value").asText(),
                "the imported data source is the datasource variable's default");
        List<String> required = new ArrayList<>();
        for (JsonNode r : d.path("__requires")) {
            required.add(r.path("type").asText() + ":" + r.path("id").asText());
        }
        assertTrue(required.containsAll(List.of("grafana:grafana", "datasource:prometheus", "panel:timeseries")), required.toString());
        for (JsonNode p : d.path("panels")) {
            assertTrue(p.path("type").asText().equals("row") || required.contains("panel:" + p.path("type").asText()),
                    "every panel type is required: " + p.path("type"));
        }
        assertEquals(Dashboard.SCHEMA_VERSION, d.path("schemaVersion").asInt());
    }

    @Test
    void everyVariableHasACurrentValue() {
        for (JsonNode v : d.path("templating").path("list")) {
            JsonNode current = v.path("current");
            assertTrue(current.has("text") && current.has("value"), v.path("name") + ": " + current);
        }
    }

    @Test
    void theMetricVariableFollowsThePrefix() throws Exception {
        JsonNode coffea = new ObjectMapper().readTree(Dashboard.render("coffea_"));
        JsonNode metric = null;
        for (JsonNode v : coffea.path("templating").path("list")) {
            if (v.path("name").asText().equals("metric")) {
                metric = v;
            }
        }
        assertTrue(metric != null && metric.path("query").asText().startsWith("label_values({__name__=~\"coffea_.+\","),
                String.valueOf(metric));
        assertEquals("coffea_entries", metric.path("current").path("value").asText());
        assertFalse(Dashboard.render("coffea_").contains("notebook_"), "no trace of the default prefix");
    }

    @Test
    void kernelStartsAreAnnotated() {
        List<String> names = new ArrayList<>();
        for (JsonNode a : d.path("annotations").path("list")) {
            names.add(a.path("name").asText());
            if (a.has("expr")) {
                assertTrue(a.path("expr").asText().contains("job=\"$job\",node=~\"$node\",user=~\"$user\""), a.toString());
                assertEquals("${datasource}", a.path("datasource").path("uid").asText());
            }
        }
        assertTrue(names.contains("Kernel starts"), names.toString());
    }

    /**
     * The error panel's query, run by promtool over a counter born at its first error (at 1): it
     * shows that error. Before, increase() alone showed 0 there.
     */
    @Test
    void theErrorPanelSeesACounterBornAtItsFirstError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        String expr = null;
        for (JsonNode p : d.path("panels")) {
            if (p.path("title").asText().equals("Notebook JSON errors")) {
                expr = p.path("targets").get(0).path("expr").asText();
            }
        }
        String filled = expr.replace("$__range", "1h").replace("$job", "af-metrics").replace("$node", ".*").replace("$user", ".*")
                .replace("$session", ".*").replace("$jvm", ".*");
        String series = "afmetrics_json_errors_total{job=\"af-metrics\",instance=\"h:1\",user=\"alice\",session=\"s1\","
                + "source=\"a.json\",reason=\"parse\"}";
        Files.writeString(tmp.resolve("empty.yml"), "groups: []\n");
        Files.writeString(tmp.resolve("panel.test.yml"), "rule_files: [empty.yml]\nevaluation_interval: 1m\ntests:\n"
                + "  - interval: 1m\n    input_series:\n"
                + "      - series: '" + series + "'\n        values: '_x10 1x20'\n"
                + "      - series: '" + series.replace("alice", "bob") + "'\n        values: '0 1 1 1 1 1 3x20'\n"
                + "    promql_expr_test:\n"
                + "      - expr: '" + filled.replace("'", "''") + "'\n        eval_time: 15m\n        exp_samples:\n"
                + "          - labels: '{user=\"alice\",session=\"s1\",source=\"a.json\",reason=\"parse\"}'\n"
                + "            value: 1\n"
                + "          - labels: '{user=\"bob\",session=\"s1\",source=\"a.json\",reason=\"parse\"}'\n"
                + "            value: 3\n");
        org.afmetrics.testing.Promtool.Result r = org.afmetrics.testing.Promtool.run(tmp, "test", "rules", "panel.test.yml");
        assertEquals(0, r.exitCode, filled + "\n" + r);
    }
}
