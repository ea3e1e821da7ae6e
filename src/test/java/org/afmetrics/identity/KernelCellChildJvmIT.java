package org.afmetrics.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.facility.TargetFile;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.TestKernels;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A JVM kernel (the basekernel test kernel, or the Kotlin kernel from Maven Central), started by
 * jupyter_client from a kernelspec the agent's {@code kernelspec install} put the agent into, runs
 * a cell that starts a JVM with {@code ProcessBuilder}. The child inherits the kernel's {@code JAVA_TOOL_OPTIONS}; both write a
 * target file, and scraped there the kernel says {@code jvm="kernel"}, the child {@code jvm="child"},
 * both with the kernel's user and session (the kernel id of its connection file).
 */
class KernelCellChildJvmIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = "erin";

    @TempDir
    Path tmp;

    /** A JVM kernel of the table: its kernelspec's argv, and a cell in its language that starts the child. */
    enum Kernel {
        BASEKERNEL("java") {
            @Override
            List<String> argv(Path javaHome, JupyterEnv env) throws Exception {
                return TestKernels.jshell(javaHome, TestKernels.BASEKERNEL_MAIN);
            }

            @Override
            String startCell(List<String> command, Path log, Path pidFile) throws IOException {
                return "var child = new ProcessBuilder(" + literals(command, false) + ")"
                        + ".redirectErrorStream(true).redirectOutput(new java.io.File(" + literal(log, false)
                        + ")).start();\n"
                        + "java.nio.file.Files.writeString(java.nio.file.Path.of(" + literal(pidFile, false)
                        + "), Long.toString(child.pid()));";
            }
        },
        KOTLIN("kotlin") {
            @Override
            List<String> argv(Path javaHome, JupyterEnv env) throws Exception {
                return TestKernels.kotlin(javaHome, env.dir().resolve("kotlin-home"));
            }

            @Override
            String startCell(List<String> command, Path log, Path pidFile) throws IOException {
                return "val child = ProcessBuilder(" + literals(command, true) + ")"
                        + ".redirectErrorStream(true).redirectOutput(java.io.File(" + literal(log, true) + ")).start()\n"
                        + "java.io.File(" + literal(pidFile, true) + ").writeText(child.pid().toString())";
            }
        };

        final String language;

        Kernel(String language) {
            this.language = language;
        }

        abstract List<String> argv(Path javaHome, JupyterEnv env) throws Exception;

        /** Starts {@code command} with ProcessBuilder, its output to {@code log}, and writes its pid to {@code pidFile}. */
        abstract String startCell(List<String> command, Path log, Path pidFile) throws IOException;

        /** Stops the child as a notebook would: {@code destroy()} (SIGTERM), then waits for it. */
        String stopCell() {
            return "child.destroy(); child.waitFor();";
        }
    }

    @ParameterizedTest(name = "{0} on JDK {1}, child on JDK {2}")
    @CsvSource({"BASEKERNEL, 17, 25", "BASEKERNEL, 25, 17", "KOTLIN, 17, 25"})
    void aJvmACellStartsWithProcessBuilderCarriesTheKernelsSession(Kernel kind, String kernelJdk, String childJdk)
            throws Exception {
        Path targets = Files.createDirectories(tmp.resolve("targets"));
        Path childLog = tmp.resolve("child.log");
        Path childPidFile = tmp.resolve("child.pid");
        JupyterEnv env = JupyterEnv.create();
        String name = "afm-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + kernelJdk;
        env.kernelspec(name, kind.language, kind.argv(jdk(kernelJdk), env), Map.of("JUPYTERHUB_USER", USER));
        String installed = AgentCli.jar("kernelspec", "install", name, "--jar", AgentJar.path().toString(),
                "--agent-args", "port=0,targets-dir=" + targets).env(env.variables()).ok();
        assertTrue(installed.contains(name + ": agent installed"), installed);

        try (KernelDriver kernel = KernelDriver.start(env, name, Duration.ofSeconds(180))) {
            String session = kernel.kernelId();
            long kernelPid = kernel.kernelPid();
            long childPid = -1;
            try {
                TargetFile kernelFile = awaitTargets(targets, 1, kernel).get(kernelPid);
                assertNotNull(kernelFile, "the kernel's own target file, pid " + kernelPid);

                String classes = Paths.get("target", "test-classes").toAbsolutePath().toString();
                String cell = kind.startCell(List.of(Jdks.java(jdk(childJdk)), "-cp", classes, SleepMain.class.getName(),
                        "600000"), childLog, childPidFile);
                JsonNode reply = kernel.execute(cell, WAIT);
                assertEquals("ok", reply.path("status").asText(), () -> reply + "\n" + log(kernel));
                childPid = Long.parseLong(Files.readString(childPidFile).trim());

                Map<Long, TargetFile> files = awaitTargets(targets, 2, kernel);
                TargetFile childFile = files.get(childPid);
                long pid = childPid;
                assertNotNull(childFile, () -> "the child's target file, pid " + pid + ": " + files + "\n"
                        + read(childLog));

                // the table: who, its target file, the jvm label it must carry
                Object[][] expected = {
                    {"the kernel", kernelFile, "kernel"},
                    {"the child", childFile, "child"},
                };
                for (Object[] row : expected) {
                    TargetFile file = (TargetFile) row[1];
                    Map<String, String> identity = Map.of("user", USER, "session", session, "jvm", (String) row[2]);
                    assertEquals(identity, pick(file.info()), row[0] + "'s target file: " + file.info());
                    Exposition e = Http.scrape("http://" + file.target() + "/metrics");
                    assertNotNull(e.find("afmetrics_agent_info", "user", USER, "session", session, "jvm",
                            (String) row[2]), () -> row[0] + ":\n" + e.text());
                    assertTrue(e.samples().size() >= 10, () -> row[0] + ":\n" + e.text());
                    for (Exposition.Sample s : e.samples()) {
                        assertEquals(identity, pick(s.labels), () -> row[0] + ": " + s.line + "\nin:\n" + e.text());
                    }
                }
                assertTrue(read(childLog).contains("host main started"), read(childLog));

                // the cell's kernel stops its child; the child's file goes, the kernel's stays
                JsonNode stop = kernel.execute(kind.stopCell(), WAIT);
                assertEquals("ok", stop.path("status").asText(), () -> stop + "\n" + log(kernel));
                Map<Long, TargetFile> left = awaitTargets(targets, 1, kernel);
                assertEquals(List.of(kernelPid), List.copyOf(left.keySet()), "only the kernel's target file is left");
            } finally {
                PythonKernelChildJvmsIT.stopWhatTheCellLeft(kernel, childPid > 0 ? List.of(childPid) : List.of());
            }
        }
    }

    private static Path jdk(String feature) {
        return feature.equals("17") ? Jdks.current() : Jdks.temurin25Required();
    }

    /** A string literal of Java or Kotlin (where {@code $} would start a template). */
    static String literal(Object value, boolean kotlin) throws IOException {
        String json = JSON.writeValueAsString(value.toString());
        return kotlin ? json.replace("$", "\\$") : json;
    }

    static String literals(List<String> values, boolean kotlin) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String v : values) {
            b.append(b.length() == 0 ? "" : ", ").append(literal(v, kotlin));
        }
        return b.toString();
    }

    /** Waits until the directory holds exactly n target files; by pid. */
    private static Map<Long, TargetFile> awaitTargets(Path dir, int n, KernelDriver kernel) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Path> files = targetFiles(dir);
        while (files.size() != n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            files = targetFiles(dir);
        }
        List<Path> found = files;
        assertEquals(n, found.size(), () -> "target files: " + found + "\n" + log(kernel));
        Map<Long, TargetFile> byPid = new TreeMap<>();
        for (Path f : found) {
            TargetFile t = TargetFile.read(f);
            byPid.put(t.pid(), t);
        }
        return byPid;
    }

    private static List<Path> targetFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            // a hidden file is one being written, not yet renamed into place
            return s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().collect(Collectors.toList());
        }
    }

    private static Map<String, String> pick(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>();
        for (String n : List.of("user", "session", "jvm")) {
            if (labels.containsKey(n)) {
                out.put(n, labels.get(n));
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String log(KernelDriver kernel) {
        try {
            return kernel.log();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
