package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.Promtool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests of {@code agent/kubernetes/}, checked offline: every object against the
 * Kubernetes API schemas (kubernetes-models, plus a TypeScript type check that rejects unknown
 * fields; {@code src/test/kubernetes/validate.mjs}), the z2jh values through the pieces they inject
 * into the user pods; the Prometheus configurations inside equal what the command line makes and
 * pass promtool. No cluster runs them here.
 */
class KubernetesManifestsIT {
    private static final Path DIR = Paths.get("agent", "kubernetes");
    private static final Path VALIDATOR = Paths.get("src", "test", "kubernetes", "validate.mjs");
    private static final String REMOTE_WRITE = "http://af-metrics-central.af-metrics.svc:9090/api/v1/write";
    private static final String TARGETS = "/var/lib/af-metrics/targets";

    @TempDir
    Path tmp;

    @Test
    void everyObjectPassesTheKubernetesSchemas() throws Exception {
        List<Path> files = manifests();
        Validation v = validate(files.toArray(new Path[0]));
        assertEquals(0, v.exitCode, v.output);
        Set<String> expected = new TreeSet<>(List.of(
                "Namespace af-metrics", "ServiceAccount af-metrics-node-agent", "ConfigMap af-metrics-node-agent",
                "DaemonSet af-metrics-node-agent", "ConfigMap af-metrics-central", "Service af-metrics-central",
                "StatefulSet af-metrics-central", "NetworkPolicy af-metrics-central",
                "NetworkPolicy af-metrics-exporters", "EnvVar AF_METRICS_TARGETS_DIR", "EnvVar AF_METRICS_HOST",
                "EnvVar AF_METRICS_ADVERTISE_HOST", "EnvVar JAVA_TOOL_OPTIONS", "Volume af-metrics-targets",
                "VolumeMount af-metrics-targets"));
        Set<String> checked = v.output.lines().filter(l -> l.startsWith("ok "))
                .map(l -> l.substring(3, l.indexOf(" (")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, checked, v.output);
    }

    /** Each row breaks a manifest the way a hand edit might; the validation must refuse it. */
    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("node-agent.yaml", "containerPort: 9090", "containerPort: \"9090\""),
                Arguments.of("node-agent.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true"),
                Arguments.of("node-agent.yaml", "type: DirectoryOrCreate", "type: 42"),
                Arguments.of("node-agent.yaml", "  selector:", "  selectr:"),
                Arguments.of("central.yaml", "replicas: 1", "replicas: one"),
                Arguments.of("network-policy.yaml", "endPort: 8099", "endPort: \"8099\""),
                Arguments.of("network-policy.yaml", "podSelector:", "podSelectors:"),
                Arguments.of("z2jh-values.yaml", "fieldPath: status.podIP", "fieldPathh: status.podIP"),
                Arguments.of("z2jh-values.yaml", "mountPath: /var/lib/af-metrics/targets",
                        "mountpath: /var/lib/af-metrics/targets"),
                Arguments.of("z2jh-values.yaml", "        hostPath:", "        hostpath:"));
    }

    /** All broken manifests, checked in one run of the validator (a run costs seconds): its output. */
    private static String brokenRun;

    @BeforeAll
    static void validateTheBrokenManifests(@TempDir Path dir) throws Exception {
        List<Path> broken = new ArrayList<>();
        for (Arguments row : (Iterable<Arguments>) brokenManifests()::iterator) {
            Object[] a = row.get();
            broken.add(broken((String) a[0], (String) a[1], (String) a[2], dir));
        }
        Validation v = validate(broken.toArray(new Path[0]));
        assertNotEquals(0, v.exitCode, v.output);
        brokenRun = v.output;
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("brokenManifests")
    void aBrokenManifestIsRefused(String file, String from, String to) throws Exception {
        String name = broken(file, from, to, null).getFileName().toString();
        assertTrue(brokenRun.lines().anyMatch(l -> l.startsWith("FAIL ") && l.contains(name + ":")),
                "no FAIL line for " + name + ":\n" + brokenRun);
    }

    /** The manifest with one change, as a file named after the change (in dir, when given). */
    private static Path broken(String file, String from, String to, Path dir) throws IOException {
        String name = "broken-" + Integer.toHexString((file + from + to).hashCode()) + "-" + file;
        if (dir == null) {
            return Paths.get(name);
        }
        String text = Files.readString(DIR.resolve(file));
        assertTrue(text.contains(from), file + " has no '" + from + "'");
        Path broken = dir.resolve(name);
        Files.writeString(broken, text.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
        return broken;
    }

    @Test
    void thePrometheusConfigurationsInsideAreTheGeneratedOnesAndPassPromtool() throws Exception {
        Map<String, String> agent = configMap("node-agent.yaml", "af-metrics-node-agent");
        assertEquals(AgentCli.ok(Map.of(), "prometheus-config", "--mode", "node", "--targets-dir", TARGETS,
                "--node", "${NODE_NAME}", "--remote-write", REMOTE_WRITE), agent.get("agent.yml"),
                "agent.yml is the output of the command the manifest names");
        Map<String, String> central = configMap("central.yaml", "af-metrics-central");
        assertEquals(AgentCli.ok(Map.of(), "prometheus-config", "--mode", "central", "--rules-file",
                "/etc/prometheus/rules.yml"), central.get("prometheus.yml"));
        assertEquals(Files.readString(Paths.get("agent", "prometheus", "rules.yml")), central.get("rules.yml"));

        Files.writeString(tmp.resolve("agent.yml"), agent.get("agent.yml"));
        Promtool.Result a = Promtool.run(tmp, "check", "config", "--agent", "agent.yml");
        assertEquals(0, a.exitCode, a.toString());
        // the centre's config names its rule file by its path in the pod: put it there, relatively
        Files.writeString(tmp.resolve("rules.yml"), central.get("rules.yml"));
        Files.writeString(tmp.resolve("prometheus.yml"),
                central.get("prometheus.yml").replace("/etc/prometheus/rules.yml", "rules.yml"));
        Promtool.Result c = Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.output.contains("SUCCESS: 1 rule files found"), c.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theUserPodsSetKeysTheAgentKnows() throws Exception {
        Map<String, Object> values = new Yaml().load(Files.readString(DIR.resolve("z2jh-values.yaml")));
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) values.get("singleuser")).get("extraEnv");
        Set<String> known = new TreeSet<>();
        for (ConfigKey k : ConfigKey.values()) {
            known.add(k.envName());
        }
        for (String name : env.keySet()) {
            if (name.startsWith("AF_METRICS_")) {
                assertTrue(known.contains(name), name + " is no config key: " + known);
            }
        }
        assertEquals(TARGETS, env.get(ConfigKey.TARGETS_DIR.envName()));
        assertEquals("0.0.0.0", env.get(ConfigKey.HOST.envName()));
        assertEquals(Map.of("valueFrom", Map.of("fieldRef", Map.of("fieldPath", "status.podIP"))),
                env.get(ConfigKey.ADVERTISE_HOST.envName()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> configMap(String file, String name) throws IOException {
        for (Object doc : new Yaml().loadAll(Files.readString(DIR.resolve(file)))) {
            Map<String, Object> o = (Map<String, Object>) doc;
            if ("ConfigMap".equals(o.get("kind")) && name.equals(((Map<String, Object>) o.get("metadata")).get("name"))) {
                return (Map<String, String>) o.get("data");
            }
        }
        throw new AssertionError("no ConfigMap " + name + " in " + file);
    }

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
    }

    private static final class Validation {
        final int exitCode;
        final String output;

        Validation(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    private static Validation validate(Path... files) throws IOException, InterruptedException {
        assertTrue(Files.isDirectory(VALIDATOR.getParent().resolve("node_modules").resolve("kubernetes-models")),
                "the validator's npm packages are missing: run src/test/setup/install-test-deps.sh");
        List<String> cmd = new ArrayList<>(List.of("node", VALIDATOR.toString()));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("validation did not finish");
        }
        return new Validation(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
