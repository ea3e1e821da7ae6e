package org.afmetrics.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A private Jupyter installation for one test: its own JUPYTER_PATH with kernelspecs, its own
 * runtime directory (where connection files {@code kernel-<id>.json} appear), config and data
 * directories, so nothing of the machine's Jupyter set-up takes part.
 */
public final class JupyterEnv {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    private JupyterEnv(Path dir) {
        this.dir = dir;
    }

    public static JupyterEnv create() throws IOException {
        Path dir = Files.createTempDirectory("afm-jupyter");
        for (String sub : List.of("kernels", "runtime", "config", "work")) {
            Files.createDirectories(dir.resolve(sub));
        }
        return new JupyterEnv(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Where the kernels run (their working directory) and notebooks are kept. */
    public Path workDir() {
        return dir.resolve("work");
    }

    /**
     * Writes {@code kernels/<name>/kernel.json}: the argv (with {@code {connection_file}}), the
     * env a kernel launched from it gets, and message-mode interrupts (a JVM must not get SIGINT).
     */
    public Path kernelspec(String name, String language, List<String> argv, Map<String, String> env)
            throws IOException {
        ObjectNode spec = JSON.createObjectNode();
        spec.putPOJO("argv", argv);
        spec.put("display_name", name);
        spec.put("language", language);
        spec.put("interrupt_mode", "message");
        spec.putPOJO("env", env);
        Path file = dir.resolve("kernels").resolve(name).resolve("kernel.json");
        Files.createDirectories(file.getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), spec);
        return file;
    }

    /** The variables that point jupyter_client at this installation only. */
    public Map<String, String> variables() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("JUPYTER_PATH", dir.toString());
        v.put("JUPYTER_DATA_DIR", dir.toString());
        v.put("JUPYTER_RUNTIME_DIR", dir.resolve("runtime").toString());
        v.put("JUPYTER_CONFIG_DIR", dir.resolve("config").toString());
        v.put("JUPYTER_PLATFORM_DIRS", "1");
        return v;
    }

    /** A process builder for Debian's python with this installation's variables and a clean env. */
    public ProcessBuilder python(List<String> args) {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(KernelDriver.PYTHON);
        pb.command().addAll(args);
        Map<String, String> env = pb.environment();
        for (String k : env.keySet().toArray(new String[0])) {
            if (k.startsWith("AF_METRICS_") || k.startsWith("JUPYTER") || k.startsWith("JPY_")
                    || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS") || k.equals("PYTHONPATH")) {
                env.remove(k);
            }
        }
        env.putAll(variables());
        pb.directory(workDir().toFile());
        return pb;
    }
}
