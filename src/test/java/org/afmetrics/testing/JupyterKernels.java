package org.afmetrics.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kernels of one kernelspec started by Debian's jupyter_client ({@code /usr/bin/python3}) from a
 * private {@code JUPYTER_PATH}, the way a notebook server starts them: the kernelspec's argv and
 * env, a {@code kernel-<id>.json} connection file. Closing shuts down those still running.
 */
public final class JupyterKernels implements AutoCloseable {
    public static final String PYTHON = System.getProperty("afmetrics.python", "/usr/bin/python3");

    private final Process helper;
    private final List<JsonNode> kernels;
    private final Path log;

    private JupyterKernels(Process helper, List<JsonNode> kernels, Path log) {
        this.helper = helper;
        this.kernels = kernels;
        this.log = log;
    }

    /** The environment that makes Jupyter see only {@code jupyterPath} (and its own system dirs). */
    public static Map<String, String> privateEnv(Path jupyterPath, Path scratch) {
        return Map.of("JUPYTER_PATH", jupyterPath.toString(),
                "JUPYTER_DATA_DIR", scratch.resolve("data").toString(),
                "JUPYTER_RUNTIME_DIR", scratch.resolve("runtime").toString(),
                "JUPYTER_CONFIG_DIR", scratch.resolve("config").toString());
    }

    public static JupyterKernels start(String kernelName, int count, Map<String, String> env, Path scratch)
            throws IOException {
        Path script = scratch.resolve("start_kernels.py");
        try (InputStream in = JupyterKernels.class.getResourceAsStream("start_kernels.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // the kernels' ports: outside the ephemeral range (see kernel_ports.py)
        try (InputStream in = JupyterKernels.class.getResourceAsStream("/jupyter/kernel_ports.py")) {
            Files.copy(in, scratch.resolve("kernel_ports.py"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = scratch.resolve("start_kernels.log");
        ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), kernelName, Integer.toString(count))
                .redirectError(log.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().keySet().removeIf(k -> k.startsWith("AF_METRICS_") || k.startsWith("JUPYTER")
                || k.equals("JPY_SESSION_NAME"));
        pb.environment().putAll(env);
        Process p = pb.start();
        List<JsonNode> kernels = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < count; i++) {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("jupyter_client did not start the kernels: " + Files.readString(log));
            }
            kernels.add(json.readTree(line));
        }
        return new JupyterKernels(p, kernels, log);
    }

    /** Per kernel: {@code kernel_id}, {@code pid}, {@code connection_file}. */
    public List<JsonNode> kernels() {
        return kernels;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            helper.getOutputStream().write('\n');
            helper.getOutputStream().close();
        } catch (IOException ignored) {
            // the helper is gone already
        }
        if (!helper.waitFor(30, TimeUnit.SECONDS)) {
            helper.destroyForcibly();
        }
        for (JsonNode k : kernels) {
            ProcessHandle.of(k.path("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
