package org.afmetrics.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar af-metrics-agent.jar ARGS} (or a JDK tool) run to its end in a child process, with a
 * chosen environment, keeping its exit status, stdout and stderr.
 *
 * <p>The child never inherits the test runner's {@code JAVA_TOOL_OPTIONS}, {@code AF_METRICS_*} or
 * {@code JUPYTER*} variables: what the command sees is what the test set.
 */
public final class AgentCli {
    private final String program;
    private final List<String> launcher;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private String stdin;
    private Duration timeout = Duration.ofSeconds(60);

    private AgentCli(String program, List<String> launcher, String... args) {
        this.program = program;
        this.launcher = launcher;
        this.args.addAll(List.of(args));
    }

    /** {@code java -jar af-metrics-agent.jar ARGS} on the JDK running the tests. */
    public static AgentCli jar(String... args) {
        return new AgentCli("af-metrics-agent.jar",
                List.of(Jdks.java(Jdks.current()), "-jar", AgentJar.path().toString()), args);
    }

    /** A tool of the JDK running the tests ({@code javac}, {@code jps} …), e.g. to see what the agent does there. */
    public static AgentCli jdkTool(String tool, String... args) {
        return new AgentCli(tool, List.of(Jdks.current().resolve("bin").resolve(tool).toString()), args);
    }

    /** More arguments after those given so far. */
    public AgentCli args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    public AgentCli env(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    public AgentCli env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    public AgentCli workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Text for the command's stdin; without it stdin is closed at once. */
    public AgentCli stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** How long the command may take before it is killed and the test fails; 60 s unless set. */
    public AgentCli timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs the command to its end. */
    public Result run() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().keySet().removeIf(k -> k.startsWith("AF_METRICS_") || k.startsWith("JUPYTER"));
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Path out = Files.createTempFile("afm-cli", ".out");
        Path err = Files.createTempFile("afm-cli", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(this + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs the command and fails unless its exit status is 0; returns stdout. */
    public String ok() throws IOException, InterruptedException {
        Result r = run();
        if (r.exitCode != 0) {
            throw new AssertionError(this + ": " + r);
        }
        return r.stdout;
    }

    @Override
    public String toString() {
        return program + " " + String.join(" ", args);
    }

    /** {@code java -jar af-metrics-agent.jar ARGS} with these environment variables added. */
    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return jar(args).env(env).run();
    }

    /** As {@link #run(Map, String...)}, failing unless the exit status is 0; returns stdout. */
    public static String ok(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return jar(args).env(env).ok();
    }

    /**
     * {@code attach PID [AGENT-ARGS]}: loads the agent into a running JVM. That waits on the target
     * JVM, so it may take longer than other commands.
     */
    public static Result attach(String pid, String... agentArgs) throws IOException, InterruptedException {
        return jar("attach", pid).args(agentArgs).timeout(Duration.ofSeconds(90)).run();
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
}
