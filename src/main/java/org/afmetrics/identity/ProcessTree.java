package org.afmetrics.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What the identity needs of the processes above this JVM: each one's parent and its arguments.
 * On Linux from {@code /proc}; elsewhere nothing is known, so no walk happens.
 */
public interface ProcessTree {
    /** Parent process id of {@code pid}, or -1 when it cannot be read. */
    long parent(long pid);

    /** The arguments of {@code pid} separated by spaces, or null when they cannot be read. */
    String commandLine(long pid);

    /** A tree that knows no process: the walk stops at once. */
    ProcessTree NONE = new ProcessTree() {
        @Override
        public long parent(long pid) {
            return -1;
        }

        @Override
        public String commandLine(long pid) {
            return null;
        }
    };

    /** This system's tree: {@code /proc} on Linux, {@link #NONE} elsewhere. */
    static ProcessTree forThisSystem() {
        String os = System.getProperty("os.name", "");
        return os.toLowerCase(java.util.Locale.ROOT).startsWith("linux") ? new Proc(Paths.get("/proc")) : NONE;
    }

    /** Linux's {@code /proc}: {@code PID/stat} for the parent, {@code PID/cmdline} for the arguments. */
    final class Proc implements ProcessTree {
        /** Arguments beyond this many bytes are not read (a connection file comes early). */
        static final int MAX_CMDLINE_BYTES = 32 * 1024;
        private final Path root;

        public Proc(Path root) {
            this.root = root;
        }

        @Override
        public long parent(long pid) {
            String stat = read(root.resolve(Long.toString(pid)).resolve("stat"), 4096);
            if (stat == null) {
                return -1;
            }
            // pid (comm) state ppid ...; comm may hold spaces and parentheses: the last ')' ends it
            int close = stat.lastIndexOf(')');
            if (close < 0) {
                return -1;
            }
            String[] fields = stat.substring(close + 1).trim().split("\\s+");
            if (fields.length < 2) {
                return -1;
            }
            try {
                return Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public String commandLine(long pid) {
            String raw = read(root.resolve(Long.toString(pid)).resolve("cmdline"), MAX_CMDLINE_BYTES);
            return raw == null ? null : raw.replace('\0', ' ').trim();
        }

        private static String read(Path file, int max) {
            try (InputStream in = Files.newInputStream(file)) {
                return new String(in.readNBytes(max), StandardCharsets.UTF_8);
            } catch (IOException | SecurityException | UnsupportedOperationException e) {
                return null;
            }
        }
    }
}
