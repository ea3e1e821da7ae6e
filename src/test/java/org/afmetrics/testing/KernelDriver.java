package org.afmetrics.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One kernel started from a kernelspec by Debian's jupyter_client (MultiKernelManager, as a
 * notebook server does), driven through {@code jupyter/kernel_driver.py}: execute cells, submit
 * a cell and interrupt it. The driver's and the kernel's stderr go to a log file for failures.
 */
public final class KernelDriver implements AutoCloseable {
    public static final String PYTHON = System.getProperty("afmetrics.python", "/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final JsonNode ready;

    private KernelDriver(Process process, Path log, Duration startTimeout) throws IOException, InterruptedException {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the driver is gone; next() reports it
            }
        }, "kernel-driver-stdout");
        reader.setDaemon(true);
        reader.start();
        this.ready = next(startTimeout);
        if (!ready.path("ready").asBoolean()) {
            throw new AssertionError("kernel not ready: " + ready + "\n" + log());
        }
    }

    public static KernelDriver start(JupyterEnv env, String kernelName, Duration startTimeout)
            throws IOException, InterruptedException {
        return start(env, kernelName, startTimeout, null);
    }

    /**
     * As {@link #start(JupyterEnv, String, Duration)}; a {@code firstCell} is sent by the driver the
     * moment the kernel's first {@code kernel_info_reply} arrives ({@link #firstCellId()}).
     */
    public static KernelDriver start(JupyterEnv env, String kernelName, Duration startTimeout, String firstCell)
            throws IOException, InterruptedException {
        Path script = Paths.get("target", "test-classes", "jupyter", "kernel_driver.py").toAbsolutePath();
        Path log = env.dir().resolve(kernelName + "-driver.log");
        List<String> args = new java.util.ArrayList<>(List.of(script.toString(), kernelName,
                Long.toString(startTimeout.getSeconds())));
        if (firstCell != null) {
            args.add(firstCell);
        }
        ProcessBuilder pb = env.python(args);
        pb.redirectError(log.toFile());
        return new KernelDriver(pb.start(), log, startTimeout.plusSeconds(30));
    }

    /** The message id of the cell sent at the first {@code kernel_info_reply}, or empty. */
    public String firstCellId() {
        return ready.path("first_msg_id").asText();
    }

    /** The kernel id jupyter_client gave the kernel (the id in its connection file name). */
    public String kernelId() {
        return ready.path("kernel_id").asText();
    }

    public String connectionFile() {
        return ready.path("connection_file").asText();
    }

    /** The kernel's process: the driver's descendant whose command line names the connection file. */
    public long kernelPid() {
        String file = connectionFile();
        return process.descendants()
                .filter(p -> commandLine(p).contains(file))
                .map(ProcessHandle::pid)
                .reduce((first, second) -> second) // the innermost: a launcher's child JVM if there is one
                .orElseThrow(() -> new AssertionError("no process of the kernel " + kernelId()));
    }

    /** Runs a cell to its reply; the reply's status is {@code ok}, {@code error} or {@code abort}. */
    public JsonNode execute(String code, Duration timeout) throws IOException, InterruptedException {
        return send(Map.of("op", "execute", "code", code, "timeout", timeout.getSeconds()), timeout.plusSeconds(10));
    }

    /** Sends a cell without waiting; returns its message id. */
    public String submit(String code) throws IOException, InterruptedException {
        return send(Map.of("op", "submit", "code", code), Duration.ofSeconds(30)).path("msg_id").asText();
    }

    public JsonNode awaitReply(String msgId, Duration timeout) throws IOException, InterruptedException {
        return send(Map.of("op", "await", "msg_id", msgId, "timeout", timeout.getSeconds()), timeout.plusSeconds(10));
    }

    /** jupyter_client's interrupt: an interrupt_request on the control channel (message mode). */
    public void interrupt() throws IOException, InterruptedException {
        send(Map.of("op", "interrupt"), Duration.ofSeconds(30));
    }

    private JsonNode send(Map<String, Object> command, Duration timeout) throws IOException, InterruptedException {
        stdin.write(JSON.writeValueAsString(command) + "\n");
        stdin.flush();
        JsonNode answer = next(timeout);
        if (answer.has("error")) {
            throw new AssertionError("driver: " + answer.path("error").asText() + "\n" + log());
        }
        return answer;
    }

    private JsonNode next(Duration timeout) throws IOException, InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no answer from the kernel driver within " + timeout
                    + (process.isAlive() ? "" : " (it exited)") + "\n" + log());
        }
        return JSON.readTree(line);
    }

    /** The whole command line (the JDK's process info cuts long ones, such as a kernel's classpath). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Paths.get("/proc", Long.toString(p.pid()), "cmdline")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /** What the driver and the kernel wrote on stderr so far. */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Shuts the kernel down the way a notebook server does, then ends the driver. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stdin.write("{\"op\": \"shutdown\"}\n");
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
