package org.afmetrics.identity;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.afmetrics.config.AgentConfig;

/**
 * Finds the user and the session of this JVM from what Jupyter gives a kernel: JupyterHub's
 * user variable, the kernel connection file on the command line, the notebook's session name.
 * Reads named variables only, never the whole environment, so no token is ever touched.
 *
 * <p>A JVM that is not a kernel itself (a Spark driver, a build tool, a worker a notebook cell
 * starts) takes the session of the nearest ancestor process that is a Jupyter kernel of any
 * language, found by a bounded walk up the process tree; the {@value #ROLE} label says which.
 */
public final class IdentityDetector {
    static final String HUB_USER = "JUPYTERHUB_USER";
    static final String SESSION_NAME = "JPY_SESSION_NAME";
    /** The label saying whose JVM this is: {@link #KERNEL}, {@link #CHILD} or {@link #OTHER}. */
    public static final String ROLE = "jvm";
    /** The kernel's own JVM: its connection file is on this JVM's command line. */
    public static final String KERNEL = "kernel";
    /** A JVM a kernel started: an ancestor process holds a connection file. */
    public static final String CHILD = "child";
    /** Neither: no kernel found; the session is this JVM's pid. */
    public static final String OTHER = "other";
    /** Most ancestors looked at. */
    static final int MAX_DEPTH = 16;

    private final Function<String, String> env;
    private final String commandLine;
    private final String osUser;
    private final long pid;
    private final ProcessTree tree;

    public IdentityDetector(Function<String, String> env, String commandLine, String osUser, long pid) {
        this(env, commandLine, osUser, pid, ProcessTree.NONE);
    }

    public IdentityDetector(Function<String, String> env, String commandLine, String osUser, long pid,
            ProcessTree tree) {
        this.env = env;
        this.commandLine = commandLine == null ? "" : commandLine;
        this.osUser = osUser;
        this.pid = pid;
        this.tree = tree;
    }

    /**
     * The detector for this JVM: its environment, the launcher's command line, its pid, and the
     * process tree of this system (Linux's {@code /proc}; none elsewhere). Reads the tree only in
     * {@link #detect}, so call that off the JVM's start path.
     */
    public static IdentityDetector forThisJvm() {
        return new IdentityDetector(System::getenv, System.getProperty("sun.java.command"),
                System.getProperty("user.name"), ProcessHandle.current().pid(), ProcessTree.forThisSystem());
    }

    public Identity detect(AgentConfig config) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("user", config.user().orElseGet(this::user));
        String ownKernel = kernelIdFromCommandLine(commandLine);
        String kernelId = ownKernel != null ? ownKernel : kernelIdOfAncestor();
        String detected = kernelId != null ? kernelId : Long.toString(pid);
        labels.put("session", config.session().orElse(detected));
        labels.put(ROLE, ownKernel != null ? KERNEL : kernelId != null ? CHILD : OTHER);
        String notebook = nonEmpty(env.apply(SESSION_NAME));
        if (notebook != null) {
            labels.put("notebook", notebook);
        }
        for (Map.Entry<String, String> e : config.labels().entrySet()) {
            labels.putIfAbsent(e.getKey(), e.getValue());
        }
        return new Identity(labels);
    }

    String user() {
        String hub = nonEmpty(env.apply(HUB_USER));
        if (hub != null) {
            return hub;
        }
        return osUser == null || osUser.isEmpty() ? "unknown" : osUser;
    }

    /**
     * The kernel id of the nearest ancestor whose arguments hold a connection file: at most
     * {@link #MAX_DEPTH} ancestors, stopping at pid 1, at a process seen before, or at the first
     * one whose parent or arguments cannot be read; null when none is found.
     */
    String kernelIdOfAncestor() {
        Set<Long> seen = new HashSet<>();
        seen.add(pid);
        long current = tree.parent(pid);
        for (int depth = 0; depth < MAX_DEPTH && current > 1 && seen.add(current); depth++) {
            String args = tree.commandLine(current);
            if (args == null) {
                return null;
            }
            String id = kernelIdFromCommandLine(args);
            if (id != null) {
                return id;
            }
            current = tree.parent(current);
        }
        return null;
    }

    /**
     * The kernel id of a {@code kernel-<id>.json} connection file among the arguments, as
     * Jupyter names it when it launches a kernel; null when there is none.
     */
    public static String kernelIdFromCommandLine(String commandLine) {
        for (String arg : commandLine.split("\\s+")) {
            String token = arg;
            int eq = token.lastIndexOf('=');
            if (eq >= 0) {
                token = token.substring(eq + 1);
            }
            int slash = Math.max(token.lastIndexOf('/'), token.lastIndexOf('\\'));
            String base = token.substring(slash + 1);
            if (base.startsWith("kernel-") && base.endsWith(".json") && base.length() > "kernel-.json".length()) {
                return base.substring("kernel-".length(), base.length() - ".json".length());
            }
        }
        return null;
    }

    private static String nonEmpty(String s) {
        return s == null || s.trim().isEmpty() ? null : s.trim();
    }
}
