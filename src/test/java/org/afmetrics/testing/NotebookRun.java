package org.afmetrics.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A notebook executed by Debian's nbclient (as {@code jupyter nbconvert --execute} does) in a
 * kernel started from the notebook's kernelspec by jupyter_client, through
 * {@code jupyter/notebook_runner.py}. The kernel stays up after the last cell until {@link #close}.
 */
public final class NotebookRun implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path executed;
    private final Path log;
    private final JsonNode result;

    private NotebookRun(Process process, Path executed, Path log, Duration timeout) throws Exception {
        this.process = process;
        this.executed = executed;
        this.log = log;
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("notebook not executed within " + timeout + "\n" + log());
        }
        if (first == null) {
            throw new AssertionError("the notebook runner ended without a result\n" + log());
        }
        this.result = JSON.readTree(first);
    }

    public static NotebookRun execute(JupyterEnv env, Path notebook, Duration timeout) throws Exception {
        Path script = Paths.get("target", "test-classes", "jupyter", "notebook_runner.py").toAbsolutePath();
        Path executed = env.dir().resolve("executed-" + notebook.getFileName());
        Path log = env.dir().resolve("notebook-runner.log");
        ProcessBuilder pb = env.python(List.of(script.toString(), notebook.toAbsolutePath().toString(),
                executed.toString(), Long.toString(timeout.getSeconds())));
        pb.redirectError(log.toFile());
        return new NotebookRun(pb.start(), executed, log, timeout.plusSeconds(60));
    }

    /** True when every cell ran and only cells tagged raises-exception failed. */
    public boolean completed() {
        return result.path("done").asBoolean();
    }

    public String error() {
        return result.path("error").asText();
    }

    public String kernelId() {
        return result.path("kernel_id").asText();
    }

    public String connectionFile() {
        return result.path("connection_file").asText();
    }

    /** The executed notebook, outputs included. */
    public JsonNode executedNotebook() throws IOException {
        return JSON.readTree(executed.toFile());
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Lets the runner shut the kernel down as a notebook server does. */
    @Override
    public void close() throws InterruptedException {
        try (OutputStream in = process.getOutputStream()) {
            in.write('\n');
        } catch (IOException ignored) {
            // the runner is gone already
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
