package org.afmetrics.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar af-metrics-agent.jar ARGS} in a child JVM, with a chosen environment. */
public final class AgentCli {
    private AgentCli() {
    }

    /** One finished run. */
    public static final class Result {
        public final int exitCode;
        public final String stdout;
        public final String stderr;

        Result(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jdks.java(Jdks.current()));
        cmd.add("-jar");
        cmd.add(AgentJar.path().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().keySet().removeIf(k -> k.startsWith("AF_METRICS_") || k.startsWith("JUPYTER"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("afm-cli", ".out");
        Path err = Files.createTempFile("afm-cli", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("af-metrics-agent.jar " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs and fails unless the exit status is 0; returns stdout. */
    public static String ok(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Result r = run(env, args);
        if (r.exitCode != 0) {
            throw new AssertionError("af-metrics-agent.jar " + String.join(" ", args) + ": " + r);
        }
        return r.stdout;
    }
}
