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
        assertEquals(List.of("datasource", "job", "node", "user", "session", "metric"), vars);
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
                "Cell error ratio", "Idle time per kernel", "Heap used", "GC time", "Threads", "Notebook metric: $metric",
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
}
