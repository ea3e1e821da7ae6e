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
import java.util.stream.Stream;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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

    private static final String OPT = "-javaagent:/opt/af-metrics/af-metrics-agent.jar=port=8003-8099";

    /**
     * Hand-formatted kernel.json files: the file, and the file after install (@OPT@ standing for the
     * option). Every line install had no need to touch is byte-identical; remove gives back the
     * original bytes.
     */
    static Stream<Arguments> handFormatted() {
        return Stream.of(
                Arguments.of("Jupyter's layout, the variable there",
                        "{\n \"argv\": [\n  \"java\",\n  \"-jar\",\n  \"k.jar\"\n ],\n \"env\": {\n  \"JAVA_TOOL_OPTIONS\": \"-Xmx2g\"\n },\n \"language\": \"java\"\n}\n",
                        "{\n \"argv\": [\n  \"java\",\n  \"-jar\",\n  \"k.jar\"\n ],\n \"env\": {\n  \"JAVA_TOOL_OPTIONS\": \"-Xmx2g @OPT@\"\n },\n \"language\": \"java\"\n}\n"),
                Arguments.of("argv on one line, tabs, no env, no final newline",
                        "{\n\t\"display_name\": \"K\",\n\t\"argv\": [\"java\",\"-cp\",\"k.jar\",\"K\",\"{connection_file}\"],\n\t\"language\":\"kotlin\"}",
                        "{\n\t\"env\": {\"JAVA_TOOL_OPTIONS\": \"@OPT@\"},\n\t\"display_name\": \"K\",\n\t\"argv\": [\"java\",\"-cp\",\"k.jar\",\"K\",\"{connection_file}\"],\n\t\"language\":\"kotlin\"}"),
                Arguments.of("all on one line",
                        "{\"argv\":[\"java\"],\"language\":\"java\"}",
                        "{\"env\": {\"JAVA_TOOL_OPTIONS\": \"@OPT@\"},\"argv\":[\"java\"],\"language\":\"java\"}"),
                Arguments.of("env without the variable, three-space indent, CRLF",
                        "{\r\n   \"language\": \"java\",\r\n   \"env\": {\r\n      \"A\": \"1\"\r\n   },\r\n   \"argv\": [\"java\"]\r\n}\r\n",
                        "{\r\n   \"language\": \"java\",\r\n   \"env\": {\r\n      \"JAVA_TOOL_OPTIONS\": \"@OPT@\",\r\n      \"A\": \"1\"\r\n   },\r\n   \"argv\": [\"java\"]\r\n}\r\n"),
                Arguments.of("an empty env",
                        "{\"argv\": [\"java\"], \"env\": { }}\n",
                        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"@OPT@\" }}\n"),
                Arguments.of("an empty variable",
                        "{\"argv\": [\"java\"],\n \"env\": {\"X\": \"y\", \"JAVA_TOOL_OPTIONS\": \"\"}}\n",
                        "{\"argv\": [\"java\"],\n \"env\": {\"X\": \"y\", \"JAVA_TOOL_OPTIONS\": \"@OPT@\"}}\n"),
                Arguments.of("escapes in the variable and elsewhere stay as written",
                        "{\"argv\": [\"java\"], \"display_name\": \"Java \\u00e9\",\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Dg=h\\u00e9llo -Dq=\\\"x\\\"\"}}",
                        "{\"argv\": [\"java\"], \"display_name\": \"Java \\u00e9\",\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Dg=h\\u00e9llo -Dq=\\\"x\\\" @OPT@\"}}"),
                Arguments.of("an earlier af-metrics option is replaced in place",
                        "{\"argv\": [\"java\"],\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-javaagent:/old/af-metrics-agent.jar=port=1 -Xss4m\"}}\n",
                        "{\"argv\": [\"java\"],\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xss4m @OPT@\"}}\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handFormatted")
    void installChangesOnlyTheBytesItMustAndRemoveGivesTheOriginalBack(String name, String original, String installed)
            throws Exception {
        Path json = kernel(original);
        KernelspecEditor.Change plan = KernelspecEditor.planInstall(json, OPT, KernelspecEditor.Accept.JVM_KERNEL);
        assertEquals(installed.replace("@OPT@", OPT), new String(plan.after, StandardCharsets.UTF_8));
        KernelspecEditor.apply(plan);
        assertEquals(OPT, KernelspecEditor.agentOption(json(json)));
        assertEquals("agent removed", KernelspecEditor.remove(json));
        String back = name.startsWith("an earlier") ? original.replace("-javaagent:/old/af-metrics-agent.jar=port=1 ", "")
                : original;
        assertEquals(back, Files.readString(json));
        assertFalse(Files.exists(KernelspecEditor.backupOf(json)), "the copy goes with the agent");
    }

    /**
     * Kernels of other languages installed for their JVM children: the file, and the file after
     * install (@OPT@ standing for the option). The argv's bytes stay as they were, the agent goes
     * into {@code env.JAVA_TOOL_OPTIONS} after what is there, and remove gives back the original.
     */
    static Stream<Arguments> childJvmKernels() {
        return Stream.of(
                Arguments.of("ipykernel's own layout",
                        "{\n \"argv\": [\n  \"python3\",\n  \"-m\",\n  \"ipykernel_launcher\",\n  \"-f\",\n  \"{connection_file}\"\n ],\n"
                                + " \"display_name\": \"Python 3 (ipykernel)\",\n \"language\": \"python\",\n"
                                + " \"metadata\": {\n  \"debugger\": true\n }\n}",
                        "{\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"@OPT@\"},\n \"argv\": [\n  \"python3\",\n  \"-m\",\n  \"ipykernel_launcher\",\n  \"-f\",\n  \"{connection_file}\"\n ],\n"
                                + " \"display_name\": \"Python 3 (ipykernel)\",\n \"language\": \"python\",\n"
                                + " \"metadata\": {\n  \"debugger\": true\n }\n}"),
                Arguments.of("a Python kernel whose JAVA_TOOL_OPTIONS is kept",
                        "{\"argv\": [\"python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"],\n"
                                + " \"env\": {\"SPARK_HOME\": \"/opt/spark\", \"JAVA_TOOL_OPTIONS\": \"-Xmx4g -Dfile.encoding=UTF-8\"},\n"
                                + " \"language\": \"python\"}\n",
                        "{\"argv\": [\"python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"],\n"
                                + " \"env\": {\"SPARK_HOME\": \"/opt/spark\", \"JAVA_TOOL_OPTIONS\": \"-Xmx4g -Dfile.encoding=UTF-8 @OPT@\"},\n"
                                + " \"language\": \"python\"}\n"),
                Arguments.of("an R kernel with an env of its own",
                        "{\r\n  \"argv\": [\"R\", \"--slave\", \"-e\", \"IRkernel::main()\", \"--args\", \"{connection_file}\"],\r\n"
                                + "  \"env\": {\r\n    \"R_LIBS\": \"/srv/r\"\r\n  },\r\n  \"language\": \"R\"\r\n}\r\n",
                        "{\r\n  \"argv\": [\"R\", \"--slave\", \"-e\", \"IRkernel::main()\", \"--args\", \"{connection_file}\"],\r\n"
                                + "  \"env\": {\r\n    \"JAVA_TOOL_OPTIONS\": \"@OPT@\",\r\n    \"R_LIBS\": \"/srv/r\"\r\n  },\r\n  \"language\": \"R\"\r\n}\r\n"),
                Arguments.of("a Julia kernel on one line",
                        "{\"display_name\":\"Julia 1.10\",\"argv\":[\"/opt/julia/bin/julia\",\"-i\",\"--color=yes\",\"/k/kernel.jl\",\"{connection_file}\"],\"language\":\"julia\"}",
                        "{\"env\": {\"JAVA_TOOL_OPTIONS\": \"@OPT@\"},\"display_name\":\"Julia 1.10\",\"argv\":[\"/opt/julia/bin/julia\",\"-i\",\"--color=yes\",\"/k/kernel.jl\",\"{connection_file}\"],\"language\":\"julia\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("childJvmKernels")
    void childJvmsPutsTheAgentIntoTheKernelsEnvAndLeavesItsArgv(String name, String original, String installed)
            throws Exception {
        Path json = kernel(original);
        KernelspecEditor.Change plan = KernelspecEditor.planInstall(json, OPT, KernelspecEditor.Accept.CHILD_JVMS);
        String after = new String(plan.after, StandardCharsets.UTF_8);
        assertEquals(installed.replace("@OPT@", OPT), after);
        assertEquals("agent installed (for the JVMs the kernel starts)", plan.what);
        String argv = original.substring(original.indexOf("\"argv\""), original.indexOf(']', original.indexOf("\"argv\"")) + 1);
        assertTrue(after.contains(argv), "the argv's bytes are as they were");
        KernelspecEditor.apply(plan);

        ObjectNode spec = json(json);
        assertEquals(KernelspecEditor.Mode.CHILD_JVMS, KernelspecEditor.mode(spec));
        assertEquals(new ObjectMapper().readTree(original).get("argv"), spec.get("argv"));
        assertEquals("agent already installed",
                KernelspecEditor.planInstall(json, OPT, KernelspecEditor.Accept.CHILD_JVMS).what, "twice equals once");

        assertEquals("agent removed", KernelspecEditor.remove(json));
        assertArrayEquals(original.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(json), "the original bytes");
        assertFalse(Files.exists(KernelspecEditor.backupOf(json)));
        assertEquals(KernelspecEditor.Mode.OFF, KernelspecEditor.mode(json(json)));
    }

    /**
     * What each kind of install takes. Rows: the kernel (JVM or Python), what the install
     * accepts, and what it says: the change, or the refusal (nothing written then).
     */
    @ParameterizedTest(name = "{0} kernel, {1}")
    @CsvSource(delimiter = '|', value = {
        "JVM    | JVM_KERNEL | agent installed",
        "JVM    | CHILD_JVMS | refused: a JVM kernel: install it without --child-jvms",
        "JVM    | ANY        | agent installed",
        "Python | JVM_KERNEL | refused: not a JVM kernel (argv[0] is no java, its language no JVM one); --child-jvms puts the agent into the JVMs it starts",
        "Python | CHILD_JVMS | agent installed (for the JVMs the kernel starts)",
        "Python | ANY        | agent installed (for the JVMs the kernel starts)",
    })
    void eachInstallTakesItsKindOfKernelAndRefusesTheOther(String kernel, KernelspecEditor.Accept accept, String says)
            throws Exception {
        String original = kernel.equals("JVM") ? ORIGINAL
                : "{\"argv\": [\"/usr/bin/python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"], \"language\": \"python\"}";
        Path json = kernel(original);
        if (says.startsWith("refused: ")) {
            KernelspecException e = assertThrows(KernelspecException.class, () -> KernelspecEditor.planInstall(json, OPT, accept));
            assertTrue(e.getMessage().startsWith(says.substring("refused: ".length())), e.getMessage());
            assertFalse(e.getMessage().contains("python3") || e.getMessage().contains("ipykernel"),
                    "the file's content is not repeated: " + e.getMessage());
            assertEquals(original, Files.readString(json));
            assertFalse(Files.exists(KernelspecEditor.backupOf(json)));
        } else {
            KernelspecEditor.Change c = KernelspecEditor.planInstall(json, OPT, accept);
            assertEquals(says, c.what);
            KernelspecEditor.apply(c);
            assertEquals(kernel.equals("JVM") ? KernelspecEditor.Mode.KERNEL : KernelspecEditor.Mode.CHILD_JVMS,
                    KernelspecEditor.mode(json(json)));
        }
    }

    /** Rows: a kernel.json, the mode list shows for it. */
    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"argv\": [\"java\"]}                                                                            | off",
        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx1g\"}}                             | off",
        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-javaagent:/opt/other.jar\"}}          | off",
        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-javaagent:/o/af-metrics-agent.jar\"}}  | kernel",
        "{\"argv\": [\"sh\"], \"language\": \"scala\", \"env\": {\"JAVA_TOOL_OPTIONS\": \"-javaagent:/o/af-metrics-agent.jar=port=0\"}} | kernel",
        "{\"argv\": [\"python3\"], \"language\": \"python\"}                                                | off",
        "{\"argv\": [\"python3\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx1g -javaagent:/o/af-metrics-agent.jar\"}} | child-jvms",
        "{\"argv\": [\"R\"], \"language\": \"R\", \"env\": {\"JAVA_TOOL_OPTIONS\": \"-javaagent:/o/af-metrics-agent.jar\"}} | child-jvms",
    })
    void theModeIsDerivedFromTheFileAlone(String content, String mode) throws Exception {
        Path json = kernel(content);
        assertEquals(mode, KernelspecEditor.mode(KernelspecEditor.parse(Files.readAllBytes(json), json)).label);
    }

    /**
     * Edits made to the file between install and remove: what install put in comes out, the edits
     * stay. Rows: the original, the edit (a replacement on the installed file), the file after remove.
     */
    static Stream<Arguments> editedSinceInstall() {
        return Stream.of(
                Arguments.of("another field changed",
                        "{\n \"argv\": [\"java\"],\n \"display_name\": \"Java\"\n}\n",
                        new String[] {"\"Java\"", "\"Java 21\""},
                        "{\n \"argv\": [\"java\"],\n \"display_name\": \"Java 21\"\n}\n"),
                Arguments.of("a variable added to the env install created: the env stays",
                        "{\n \"argv\": [\"java\"]\n}\n",
                        new String[] {"\"JAVA_TOOL_OPTIONS\":", "\"KERNEL_X\": \"1\", \"JAVA_TOOL_OPTIONS\":"},
                        "{\n \"env\": {\"KERNEL_X\": \"1\"},\n \"argv\": [\"java\"]\n}\n"),
                Arguments.of("an option added after the agent's",
                        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx1g\"}}",
                        new String[] {"=port=8003-8099\"", "=port=8003-8099 -Xss8m\""},
                        "{\"argv\": [\"java\"], \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx1g -Xss8m\"}}"),
                Arguments.of("the file re-indented by hand",
                        "{\"argv\": [\"java\"], \"language\": \"java\"}",
                        new String[] {"{\"env\"", "{\n    \"env\""},
                        "{\n    \"argv\": [\"java\"], \"language\": \"java\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("editedSinceInstall")
    void removeTakesOutWhatInstallPutInWhateverChangedSince(String name, String original, String[] edit, String removed)
            throws Exception {
        Path json = kernel(original);
        assertTrue(KernelspecEditor.install(json, OPT));
        String installed = Files.readString(json);
        assertTrue(installed.contains(edit[0]), installed);
        Files.writeString(json, installed.replace(edit[0], edit[1]));
        String what = KernelspecEditor.remove(json);
        assertTrue(what.startsWith("agent removed (the file changed since install"), what);
        assertEquals(removed, Files.readString(json));
    }

    @Test
    void aKernelJsonWithTwoMembersOfOneNameIsRefused() throws Exception {
        String twice = "{\"argv\": [\"java\"], \"env\": {}, \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx1g\"}}";
        Path json = kernel(twice);
        KernelspecException e = assertThrows(KernelspecException.class, () -> KernelspecEditor.planInstall(json, OPT, KernelspecEditor.Accept.ANY));
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("env"), e.getMessage());
        assertEquals(twice, Files.readString(json));
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

        assertEquals("agent removed", KernelspecEditor.remove(json));
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
        assertEquals("agent removed", KernelspecEditor.remove(json));
        assertEquals(plain, Files.readString(json));
    }

    @Test
    void editsMadeAfterInstallSurviveRemove() throws Exception {
        Path json = kernel(ORIGINAL);
        KernelspecEditor.install(json, KernelspecEditor.option(jar(), null));
        ObjectNode edited = json(json);
        edited.put("display_name", "renamed");
        Files.write(json, new ObjectMapper().writeValueAsBytes(edited));
        String what = KernelspecEditor.remove(json);
        assertTrue(what.contains("the file changed since install; those changes are kept"), what);
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

        // the record earlier versions of install kept in the metadata is honoured, and goes with the option
        String legacy = "{\n \"argv\": [\"java\"],\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx2g -javaagent:/gone/monitoring.jar=port=1\"},\n"
                + " \"metadata\": {\"debugger\": false, \"af-metrics\": {\"agent-jar\": \"/gone/monitoring.jar\"}}\n}\n";
        Path json = kernel(legacy);
        assertEquals("agent removed", KernelspecEditor.remove(json), "found by the path install recorded");
        assertEquals("{\n \"argv\": [\"java\"],\n \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx2g\"},\n"
                + " \"metadata\": {\"debugger\": false}\n}\n", Files.readString(json));
    }

    /** Rows: where the jar is (under the test's directory unless absolute), the project file beside, what is said. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', nullValues = "-", value = {
        "proj/target/af-metrics-agent.jar        | proj/pom.xml          | the build tree",
        "proj/target/x/af-metrics-agent.jar      | proj/pom.xml          | the build tree",
        "proj/build/libs/af-metrics-agent.jar    | proj/build.gradle.kts | the build tree",
        "proj/build/libs/af-metrics-agent.jar    | proj/build.gradle     | the build tree",
        "/opt/af-metrics/af-metrics-agent.jar    | -                     | -",
        "/var/tmp/af-metrics-agent.jar           | -                     | the temporary directory /var/tmp",
        "/dev/shm/af-metrics-agent.jar           | -                     | the temporary directory /dev/shm",
        "/tmp/x/af-metrics-agent.jar             | -                     | the temporary directory /tmp",
    })
    void aJarInABuildTreeOrTemporaryDirectoryIsNamedAsSuch(String jar, String projectFile, String says) throws Exception {
        if (projectFile != null) {
            Files.createDirectories(dir.resolve(projectFile).getParent());
            Files.write(dir.resolve(projectFile), new byte[0]);
        }
        String place = KernelspecEditor.transientPlace(jar.startsWith("/") ? Path.of(jar) : dir.resolve(jar));
        if (says == null) {
            assertNull(place);
        } else {
            assertTrue(place != null && place.startsWith(says), String.valueOf(place));
        }
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
