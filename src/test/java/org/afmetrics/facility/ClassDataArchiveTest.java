package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.afmetrics.facility.KernelspecEditor.Change;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClassDataArchiveTest {
    private static final String ARCHIVE = "/srv/jupyter/kernels/kotlin/af-metrics.jsa";

    @TempDir
    Path dir;

    /** Hand-formatted files and what the archive's options make of them: only argv's bytes change. */
    static Stream<Arguments> layouts() {
        String opts = "\"-XX:SharedArchiveFile=" + ARCHIVE + "\"";
        String quiet = "\"" + ClassDataArchive.QUIET + "\"";
        return Stream.of(
                Arguments.of("one element a line",
                        "{\n \"argv\": [\n  \"java\",\n  \"-cp\",\n  \"/opt/k/*\",\n  \"{connection_file}\"\n ],\n"
                                + " \"language\": \"kotlin\"\n}\n",
                        "{\n \"argv\": [\n  \"java\",\n  " + opts + ",\n  " + quiet + ",\n  \"-cp\",\n  \"/opt/k/*\",\n"
                                + "  \"{connection_file}\"\n ],\n \"language\": \"kotlin\"\n}\n"),
                Arguments.of("all on one line, odd spaces",
                        "{\"language\":\"java\" ,  \"argv\" :[ \"/usr/bin/java\" ,\"-jar\",\"k.jar\"]}",
                        "{\"language\":\"java\" ,  \"argv\" :[ \"/usr/bin/java\" ," + opts + " ," + quiet
                                + " ,\"-jar\",\"k.jar\"]}"),
                Arguments.of("argv[0] alone",
                        "{\"argv\": [\"java\"]}",
                        "{\"argv\": [\"java\", " + opts + ", " + quiet + "]}"),
                Arguments.of("escapes in argv[0] and after",
                        "{\"argv\": [\"C:\\\\jdk\\\\bin\\\\java\\\"\", \"-Dx=\\u00e9\"], \"env\": {}}",
                        "{\"argv\": [\"C:\\\\jdk\\\\bin\\\\java\\\"\", " + opts + ", " + quiet
                                + ", \"-Dx=\\u00e9\"], \"env\": {}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void theOptionsGoAfterArgv0AndComeOutByteExact(String what, String before, String after) throws Exception {
        Path file = dir.resolve("kernel.json");
        byte[] original = before.getBytes(StandardCharsets.UTF_8);
        byte[] with = ClassDataArchive.withArchive(original, file, Paths.get(ARCHIVE));
        assertEquals(after, new String(with, StandardCharsets.UTF_8));
        ObjectNode spec = KernelspecEditor.parse(with, file);
        assertEquals(ARCHIVE, ClassDataArchive.namedArchive(spec));
        assertEquals(ClassDataArchive.QUIET, spec.path("argv").path(2).asText());
        assertSame(with, ClassDataArchive.withArchive(with, file, Paths.get(ARCHIVE)), "twice = once");
        assertArrayEquals(original, ClassDataArchive.withoutArchive(with, file), "the original bytes again");
        assertSame(original, ClassDataArchive.withoutArchive(original, file), "nothing to take out");
    }

    @Test
    void anotherPlaceReplacesTheOptionsAndEditsSinceStay() throws Exception {
        Path file = dir.resolve("kernel.json");
        byte[] original = "{\"argv\": [\"java\", \"-cp\", \"k.jar\", \"Main\"]}".getBytes(StandardCharsets.UTF_8);
        byte[] with = ClassDataArchive.withArchive(original, file, Paths.get("/old/kernels/k/af-metrics.jsa"));
        byte[] moved = ClassDataArchive.withArchive(with, file, Paths.get(ARCHIVE));
        assertEquals("{\"argv\": [\"java\", \"-XX:SharedArchiveFile=" + ARCHIVE + "\", \"" + ClassDataArchive.QUIET
                + "\", \"-cp\", \"k.jar\", \"Main\"]}", new String(moved, StandardCharsets.UTF_8));
        // an option added by hand since stays where it is
        String edited = new String(moved, StandardCharsets.UTF_8).replace("\"Main\"", "\"Main\", \"-v\"");
        assertEquals("{\"argv\": [\"java\", \"-cp\", \"k.jar\", \"Main\", \"-v\"]}", new String(
                ClassDataArchive.withoutArchive(edited.getBytes(StandardCharsets.UTF_8), file), StandardCharsets.UTF_8));
    }

    @Test
    void someoneElsesArchiveOptionIsNotOurs() throws Exception {
        Path file = dir.resolve("kernel.json");
        byte[] theirs = "{\"argv\": [\"java\", \"-XX:SharedArchiveFile=/opt/app.jsa\", \"-jar\", \"k.jar\"]}"
                .getBytes(StandardCharsets.UTF_8);
        assertSame(theirs, ClassDataArchive.withoutArchive(theirs, file));
        assertNull(ClassDataArchive.namedArchive(KernelspecEditor.parse(theirs, file)));
    }

    @Test
    void argvThatIsNoListOfStringsIsRefused() {
        Path file = dir.resolve("kernel.json");
        assertThrows(KernelspecException.class, () -> ClassDataArchive.withArchive(
                "{\"argv\": [\"java\", 3]}".getBytes(StandardCharsets.UTF_8), file, Paths.get(ARCHIVE)));
        assertThrows(KernelspecException.class, () -> ClassDataArchive.withArchive(
                "{\"argv\": []}".getBytes(StandardCharsets.UTF_8), file, Paths.get(ARCHIVE)));
    }

    /** Install and remove together: the agent's env edit and the argv edit; remove gives the original bytes. */
    @Test
    void installAndRemoveWithTheAgentRestoreTheOriginal() throws Exception {
        Path k = Files.createDirectories(dir.resolve("kernels").resolve("kotlin"));
        Path file = k.resolve("kernel.json");
        String original = "{\n \"argv\": [\n  \"java\",\n  \"-jar\",\n  \"/opt/k.jar\",\n  \"{connection_file}\"\n ],\n"
                + " \"display_name\": \"Kotlin\",\n \"language\": \"kotlin\"\n}";
        Files.write(file, original.getBytes(StandardCharsets.UTF_8));
        Change install = ClassDataArchive.planInstall(
                KernelspecEditor.planInstall(file, "-javaagent:/opt/af-metrics.jar", KernelspecEditor.Accept.JVM_KERNEL));
        KernelspecEditor.apply(install);
        ObjectNode spec = (ObjectNode) new ObjectMapper().readTree(file.toFile());
        assertEquals(ClassDataArchive.archiveOf(file).toString(), ClassDataArchive.namedArchive(spec));
        assertEquals("-javaagent:/opt/af-metrics.jar", spec.path("env").path("JAVA_TOOL_OPTIONS").asText());
        assertEquals("/opt/k.jar", spec.path("argv").path(4).asText());

        Change again = ClassDataArchive.planInstall(
                KernelspecEditor.planInstall(file, "-javaagent:/opt/af-metrics.jar", KernelspecEditor.Accept.JVM_KERNEL));
        assertTrue(!again.changes(), "installing twice equals installing once");

        Change remove = ClassDataArchive.planRemove(KernelspecEditor.planRemove(file));
        assertEquals("agent removed, class-data archive taken out of argv", remove.what);
        KernelspecEditor.apply(remove);
        assertEquals(original, Files.readString(file));
        assertTrue(!Files.exists(KernelspecEditor.backupOf(file)));
    }

    @Test
    void theStateSaysOffMissingDamagedStaleOrInUse() throws Exception {
        Path k = Files.createDirectories(dir.resolve("kernels").resolve("k"));
        Path file = k.resolve("kernel.json");
        Path jar = Files.write(dir.resolve("k.jar"), new byte[] {1, 2, 3});
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        String plain = "{\"argv\": [" + new ObjectMapper().writeValueAsString(java.toString()) + ", \"-cp\", "
                + new ObjectMapper().writeValueAsString(jar.toString()) + ", \"Main\", \"{connection_file}\"]}";
        Files.write(file, plain.getBytes(StandardCharsets.UTF_8));
        assertEquals("off", state(file).word);

        Files.write(file, ClassDataArchive.withArchive(Files.readAllBytes(file), file, ClassDataArchive.archiveOf(file)));
        assertEquals("missing", state(file).word);

        Path archive = Files.write(ClassDataArchive.archiveOf(file), new byte[8192]);
        assertEquals("stale", state(file).word, "no record of what it was made from");

        Properties record = new Properties();
        record.setProperty("archive.size", "8192");
        record.setProperty("archive.sha256", ClassDataArchive.sha256(archive));
        record.setProperty("java.version", ClassDataArchive.Jdk.of(java.toString(), Map.of()).version);
        ClassDataArchive.jars(List.of(java.toString(), "-cp", jar.toString(), "Main"), k).forEach(record::setProperty);
        try (var out = Files.newOutputStream(ClassDataArchive.recordOf(file))) {
            record.store(out, null);
        }
        assertEquals("in use", state(file).word, state(file).toString());

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertEquals("stale", state(file).word);
        assertTrue(state(file).detail.contains(jar.toString()), state(file).toString());
        ClassDataArchive.jars(List.of(java.toString(), "-cp", jar.toString(), "Main"), k).forEach(record::setProperty);
        record.setProperty("java.version", "17.0.1");
        try (var out = Files.newOutputStream(ClassDataArchive.recordOf(file))) {
            record.store(out, null);
        }
        assertTrue(state(file).toString().startsWith("stale (made with JDK 17.0.1, the kernel runs "), state(file).toString());

        byte[] damaged = new byte[8192];
        damaged[4000] = 1;
        Files.write(archive, damaged);
        assertEquals("damaged", state(file).word);

        assertTrue(ClassDataArchive.delete(file));
        assertTrue(!Files.exists(archive) && !Files.exists(ClassDataArchive.recordOf(file)));
    }

    @Test
    void theClassPathIsWhatTheJvmGetsNotTheProgramsArguments() {
        Map<String, String> jars = ClassDataArchive.jars(List.of("java", "-Xss4m", "--class-path=/a.jar:/b.jar",
                "-jar", "{resource_dir}/k.jar", "-cp", "/program.jar"), Paths.get("/srv/k"));
        assertEquals(List.of("jar./a.jar", "jar./b.jar", "jar./srv/k/k.jar"), List.copyOf(jars.keySet()));
        assertEquals("absent", jars.get("jar./a.jar"));
        Map<String, String> main = ClassDataArchive.jars(List.of("java", "-cp", "/k.jar", "Main", "-cp=/x.jar"),
                Paths.get("/srv/k"));
        assertEquals(List.of("jar./k.jar"), List.copyOf(main.keySet()));
    }

    @Test
    void theJdkComesFromArgv0OrThePath() {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ClassDataArchive.Jdk jdk = ClassDataArchive.Jdk.of(java.toString(), Map.of());
        assertEquals(Runtime.version().feature(), jdk.feature());
        ClassDataArchive.Jdk onPath = ClassDataArchive.Jdk.of("java", Map.of("PATH", "/nowhere:" + java.getParent()));
        assertEquals(jdk.version, onPath.version);
        assertNull(ClassDataArchive.Jdk.of("java", Map.of("PATH", "/nowhere")));
        assertEquals(8, new ClassDataArchive.Jdk(Paths.get("/"), "1.8.0_402").feature());
        assertEquals(25, new ClassDataArchive.Jdk(Paths.get("/"), "25.0.3").feature());
    }

    /** An executable shell script standing in for a Python. */
    private Path fakePython(String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** A connection file of loopback ports nobody listens on (just freed). */
    private Path deafConnectionFile() throws Exception {
        ObjectNode c = new ObjectMapper().createObjectNode();
        for (String port : List.of("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                c.put(port, s.getLocalPort());
            }
        }
        c.put("ip", "127.0.0.1").put("key", "k").put("transport", "tcp").put("signature_scheme", "hmac-sha256");
        Path file = dir.resolve("kernel.json");
        Files.writeString(file, c.toString());
        return file;
    }

    private static boolean hasJupyterClient(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import jupyter_client").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void withoutAPythonThatHasJupyterClientTheWarmUpIsSkippedAndSaysWhy() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path none = fakePython("python3", "echo 'no jupyter_client: No module named jupyter_client' >&2; exit 3");
        Path broken = fakePython("python", "echo Traceback >&2; printf '%0600d\\n' 0 >&2; exit 1");
        KernelWarmUp.Outcome o = KernelWarmUp.warmUp(List.of(dir.resolve("nowhere"), none, broken),
                dir.resolve("kernel.json"), "1 + 1", Duration.ofSeconds(5), work);
        assertFalse(o.answered);
        assertTrue(o.why.startsWith("no jupyter_client to send the first requests: " + none
                + " (no jupyter_client: No module named jupyter_client); " + broken + " (000"), o.why);
        assertTrue(o.why.length() < 600, "a short tail of what each printed: " + o.why);
        KernelWarmUp.Outcome nothing = KernelWarmUp.warmUp(List.of(), dir.resolve("kernel.json"), null,
                Duration.ofSeconds(5), work);
        assertEquals("no jupyter_client to send the first requests: no Python found", nothing.why);
    }

    @Test
    void aWarmUpThatOutlastsItsLimitIsKilledWithWhatItStarted() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path pidFile = dir.resolve("child.pid");
        Path hangs = fakePython("python3", "sleep 120 & echo $! > " + pidFile + "; wait");
        long t0 = System.nanoTime();
        KernelWarmUp.Outcome o = KernelWarmUp.warmUp(List.of(hangs), dir.resolve("kernel.json"), null,
                Duration.ofSeconds(1), Duration.ofSeconds(2), work);
        assertFalse(o.answered);
        assertTrue(o.why.startsWith("it did not answer as a Jupyter kernel within 2 s"), o.why);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
        long child = Long.parseLong(Files.readString(pidFile).trim());
        for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "its child was killed too");
    }

    @Test
    void jupyterClientSendsTheRequestsAndAKernelThatDoesNotAnswerIsNotWaitedForLonger() throws Exception {
        String python = "/usr/bin/python3";
        assumeTrue(hasJupyterClient(python), "no jupyter_client in " + python);
        Path work = Files.createDirectories(dir.resolve("work"));
        long t0 = System.nanoTime();
        KernelWarmUp.Outcome o = KernelWarmUp.warmUp(List.of(Paths.get(python)), deafConnectionFile(), "1 + 1",
                Duration.ofSeconds(2), work);
        assertFalse(o.answered);
        assertEquals("it did not answer as a Jupyter kernel: no reply to the kernel_info_request within 2 s"
                + " (TimeoutError)", o.why);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60));
    }

    private static ClassDataArchive.State state(Path file) throws Exception {
        return ClassDataArchive.state(file, KernelspecEditor.parse(Files.readAllBytes(file), file));
    }
}
