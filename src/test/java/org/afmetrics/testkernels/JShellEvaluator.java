package org.afmetrics.testkernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Java cells for the test kernels: JShell with the local execution engine, so a cell runs inside
 * the kernel JVM (where the agent is), as in IJava's default set-up.
 */
public final class JShellEvaluator implements AutoCloseable {
    /** A cell that did not complete: compile error, exception or interruption. */
    public static final class CellException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CellException(String message) {
            super(message);
        }
    }

    private final JShell shell = JShell.builder().executionEngine("local").build();
    private volatile boolean stopRequested;
    private volatile boolean evaluating;

    /** Runs every snippet of the cell; returns the last value, or null when there is none. */
    public synchronized String eval(String code) {
        stopRequested = false;
        evaluating = true;
        try {
            return evalSnippets(code);
        } finally {
            evaluating = false;
        }
    }

    private String evalSnippets(String code) {
        String value = null;
        String remaining = code;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        while (remaining != null && !remaining.trim().isEmpty()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                throw new CellException("incomplete input: " + remaining.trim());
            }
            remaining = info.remaining();
            for (SnippetEvent event : shell.eval(info.source())) {
                if (stopRequested) {
                    throw new CellException("interrupted");
                }
                if (event.exception() != null) {
                    throw new CellException(describe(event.exception()));
                }
                if (event.status() == Snippet.Status.REJECTED) {
                    throw new CellException("compile error: " + diagnostics(event.snippet()));
                }
                if (event.value() != null && event.causeSnippet() == null && showsValue(event.snippet())) {
                    value = event.value();
                }
            }
        }
        if (stopRequested) {
            throw new CellException("interrupted");
        }
        return value;
    }

    /**
     * Stops the running cell: JShell's own stop (which ends it on JDK 17) and an interrupt of every
     * thread running snippet code (JShell compiles snippets into package {@code REPL}), which ends
     * a blocking call on JDKs where that stop no longer can. Repeated until the cell returns, as
     * the request may arrive while the cell is still being compiled.
     */
    public void stop() {
        stopRequested = true;
        Thread stopper = new Thread(() -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (evaluating && System.nanoTime() < deadline) {
                shell.stop();
                interruptSnippetThreads();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "jshell-stopper");
        stopper.setDaemon(true);
        stopper.start();
    }

    private static void interruptSnippetThreads() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : e.getValue()) {
                if (frame.getClassName().startsWith("REPL.")) {
                    e.getKey().interrupt();
                    break;
                }
            }
        }
    }

    /** Only an expression shows its value, as in IJava; a declaration does not. */
    private static boolean showsValue(Snippet snippet) {
        return snippet.kind() == Snippet.Kind.EXPRESSION
                || snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private String diagnostics(Snippet snippet) {
        List<String> out = new ArrayList<>();
        shell.diagnostics(snippet).forEach((Diag d) -> out.add(d.getMessage(Locale.ROOT)));
        return out.stream().collect(Collectors.joining("; "));
    }

    private static String describe(Throwable t) {
        if (t instanceof EvalException) {
            return ((EvalException) t).getExceptionClassName() + ": " + t.getMessage();
        }
        return t.getClass().getName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        shell.close();
    }
}
