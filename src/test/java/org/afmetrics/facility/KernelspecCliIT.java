package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertTrue(list.lines().anyMatch(l -> l.startsWith("java ") && l.contains(" on ") && l.contains(file("java").toString())), list);
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
    void aKernelspecThatIsNoJvmKernelIsRefusedUnlessForced() throws Exception {
        AgentCli.Result refused = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "python3");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.stderr.contains("python3: not a JVM kernel (argv[0] python3, language python); --force"),
                refused.stderr);
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")), "not a byte changed");
        assertFalse(Files.exists(KernelspecEditor.backupOf(file("python3"))), "no backup either");

        AgentCli.Result forced = AgentCli.run(env, "kernelspec", "install", "--jar", JAR, "python3", "--force");
        assertEquals(0, forced.exitCode, forced.toString());
        assertTrue(forced.stdout.contains("python3: agent installed"), forced.stdout);
        AgentCli.ok(env, "kernelspec", "remove", "python3");
        assertArrayEquals(pythonOriginal, Files.readAllBytes(file("python3")));
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
        assertTrue(list.lines().anyMatch(l -> l.startsWith("java ") && l.contains(" on ")), "list knows it: " + list);
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
}
