package org.afmetrics.facility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JVM's scrape target in Prometheus {@code file_sd_configs} form:
 * {@code [{"targets":["host:port"],"labels":{...}}]}. The labels are {@code __meta_afmetrics_*}
 * discovery labels: Prometheus offers them to relabelling and then drops them, so they never
 * clash with the identity labels the series carry themselves. The host name, pid and start time
 * let a later process tell whether the JVM that wrote the file is still alive.
 */
public final class TargetFile {
    static final String META = "__meta_afmetrics_";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String target;
    private final String hostName;
    private final long pid;
    private final long startMillis;
    private final Map<String, String> info;
    private String scheme = "http";
    private String startTicks;

    public TargetFile(String target, String hostName, long pid, long startMillis, Map<String, String> info) {
        this.target = target;
        this.hostName = hostName;
        this.pid = pid;
        this.startMillis = startMillis;
        this.info = new LinkedHashMap<>(info);
    }

    public String target() {
        return target;
    }

    public String hostName() {
        return hostName;
    }

    public long pid() {
        return pid;
    }

    /** Start of the writing process in epoch milliseconds, or -1 when the system did not say. */
    public long startMillis() {
        return startMillis;
    }

    /** The other discovery labels (user, session…), without the prefix. */
    public Map<String, String> info() {
        return info;
    }

    /** Marks the target as served over HTTPS: Prometheus takes {@code __scheme__} from the file. */
    public TargetFile https() {
        this.scheme = "https";
        return this;
    }

    public String scheme() {
        return scheme;
    }

    /** Records the start as Linux counts it (clock ticks since boot), which tells reused pids apart exactly. */
    public TargetFile startTicks(String ticks) {
        this.startTicks = ticks;
        return this;
    }

    /** The start in clock ticks since boot, or null where the system does not say. */
    public String startTicks() {
        return startTicks;
    }

    /** The file name for a process: host and pid, so two JVMs never share one. */
    public static String fileName(String hostName, long pid) {
        return "afmetrics-" + hostName.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + pid + ".json";
    }

    public String fileName() {
        return fileName(hostName, pid);
    }

    public byte[] toJson() {
        ObjectNode labels = JSON.createObjectNode();
        for (Map.Entry<String, String> e : info.entrySet()) {
            labels.put(META + e.getKey(), e.getValue());
        }
        labels.put(META + "hostname", hostName);
        labels.put(META + "pid", Long.toString(pid));
        labels.put(META + "start_millis", Long.toString(startMillis));
        if (startTicks != null) {
            labels.put(META + "start_ticks", startTicks);
        }
        if (!scheme.equals("http")) {
            labels.put("__scheme__", scheme);
        }
        ObjectNode group = JSON.createObjectNode();
        group.putArray("targets").add(target);
        group.set("labels", labels);
        ArrayNode root = JSON.createArrayNode().add(group);
        try {
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a file this class wrote; throws with a reason for anything else. */
    public static TargetFile read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode group = root == null ? null : root.path(0);
        if (group == null || !group.path("targets").isArray() || group.path("targets").size() != 1
                || !group.path("labels").isObject()) {
            throw new IOException("not an af-metrics target file");
        }
        JsonNode labels = group.path("labels");
        Map<String, String> info = new LinkedHashMap<>();
        labels.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.startsWith(META)) {
                String name = k.substring(META.length());
                if (!name.equals("hostname") && !name.equals("pid") && !name.startsWith("start_")) {
                    info.put(name, e.getValue().asText());
                }
            }
        });
        try {
            TargetFile t = new TargetFile(group.path("targets").get(0).asText(), labels.path(META + "hostname").asText(""),
                    Long.parseLong(labels.path(META + "pid").asText()),
                    Long.parseLong(labels.path(META + "start_millis").asText("-1")), info);
            if (labels.hasNonNull(META + "start_ticks")) {
                t.startTicks(labels.get(META + "start_ticks").asText());
            }
            return labels.path("__scheme__").asText("http").equals("https") ? t.https() : t;
        } catch (NumberFormatException e) {
            throw new IOException("not an af-metrics target file (pid or start time missing)");
        }
    }

    /**
     * Writes the file into the directory the way Prometheus's file watcher expects: a hidden
     * temporary file in the same directory, then one rename, so a reader never sees half a file.
     */
    public Path writeInto(Path dir) throws IOException {
        Path target = dir.resolve(fileName());
        Path tmp = Files.createTempFile(dir, "." + fileName(), ".tmp");
        try {
            // readable by the Prometheus server, which runs as another user
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: its own defaults apply
            }
            Files.write(tmp, toJson());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
