package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.api.Test;

/**
 * {@code kernelspec install NAME --cds-first-cell} with the real Kotlin kernel on JDK 17: the
 * command makes the kernel's class-data archive (sending the kernel a first cell while it does),
 * the kernel started by jupyter_client maps it and answers; a
 * kernel jar changed since (stale) or an archive whose header is garbage leave the kernel
 * starting with nothing on its stdout; {@code install --cds} again remakes it (of the start and
 * first reply alone); with no Python that has jupyter_client to send the first requests the
 * archive is still made, of the start alone, and the record says why; remove restores
 * the kernel.json byte for byte and deletes the archive.
 */
class KernelspecCdsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAKE = Duration.ofMinutes(4);

    @Test
    void theKotlinKernelGetsItsArchiveAndStartsWhateverBecomesOfIt() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        // the kernel's own jar copied, so the test can stand for "a new kernel jar" by touching it
        String cp = TestKernels.kotlinClasspath();
        String kernelJar = cp.split(":")[0];
        assertTrue(kernelJar.endsWith("kotlin-jupyter-kernel-" + TestKernels.KOTLIN_VERSION + ".jar"), kernelJar);
        Path jarCopy = Files.copy(Path.of(kernelJar), env.dir().resolve("kotlin-jupyter-kernel.jar"));
        List<String> argv = new ArrayList<>();
        for (String a : TestKernels.kotlin(Jdks.current(), env.dir().resolve("kotlin-home"))) {
            argv.add(a.replace(kernelJar, jarCopy.toString()));
        }
        Path file = env.kernelspec("afm-cds-kotlin", "kotlin", argv, Map.of());
        byte[] original = Files.readAllBytes(file);
        Map<String, String> vars = env.variables();

        String out = AgentCli.jar("kernelspec", "install", "afm-cds-kotlin", "--cds-first-cell", "--jar",
                AgentJar.path().toString(), "--agent-args", "port=0").env(vars).timeout(MAKE).ok();
        Path archive = ClassDataArchive.archiveOf(file);
        assertTrue(out.contains("afm-cds-kotlin: class-data archive made for JDK " + System.getProperty("java.version")),
                out);
        assertTrue(out.contains("the classes of its start, first reply and first cell"), "the kernel answered: " + out);
        assertEquals("its start, first reply and first cell", classesOf(file), "the record says so too");
        long firstCellSize = Files.size(archive);
        assertTrue(out.contains("afm-cds-kotlin: agent installed, class-data archive named in argv in " + file), out);
        assertTrue(Files.size(archive) > 1 << 20, "an archive of the kernel's classes: " + Files.size(archive));
        assertFalse(Files.isWritable(archive) && !"root".equals(System.getProperty("user.name")),
                "written once, read-only");
        ObjectNode spec = (ObjectNode) JSON.readTree(file.toFile());
        assertEquals(List.of(argv.get(0), "-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"),
                List.of(spec.path("argv").path(0).asText(), spec.path("argv").path(1).asText(),
                        spec.path("argv").path(2).asText()));
        assertFalse(spec.path("env").path("JAVA_TOOL_OPTIONS").asText().contains("SharedArchiveFile"),
                "never in JAVA_TOOL_OPTIONS, which every JVM of the kernel reads");
        assertEquals("in use", listed(vars).path("cds").asText());

        // the kernel as a notebook server starts it: it answers, with the archive mapped
        try (KernelDriver kernel = KernelDriver.start(env, "afm-cds-kotlin", Duration.ofSeconds(180))) {
            assertEquals("ok", kernel.execute("1 + 1", Duration.ofSeconds(120)).path("status").asText());
            assertEquals(archive.toString(), ClassDataArchive.mappedBy(kernel.kernelPid()), "the JVM maps the archive");
            long pid = kernel.kernelPid();
            JsonNode agent = null;
            for (JsonNode a : JSON.readTree(AgentCli.jar("status", "--json").env(vars).timeout(Duration.ofMinutes(2)).ok())) {
                if (a.path("pid").asLong() == pid) {
                    agent = a;
                }
            }
            assertTrue(agent != null, "status finds the kernel's agent");
            assertEquals("yes", agent.path("cds").asText(), agent.toString());
            assertEquals(archive.toString(), agent.path("cds_archive").asText());
        }

        // a new kernel jar: the JVM leaves the archive unused, silently; list says stale
        Files.setLastModifiedTime(jarCopy, FileTime.fromMillis(Files.getLastModifiedTime(jarCopy).toMillis() + 60_000));
        assertEquals("stale", listed(vars).path("cds").asText());
        Started stale = startDirectly(spec, env);
        assertEquals("", stale.stdout, "nothing on the kernel's stdout with a stale archive");
        assertNull(stale.mapped, "a stale archive is not mapped");

        // install --cds again remakes it for the jar there is now (without the first cell this time)
        out = AgentCli.jar("kernelspec", "install", "afm-cds-kotlin", "--cds", "--jar",
                AgentJar.path().toString(), "--agent-args", "port=0").env(vars).timeout(MAKE).ok();
        assertTrue(out.contains("afm-cds-kotlin: agent already installed in " + file), out);
        assertTrue(out.contains("; the classes of its start and first reply): " + archive), out);
        assertEquals("in use", listed(vars).path("cds").asText());
        Started remade = startDirectly(spec, env);
        assertEquals("", remade.stdout);
        assertEquals(archive.toString(), remade.mapped, "the remade archive is mapped");
        assertEquals("its start and first reply", classesOf(file));
        long firstReplySize = Files.size(archive);

        // no Python with jupyter_client (PATH and the fallback Python point at nothing usable): the
        // archive is still made, of the kernel's start alone, and says why; the first cell's classes
        // it was asked for are missing from it
        Path noClient = Files.createDirectories(env.dir().resolve("no-jupyter-client"));
        Path fakePython = noClient.resolve("python3");
        Files.writeString(fakePython, "#!/bin/sh\necho 'no jupyter_client: No module named jupyter_client' >&2\nexit 3\n");
        Files.setPosixFilePermissions(fakePython, PosixFilePermissions.fromString("rwxr-xr-x"));
        out = AgentCli.jdkTool("java", "-Dafmetrics.cds.python=" + env.dir().resolve("no-such-python"), "-jar",
                AgentJar.path().toString(), "kernelspec", "install", "afm-cds-kotlin", "--cds-first-cell", "--jar",
                AgentJar.path().toString(), "--agent-args", "port=0").env(vars).env("PATH", noClient.toString())
                .timeout(MAKE).ok();
        String skipped = "its start (no jupyter_client to send the first requests: " + fakePython
                + " (no jupyter_client: No module named jupyter_client))";
        assertTrue(out.contains("; the classes of " + skipped + "): " + archive), out);
        assertEquals(skipped, classesOf(file));
        long startSize = Files.size(archive);
        System.out.printf("archive sizes: start %d, start and first reply %d, start, first reply and first cell %d%n",
                startSize, firstReplySize, firstCellSize);
        assertTrue(startSize < firstCellSize / 2, "without the first cell's classes: " + startSize + " bytes, "
                + firstCellSize + " with them");
        assertTrue(startSize < firstReplySize, "without the first reply's classes: " + startSize + " bytes, "
                + firstReplySize + " with them");
        assertEquals("in use", listed(vars).path("cds").asText());

        // an archive that is no archive: still a clean start; list says damaged
        Files.delete(archive);
        Files.write(archive, "not an archive\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
        assertEquals("damaged", listed(vars).path("cds").asText());
        Started garbage = startDirectly(spec, env);
        assertEquals("", garbage.stdout, "nothing on the kernel's stdout with a garbage archive");
        assertNull(garbage.mapped);

        out = AgentCli.jar("kernelspec", "remove", "afm-cds-kotlin").env(vars).ok();
        assertTrue(out.contains("afm-cds-kotlin: class-data archive deleted: " + archive), out);
        assertTrue(out.contains("afm-cds-kotlin: agent removed, class-data archive taken out of argv in " + file), out);
        assertArrayEquals(original, Files.readAllBytes(file), "remove restores the original bytes");
        assertFalse(Files.exists(archive) || Files.exists(ClassDataArchive.recordOf(file)));
    }

    /** What the record says the archive holds the classes of. */
    private static String classesOf(Path kernelJson) throws IOException {
        Properties record = new Properties();
        try (InputStream in = Files.newInputStream(ClassDataArchive.recordOf(kernelJson))) {
            record.load(in);
        }
        return record.getProperty("classes.of");
    }

    private static JsonNode listed(Map<String, String> vars) throws Exception {
        for (JsonNode row : JSON.readTree(AgentCli.jar("kernelspec", "list", "--json").env(vars).ok())) {
            if (row.path("name").asText().equals("afm-cds-kotlin")) {
                return row;
            }
        }
        throw new AssertionError("kernelspec list does not show afm-cds-kotlin");
    }

    /** What a kernel started straight from the kernelspec's argv and env printed on stdout, and the archive it mapped. */
    private static final class Started {
        final String stdout;
        final String mapped;

        Started(String stdout, String mapped) {
            this.stdout = stdout;
            this.mapped = mapped;
        }
    }

    /** The kernelspec's argv and env, a connection file of free ports; until the kernel listens, then SIGTERM. */
    private static Started startDirectly(ObjectNode spec, JupyterEnv env) throws Exception {
        int first = FreePort.findRun(5);
        Path connection = Files.createTempFile(env.dir(), "kernel-", ".json");
        Files.writeString(connection, JSON.writeValueAsString(Map.of("shell_port", first, "iopub_port", first + 1,
                "stdin_port", first + 2, "control_port", first + 3, "hb_port", first + 4, "ip", "127.0.0.1",
                "key", "k", "transport", "tcp", "signature_scheme", "hmac-sha256")));
        List<String> cmd = new ArrayList<>();
        spec.path("argv").forEach(a -> cmd.add(a.asText().replace("{connection_file}", connection.toString())));
        Path stdout = Files.createTempFile(env.dir(), "stdout-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(Files.createTempFile(env.dir(), "stderr-", ".txt").toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        spec.path("env").fields().forEachRemaining(e -> pb.environment().put(e.getKey(), e.getValue().asText()));
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!listens(first)) {
                assertTrue(p.isAlive(), "the kernel exited (" + Files.readString(stdout) + ")");
                assertTrue(System.nanoTime() < deadline, "the kernel did not listen within 120 s");
                Thread.sleep(100);
            }
            String mapped = ClassDataArchive.mappedBy(p.pid());
            return new Started(Files.readString(stdout), mapped);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
