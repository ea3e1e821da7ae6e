package org.afmetrics.notebook;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.afmetrics.support.AgentThreads;

/**
 * A JSON file the notebook writes. It is read again only when its modification time, size or
 * identity (device and inode) changed; whatever goes wrong, the last good values stay and the
 * reason is counted once per version of the file.
 * <p>
 * <b>The file never holds up a scrape.</b> Opening a path can block for good: a FIFO renamed into
 * its place waits for a writer, some devices for a line. Java has no non-blocking open, so the
 * caller only looks at the file's attributes (which never opens it) and, when it changed, hands
 * the open and the read to a helper thread of this source; it waits for that look at most
 * {@link #OPEN_WAIT_MS} while the open is under way and {@link #LOOK_WAIT_MS} in all, then goes on
 * with the last good values. An open still under way after {@link #OPEN_WAIT_MS} is counted as
 * {@code unreadable} once, and no later scrape waits on it. A source has at most one helper: while
 * one is stuck in an open, no other is started for that source, so a file swapped between a
 * regular file and a FIFO costs at most one parked thread, never an exchange thread. No lock is
 * held while the file is opened or read.
 * <p>
 * A path is a name, and what it names may change between a look at it and the open. So the
 * helper checks the file it opened: a FIFO, socket or terminal cannot seek, and the opened file's
 * size and the path's device and inode after the open must be those seen before it; otherwise the
 * file is not read (a FIFO or the like is {@code unreadable}, a file replaced meanwhile is looked
 * at again at the next scrape).
 */
public final class JsonFileSource {
    /** How long a scrape waits for the open of a file; past this it is abandoned and counted. */
    static final long OPEN_WAIT_MS = 1000;
    /** How long a scrape waits for a look at the file in all (open, read and conversion). */
    static final long LOOK_WAIT_MS = 3000;

    private final Path path;
    private final SourceHealth health;
    private final String prefix;
    private final long maxBytes;
    private final int maxSeries;
    private final Set<String> reservedLabels;
    private final ParseGate gate;
    private final Opener opener;

    /** Opens the file for the helper; a test's may block as a FIFO does. */
    interface Opener {
        FileChannel open(Path path) throws IOException;
    }

    /** Guards {@link #seen} and {@link #look}; never held while the file is opened or read. */
    private final Object lock = new Object();
    /** What the last look at the path found; null before the first. */
    private Seen seen;
    private Look look;

    /**
     * What a look at the path found. The next look that finds the same has nothing to do: the
     * same version of the file is not read again, and the same trouble is not counted again.
     */
    static final class Seen {
        enum Kind {
            MISSING,
            /** Its attributes could not be read; {@link #error} says by what. */
            UNREADABLE,
            /** Something else than a regular file: a directory, a FIFO, a device. */
            NOT_A_FILE,
            /** A version of the regular file: its modification time, size, device and inode. */
            FILE,
            /** Found by no look: the next scrape looks at the file again. */
            LOOK_AGAIN
        }

        static final Seen MISSING = new Seen(Kind.MISSING, null, -1, null, null);
        static final Seen LOOK_AGAIN = new Seen(Kind.LOOK_AGAIN, null, -1, null, null);

        final Kind kind;
        private final FileTime modified;
        private final long size;
        private final Object fileKey;
        private final Class<?> error;

        private Seen(Kind kind, FileTime modified, long size, Object fileKey, Class<?> error) {
            this.kind = kind;
            this.modified = modified;
            this.size = size;
            this.fileKey = fileKey;
            this.error = error;
        }

        static Seen unreadable(Throwable e) {
            return new Seen(Kind.UNREADABLE, null, -1, null, e.getClass());
        }

        static Seen notAFile(BasicFileAttributes attrs) {
            return new Seen(Kind.NOT_A_FILE, attrs.lastModifiedTime(), -1, attrs.fileKey(), null);
        }

        static Seen file(BasicFileAttributes attrs) {
            return new Seen(Kind.FILE, attrs.lastModifiedTime(), attrs.size(), attrs.fileKey(), null);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Seen)) {
                return false;
            }
            Seen s = (Seen) o;
            return kind == s.kind && size == s.size && Objects.equals(modified, s.modified)
                    && Objects.equals(fileKey, s.fileKey) && error == s.error;
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, modified, size, fileKey, error);
        }
    }

    /** One look at the file on a helper thread: open, check, read and convert. */
    static final class Look {
        final Seen version;
        /** The attributes {@link #version} was made of: what is opened must still have them. */
        final BasicFileAttributes attrs;
        final long startedNanos = System.nanoTime();
        /** Under the source's lock. */
        boolean opened;
        boolean done;
        /** A scrape gave up on its open and counted it. */
        boolean abandoned;

        Look(Seen version, BasicFileAttributes attrs) {
            this.version = version;
            this.attrs = attrs;
        }
    }

    public JsonFileSource(Path path, String prefix, Set<String> reservedLabels, long maxBytes, int maxSeries) {
        this(path, prefix, reservedLabels, maxBytes, maxSeries, new ParseGate());
    }

    /** {@code gate}: the agent's one, shared with the other files and the pushed metrics. */
    public JsonFileSource(Path path, String prefix, Set<String> reservedLabels, long maxBytes, int maxSeries,
                          ParseGate gate) {
        this(path, prefix, reservedLabels, maxBytes, maxSeries, gate, p -> FileChannel.open(p, StandardOpenOption.READ));
    }

    JsonFileSource(Path path, String prefix, Set<String> reservedLabels, long maxBytes, int maxSeries,
                   ParseGate gate, Opener opener) {
        this.opener = opener;
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

    /** Reads the file again if it changed since the last look, waiting for that within the bounds above. */
    public void refresh() {
        await(begin(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOK_WAIT_MS));
    }

    /**
     * Looks at the file's attributes and, when it changed, starts a look at it on a helper thread.
     * Returns the look under way (the new one or one started before), or null when there is none
     * to wait for.
     */
    Look begin() {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            boolean removed;
            synchronized (lock) {
                removed = seen != null && seen.kind != Seen.Kind.MISSING;
                seen = Seen.MISSING;
            }
            if (removed) {
                health.failure(Reason.MISSING, path + " was removed; keeping its last values");
            }
            return null;
        } catch (IOException | SecurityException e) {
            once(Seen.unreadable(e), Reason.UNREADABLE,
                    path + ": " + (e instanceof IOException ? JsonReader.ioReason(e) : "access denied"));
            return null;
        }
        if (!attrs.isRegularFile()) {
            once(Seen.notAFile(attrs), Reason.UNREADABLE,
                    path + " is not a regular file");
            return null;
        }
        Seen now = Seen.file(attrs);
        Look started;
        synchronized (lock) {
            if (look != null) {
                // one helper per source: a changed file waits until the look under way has ended
                return look;
            }
            if (now.equals(seen)) {
                return null;
            }
            seen = now;
            if (attrs.size() <= maxBytes) {
                started = new Look(now, attrs);
                look = started;
            } else {
                started = null;
            }
        }
        if (started == null) {
            health.failure(Reason.TOO_LARGE, path + " has " + attrs.size() + " bytes, over json-max-bytes=" + maxBytes);
            return null;
        }
        try {
            AgentThreads.start("json-file", () -> run(started));
        } catch (Throwable e) {
            // no thread to be had (out of memory, a limit on threads): tried again at the next scrape
            synchronized (lock) {
                look = null;
                seen = Seen.LOOK_AGAIN;
            }
            return null;
        }
        return started;
    }

    /**
     * Waits for the look until it ends, its open has taken {@link #OPEN_WAIT_MS}, or the deadline;
     * whichever comes first. An open past its bound is counted once and not waited on again.
     */
    void await(Look l, long deadlineNanos) {
        if (l == null) {
            return;
        }
        boolean interrupted = false;
        boolean abandon = false;
        synchronized (lock) {
            while (!l.done) {
                long now = System.nanoTime();
                long until = deadlineNanos;
                if (!l.opened) {
                    long openDeadline = l.startedNanos + TimeUnit.MILLISECONDS.toNanos(OPEN_WAIT_MS);
                    if (now - openDeadline >= 0) {
                        abandon = !l.abandoned;
                        l.abandoned = true;
                        break;
                    }
                    until = deadlineNanos - openDeadline < 0 ? deadlineNanos : openDeadline;
                }
                long left = until - now;
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        if (abandon) {
            health.failure(Reason.UNREADABLE, path + ": opening it took longer than " + OPEN_WAIT_MS
                    + " ms (a FIFO or device in its place?); not waited on again until that open returns");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The helper's work: open, check that what was opened is the regular file seen, read it. */
    private void run(Look l) {
        try {
            look(l);
        } finally {
            synchronized (lock) {
                l.done = true;
                if (look == l) {
                    look = null;
                }
                lock.notifyAll();
            }
        }
    }

    private void look(Look l) {
        FileChannel ch;
        try {
            ch = opener.open(path);
        } catch (NoSuchFileException e) {
            opened(l);
            lookAgain(l); // gone meanwhile: the next scrape sees why
            return;
        } catch (IOException | SecurityException e) {
            opened(l);
            failed(l, Reason.UNREADABLE, path + ": " + (e instanceof IOException ? JsonReader.ioReason(e) : "access denied"));
            return;
        }
        try (FileChannel file = ch) {
            opened(l);
            try {
                file.position(0); // a FIFO, socket or terminal cannot seek
            } catch (IOException e) {
                failed(l, Reason.UNREADABLE, path + " is not a regular file");
                lookAgain(l); // the path may hold the regular file again by the next scrape
                return;
            }
            BasicFileAttributes after;
            try {
                after = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (IOException | SecurityException e) {
                lookAgain(l);
                return;
            }
            if (!after.isRegularFile() || !Objects.equals(after.fileKey(), l.attrs.fileKey())
                    || file.size() != l.attrs.size()) {
                lookAgain(l); // replaced or rewritten while it was opened: look again at the next scrape
                return;
            }
            try {
                health.success(gate.convert(ParseGate.FILE_WAIT_MS, () -> NotebookJson.convert(
                        Channels.newInputStream(file), maxBytes, prefix, reservedLabels, maxSeries, path.toString())));
            } catch (NotebookJsonException e) {
                if (e.reason() == Reason.BUSY) {
                    lookAgain(l); // try again at the next scrape
                }
                failed(l, e.reason(), path + ": " + e.getMessage());
            }
        } catch (IOException e) {
            failed(l, Reason.UNREADABLE, path + ": reading it failed: " + JsonReader.ioReason(e));
        }
    }

    private void opened(Look l) {
        synchronized (lock) {
            l.opened = true;
            lock.notifyAll();
        }
    }

    /** The reason, unless a scrape already counted this look's open as unreadable. */
    private void failed(Look l, Reason reason, String message) {
        synchronized (lock) {
            if (l.abandoned && reason == Reason.UNREADABLE) {
                return;
            }
        }
        health.failure(reason, message);
    }

    /** This version is to be looked at again by the next scrape. */
    private void lookAgain(Look l) {
        synchronized (lock) {
            if (l.version.equals(seen)) {
                seen = Seen.LOOK_AGAIN;
            }
        }
    }

    /** Counts the reason unless the last look found the same. */
    private void once(Seen now, Reason reason, String message) {
        synchronized (lock) {
            if (now.equals(seen)) {
                return;
            }
            seen = now;
        }
        health.failure(reason, message);
    }
}
