package org.afmetrics.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real JVM started as a child process, optionally with the agent, running a main class from
 * the test classes. Captures its stdout and stderr line by line.
 */
public final class ChildJvm {
    private static final Pattern EXPORTING = Pattern.compile("\\[af-metrics\\] exporting on (\\S+)");

    private Path javaHome = Jdks.current();
    private String agentArgs;
    private boolean withAgent;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> classpath = new ArrayList<>();
    private Path workDir;
    private String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> removeEnv = new ArrayList<>();
    private final List<String> launcher = new ArrayList<>();

    public static ChildJvm main(Class<?> mainClass, String... args) {
        ChildJvm c = new ChildJvm();
        c.mainClass = mainClass.getName();
        c.classpath.add(Paths.get("target", "test-classes").toAbsolutePath().toString());
        c.args.addAll(List.of(args));
        return c;
    }

    public ChildJvm agent(String args) {
        this.withAgent = true;
        this.agentArgs = args;
        return this;
    }

    public ChildJvm javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    public ChildJvm jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    public ChildJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Removes a variable the test runner's environment may carry (JUPYTERHUB_USER…). */
    public ChildJvm unsetEnv(String name) {
        removeEnv.add(name);
        return this;
    }

    public ChildJvm classpath(String entry) {
        classpath.add(entry);
        return this;
    }

    /** A command that runs the JVM in its own process (such as {@code prlimit --nofile=N:N --}), exec'ing it. */
    public ChildJvm launcher(List<String> command) {
        launcher.addAll(command);
        return this;
    }

    public ChildJvm workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public List<String> command() {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Jdks.java(javaHome));
        if (withAgent) {
            cmd.add(AgentJar.option(agentArgs));
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator, classpath));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    public Running start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command());
        for (String name : List.of("JUPYTERHUB_USER", "JPY_SESSION_NAME", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            pb.environment().remove(name);
        }
        for (String k : pb.environment().keySet().toArray(new String[0])) {
            if (k.startsWith("AF_METRICS_")) {
                pb.environment().remove(k);
            }
        }
        removeEnv.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        return new Running(pb.start());
    }

    /** Starts, waits for the exit and returns everything it printed. */
    public Running run(Duration timeout) throws IOException, InterruptedException {
        Running r = start();
        r.awaitExit(timeout);
        return r;
    }

    /** A started child JVM. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final List<String> out = new ArrayList<>();
        private final List<String> err = new ArrayList<>();
        private final Thread outPump;
        private final Thread errPump;

        Running(Process process) {
            this.process = process;
            this.outPump = pump(process.getInputStream(), out);
            this.errPump = pump(process.getErrorStream(), err);
        }

        private static Thread pump(InputStream in, List<String> sink) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (sink) {
                            sink.add(line);
                            sink.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        /** Waits for the agent's "exporting on URL" line and returns the URL. */
        public String awaitExporterUrl(Duration timeout) throws InterruptedException {
            String line = awaitStderr(EXPORTING, timeout);
            Matcher m = EXPORTING.matcher(line);
            if (!m.find()) {
                throw new AssertionError("no exporter line");
            }
            return m.group(1);
        }

        /** Waits for a stderr line matching the pattern; fails with what was printed. */
        public String awaitStderr(Pattern pattern, Duration timeout) throws InterruptedException {
            return await(err, errPump, "stderr", pattern, timeout);
        }

        /** Waits for a stdout line matching the pattern; fails with what was printed. */
        public String awaitStdout(Pattern pattern, Duration timeout) throws InterruptedException {
            return await(out, outPump, "stdout", pattern, timeout);
        }

        private String await(List<String> lines, Thread pump, String what, Pattern pattern, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lines) {
                int seen = 0;
                while (true) {
                    for (; seen < lines.size(); seen++) {
                        if (pattern.matcher(lines.get(seen)).find()) {
                            return lines.get(seen);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !pump.isAlive())) {
                        throw new AssertionError("no " + what + " line matching " + pattern + " within " + timeout
                                + "; stderr was:\n" + stderr() + "\nstdout was:\n" + stdout());
                    }
                    lines.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }

        /** Waits for a stdout line containing the text; fails with what was printed. */
        public String awaitStdout(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out) {
                int seen = 0;
                while (true) {
                    for (; seen < out.size(); seen++) {
                        if (out.get(seen).contains(text)) {
                            return out.get(seen);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !outPump.isAlive())) {
                        throw new AssertionError("no stdout line with '" + text + "' within " + timeout
                                + "; stdout was:\n" + String.join("\n", out) + "\nstderr was:\n" + stderr());
                    }
                    out.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }

        public int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the JVM did not exit within " + timeout + "; stderr:\n" + stderr());
            }
            outPump.join(5000);
            errPump.join(5000);
            return process.exitValue();
        }

        public int exitCode() {
            return process.exitValue();
        }

        public String stdout() {
            synchronized (out) {
                return String.join("\n", out);
            }
        }

        public String stderr() {
            synchronized (err) {
                return String.join("\n", err);
            }
        }

        public List<String> stderrLines() {
            synchronized (err) {
                return new ArrayList<>(err);
            }
        }

        @Override
        public void close() {
            // a launcher (a shell, prlimit) may not pass the signal on to the JVM it started
            process.descendants().forEach(ProcessHandle::destroy);
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
