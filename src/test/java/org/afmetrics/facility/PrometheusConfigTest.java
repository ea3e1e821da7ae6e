package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.afmetrics.testing.Promtool;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Generated {@code prometheus.yml} for directories and values that need quoting in YAML: each row
 * reads back to exactly the value given, and promtool accepts the file, with the directory real
 * and a target file in it.
 */
class PrometheusConfigTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"it's a dir/ü targets", "a \"quoted\" dir", "two  spaces ", "#hash", "- dash", ": colon",
            "tab\there", "{brace}", "&anchor", "!tag", "% percent", "@at", "`tick`", "yes", "null", "0123",
            "line\nbreak", "日本語"})
    void oddTargetsDirectoriesReadBackAndPassPromtool(String name) throws Exception {
        Path targets = Files.createDirectories(tmp.resolve(name));
        Files.writeString(targets.resolve("k.json"),
                "[{\"targets\": [\"127.0.0.1:8003\"], \"labels\": {\"__meta_afmetrics_hostname\": \"h\"}}]");
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        o.targetsDir = targets.toString();
        o.pushgateway = "127.0.0.1:9091";
        o.rulesFile = name + ".rules.yml";
        checkAndReadBack(o, name, targets);
    }

    /** Prometheus globs rule_files: a rule file with glob characters in its name is still that file. */
    @ParameterizedTest
    @ValueSource(strings = {"[bracket]", "*star", "?what", "back\\slash", "it's ü"})
    void ruleFilesWithGlobCharactersAreThatFile(String name) throws Exception {
        Path targets = Files.createDirectories(tmp.resolve("targets"));
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        o.targetsDir = targets.toString();
        o.rulesFile = name + ".rules.yml";
        checkAndReadBack(o, name, targets);
    }

    /** File discovery watches the directory by name and globs DIR/*.json: glob characters there are refused. */
    @ParameterizedTest
    @ValueSource(strings = {"/srv/*", "/srv/a?b", "/srv/[x]", "/srv/back\\slash", ""})
    void targetsDirectoriesFileDiscoveryCannotWatchAreRefused(String dir) {
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        o.targetsDir = dir;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PrometheusAssets.prometheusConfig(o));
        assertTrue(e.getMessage().contains("file discovery"), e.getMessage());
    }

    private void checkAndReadBack(PrometheusAssets.ConfigOptions o, String name, Path targets) throws Exception {
        String config = PrometheusAssets.prometheusConfig(o);
        Files.writeString(tmp.resolve("prometheus.yml"), config, StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve(name + ".rules.yml"), PrometheusAssets.rules(), StandardCharsets.UTF_8);

        Map<String, Object> read = new Yaml().load(config);
        assertEquals(List.of(PrometheusAssets.globEscaped(name + ".rules.yml")), read.get("rule_files"));
        assertEquals(targets + "/*.json", kernelJob(read).get("file_sd_configs").get(0).get("files").get(0), config);

        Promtool.Result check = Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, check.exitCode, config + "\n" + check);
        assertTrue(check.output.contains("SUCCESS: 1 rule files found"), check.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"it's a dir/ü targets", "a \"quoted\" dir"})
    void theJobsAloneFitUnderAnExistingScrapeConfigs(String name) throws Exception {
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        o.targetsDir = tmp.resolve(name).toString();
        String jobs = PrometheusAssets.scrapeConfigsOnly(o);
        String existing = "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: node\n    static_configs:\n"
                + "      - targets: ['127.0.0.1:9100']\n";
        Files.writeString(tmp.resolve("prometheus.yml"), existing + jobs, StandardCharsets.UTF_8);
        Map<String, Object> read = new Yaml().load(existing + jobs);
        assertEquals(2, ((List<?>) read.get("scrape_configs")).size(), "node and af-metrics, no commented examples");
        assertEquals(o.targetsDir + "/*.json", kernelJob(read).get("file_sd_configs").get(0).get("files").get(0));
        Promtool.Result check = Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, check.exitCode, existing + jobs + "\n" + check);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, List<String>>>> kernelJob(Map<String, Object> config) {
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            if (PrometheusAssets.JOB.equals(job.get("job_name"))) {
                return (Map<String, List<Map<String, List<String>>>>) (Map<?, ?>) job;
            }
        }
        throw new AssertionError("no " + PrometheusAssets.JOB + " job in " + config);
    }
}
