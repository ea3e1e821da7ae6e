package org.afmetrics.facility;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The two requests a notebook sends a new kernel first, a {@code kernel_info_request} and a
 * trivial {@code execute_request}, each awaited: so the classes of the kernel's first reply and
 * of its first cell are loaded while its class-data archive is being made. They are sent by
 * Jupyter's own client library, jupyter_client, run by a Python that has it (that of the
 * {@code jupyter} on PATH first) with the script {@value #SCRIPT}; where no Python with
 * jupyter_client can be run, nothing is sent.
 */
final class KernelWarmUp {
    /** The script, a resource beside this class. */
    static final String SCRIPT = "kernel_warm_up.py";
    /** The Python's start and its import of jupyter_client, on top of the requests' own time. */
    static final Duration START = Duration.ofSeconds(30);
    /** As much of what the Python printed as goes into a message. */
    private static final int TAIL = 200;

    private KernelWarmUp() {
    }

    /** What came of the warm-up: whether the kernel answered, and if not, why, in words. */
    static final class Outcome {
        final boolean answered;
        final String why;

        private Outcome(boolean answered, String why) {
            this.answered = answered;
            this.why = why;
        }

        @Override
        public String toString() {
            return answered ? "answered" : why;
        }
    }

    /** The trivial cell for a kernel's language, or null where none is known (then only kernel_info). */
    static String trivialCell(String language) {
        switch (language.toLowerCase(Locale.ROOT)) {
            case "kotlin":
            case "java":
            case "scala":
            case "groovy":
                return "1 + 1";
            case "clojure":
                return "(+ 1 1)";
            default:
                return null;
        }
    }

    /**
     * A kernel_info_request, then the cell (null: none), each to its reply, sent to the kernel of
     * the connection file by the first of {@code pythons} that has jupyter_client; each request
     * may take {@code timeout}. The script is written to {@code work}, where its output goes too.
     */
    static Outcome warmUp(List<Path> pythons, Path connectionFile, String cell, Duration timeout, Path work) {
        Duration limit = timeout.multipliedBy(cell == null ? 1 : 2).plus(START);
        return warmUp(pythons, connectionFile, cell, timeout, limit, work);
    }

    /** As above, the Python killed (with what it started) once it has run for {@code limit}. */
    static Outcome warmUp(List<Path> pythons, Path connectionFile, String cell, Duration timeout, Duration limit,
            Path work) {
        Path script = work.resolve(SCRIPT);
        try (InputStream in = KernelWarmUp.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                return new Outcome(false, "no jupyter_client to send the first requests: " + SCRIPT + " is missing");
            }
            Files.write(script, in.readAllBytes());
        } catch (IOException e) {
            return new Outcome(false, "no jupyter_client to send the first requests: " + SCRIPT + ": "
                    + e.getMessage());
        }
        List<String> tried = new ArrayList<>();
        for (Path python : pythons) {
            if (!Files.isRegularFile(python) || !Files.isExecutable(python)) {
                continue;
            }
            List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(),
                    connectionFile.toString(), Long.toString(Math.max(1, timeout.getSeconds()))));
            if (cell != null) {
                command.add(cell);
            }
            Path log = work.resolve("warm-up-" + tried.size() + ".log");
            Process p;
            try {
                p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
                p.getOutputStream().close();
            } catch (IOException | RuntimeException e) {
                tried.add(python + " (" + e.getMessage() + ")");
                continue;
            }
            int status;
            try {
                java.util.OptionalInt ended = TimedProcess.await(p, limit);
                if (ended.isEmpty()) {
                    p.waitFor(5, TimeUnit.SECONDS);
                    return new Outcome(false, "it did not answer as a Jupyter kernel within " + limit.getSeconds()
                            + " s; " + python + " with jupyter_client was stopped");
                }
                status = ended.getAsInt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, "interrupted");
            }
            if (status == 0) {
                return new Outcome(true, null);
            }
            if (status == 2) {
                return new Outcome(false, "it did not answer as a Jupyter kernel: " + tail(log));
            }
            // 3: no jupyter_client there; anything else: it could not run the client
            tried.add(python + " (" + tail(log) + ")");
        }
        return new Outcome(false, "no jupyter_client to send the first requests"
                + (tried.isEmpty() ? ": no Python found" : ": " + String.join("; ", tried)));
    }

    /** The last line the Python printed, cut short. */
    static String tail(Path log) {
        String last = "it printed nothing";
        try {
            for (String line : new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\\R")) {
                if (!line.trim().isEmpty()) {
                    last = line.trim();
                }
            }
        } catch (IOException e) {
            return "no output";
        }
        return last.length() > TAIL ? last.substring(0, TAIL) + "…" : last;
    }
}
