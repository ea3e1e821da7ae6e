package org.afmetrics.facility;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * A process as Linux's {@code /proc/PID/stat} shows it: its state and its start in clock ticks
 * since boot. The ticks are exact and the same in every process that reads them, unlike a start
 * converted to wall-clock time (boot time as the kernel reports it can shift by a second when the
 * clock is adjusted), so they tell a reused pid apart for sure. Elsewhere there is no such file.
 */
final class ProcessStat {
    final char state;
    final String startTicks;

    private ProcessStat(char state, String startTicks) {
        this.state = state;
        this.startTicks = startTicks;
    }

    /** The process's stat, or null when there is none (gone, or not Linux). */
    static ProcessStat of(long pid) {
        String s;
        try {
            s = new String(Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "stat")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        // the command name in parentheses may hold spaces and parentheses itself: fields follow the last ')'
        int close = s.lastIndexOf(')');
        if (close < 0 || close + 2 >= s.length()) {
            return null;
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state), so field 22 (starttime) is f[19]
        if (f.length < 20 || f[0].isEmpty()) {
            return null;
        }
        return new ProcessStat(f[0].charAt(0), f[19]);
    }

    /** Exited and only waiting for its parent to reap it (zombie), or dead. */
    boolean exited() {
        return state == 'Z' || state == 'X' || state == 'x';
    }
}
