package org.afmetrics.facility;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory of target files, one per running JVM, shared by every user's kernels. A file is
 * stale when it was written on this host by a process that no longer runs (or whose pid now
 * belongs to a process started at another time).
 */
public final class TargetsDir {
    private static final long MAX_FILE_BYTES = 64 * 1024;

    private static final long START_TOLERANCE_MS = 2000;

    private final Path dir;
    private final String hostName;

    public TargetsDir(Path dir, String hostName) {
        this.dir = dir;
        this.hostName = hostName;
    }

    public Path dir() {
        return dir;
    }

    /** What one file in the directory is. */
    public static final class Entry {
        public final Path file;
        public final TargetFile content;
        public final Status status;
        public final String problem;

        Entry(Path file, TargetFile content, Status status, String problem) {
            this.file = file;
            this.content = content;
            this.status = status;
            this.problem = problem;
        }
    }

    /** Whether the JVM behind a file runs. */
    public enum Status {
        ALIVE("alive"), STALE("stale"), OTHER_HOST("other host"), UNREADABLE("unreadable");

        private final String text;

        Status(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Every {@code afmetrics-*.json} file, in name order. */
    public List<Entry> list() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "afmetrics-*.json")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        List<Entry> out = new ArrayList<>();
        for (Path f : files) {
            String notOurs = notATargetFile(f);
            if (notOurs != null) {
                out.add(new Entry(f, null, Status.UNREADABLE, notOurs));
                continue;
            }
            TargetFile t;
            try {
                t = TargetFile.read(f);
            } catch (IOException | RuntimeException e) {
                out.add(new Entry(f, null, Status.UNREADABLE, e.getMessage()));
                continue;
            }
            out.add(new Entry(f, t, status(t), null));
        }
        return out;
    }

    /**
     * Why a name in the shared directory is not worth opening, or null. Anyone may put things
     * there: opening a FIFO would block the agent's start for good, a symbolic link may lead
     * anywhere (/dev/zero), and a target file is a few hundred bytes.
     */
    private static String notATargetFile(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return "not a regular file";
            }
            if (a.size() > MAX_FILE_BYTES) {
                return "over " + MAX_FILE_BYTES + " bytes";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    Status status(TargetFile t) {
        if (!t.hostName().equals(hostName)) {
            return Status.OTHER_HOST;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(t.pid());
        if (p.isEmpty() || !p.get().isAlive()) {
            return Status.STALE;
        }
        ProcessStat stat = ProcessStat.of(t.pid());
        if (stat != null && stat.exited()) {
            return Status.STALE;
        }
        if (t.startTicks() != null && stat != null) {
            return t.startTicks().equals(stat.startTicks) ? Status.ALIVE : Status.STALE;
        }
        // wall-clock starts computed in two JVMs may differ by the boot time's own jitter
        long started = startMillis(p.get());
        if (t.startMillis() >= 0 && started >= 0 && Math.abs(started - t.startMillis()) > START_TOLERANCE_MS) {
            return Status.STALE;
        }
        return Status.ALIVE;
    }

    /**
     * Removes the stale files; returns those removed. Files it may not delete (another user's, in
     * a shared directory) are left for that user's next start and reported to {@code problems}.
     */
    public List<Entry> gc(java.util.function.Consumer<String> problems) throws IOException {
        List<Entry> removed = new ArrayList<>();
        for (Entry e : list()) {
            if (e.status == Status.STALE) {
                try {
                    if (Files.deleteIfExists(e.file)) {
                        removed.add(e);
                    }
                } catch (IOException ex) {
                    problems.accept("cannot remove " + e.file + ": " + ex);
                }
            }
        }
        return removed;
    }

    /** This process's start in clock ticks since boot, where the system says (Linux), else null. */
    static String startTicks(ProcessHandle p) {
        ProcessStat stat = ProcessStat.of(p.pid());
        return stat == null ? null : stat.startTicks;
    }

    static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }
}
