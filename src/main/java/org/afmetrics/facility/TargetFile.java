package org.afmetrics.facility;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * let a later process tell whether the JVM that wrote the file is still alive. Written and read
 * with jackson-core's streaming API alone: the agent writes one at start, and its jar carries no
 * Jackson data binding (see docs/design.md, the jar's layout).
 */
public final class TargetFile {
    static final String META = "__meta_afmetrics_";
    private static final JsonFactory JSON = new JsonFactory();

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
        Map<String, String> labels = new LinkedHashMap<>();
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            g.writeStartObject();
            g.writeArrayFieldStart("targets");
            g.writeString(target);
            g.writeEndArray();
            g.writeObjectFieldStart("labels");
            for (Map.Entry<String, String> e : labels.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Reads a file this class wrote; throws with a reason for anything else. */
    public static TargetFile read(Path file) throws IOException {
        List<String> targets = null;
        Map<String, String> labels = null;
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT) {
                // the first group is the file's; its fields in any order, the last of a repeated name counts
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.getCurrentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("targets")) {
                        targets = value == JsonToken.START_ARRAY ? scalars(p, null) : null;
                    } else if (field.equals("labels")) {
                        labels = value == JsonToken.START_OBJECT ? new LinkedHashMap<>() : null;
                        if (labels != null) {
                            scalars(p, labels);
                        }
                    }
                    p.skipChildren();
                }
            }
        }
        if (targets == null || targets.size() != 1 || targets.get(0) == null || labels == null) {
            throw new IOException("not an af-metrics target file");
        }
        Map<String, String> info = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(META)) {
                String name = k.substring(META.length());
                if (!name.equals("hostname") && !name.equals("pid") && !name.startsWith("start_")) {
                    info.put(name, e.getValue() == null ? "" : e.getValue());
                }
            }
        }
        try {
            TargetFile t = new TargetFile(targets.get(0), text(labels, META + "hostname", ""),
                    Long.parseLong(String.valueOf(labels.get(META + "pid"))),
                    Long.parseLong(text(labels, META + "start_millis", "-1")), info);
            if (labels.get(META + "start_ticks") != null) {
                t.startTicks(labels.get(META + "start_ticks"));
            }
            return "https".equals(labels.get("__scheme__")) ? t.https() : t;
        } catch (NumberFormatException e) {
            throw new IOException("not an af-metrics target file (pid or start time missing)");
        }
    }

    private static String text(Map<String, String> labels, String key, String otherwise) {
        String v = labels.get(key);
        return v == null ? otherwise : v;
    }

    /**
     * The members of the array or object the parser stands at the start of, as text (a nested
     * array or object reads as ""; a JSON null as null); into {@code fields} for an object, returned for an array.
     */
    private static List<String> scalars(JsonParser p, Map<String, String> fields) throws IOException {
        List<String> items = fields == null ? new ArrayList<>() : null;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT && t != null) {
            String name = null;
            if (t == JsonToken.FIELD_NAME) {
                name = p.getCurrentName();
                t = p.nextToken();
            }
            String text;
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                p.skipChildren();
                text = "";
            } else {
                text = t == JsonToken.VALUE_NULL ? null : p.getText();
            }
            if (fields != null) {
                fields.put(name, text);
            } else {
                items.add(text);
            }
        }
        return items;
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
