package org.afmetrics;

import java.lang.instrument.Instrumentation;
import org.afmetrics.boot.RuntimeLoader;
import org.afmetrics.config.HostSelection;
import org.afmetrics.kernel.KernelPresence;

/**
 * The {@code -javaagent} entry. Nothing it does can throw into the host.
 * <p>
 * Every JVM under {@code JAVA_TOOL_OPTIONS} opens the agent jar and pays for each entry of its
 * central directory, monitored or not; so the jar holds a few classes of its own (this one, the
 * decision whether to serve, the cell bridge) and the rest of the agent as one entry,
 * {@value #RUNTIME}, which only a JVM the agent serves reads into a class loader of its own
 * (docs/design.md, the jar's layout). A JVM that is never a kernel (javac, Maven, JDK tools)
 * loads this class and {@link HostSelection} and returns. Any other JVM that needs nothing
 * before its main loads the runtime on a daemon thread; a kernel to hook, or settings premain acts
 * on, load it here, before the host's main.
 */
public final class Agent implements Runnable {
    /** The agent's runtime, its classes and libraries: a jar stored as this entry of the agent jar. */
    public static final String RUNTIME = "META-INF/af-metrics/runtime.jar";
    private static final String RUNTIME_ENTRY = "org.afmetrics.AgentRuntime";

    private final String args;
    private final Instrumentation instrumentation;

    private Agent(String args, Instrumentation instrumentation) {
        this.args = args;
        this.instrumentation = instrumentation;
    }

    public static void premain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation, false);
    }

    /** Loaded into a running JVM by {@code java -jar af-metrics-agent.jar attach PID}. */
    public static void agentmain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation, true);
    }

    private static void launch(String args, Instrumentation instrumentation, boolean attached) {
        try {
            if (!attached) {
                String main = HostSelection.mainOf(System.getProperty("sun.java.command"));
                if (HostSelection.isBuiltInNonKernel(main) && !HostSelection.namesOneOf(HostSelection.SELECTION_KEYS, args)) {
                    return;
                }
                if (!HostSelection.namesPremainKey(args)
                        && (instrumentation == null || !KernelPresence.kernelMayAppear(main))) {
                    // nothing to do before the host's main: the runtime loads beside it
                    Thread boot = new Thread(new Agent(args, instrumentation), "af-metrics-boot");
                    boot.setDaemon(true);
                    boot.start();
                    return;
                }
            }
            startRuntime(args, instrumentation, attached);
        } catch (Throwable t) {
            fail(t);
        }
    }

    /** The runtime's start for a JVM that needs nothing of the agent before its main. */
    @Override
    public void run() {
        try {
            // the runtime's entries catch and report their own errors
            RuntimeLoader.launch(Agent.class, RUNTIME, RUNTIME_ENTRY, "launchBeside", args, instrumentation, false);
        } catch (Throwable t) {
            fail(t);
        }
    }

    private static void startRuntime(String args, Instrumentation instrumentation, boolean attached) throws Exception {
        RuntimeLoader.launch(Agent.class, RUNTIME, RUNTIME_ENTRY, "launch", args, instrumentation, attached);
    }

    private static void fail(Throwable t) {
        try {
            System.err.println("[af-metrics] could not start: " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage().replace('\n', ' '))
                    + "; the application runs on without it");
        } catch (Throwable ignored) {
            // stderr itself failed: there is nobody left to tell
        }
    }
}
