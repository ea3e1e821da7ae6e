package org.afmetrics.notebook;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * A JSON file the notebook writes. It is read again only when its modification time or size
 * changed; whatever goes wrong, the last good values stay and the reason is counted once per
 * version of the file.
 */
public final class JsonFileSource {
    private final Path path;
    private final SourceHealth health;
    private final String prefix;
    private final long maxBytes;
    private final int maxSeries;
    private final Set<String> reservedLabels;
    private final ParseGate gate;
    private Object stamp;

    public JsonFileSource(Path path, String prefix, Set<String> reservedLabels, long maxBytes, int maxSeries) {
        this(path, prefix, reservedLabels, maxBytes, maxSeries, new ParseGate());
    }

    /** {@code gate}: the agent's one, shared with the other files and the pushed metrics. */
    public JsonFileSource(Path path, String prefix, Set<String> reservedLabels, long maxBytes, int maxSeries,
                          ParseGate gate) {
        this.path = path;
        this.gate = gate;
        this.health = new SourceHealth(path.toString());
        this.prefix = prefix;
        this.reservedLabels = reservedLabels;
        this.maxBytes = maxBytes;
        this.maxSeries = maxSeries;
    }

    public Path path() {
        return path;
    }

    public SourceHealth health() {
        return health;
    }

    /** Reads the file again if it changed since the last look. */
    public synchronized void refresh() {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (stamp != null && !"missing".equals(stamp)) {
                health.failure("missing", path + " was removed; keeping its last values");
            }
            stamp = "missing";
            return;
        } catch (IOException | SecurityException e) {
            once("unreadable:" + e.getClass().getSimpleName(), "unreadable", path + ": " + e);
            return;
        }
        if (!attrs.isRegularFile()) {
            once("not-a-file:" + attrs.lastModifiedTime(), "unreadable", path + " is not a regular file");
            return;
        }
        String now = attrs.lastModifiedTime().toMillis() + "/" + attrs.lastModifiedTime() + "/" + attrs.size();
        if (now.equals(stamp)) {
            return;
        }
        stamp = now;
        if (attrs.size() > maxBytes) {
            health.failure("too_large", path + " has " + attrs.size() + " bytes, over json-max-bytes=" + maxBytes);
            return;
        }
        try {
            health.success(gate.convert(ParseGate.FILE_WAIT_MS, this::read));
        } catch (NotebookJsonException e) {
            if (e.reason().equals(ParseGate.BUSY)) {
                stamp = "not read: " + now; // try again at the next scrape
            }
            health.failure(e.reason(), path + ": " + e.getMessage());
        }
    }

    /**
     * Streams the file through the converter: only the metrics are held, never the file's bytes,
     * and a file that grows past json-max-bytes while being read is refused at that byte.
     */
    private Conversion read() throws NotebookJsonException {
        // not a channel: a scrape thread interrupted at its deadline must not leave the file
        // counted as unreadable until it next changes
        try (InputStream in = new FileInputStream(path.toFile())) {
            return NotebookJson.convert(in, maxBytes, prefix, reservedLabels, maxSeries, path.toString());
        } catch (IOException | SecurityException e) {
            throw new NotebookJsonException("unreadable", String.valueOf(e));
        }
    }

    private void once(String newStamp, String reason, String message) {
        if (!newStamp.equals(stamp)) {
            stamp = newStamp;
            health.failure(reason, message);
        }
    }
}
