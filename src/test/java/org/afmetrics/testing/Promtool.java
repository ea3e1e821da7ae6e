package org.afmetrics.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's {@code promtool}, for linting expositions, configs and rules. */
public final class Promtool {
    public static final String BINARY = System.getProperty("afmetrics.promtool", "/usr/bin/promtool");

    private Promtool() {
    }

    /** Result of one promtool run. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ": " + output;
        }
    }

    /** {@code promtool check metrics}, the exposition on its stdin. */
    public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
        return run(exposition, "check", "metrics");
    }

    /** promtool with the text on its stdin, in the current directory. */
    public static Result run(String stdin, String... args) throws IOException, InterruptedException {
        return exec(null, stdin, args);
    }

    /** promtool in a directory, with nothing on its stdin; file arguments are relative to it. */
    public static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return exec(dir, null, args);
    }

    private static Result exec(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish");
        }
        return new Result(p.exitValue(), out);
    }
}
