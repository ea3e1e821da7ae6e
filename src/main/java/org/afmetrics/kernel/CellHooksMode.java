package org.afmetrics.kernel;

/**
 * The {@code cell-hooks} setting: no hooks, hooks where a kernel can appear, or hooks in any JVM
 * (a class watcher from premain on, for a kernel repackaged under another jar name or loading its
 * classes through a loader of its own). {@link #text} is the setting's value as the
 * configuration writes it.
 */
public enum CellHooksMode {
    OFF("false"),
    ON("true"),
    FORCE("force");

    /** {@code false}, {@code true} or {@code force}. */
    public final String text;

    CellHooksMode(String text) {
        this.text = text;
    }

    /** Whether any cell hook is installed: not {@link #OFF}. */
    public boolean hooks() {
        return this != OFF;
    }

    /** The mode whose {@link #text} this is (as the configuration parsed it). */
    public static CellHooksMode of(String text) {
        for (CellHooksMode m : values()) {
            if (m.text.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a cell-hooks mode (false, true or force)");
    }
}
