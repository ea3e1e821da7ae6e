package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.afmetrics.testing.Promtool;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The checked-in Prometheus files: what the generator makes, valid for promtool, every rule unit-tested. */
class PrometheusRulesTest {
    static final Path DIR = Paths.get("agent", "prometheus");

    @Test
    void checkedInFilesAreTheGeneratorsOutput() throws Exception {
        assertEquals(PrometheusAssets.prometheusConfig(new PrometheusAssets.ConfigOptions()),
                Files.readString(DIR.resolve("prometheus.yml")),
                "agent/prometheus/prometheus.yml is stale: java -jar target/af-metrics-agent.jar prometheus-config > it");
        assertEquals(PrometheusAssets.rules(), Files.readString(DIR.resolve("rules.yml")),
                "agent/prometheus/rules.yml is stale: java -jar target/af-metrics-agent.jar prometheus-rules > it");
    }

    @Test
    void promtoolChecksTheConfigAndTheRules() throws Exception {
        Promtool.Result config = Promtool.run(DIR, "check", "config", "prometheus.yml");
        assertEquals(0, config.exitCode, config.toString());
        assertTrue(config.output.contains("SUCCESS: 1 rule files found"), config.toString());
        Promtool.Result rules = Promtool.run(DIR, "check", "rules", "rules.yml");
        assertEquals(0, rules.exitCode, rules.toString());
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        Promtool.Result tests = Promtool.run(DIR, "test", "rules", "rules.test.yml");
        assertEquals(0, tests.exitCode, tests.toString());
        assertTrue(tests.output.contains("SUCCESS"), tests.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyRuleHasAUnitTestThatSeesItProduceSomething() throws Exception {
        Yaml yaml = new Yaml();
        Map<String, Object> rules = yaml.load(Files.readString(DIR.resolve("rules.yml")));
        Set<String> records = new TreeSet<>();
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("record")) {
                    records.add((String) rule.get("record"));
                } else {
                    alerts.add((String) rule.get("alert"));
                }
            }
        }
        Map<String, Object> tests = yaml.load(Files.readString(DIR.resolve("rules.test.yml")));
        Set<String> testedRecords = new TreeSet<>();
        Set<String> firedAlerts = new TreeSet<>();
        Set<String> quietAlerts = new TreeSet<>();
        for (Map<String, Object> t : (List<Map<String, Object>>) tests.get("tests")) {
            for (Map<String, Object> e : (List<Map<String, Object>>) t.getOrDefault("promql_expr_test", new ArrayList<>())) {
                if (!((List<?>) e.get("exp_samples")).isEmpty()) {
                    testedRecords.add(((String) e.get("expr")).trim());
                }
            }
            for (Map<String, Object> a : (List<Map<String, Object>>) t.getOrDefault("alert_rule_test", new ArrayList<>())) {
                (((List<?>) a.get("exp_alerts")).isEmpty() ? quietAlerts : firedAlerts).add((String) a.get("alertname"));
            }
        }
        assertTrue(testedRecords.containsAll(records), "recording rules without a test: " + without(records, testedRecords));
        assertTrue(firedAlerts.containsAll(alerts), "alerts never seen firing in a test: " + without(alerts, firedAlerts));
        assertTrue(quietAlerts.containsAll(alerts), "alerts never seen quiet in a test: " + without(alerts, quietAlerts));
        assertTrue(records.size() >= 13 && alerts.size() == 4, records + " " + alerts);
    }

    private static Set<String> without(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
