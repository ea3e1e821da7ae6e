package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelspecEditorTest {
    private static final String ORIGINAL = "{\n  \"argv\": [\"java\", \"-jar\", \"/opt/k/kernel.jar\", \"{connection_file}\"],\n"
            + "  \"display_name\": \"Java \\u00e9\",\n  \"language\": \"java\",\n"
            + "  \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx2g  -Dfoo=bar\", \"KERNEL_OPTS\": \"x\"},\n"
            + "  \"metadata\": {\"debugger\": false}\n}\n";

    @TempDir
    Path dir;

    private Path kernel(String content) throws Exception {
        Path k = dir.resolve("kernels").resolve("java");
        Files.createDirectories(k);
        Path json = k.resolve("kernel.json");
        Files.write(json, content.getBytes(StandardCharsets.UTF_8));
        return json;
    }

    private Path jar() throws Exception {
        Path jar = dir.resolve("lib").resolve("af-metrics-agent.jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[] {1});
        return jar;
    }

    private static ObjectNode json(Path p) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void installKeepsOtherOptionsAndVariablesAndRemoveRestoresTheBytes() throws Exception {
        Path json = kernel(ORIGINAL);
        String option = KernelspecEditor.option(jar(), "targets-dir=/srv/t,port=8003-8099");
        assertTrue(KernelspecEditor.install(json, option));
        ObjectNode installed = json(json);
        assertEquals("-Xmx2g  -Dfoo=bar " + option, installed.path("env").path("JAVA_TOOL_OPTIONS").asText());
        assertEquals("x", installed.path("env").path("KERNEL_OPTS").asText());
        assertEquals("Java \u00e9", installed.path("display_name").asText());
        assertEquals(option, KernelspecEditor.agentOption(installed));
        assertTrue(option.startsWith("-javaagent:" + dir.toAbsolutePath()));

        byte[] once = Files.readAllBytes(json);
        assertFalse(KernelspecEditor.install(json, option), "the second install changes nothing");
        assertArrayEquals(once, Files.readAllBytes(json));

        assertEquals("restored from kernel.json.af-metrics-backup", KernelspecEditor.remove(json));
        assertArrayEquals(ORIGINAL.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(json));
        assertFalse(Files.exists(KernelspecEditor.backupOf(json)));
        assertNull(KernelspecEditor.remove(json), "nothing left to remove");
    }

    @Test
    void reinstallWithOtherArgumentsReplacesTheOptionAndKeepsTheFirstBackup() throws Exception {
        Path json = kernel(ORIGINAL);
        KernelspecEditor.install(json, KernelspecEditor.option(jar(), "port=9000"));
        String second = KernelspecEditor.option(jar(), "port=9100");
        assertTrue(KernelspecEditor.install(json, second));
        assertEquals("-Xmx2g  -Dfoo=bar " + second, json(json).path("env").path("JAVA_TOOL_OPTIONS").asText());
        KernelspecEditor.remove(json);
        assertArrayEquals(ORIGINAL.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(json));
    }

    @Test
    void aKernelWithoutEnvGetsOneAndLosesItAgain() throws Exception {
        String plain = "{\"argv\": [\"/usr/bin/java\", \"-cp\", \"k.jar\", \"K\", \"{connection_file}\"], \"language\": \"kotlin\"}";
        Path json = kernel(plain);
        String option = KernelspecEditor.option(jar(), null);
        KernelspecEditor.install(json, option);
        assertEquals(option, json(json).path("env").path("JAVA_TOOL_OPTIONS").asText());
        // without the backup, remove still takes out exactly what install put in
        Files.delete(KernelspecEditor.backupOf(json));
        assertEquals("option removed", KernelspecEditor.remove(json));
        assertEquals(new ObjectMapper().readTree(plain), json(json));
    }

    @Test
    void editsMadeAfterInstallSurviveRemove() throws Exception {
        Path json = kernel(ORIGINAL);
        KernelspecEditor.install(json, KernelspecEditor.option(jar(), null));
        ObjectNode edited = json(json);
        edited.put("display_name", "renamed");
        Files.write(json, new ObjectMapper().writeValueAsBytes(edited));
        String what = KernelspecEditor.remove(json);
        assertTrue(what.contains("backup kept"), what);
        ObjectNode after = json(json);
        assertEquals("renamed", after.path("display_name").asText());
        assertEquals("-Xmx2g  -Dfoo=bar", after.path("env").path("JAVA_TOOL_OPTIONS").asText());
    }

    @Test
    void aFileItCannotParseIsLeftUntouched() throws Exception {
        for (String bad : new String[] {"{\"argv\": [\"java\"", "[1, 2]", "{\"display_name\": \"no argv\"}",
                "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": 3}}"}) {
            Path json = kernel(bad);
            KernelspecException e = assertThrows(KernelspecException.class,
                    () -> KernelspecEditor.install(json, KernelspecEditor.option(jar(), null)));
            assertTrue(e.getMessage().startsWith(json.toString()), e.getMessage());
            assertEquals(bad, Files.readString(json));
            assertFalse(Files.exists(KernelspecEditor.backupOf(json)));
        }
    }

    @Test
    void optionsJavaToolOptionsCannotCarryAreRefused() throws Exception {
        Path spaced = dir.resolve("with space");
        Files.createDirectories(spaced);
        Path jar = Files.write(spaced.resolve("af-metrics-agent.jar"), new byte[] {1});
        assertThrows(KernelspecException.class, () -> KernelspecEditor.option(jar, null));
        assertThrows(KernelspecException.class, () -> KernelspecEditor.option(jar(), "a=b c"));
        Path other = Files.write(dir.resolve("agent.jar"), new byte[] {1});
        assertEquals("-javaagent:" + other.toAbsolutePath(), KernelspecEditor.option(other, null),
                "any file name: remove finds the option by the jar's manifest or the recorded path");
    }

    private Path agentJar(String name, String premainClass) throws Exception {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", premainClass);
        Path jar = dir.resolve(name);
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }

    @Test
    void ourOptionIsKnownByTheJarsManifestOrTheRecordedPathWhateverItsName() throws Exception {
        Path ours = agentJar("monitoring.jar", "org.afmetrics.Agent");
        Path theirs = agentJar("profiler.jar", "com.example.Profiler");
        String options = "-Xmx1g -javaagent:" + theirs + "=x -javaagent:" + ours + "=port=1";
        assertEquals("-Xmx1g -javaagent:" + theirs + "=x", KernelspecEditor.strip(options, null));
        assertEquals(options, KernelspecEditor.strip(options.replace(ours.toString(), "/gone/monitoring.jar"), null)
                .replace("/gone/monitoring.jar", ours.toString()), "a jar that is gone and not recorded is not ours");
        assertEquals("-Xmx1g", KernelspecEditor.strip("-Xmx1g -javaagent:/gone/monitoring.jar", "/gone/monitoring.jar"),
                "the recorded jar is ours even when it is gone");

        Path json = kernel(ORIGINAL);
        assertTrue(KernelspecEditor.install(json, KernelspecEditor.option(ours, "port=1")));
        Files.delete(ours);
        Files.delete(KernelspecEditor.backupOf(json));
        assertEquals("option removed", KernelspecEditor.remove(json), "found by the path install recorded");
        ObjectNode after = json(json);
        assertEquals("-Xmx2g  -Dfoo=bar", after.path("env").path("JAVA_TOOL_OPTIONS").asText());
        assertFalse(after.path("metadata").has(KernelspecEditor.METADATA), "the record goes with the option: " + after);
        assertEquals(false, after.path("metadata").path("debugger").asBoolean(true), "the kernel's own metadata stays");
    }

    @Test
    void stripTakesOutOnlyOurAgent() {
        assertEquals("-javaagent:/opt/other.jar -Xmx1g",
                KernelspecEditor.strip("-javaagent:/opt/af-metrics-agent.jar=port=1 -javaagent:/opt/other.jar -Xmx1g"));
        assertEquals("-Xmx1g", KernelspecEditor.strip("-Xmx1g -javaagent:/x/af-metrics-agent-0.1.0.jar"));
        assertEquals("", KernelspecEditor.strip("-javaagent:/x/af-metrics-agent.jar"));
        assertEquals("-javaagent:/x/af-metrics/other.jar", KernelspecEditor.strip("-javaagent:/x/af-metrics/other.jar"));
    }

    @Test
    void jvmKernelsAreThoseStartingJavaOrSpeakingAJvmLanguage() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertTrue(KernelspecEditor.isJvm((ObjectNode) m.readTree("{\"argv\": [\"/usr/lib/jvm/x/bin/java\"], \"language\": \"x\"}")));
        assertTrue(KernelspecEditor.isJvm((ObjectNode) m.readTree("{\"argv\": [\"python\"], \"language\": \"Kotlin\"}")));
        assertFalse(KernelspecEditor.isJvm((ObjectNode) m.readTree("{\"argv\": [\"python3\"], \"language\": \"python\"}")));
    }

    @Test
    void theCheckedInTemplateIsAJvmKernelspecWithTheAgentOn() throws Exception {
        Path template = java.nio.file.Paths.get("agent", "kernelspec", "kernel.json");
        ObjectNode spec = KernelspecEditor.parse(Files.readAllBytes(template), template);
        assertTrue(KernelspecEditor.isJvm(spec));
        assertEquals("-javaagent:/opt/af-metrics/af-metrics-agent.jar=targets-dir=/var/lib/af-metrics/targets",
                KernelspecEditor.agentOption(spec));
        assertEquals(KernelspecEditor.agentOption(spec), spec.path("env").path("JAVA_TOOL_OPTIONS").asText());
        org.afmetrics.config.AgentConfig config = org.afmetrics.config.AgentConfig.parse(
                KernelspecEditor.agentOption(spec).replaceFirst("^-javaagent:[^=]*=", ""), n -> null);
        assertEquals(java.util.List.of(), config.warnings(), "the template's agent arguments parse cleanly");
    }
}
