package org.afmetrics.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel methods the agent hooks: one row per hook point, class and method name and the
 * method descriptors known to have the expected shape. These were checked against the bytecode
 * of jupyter-jvm-basekernel 2.3.0, jjava-jupyter 1.0-a6 and kotlin-jupyter-kernel 0.11.0-398
 * (see docs/design.md, "Cell hooks"). A class of a hooked name whose method is absent or has
 * another descriptor is left as it is and its hook reported {@code missing}: weaving a reshaped
 * method could count the wrong thing.
 * <p>
 * Plain strings only: the class watcher consults this table for every class the JVM loads.
 * A new hook point is one row here, and a new kind of hook one {@link Role} constant (what to
 * call on entry and at exit) plus its method in {@link org.afmetrics.kernel.bridge.CellBridge}.
 */
final class HookPoints {
    static final String BASEKERNEL_PACKAGE = "io.github.spencerpark.jupyter.";
    static final String JJAVA_PACKAGE = "org.dflib.jjava.jupyter.";
    static final String KOTLIN_PACKAGE = "org.jetbrains.kotlinx.jupyter.";

    /** What to call on a method's entry and at its exits. */
    enum Role {
        /** Called once as the kernel connects: {@code this} describes the kernel. */
        KERNEL_START(Enter.THIS, "kernelStarted", Exit.NONE, null),
        /** Static kernel-wide entry (Kotlin): the first call makes the kernel known. */
        KERNEL_SEEN(Enter.OWNER_CLASS, "kernelStarted", Exit.NONE, null),
        /** Spans one user cell, from the execute request to its reply; the cell's thread does its work. */
        CELL(Enter.PLAIN, "cellStarted", Exit.THROWN_OR_NULL, "cellEnded"),
        /**
         * Spans one user cell whose code the kernel runs on {@link #CELL_WORK} threads while the
         * request's thread waits: only the workers' CPU and allocation count for the cell.
         */
        CELL_ON_WORKER(Enter.PLAIN, "workerCellStarted", Exit.THROWN_OR_NULL, "cellEnded"),
        /** Called only when the cell's code failed (the kernel catches the exception itself). */
        CELL_FAILED(Enter.PLAIN, "cellFailed", Exit.NONE, null),
        /** Returns the cell's execution result object (Success / Failure / Interrupted). */
        CELL_RESULT(Enter.NONE, null, Exit.RETURNED, "cellOutcome"),
        /** The user asked to interrupt. */
        INTERRUPT(Enter.PLAIN, "interruptRequested", Exit.NONE, null),
        /**
         * The whole body of a thread the kernel starts for (part of) one cell: what the thread used
         * in its life, read once as the body ends, is what it spent on the cell. Not for a pooled
         * thread, whose earlier tasks would count too.
         */
        CELL_WORK(Enter.PLAIN, "workStarted", Exit.THROWN_OR_NULL, "workEnded");

        final Enter enter;
        final String enterCall;
        final Exit exit;
        final String exitCall;

        Role(Enter enter, String enterCall, Exit exit, String exitCall) {
            this.enter = enter;
            this.enterCall = enterCall;
            this.exit = exit;
            this.exitCall = exitCall;
        }
    }

    /** The bridge call on entry: none, no argument, {@code this}, or the hooked class. */
    enum Enter {
        NONE, PLAIN, THIS, OWNER_CLASS
    }

    /**
     * The bridge call on exit: none; the returned object at every normal return; or null at every
     * normal return and the throwable when the method throws (the throwable is rethrown).
     */
    enum Exit {
        NONE, RETURNED, THROWN_OR_NULL
    }

    /** One hooked method. */
    static final class HookPoint {
        final String owner;
        final String method;
        final List<String> descriptors;
        final Role role;
        /** A lambda's body: {@link #method} is the name up to the compiler's number, which varies. */
        final boolean lambda;

        HookPoint(String owner, String method, Role role, String... descriptors) {
            this(owner, method, false, role, descriptors);
        }

        private HookPoint(String owner, String method, boolean lambda, Role role, String... descriptors) {
            this.owner = owner;
            this.method = method;
            this.lambda = lambda;
            this.role = role;
            this.descriptors = Collections.unmodifiableList(java.util.Arrays.asList(descriptors));
        }

        /** The body of a lambda in {@code enclosingMethod}, whatever number javac gave it. */
        static HookPoint lambdaIn(String owner, String enclosingMethod, Role role, String... descriptors) {
            return new HookPoint(owner, "lambda$" + enclosingMethod + "$", true, role, descriptors);
        }

        /**
         * The {@code hook} label: class and method, e.g.
         * {@code io.github.spencerpark.jupyter.kernel.BaseKernel.handleExecuteRequest} (two kernels
         * have a {@code BaseKernel}, and a class path may hold both).
         */
        String label() {
            return qualifiedName();
        }

        /** For messages: the class's binary name and the method. */
        String qualifiedName() {
            return owner.replace('/', '.') + "." + method + (lambda ? "*" : "");
        }

        boolean matches(String name, String descriptor) {
            return (lambda ? name.startsWith(method) : method.equals(name)) && descriptors.contains(descriptor);
        }
    }

    private static final String BASE = "io/github/spencerpark/jupyter/";
    private static final String JJAVA = "org/dflib/jjava/jupyter/";
    private static final String KOTLIN = "org/jetbrains/kotlinx/jupyter/";
    /** JDK classes: hooked only in JVMs where a kernel of the rows above appears. */
    static final String JSHELL_EXECUTION = "jdk/jshell/execution/";

    static final List<HookPoint> ALL = Collections.unmodifiableList(java.util.Arrays.asList(
            // jupyter-jvm-basekernel (IJava and kernels built on it): handleExecuteRequest is private
            // synchronized and catches every Exception of eval(); its catch block alone calls ErrorReply.of.
            new HookPoint(BASE + "kernel/BaseKernel", "becomeHandlerForConnection", Role.KERNEL_START,
                    "(L" + BASE + "channels/JupyterConnection;)V"),
            new HookPoint(BASE + "kernel/BaseKernel", "handleExecuteRequest", Role.CELL,
                    "(L" + BASE + "channels/ShellReplyEnvironment;L" + BASE + "messages/Message;)V"),
            new HookPoint(BASE + "kernel/BaseKernel", "handleInterruptRequest", Role.INTERRUPT,
                    "(L" + BASE + "channels/ShellReplyEnvironment;L" + BASE + "messages/Message;)V"),
            new HookPoint(BASE + "messages/reply/ErrorReply", "of", Role.CELL_FAILED,
                    "(Ljava/lang/Exception;)L" + BASE + "messages/reply/ErrorReply;"),
            // JJava: the same shape, protected methods; startup snippets run through eval() too, so
            // counting at the request counts the user's cells only.
            new HookPoint(JJAVA + "kernel/BaseKernel", "becomeHandlerForConnection", Role.KERNEL_START,
                    "(L" + JJAVA + "channels/JupyterConnection;)V"),
            new HookPoint(JJAVA + "kernel/BaseKernel", "handleExecuteRequest", Role.CELL,
                    "(L" + JJAVA + "channels/ShellReplyEnvironment;L" + JJAVA + "messages/Message;)V"),
            new HookPoint(JJAVA + "kernel/BaseKernel", "handleInterruptRequest", Role.INTERRUPT,
                    "(L" + JJAVA + "channels/ShellReplyEnvironment;L" + JJAVA + "messages/Message;)V"),
            new HookPoint(JJAVA + "messages/reply/ErrorReply", "of", Role.CELL_FAILED,
                    "(Ljava/lang/Exception;)L" + JJAVA + "messages/reply/ErrorReply;"),
            // Kotlin kernel 0.11: evalWithIO serves execute_request only and runs the cell through
            // JupyterExecutor.runExecution, whose result is Success, Failure or Interrupted.
            // The second descriptor of each is the earlier build 0.11.0-89-1's. The cell's compilation
            // and code run on the execThread below; evalWithIO's thread only waits and replies.
            new HookPoint(KOTLIN + "messaging/ProtocolKt", "shellMessagesHandler", Role.KERNEL_SEEN,
                    "(L" + KOTLIN + "messaging/JupyterConnectionInternal;L" + KOTLIN + "api/libraries/RawMessage;L"
                            + KOTLIN + "ReplForJupyter;L" + KOTLIN + "messaging/CommManagerInternal;"
                            + "Ljava/util/concurrent/atomic/AtomicLong;)V",
                    "(L" + KOTLIN + "JupyterConnection$Socket;L" + KOTLIN + "messaging/Message;L" + KOTLIN
                            + "ReplForJupyter;Ljava/util/concurrent/atomic/AtomicLong;)V"),
            new HookPoint(KOTLIN + "messaging/ProtocolKt", "evalWithIO", Role.CELL_ON_WORKER,
                    "(L" + KOTLIN + "messaging/JupyterConnectionInternal;Ljava/lang/String;L" + KOTLIN
                            + "ReplForJupyter;L" + KOTLIN + "api/libraries/RawMessage;ZLkotlin/jvm/functions/Function0;)L"
                            + KOTLIN + "messaging/Response;",
                    "(L" + KOTLIN + "JupyterConnection;L" + KOTLIN + "ReplForJupyter;L" + KOTLIN
                            + "messaging/Message;Lkotlin/jvm/functions/Function0;)L" + KOTLIN + "messaging/Response;"),
            new HookPoint(KOTLIN + "JupyterExecutorImpl", "runExecution", Role.CELL_RESULT,
                    "(Ljava/lang/String;Ljava/lang/ClassLoader;Lkotlin/jvm/functions/Function0;)L" + KOTLIN
                            + "ExecutionResult;"),
            new HookPoint(KOTLIN + "JupyterExecutorImpl", "interruptExecutions", Role.INTERRUPT, "()V"),
            // runExecution starts a thread per cell (kotlin.concurrent.thread) whose body is this
            // lambda; the cell's compilation and code run there while the shell thread joins it.
            new HookPoint(KOTLIN + "JupyterExecutorImpl$runExecution$execThread$1", "invoke", Role.CELL_WORK, "()V"),
            // 0.11.0-89-1: the cell runs through JupyterConnection.runExecution, on a thread of its own,
            // and its result is one class whose isInterrupted() and getThrowable() tell the outcome.
            new HookPoint(KOTLIN + "JupyterConnection", "runExecution", Role.CELL_RESULT,
                    "(Lkotlin/jvm/functions/Function0;Ljava/lang/ClassLoader;)L" + KOTLIN
                            + "JupyterConnection$ConnectionExecutionResult;"),
            new HookPoint(KOTLIN + "JupyterConnection", "interruptExecution", Role.INTERRUPT, "()V"),
            new HookPoint(KOTLIN + "JupyterConnection$runExecution$execThread$1", "invoke", Role.CELL_WORK, "()V"),
            // JShell's local execution engine (the JShell test kernels, and kernels using it) runs every
            // snippet on a new thread whose body is a lambda of invoke(Method): lambda$invoke$1 on
            // JDK 17, lambda$invoke$0 on JDK 25, the same descriptor on both.
            HookPoint.lambdaIn(JSHELL_EXECUTION + "LocalExecutionControl", "invoke", Role.CELL_WORK,
                    "([Ljava/lang/Object;Ljava/lang/reflect/Method;Ljava/util/concurrent/atomic/AtomicReference;"
                            + "Ljava/util/concurrent/atomic/AtomicReference;"
                            + "Ljava/util/concurrent/atomic/AtomicReference;)V")));

    /** internal class name → its hook points */
    private static final Map<String, List<HookPoint>> BY_CLASS;

    static {
        Map<String, List<HookPoint>> m = new HashMap<>();
        for (HookPoint p : ALL) {
            List<HookPoint> list = m.get(p.owner);
            if (list == null) {
                list = new ArrayList<>();
                m.put(p.owner, list);
            }
            list.add(p);
        }
        BY_CLASS = Collections.unmodifiableMap(m);
    }

    private HookPoints() {
    }

    /** A JDK class among the hooked ones: every JVM has it, so its presence says nothing of a kernel. */
    static boolean isJdkClass(String internalName) {
        return internalName.startsWith(JSHELL_EXECUTION);
    }

    /** A class of the kernels that run their cells on JShell's local engine (basekernel, JJava). */
    static boolean runsCellsOnJShell(String internalName) {
        return internalName.startsWith(BASE) || internalName.startsWith(JJAVA);
    }

    /** The hook points of a class, by its internal name; null for the classes that have none. */
    static List<HookPoint> forInternalName(String internalName) {
        return internalName == null ? null : BY_CLASS.get(internalName);
    }

    /** The hooked classes' internal names. */
    static java.util.Set<String> classes() {
        return BY_CLASS.keySet();
    }

    /**
     * The hooked classes of the same kernel as {@code internalName} (those under the same one of
     * the three kernel packages); empty for a class of none.
     */
    static java.util.Set<String> sameKernel(String internalName) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String prefix : new String[] {BASE, JJAVA, KOTLIN}) {
            if (internalName.startsWith(prefix)) {
                for (String c : BY_CLASS.keySet()) {
                    if (c.startsWith(prefix)) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }
}
