package org.afmetrics.facility;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A helper program run with a time limit (a {@code jupyter --paths}, the kernel's warm-up client):
 * one that outlasts it, or whose wait is interrupted, is killed with every process it started, so
 * no command leaves a kernel or a client running behind it.
 */
final class TimedProcess {
    private TimedProcess() {
    }

    /** Its exit status; empty once {@code limit} has passed, the process and its descendants killed. */
    static OptionalInt await(Process process, Duration limit) throws InterruptedException {
        boolean ended;
        try {
            ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!ended) {
            kill(process);
            return OptionalInt.empty();
        }
        return OptionalInt.of(process.exitValue());
    }

    /** Kills the process and what it started, descendants first (they would be orphaned otherwise). */
    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
