package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.JupyterKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code java -jar af-metrics-agent.jar kernelspec …} on a private JUPYTER_PATH. */
class KernelspecCliIT {
    /** The jar as built, named explicitly: run from the build tree, install would refuse to point kernels there. */
    private static final String JAR = AgentJar.path().toString();

    @TempDir
    Path tmp;
    Path jupyter;
    Map<String, String> env;
    byte[] javaOriginal;
    byte[] pythonOriginal;

    @BeforeEach
    void kernels() throws Exception {
        jupyter = tmp.resolve("jupyter");
        javaOriginal = ("{\n \"argv\": [\"java\", \"-Xss4m\", \"-jar\", \"/opt/jjava/jjava.jar\", \"{connection_file}\"],\n"
                + " \"display_name\": \"Java\",\n \"language\": \"java\",\n"
                + " \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx3g\", \"JJAVA_COMPILER_OPTS\": \"-parameters\"},\n"
                + " \"interrupt_mode\": \"message\"\n}").getBytes(StandardCharsets.UTF_8);
        pythonOriginal = "{\"argv\": [\"python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"], \"language\": \"python\"}"
                .getBytes(StandardCharsets.UTF_8);
        write("java", javaOriginal);
        write("python3", pythonOriginal);
        env = JupyterKernels.privateEnv(jupyter, tmp);
    }

    private Path write(String name, byte[] content) throws Exception {
        Path dir = Files.createDirectories(jupyter.resolve("kernels").resolve(name));
        return Files.write(dir.resolve("kernel.json"), content);
    }

    private Path file(String name) {
        return jupyter.resolve("kernels").resolve(name).resolve("kernel.json");
    }

    @Test
    void installThenRemoveLeavesTheKernelJsonByteIdentical() throws Exception {
        String out = AgentCli.ok(env, "kernelspec", "install", "--jar", JAR, "java", "--agent-args", "targets-dir=/srv/targets");
        assertTrue(out.contains("java: agent installed"), out);
        String tool = new ObjectMapper().readTree(file("java").toFile()).path("env").path("JAVA_TOOL_OPTIONS").asText();
        assertEquals("-Xmx3g -javaagent:" + AgentJar.path() + "=targets-dir=/srv/targets", tool,
                "the jar by its absolute path, after the kernel's own options");
        byte[] once = Files.readAllBytes(file("java"));

        out = AgentCli.ok(env, "kernelspec", "install", "--jar", JAR, "java", "--agent-args", "targets-dir=/srv/targets");
        assertTrue(out.contains("java: agent already installed"), out);
        assertArrayEquals(once, Files.readAllBytes(file("java")), "install twice = install once");

        String list = AgentCli.ok(env, "kernelspec", "list");
        assertTrue(list.lines().anyMatch(l -> l.startsWith("java ") && l.contains(" kernel ") && l.contains(file("java").toString())), list);
        assertTrue(list.lines().anyMatch(l -> l.startsWith("python3 ") && l.contains(" off ")), list);

        out = AgentCli.ok(env, "kernelspec", "remove", "java");
        assertTrue(out.contains("java: agent removed"), out);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "remove restores the original bytes");
        assertFalse(Files.exists(KernelspecEditor.backupOf(file("java"))));
    }

    @Test
    void allJvmTakesTheJvmKernelsOnly() throws Exception {
        String out = AgentCli.ok(env, "kernelspec", "install", "--jar", JAR, "--all-jvm");
        assertTrue(out.contains("java: agent installed"), out);
        assertFalse(out.contains("python3"), out);
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")));
        AgentCli.ok(env, "kernelspec", "remove", "--all");
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")));
    }

    @Test
    void aBrokenKernelspecIsReportedAndLeftAlone() throws Exception {
        byte[] broken = "{\"argv\": [\"java\", ".getBytes(StandardCharsets.UTF_8);
        write("broken", broken);
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "broken", "java");
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("broken: " + file("broken") + ": not valid JSON"), r.toString());
        assertTrue(r.stdout.contains("java: agent installed"), "the other kernel is still done: " + r);
        assertArrayEquals(broken, Files.readAllBytes(file("broken")));
        AgentCli.Result unknown = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "nosuch");
        assertEquals(1, unknown.exitCode);
        assertTrue(unknown.stderr.contains("nosuch: no such kernelspec"), unknown.toString());
    }

    @Test
    void aKernelspecThatIsNoJvmKernelIsRefusedPointingToChildJvmsAndForceStillWorks() throws Exception {
        AgentCli.Result refused = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "python3");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.stderr.contains("python3: not a JVM kernel") && refused.stderr.contains("--child-jvms puts the"
                + " agent into the JVMs it starts"), refused.stderr);
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")), "not a byte changed");
        assertFalse(Files.exists(KernelspecEditor.backupOf(file("python3"))), "no backup either");

        AgentCli.Result forced = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "python3", "--force");
        assertEquals(0, forced.exitCode, forced.toString());
        assertTrue(forced.stdout.contains("python3: agent installed"), forced.stdout);
        AgentCli.ok(env, "kernelspec", "remove", "python3");
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")));
    }

    @Test
    void childJvmsTakesKernelsOfOtherLanguagesAndRefusesJvmKernels() throws Exception {
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "--child-jvms", "python3", "java");
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("python3: agent installed (for the JVMs the kernel starts) in " + file("python3")), r.stdout);
        assertTrue(r.stderr.contains("java: a JVM kernel: install it without --child-jvms"), r.stderr);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "the JVM kernel: not a byte changed");

        JsonNode spec = new ObjectMapper().readTree(file("python3").toFile());
        assertEquals("-javaagent:" + AgentJar.path(), spec.path("env").path("JAVA_TOOL_OPTIONS").asText());
        assertEquals(new ObjectMapper().readTree(pythonOriginal).get("argv"), spec.get("argv"), "the kernel's argv as it was");
        String list = AgentCli.ok(env, "kernelspec", "list");
        assertTrue(list.lines().anyMatch(l -> l.matches("python3 +child-jvms +no +" + Pattern.quote(
                file("python3").toString()))), list);
        assertTrue(list.lines().anyMatch(l -> l.matches("java +off +yes +.*")), list);

        AgentCli.ok(env, "kernelspec", "remove", "python3");
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")), "remove restores the original bytes");
    }

    @Test
    void agentArgumentsTheAgentWouldNotTakeAreRefusedBeforeAnythingIsWritten() throws Exception {
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "java", "--agent-args=colour=blue,port=abc");
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("--agent-args refused, nothing written: unknown key 'colour'; port: 'abc' is not a port"),
                r.stderr);
        assertFalse(r.stderr.contains("using the default") || r.stderr.contains("ignored"), "nothing was used: " + r.stderr);
        assertEquals("", r.stdout);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "not a byte changed");
        assertFalse(Files.exists(KernelspecEditor.backupOf(file("java"))));
    }

    @Test
    void removeWithoutNamesOrAllIsRefused() throws Exception {
        AgentCli.ok(env, "kernelspec", "install", "--jar", JAR, "java");
        byte[] installed = Files.readAllBytes(file("java"));
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "remove");
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("(--all | [NAME...])"), r.stderr);
        assertArrayEquals(installed, Files.readAllBytes(file("java")), "the agent stays where it was");
    }

    @Test
    void aJarOfAnyNameInstallsAndRemovesByteExact() throws Exception {
        Path monitoring = Files.copy(AgentJar.path(), tmp.resolve("monitoring.jar"));
        String out = AgentCli.ok(env, "kernelspec", "install", "java", "--jar=" + monitoring,
                "--agent-args", "port=0");
        assertTrue(out.contains("java: agent installed"), out);
        String tool = new ObjectMapper().readTree(file("java").toFile()).path("env").path("JAVA_TOOL_OPTIONS").asText();
        assertEquals("-Xmx3g -javaagent:" + monitoring.toAbsolutePath() + "=port=0", tool);
        String list = AgentCli.ok(env, "kernelspec", "list");
        assertTrue(list.lines().anyMatch(l -> l.startsWith("java ") && l.contains(" kernel ")), "list knows it: " + list);
        out = AgentCli.ok(env, "kernelspec", "remove", "java");
        assertTrue(out.contains("java: agent removed in " + file("java")), out);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "the original bytes");

        // without the backup, the option is still found: the jar's manifest names the agent
        AgentCli.ok(env, "kernelspec", "install", "java", "--jar=" + monitoring);
        Files.delete(KernelspecEditor.backupOf(file("java")));
        out = AgentCli.ok(env, "kernelspec", "remove", "java");
        assertTrue(out.contains("java: agent removed in "), out);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "the original bytes, backup or not");
    }

    @Test
    void dryRunPrintsTheChangeAsADiffAndWritesNothing() throws Exception {
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "java", "--dry-run", "--agent-args=port=0");
        assertEquals(0, r.exitCode, r.toString());
        String diff = r.stdout;
        assertTrue(diff.contains("--- " + file("java")) && diff.contains("+++ " + file("java")), diff);
        // the one line that changes, and nothing else
        List<String> removed = diff.lines().filter(l -> l.startsWith("-") && !l.startsWith("---")).collect(Collectors.toList());
        List<String> added = diff.lines().filter(l -> l.startsWith("+") && !l.startsWith("+++")).collect(Collectors.toList());
        assertEquals(List.of("- \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx3g\", \"JJAVA_COMPILER_OPTS\": \"-parameters\"},"), removed, diff);
        assertEquals(List.of("+ \"env\": {\"JAVA_TOOL_OPTIONS\": \"-Xmx3g -javaagent:" + AgentJar.path()
                + "=port=0\", \"JJAVA_COMPILER_OPTS\": \"-parameters\"},"), added, diff);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "nothing written");
        assertFalse(Files.exists(KernelspecEditor.backupOf(file("java"))));

        AgentCli.ok(env, "kernelspec", "install", "--jar", JAR, "java");
        byte[] installed = Files.readAllBytes(file("java"));
        String removal = AgentCli.ok(env, "kernelspec", "remove", "--all", "--dry-run");
        assertEquals(1, removal.lines().filter(l -> l.startsWith("-") && !l.startsWith("---")).count(), removal);
        assertTrue(removal.lines().anyMatch(l -> l.startsWith("-") && l.contains("-javaagent:")), removal);
        assertEquals(1, removal.lines().filter(l -> l.startsWith("+") && !l.startsWith("+++")).count(), removal);
        assertArrayEquals(installed, Files.readAllBytes(file("java")), "nothing written");
    }

    /** A kernelspec that cannot be read is skipped with a line on stderr and exit 1, whichever the command. */
    @Test
    void aSkippedKernelspecGivesExit1ForInstallAndRemoveAlike() throws Exception {
        byte[] broken = "{\"argv\": [\"java\", ".getBytes(StandardCharsets.UTF_8);
        write("broken", broken);
        AgentCli.Result install = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "--all-jvm");
        assertEquals(1, install.exitCode, install.toString());
        assertTrue(install.stderr.contains("broken: skipped:"), install.stderr);
        assertTrue(install.stdout.contains("java: agent installed"), install.stdout);
        AgentCli.Result remove = AgentCli.run(env, "kernelspec", "remove", "--all");
        assertEquals(1, remove.exitCode, remove.toString());
        assertTrue(remove.stderr.contains("broken: "), remove.stderr);
        assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")));
        assertArrayEquals(broken, Files.readAllBytes(file("broken")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "install java                        | 2 | in the build tree",
        "install java --dry-run              | 2 | in the build tree",
        "install --all-jvm                   | 2 | in the build tree",
        "install --all-jvm --force --jar=@JAR@ | 2 | --force has no use with --all-jvm",
        "install --all-jvm --child-jvms --jar=@JAR@ | 2 | --child-jvms has no use with --all-jvm",
        "install java --child-jvms --force --jar=@JAR@ | 2 | --child-jvms and --force: give one",
        "install java --jar=@JAR@            | 0 | java: agent installed",
    })
    void theJarAsBuiltIsNotPutIntoKernelspecsUnlessNamedNorAnIgnoredOptionTaken(String args, int exit, String says)
            throws Exception {
        String[] argv = ("kernelspec " + args.trim().replace("@JAR@", JAR)).split(" +");
        AgentCli.Result r = AgentCli.run(env, argv);
        assertEquals(exit, r.exitCode, r.toString());
        assertTrue((exit == 0 ? r.stdout : r.stderr).contains(says), r.toString());
        if (exit != 0) {
            assertTrue(r.stderr.contains("nothing written"), r.stderr);
            assertArrayEquals(javaOriginal, Files.readAllBytes(file("java")), "not a byte changed");
            assertFalse(Files.exists(KernelspecEditor.backupOf(file("java"))));
        }
    }
    /**
     * A Python environment as users make them: a venv over Debian's Python and its Jupyter, with
     * its own {@code jupyter} first on PATH, so that Jupyter's data paths include
     * {@code VENV/share/jupyter} through its {@code sys.prefix}, and nothing but the environment
     * says so (no JUPYTER_PATH).
     */
    private Path venv() throws Exception {
        Path venv = tmp.resolve("venv");
        run(List.of(JupyterKernels.PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", venv.toString()), Map.of());
        Path bin = venv.resolve("bin");
        // a venv over the system's packages gets no scripts of theirs: the environment's Python runs Jupyter's modules
        if (!Files.exists(bin.resolve("jupyter"))) {
            script(bin.resolve("jupyter"), "exec \"" + bin.resolve("python") + "\" -m jupyter \"$@\"");
        }
        if (!Files.exists(bin.resolve("jupyter-kernelspec"))) {
            script(bin.resolve("jupyter-kernelspec"), "exec \"" + bin.resolve("python") + "\" -m jupyter_client.kernelspecapp \"$@\"");
        }
        return venv;
    }

    private static void script(Path file, String line) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + line + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The variables for a venv's jupyter first on PATH, its user and runtime directories private. */
    private Map<String, String> venvEnv(Path venv) {
        return Map.of("PATH", venv.resolve("bin") + File.pathSeparator + System.getenv("PATH"),
                "JUPYTER_DATA_DIR", tmp.resolve("data").toString(),
                "JUPYTER_RUNTIME_DIR", tmp.resolve("runtime").toString(),
                "JUPYTER_CONFIG_DIR", tmp.resolve("config").toString());
    }

    /** Runs a program to its end with these variables (and none of the test runner's Jupyter ones); its stdout. */
    private static String run(List<String> command, Map<String, String> variables) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("JUPYTER") || k.startsWith("AF_METRICS_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("VIRTUAL_ENV") || k.equals("CONDA_PREFIX"));
        pb.environment().putAll(variables);
        Path err = Files.createTempFile("afm-run", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(command + " failed: " + out + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Name to kernelspec directory, as the real {@code jupyter kernelspec list} sees them. */
    private static Map<String, Path> jupyterSees(Path jupyter, Map<String, String> variables) throws Exception {
        JsonNode specs = new ObjectMapper().readTree(
                run(List.of(jupyter.toString(), "kernelspec", "list", "--json"), variables)).path("kernelspecs");
        Map<String, Path> out = new TreeMap<>();
        specs.fields().forEachRemaining(e -> out.put(e.getKey(), Path.of(e.getValue().path("resource_dir").asText())));
        return out;
    }

    /** Name to kernelspec directory, as {@code kernelspec list --json} sees them. */
    private static Map<String, Path> weSee(Map<String, String> variables, String... scope) throws Exception {
        List<String> args = new ArrayList<>(List.of("kernelspec", "list", "--json"));
        args.addAll(List.of(scope));
        Map<String, Path> out = new TreeMap<>();
        for (JsonNode row : new ObjectMapper().readTree(
                AgentCli.ok(variables, args.toArray(new String[0])))) {
            out.put(row.path("name").asText(), Path.of(row.path("file").asText()).getParent());
        }
        return out;
    }

    private static JsonNode listed(Map<String, String> variables, String name,
            String... scope) throws Exception {
        List<String> args = new ArrayList<>(List.of("kernelspec", "list", "--json"));
        args.addAll(List.of(scope));
        for (JsonNode row : new ObjectMapper().readTree(
                AgentCli.ok(variables, args.toArray(new String[0])))) {
            if (row.path("name").asText().equals(name)) {
                return row;
            }
        }
        throw new AssertionError(name + " not listed");
    }

    @Test
    void theKernelspecsOfAVenvsJupyterAreFoundListedAndEditedAsJupyterSeesThem() throws Exception {
        Path venv = venv();
        Map<String, String> venvEnv = venvEnv(venv);
        Path kernels = venv.resolve("share/jupyter/kernels");
        Path javaJson = Files.write(Files.createDirectories(kernels.resolve("venv-java")).resolve("kernel.json"), javaOriginal);
        // the Python kernelspec as ipykernel itself writes it into an environment
        run(List.of(venv.resolve("bin/python").toString(), "-m", "ipykernel", "install", "--prefix", venv.toString(),
                "--name", "venv-python"), venvEnv);
        Path pythonJson = kernels.resolve("venv-python/kernel.json");
        byte[] ipykernelSpec = Files.readAllBytes(pythonJson);
        assertTrue(new String(ipykernelSpec, StandardCharsets.UTF_8).contains("ipykernel_launcher"));

        Map<String, Path> jupyter = jupyterSees(venv.resolve("bin/jupyter"), venvEnv);
        assertEquals(kernels.resolve("venv-java"), jupyter.get("venv-java"), "the real Jupyter sees the venv's: " + jupyter);
        assertEquals(jupyter, weSee(venvEnv), "the same kernelspecs in the same places as the real jupyter kernelspec list");
        assertEquals(Map.of("venv-java", kernels.resolve("venv-java"), "venv-python", kernels.resolve("venv-python")),
                weSee(venvEnv, "--sys-prefix"), "--sys-prefix: the venv's sys.prefix, from the Python beside its jupyter");
        assertEquals(Map.of(), weSee(venvEnv, "--user"), "--user: the private data directory, empty");

        String out = AgentCli.ok(venvEnv, "kernelspec", "install", "--jar", JAR, "venv-java");
        assertTrue(out.contains("venv-java: agent installed in " + javaJson), out);
        AgentCli.Result refused = AgentCli.run(venvEnv, "kernelspec", "install", "--jar", JAR, "venv-python");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.stderr.contains("venv-python: not a JVM kernel") && refused.stderr.contains("--child-jvms"),
                refused.stderr);
        assertArrayEquals(ipykernelSpec, Files.readAllBytes(pythonJson), "refused: not a byte changed");
        out = AgentCli.ok(venvEnv, "kernelspec", "install", "--jar", JAR, "--child-jvms", "venv-python", "--sys-prefix");
        assertTrue(out.contains("venv-python: agent installed (for the JVMs the kernel starts) in " + pythonJson), out);

        assertEquals("kernel", listed(venvEnv, "venv-java").path("mode").asText());
        JsonNode python = listed(venvEnv, "venv-python", "--sys-prefix");
        assertEquals("child-jvms", python.path("mode").asText(), python.toString());
        assertTrue(python.path("agent").asBoolean() && !python.path("jvm").asBoolean(), python.toString());
        String table = AgentCli.ok(venvEnv, "kernelspec", "list");
        assertTrue(table.lines().anyMatch(l -> l.matches("venv-python +child-jvms +no +.*")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("venv-java +kernel +yes +.*")), table);

        // what Jupyter itself starts the Python kernel with: its argv as ipykernel wrote it, the agent in its env
        JsonNode spec = new ObjectMapper().readTree(run(List.of(
                venv.resolve("bin/python").toString(), "-c", "import json; from jupyter_client.kernelspec import"
                        + " KernelSpecManager as M; print(json.dumps(M().get_kernel_spec('venv-python').to_dict()))"),
                venvEnv));
        assertEquals(new ObjectMapper().readTree(ipykernelSpec).get("argv"), spec.get("argv"));
        assertEquals("-javaagent:" + AgentJar.path(), spec.path("env").path("JAVA_TOOL_OPTIONS").asText());

        AgentCli.ok(venvEnv, "kernelspec", "remove", "venv-java", "venv-python");
        assertArrayEquals(javaOriginal, Files.readAllBytes(javaJson), "remove restores the original bytes");
        assertArrayEquals(ipykernelSpec, Files.readAllBytes(pythonJson), "ipykernel's bytes, as it wrote them");
        assertFalse(Files.exists(KernelspecEditor.backupOf(pythonJson)));
    }

    @Test
    void prefixAndUserNameOneDirectoryEach() throws Exception {
        Path prefix = tmp.resolve("prefix");
        Path prefixed = Files.createDirectories(prefix.resolve("share/jupyter/kernels/p-java")).resolve("kernel.json");
        Files.write(prefixed, javaOriginal);
        Path user = Files.createDirectories(tmp.resolve("data/kernels/u-java")).resolve("kernel.json");
        Files.write(user, javaOriginal);
        Map<String, String> variables = new HashMap<>(env);
        variables.put("JUPYTER_DATA_DIR", tmp.resolve("data").toString());

        assertEquals(Map.of("p-java", prefixed.getParent()), weSee(variables, "--prefix", prefix.toString()));
        assertEquals(Map.of("u-java", user.getParent()), weSee(variables, "--user"));
        Map<String, Path> searched = weSee(variables);
        assertTrue(searched.containsKey("u-java") && searched.containsKey("java") && !searched.containsKey("p-java"),
                "a prefix is searched only when named: " + searched);

        AgentCli.Result elsewhere = AgentCli.run(variables, "kernelspec", "install", "--jar", JAR, "p-java");
        assertEquals(1, elsewhere.exitCode, elsewhere.toString());
        assertTrue(elsewhere.stderr.contains("p-java: no such kernelspec"), elsewhere.stderr);
        String out = AgentCli.ok(variables, "kernelspec", "install", "--jar", JAR, "p-java", "--prefix=" + prefix);
        assertTrue(out.contains("p-java: agent installed in " + prefixed), out);
        assertEquals("kernel", listed(variables, "p-java", "--prefix", prefix.toString()).path("mode").asText());
        AgentCli.Result notThere = AgentCli.run(variables, "kernelspec", "remove", "java", "--user");
        assertEquals(1, notThere.exitCode, "java is in JUPYTER_PATH, not the user's directory: " + notThere);
        AgentCli.ok(variables, "kernelspec", "remove", "--all", "--prefix", prefix.toString());
        assertArrayEquals(javaOriginal, Files.readAllBytes(prefixed));
        assertArrayEquals(javaOriginal, Files.readAllBytes(user), "the user's kernelspec: not touched");

        AgentCli.Result both = AgentCli.run(variables, "kernelspec", "list", "--user", "--prefix", prefix.toString());
        assertEquals(2, both.exitCode, both.toString());
        assertTrue(both.stderr.contains("mutually exclusive"), both.stderr);
    }
}
