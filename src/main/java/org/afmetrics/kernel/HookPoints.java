package org.afmetrics.kernel;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel classes the agent hooks, by internal class name, and the methods in each. These
 * were checked against the bytecode of jupyter-jvm-basekernel 2.3.0, jjava-jupyter 1.0-a6 and
 * kotlin-jupyter-kernel 0.11.0-398 (see the README, "Cell metrics in JVM kernels").
 * Plain strings only: the class watcher consults this map for every class the JVM loads.
 */
final class HookPoints {
    static final String BASEKERNEL_PACKAGE = "io.github.spencerpark.jupyter.";
    static final String JJAVA_PACKAGE = "org.dflib.jjava.jupyter.";
    static final String KOTLIN_PACKAGE = "org.jetbrains.kotlinx.jupyter.";

    /** What one method does for the recorder. */
    enum Role {
        /** Called once as the kernel connects: {@code this} describes the kernel. */
        KERNEL_START,
        /** Static kernel-wide entry (Kotlin): the first call makes the kernel known. */
        KERNEL_SEEN,
        /** Spans one user cell, from the execute request to its reply. */
        CELL,
        /** Called only when the cell's code failed (the kernel catches the exception itself). */
        CELL_FAILED,
        /** Returns the cell's execution result object (Success / Failure / Interrupted). */
        CELL_RESULT,
        /** The user asked to interrupt. */
        INTERRUPT,
        /** The body of a worker thread the kernel runs (part of) a cell on. */
        CELL_WORK
    }

    /**
     * internal class name → method → role. A method is its name, or a name prefix ending in
     * {@code *}, optionally followed by the start of its descriptor, e.g. {@code invoke()V}.
     */
    static final Map<String, Map<String, Role>> BY_CLASS;

    static {
        Map<String, Map<String, Role>> m = new HashMap<>();
        // jupyter-jvm-basekernel (IJava and kernels built on it): handleExecuteRequest is private
        // synchronized and catches every Exception of eval(); its catch block alone calls ErrorReply.of.
        Map<String, Role> base = new HashMap<>();
        base.put("becomeHandlerForConnection", Role.KERNEL_START);
        base.put("handleExecuteRequest", Role.CELL);
        base.put("handleInterruptRequest", Role.INTERRUPT);
        m.put("io/github/spencerpark/jupyter/kernel/BaseKernel", base);
        m.put("io/github/spencerpark/jupyter/messages/reply/ErrorReply", Collections.singletonMap("of", Role.CELL_FAILED));
        // JJava: the same shape, protected methods; startup snippets run through eval() too, so
        // counting at the request counts the user's cells only.
        m.put("org/dflib/jjava/jupyter/kernel/BaseKernel", base);
        m.put("org/dflib/jjava/jupyter/messages/reply/ErrorReply", Collections.singletonMap("of", Role.CELL_FAILED));
        // Kotlin kernel 0.11: evalWithIO serves execute_request only and runs the cell through
        // JupyterExecutor.runExecution, whose result is Success, Failure or Interrupted.
        Map<String, Role> protocol = new HashMap<>();
        protocol.put("shellMessagesHandler", Role.KERNEL_SEEN);
        protocol.put("evalWithIO", Role.CELL);
        m.put("org/jetbrains/kotlinx/jupyter/messaging/ProtocolKt", protocol);
        Map<String, Role> executor = new HashMap<>();
        executor.put("runExecution", Role.CELL_RESULT);
        executor.put("interruptExecutions", Role.INTERRUPT);
        m.put("org/jetbrains/kotlinx/jupyter/JupyterExecutorImpl", executor);
        // runExecution starts a thread per cell (kotlin.concurrent.thread) whose body is this
        // lambda; the cell's compilation and code run there while the shell thread joins it.
        // invoke()V only: the bridge method invoke()Object calls it.
        m.put("org/jetbrains/kotlinx/jupyter/JupyterExecutorImpl$runExecution$execThread$1",
                Collections.singletonMap("invoke()V", Role.CELL_WORK));
        // Kotlin kernel 0.11.0-89-1, an earlier build of 0.11: the same evalWithIO, but the cell runs
        // through JupyterConnection.runExecution on a thread of its own, and its result is one class
        // whose isInterrupted() and getThrowable() tell the outcome.
        Map<String, Role> connection = new HashMap<>();
        connection.put("runExecution", Role.CELL_RESULT);
        connection.put("interruptExecution", Role.INTERRUPT);
        m.put("org/jetbrains/kotlinx/jupyter/JupyterConnection", connection);
        m.put("org/jetbrains/kotlinx/jupyter/JupyterConnection$runExecution$execThread$1",
                Collections.singletonMap("invoke()V", Role.CELL_WORK));
        // JShell's local execution engine (the test kernels, and kernels using it) runs every
        // snippet on a new thread whose body is a lambda of invoke(Method): lambda$invoke$1 on
        // JDK 17, lambda$invoke$0 on JDK 25, told apart from its other lambdas by the arguments.
        m.put("jdk/jshell/execution/LocalExecutionControl", Collections.singletonMap(
                "lambda$invoke$*([Ljava/lang/Object;Ljava/lang/reflect/Method;", Role.CELL_WORK));
        BY_CLASS = Collections.unmodifiableMap(m);
    }

    private HookPoints() {
    }

    static Map<String, Role> forInternalName(String internalName) {
        return internalName == null ? null : BY_CLASS.get(internalName);
    }
}
