package org.afmetrics.support;

/**
 * The agent's only voice: single lines on stderr, each starting with {@code [af-metrics]}. It
 * never uses the host's logging framework, so the host's log format and levels stay its own.
 */
public final class Log {
    private Log() {
    }

    public static void info(String message) {
        System.err.println("[af-metrics] " + oneLine(message));
    }

    /** Values echoed from settings or files may hold newlines or be huge: a warning stays one short line. */
    public static void warn(String message) {
        System.err.println("[af-metrics] warning: " + oneLine(message));
    }

    public static void error(String what, Throwable cause) {
        System.err.println("[af-metrics] " + what + ": " + describe(cause) + "; the application runs on without it");
    }

    public static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isEmpty() ? "" : " (" + oneLine(m) + ")");
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace('\r', ' ');
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }
}
