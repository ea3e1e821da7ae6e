package org.afmetrics.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AgentThreadsTest {
    private static long count(String what) {
        return InternalErrors.snapshot().getOrDefault(what, 0L);
    }

    /** Runs the body with System.err captured; returns what was printed there. */
    private static String stderrOf(ThrowingRunnable body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void anOutOfMemoryErrorInAnAgentThreadIsCountedAndNeverPrinted() throws Exception {
        long before = count("ingest-test");
        String printed = stderrOf(() -> {
            Thread t = AgentThreads.start("ingest-test-1", () -> {
                throw new OutOfMemoryError("Java heap space");
            });
            t.join(5000);
            assertTrue(t.isDaemon());
        });
        assertEquals("", printed);
        assertEquals(before + 1, count("ingest-test"));
    }

    @Test
    void threadsThatLibrariesStartFromAnAgentThreadAreCoveredToo() throws Exception {
        long before = count("jdk-library-thread");
        AtomicReference<Thread> started = new AtomicReference<>();
        String printed = stderrOf(() -> {
            Thread agent = AgentThreads.start("starter-test", () -> {
                // as the JDK HTTP server starts its dispatcher: a plain Thread, no group given
                Thread library = new Thread(() -> {
                    throw new IllegalStateException("boom");
                }, "library-thread");
                started.set(library);
                library.start();
            });
            agent.join(5000);
            started.get().join(5000);
        });
        assertEquals("", printed, "no stack trace on the host's stderr");
        assertEquals(before + 1, count("jdk-library-thread"));
    }
}
