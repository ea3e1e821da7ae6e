package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.JupyterKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar af-metrics-agent.jar kernelspec …} on a private JUPYTER_PATH. */
class KernelspecCliIT {
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
        String out = AgentCli.ok(env, "kernelspec", "install", "java", "--agent-args", "targets-dir=/srv/targets");
        assertTrue(out.contains("java: agent installed"), out);
        String tool = new ObjectMapper().readTree(file("java").toFile()).path("env").path("JAVA_TOOL_OPTIONS").asText();
        assertEquals("-Xmx3g -javaagent:" + AgentJar.path() + "=targets-dir=/srv/targets", tool,
                "the jar by its absolute path, after the kernel's own options");
        byte[] once = Files.readAllBytes(file("java"));

        out = AgentCli.ok(env, "kernelspec", "install", "java", "--agent-args", "targets-dir=/srv/targets");
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
        String out = AgentCli.ok(env, "kernelspec", "install", "--all-jvm");
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
        AgentCli.Result r = AgentCli.run(env, "kernelspec", "install", "broken", "java");
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("broken: " + file("broken") + ": not valid JSON"), r.toString());
        assertTrue(r.stdout.contains("java: agent installed"), "the other kernel is still done: " + r);
        assertArrayEquals(broken, Files.readAllBytes(file("broken")));
        AgentCli.Result unknown = AgentCli.run(env, "kernelspec", "install", "nosuch");
        assertEquals(1, unknown.exitCode);
        assertTrue(unknown.stderr.contains("nosuch: no such kernelspec"), unknown.toString());
    }
}
