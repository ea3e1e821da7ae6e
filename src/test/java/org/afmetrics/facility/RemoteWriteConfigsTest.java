package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.afmetrics.testing.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The node agent's and the central server's configurations: values that need quoting read back
 * exactly and pass {@code promtool check config} (with {@code --agent} for the node), secrets are
 * named as files, and settings that cannot work are refused with the reason.
 */
class RemoteWriteConfigsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"node-7", "it's: a node", "a \"quoted\" node", "#hash", "yes", "0123", "日本語",
            "${NODE_NAME}", "line\nbreak"})
    @SuppressWarnings("unchecked")
    void nodeNamesReadBackAndPassPromtoolInAgentMode(String node) throws Exception {
        Path targets = Files.createDirectories(tmp.resolve("it's targets"));
        Path password = Files.writeString(tmp.resolve("pass word"), "secret\n");
        RemoteWriteConfigs.NodeOptions o = new RemoteWriteConfigs.NodeOptions();
        o.targetsDir = targets.toString();
        o.node = node;
        o.remoteWriteUrl = "https://centre.example:9090/api/v1/write";
        o.username = "user: x";
        o.passwordFile = password.toString();
        String config = RemoteWriteConfigs.nodeAgent(o);
        assertFalse(config.contains("secret"), "the password stays in its file");

        Map<String, Object> read = new Yaml().load(config);
        Map<String, Object> global = (Map<String, Object>) read.get("global");
        assertEquals(Map.of(RemoteWriteConfigs.NODE_LABEL, node.trim()), global.get("external_labels"));
        Map<String, Object> rw = ((List<Map<String, Object>>) read.get("remote_write")).get(0);
        assertEquals(o.remoteWriteUrl, rw.get("url"));
        assertEquals(Map.of("username", "user: x", "password_file", password.toString()), rw.get("basic_auth"));
        Map<String, Object> job = ((List<Map<String, Object>>) read.get("scrape_configs")).get(0);
        assertEquals(PrometheusAssets.JOB, job.get("job_name"));
        assertFalse(read.containsKey("rule_files"), "agent mode has no rules");

        Files.writeString(tmp.resolve("agent.yml"), config, StandardCharsets.UTF_8);
        Promtool.Result check = Promtool.run(tmp, "check", "config", "--agent", "agent.yml");
        assertEquals(0, check.exitCode, config + "\n" + check);
    }

    @Test
    @SuppressWarnings("unchecked")
    void tlsFilesAreNamedNotRead() throws Exception {
        RemoteWriteConfigs.NodeOptions o = new RemoteWriteConfigs.NodeOptions();
        o.targetsDir = Files.createDirectories(tmp.resolve("t")).toString();
        o.node = "n";
        o.remoteWriteUrl = "https://centre:9090/api/v1/write";
        o.caFile = "/etc/ssl/ca's.pem";
        o.certFile = "/etc/ssl/node.pem";
        o.keyFile = "/etc/ssl/node.key";
        String config = RemoteWriteConfigs.nodeAgent(o);
        Map<String, Object> rw = ((List<Map<String, Object>>) ((Map<String, Object>) new Yaml().load(config))
                .get("remote_write")).get(0);
        assertEquals(Map.of("ca_file", o.caFile, "cert_file", o.certFile, "key_file", o.keyFile), rw.get("tls_config"));
        Files.writeString(tmp.resolve("agent.yml"), config, StandardCharsets.UTF_8);
        // promtool checks that the files it names exist: syntax only, as the files are on the node
        Promtool.Result check = Promtool.run(tmp, "check", "config", "--agent", "--syntax-only", "agent.yml");
        assertEquals(0, check.exitCode, config + "\n" + check);
    }

    static Stream<Arguments> unworkable() {
        return Stream.of(
                Arguments.of("no remote-write URL", (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.remoteWriteUrl = null,
                        "--remote-write"),
                Arguments.of("not http", (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.remoteWriteUrl = "ftp://c/w",
                        "http(s)"),
                Arguments.of("no host", (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.remoteWriteUrl = "http:///w",
                        "http(s)"),
                Arguments.of("not a URL", (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.remoteWriteUrl = "http://a b/",
                        "not a URL"),
                Arguments.of("user without password file",
                        (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.username = "u", "both"),
                Arguments.of("password file without user",
                        (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.passwordFile = "/p", "both"),
                Arguments.of("certificate without key",
                        (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.certFile = "/c", "both"),
                Arguments.of("empty node name", (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.node = " ", "--node"),
                Arguments.of("glob in the targets dir",
                        (Consumer<RemoteWriteConfigs.NodeOptions>) o -> o.targetsDir = "/srv/*", "file discovery"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unworkable")
    void settingsThatCannotWorkAreRefused(String what, Consumer<RemoteWriteConfigs.NodeOptions> change, String reason) {
        RemoteWriteConfigs.NodeOptions o = new RemoteWriteConfigs.NodeOptions();
        o.remoteWriteUrl = "http://centre:9090/api/v1/write";
        change.accept(o);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RemoteWriteConfigs.nodeAgent(o));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCentreHasTheRulesAndNoKernelJob() throws Exception {
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        o.rulesFile = "rules [af].yml";
        String config = RemoteWriteConfigs.central(o);
        assertTrue(config.contains("--web.enable-remote-write-receiver"), config);
        Map<String, Object> read = new Yaml().load(config);
        assertEquals(List.of(), read.get("scrape_configs"), "the kernels arrive by remote_write");
        Files.writeString(tmp.resolve("prometheus.yml"), config, StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("rules [af].yml"), PrometheusAssets.rules(), StandardCharsets.UTF_8);
        Promtool.Result check = Promtool.run(tmp, "check", "config", "prometheus.yml");
        assertEquals(0, check.exitCode, config + "\n" + check);
        assertTrue(check.output.contains("SUCCESS: 1 rule files found"), check.toString());
    }
}
